"""Every log line of a call carries its correlation id and none of its personal data.

Pipecat's dev runner replaces loguru's sinks with its own (level DEBUG), and
Pipecat's services log transcripts at DEBUG, so neither a sink format nor a
level can be relied on. A loguru *patcher* runs on every record before any
sink sees it, whatever sinks exist: it redacts the message (and a traceback,
which it folds into the message), and prefixes `[call <id> turn <n>]` for the
call the logging code runs in. The call is found through a context variable
set where the call's pipeline is built; the tasks of that pipeline inherit it.

Standard-library logging (uvicorn, aiortc, aioice, asyncio's "Task exception was
never retrieved") never reaches loguru, and uvicorn configures its own handlers
when the runner starts it. So the same redaction runs where every stdlib record
is made, the log-record factory, whatever handlers exist or are added later.

Both are installed at process start (bot.py), before the server serves anything;
a call's pipeline only re-installs them with the restaurant's own name and address
allowed. Network details (ICE credentials, IP addresses) and peer-connection ids
are redacted at every level (conversation/network_redaction.py).
"""

import logging
import traceback
from contextvars import ContextVar

from loguru import logger

from conversation.call import Call
from conversation.network_redaction import redact_network, redact_peer_connection_ids
from conversation.redaction import Redactor

_current_call: ContextVar[Call | None] = ContextVar("current_call", default=None)
_fallback = Redactor()
_installed = False


def bind_call(call: Call):
    """Mark the running task, and every task it starts from now on, as part of `call`."""
    _current_call.set(call)


def current_call() -> Call | None:
    return _current_call.get()


def current_redactor() -> Redactor:
    """The current call's redactor, or the process's for work outside any call."""
    call = _current_call.get()
    return call.redactor if call is not None else _fallback


def install_log_privacy(region: str = "GB", allowed: tuple[str, ...] = ()):
    """Redact and correlate every log record from now on (idempotent).

    `region` and `allowed` configure the redactor for lines outside any call."""
    global _fallback, _installed
    _fallback = Redactor(region, allowed)
    if not _installed:
        logger.configure(patcher=patch_record)
        logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
        _installed = True


# Pipecat log lines that quote a caller's raw message whole: a data-channel message
# that is not JSON ("Error parsing JSON message <it>, <error>", SmallWebRTC's
# connection). Free text a redactor cannot know the names in, so none of it is kept.
CALLER_PAYLOAD_PREFIXES = ("Error parsing JSON message ",)


def withhold_caller_payload(message: str) -> str:
    for prefix in CALLER_PAYLOAD_PREFIXES:
        if message.startswith(prefix):
            return f"{prefix}[{len(message) - len(prefix)} characters withheld]"
    return message


def redact_line(message: str, level: int) -> str:
    """One log line without personal data or network secrets, by the current call's redactor."""
    message = withhold_caller_payload(message)
    call = _current_call.get()
    redactor = call.redactor if call is not None else _fallback
    message = redact_peer_connection_ids(redact_network(message))
    return redactor.redact_log(message)


def patch_record(record: dict):
    call = _current_call.get()
    message = record["message"]
    exception = record["exception"]
    if exception is not None and exception.type is not None:
        # A traceback prints the exception's text (and maybe what the caller said):
        # fold it into the message, redacted, so no sink formats the raw one.
        details = "".join(
            traceback.format_exception(exception.type, exception.value, exception.traceback)
        )
        message = f"{message}\n{details.rstrip()}"
        record["exception"] = None
    message = redact_line(message, record["level"].no)
    if call is not None:
        record["extra"]["call"] = call.short_id
        record["extra"]["turn"] = call.state.turn
        message = f"[call {call.short_id} turn {call.state.turn}] {message}"
    record["message"] = message


def _redacting_factory(make_record):
    def make_redacted_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            _redact_stdlib_record(record)
        except Exception:  # a record logging cannot format: it reports that itself
            pass
        return record

    return make_redacted_record


def _redact_stdlib_record(record: logging.LogRecord):
    message = record.getMessage()
    folded = False
    if record.exc_info and record.exc_info[0] is not None:
        # As in patch_record: the traceback goes into the message, redacted.
        details = "".join(traceback.format_exception(*record.exc_info))
        message = f"{message}\n{details.rstrip()}"
        record.exc_info, record.exc_text, folded = None, None, True
    if record.stack_info:
        message = f"{message}\n{record.stack_info}"
        record.stack_info, folded = None, True
    redacted = redact_line(message, record.levelno)
    if redacted == message and not folded:
        return
    if isinstance(record.args, tuple) and record.args and not folded:
        # Some formatters read the arguments themselves (uvicorn's access log
        # unpacks five): keep them, redacted one by one, when that is enough.
        args = tuple(
            redact_line(a, record.levelno) if isinstance(a, str) else a for a in record.args
        )
        try:
            by_argument = record.msg % args
        except Exception:
            by_argument = None
        if by_argument is not None and redact_line(by_argument, record.levelno) == by_argument:
            record.args = args
            return
    record.msg, record.args = redacted, ()
