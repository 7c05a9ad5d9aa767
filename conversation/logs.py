"""Every log line of a call carries its correlation id and none of its personal data.

Pipecat's dev runner replaces loguru's sinks with its own (level DEBUG), and
Pipecat's services log transcripts at DEBUG, so neither a sink format nor a
level can be relied on. A loguru *patcher* runs on every record before any
sink sees it, whatever sinks exist: it redacts the message (and a traceback,
which it folds into the message), and prefixes `[call <id> turn <n>]` for the
call the logging code runs in. The call is found through a context variable
set where the call's pipeline is built; the tasks of that pipeline inherit it.
"""

import traceback
from contextvars import ContextVar

from loguru import logger

from conversation.call import Call
from conversation.redaction import Redactor

_current_call: ContextVar[Call | None] = ContextVar("current_call", default=None)
_fallback = Redactor()
_installed = False


def bind_call(call: Call):
    """Mark the running task, and every task it starts from now on, as part of `call`."""
    _current_call.set(call)


def current_call() -> Call | None:
    return _current_call.get()


def install_log_privacy(region: str = "GB", allowed: tuple[str, ...] = ()):
    """Redact and correlate every log record from now on (idempotent).

    `region` and `allowed` configure the redactor for lines outside any call."""
    global _fallback, _installed
    _fallback = Redactor(region, allowed)
    if not _installed:
        logger.configure(patcher=patch_record)
        _installed = True


def patch_record(record: dict):
    call = _current_call.get()
    redactor = call.redactor if call is not None else _fallback
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
    message = redactor.redact_log(message)
    if call is not None:
        record["extra"]["call"] = call.short_id
        record["extra"]["turn"] = call.state.turn
        message = f"[call {call.short_id} turn {call.state.turn}] {message}"
    record["message"] = message
