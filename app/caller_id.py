"""The caller's own number, where the transport knows it: Daily PSTN dial-in.

Pipecat's runner puts a `DailyDialinRequest` in `runner_args.body` for a dial-in call
(pipecat/runner/run.py, `/daily-dialin-webhook`; Pipecat Cloud sends the same payload),
whose `dialin_settings.From` is the number the call came from. The transport itself keeps
only the call id and domain, so it is read here, before the transport is built. WebRTC and
eval calls carry no number: verification then needs two facts the caller says.
"""

from typing import Any

from flows.phone_numbers import valid_phone


def caller_phone(runner_args: Any, region: str) -> str | None:
    """The dial-in caller's number in E.164, or None when the call has none (or a hidden,
    malformed or invalid one)."""
    body = getattr(runner_args, "body", None)
    settings = getattr(body, "dialin_settings", None)
    if settings is None and isinstance(body, dict):
        settings = body.get("dialin_settings")
    raw = settings.get("From") if isinstance(settings, dict) else getattr(settings, "From", None)
    if not isinstance(raw, str) or not raw.strip():
        return None
    return valid_phone(raw, region)
