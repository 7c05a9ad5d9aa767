"""The per-call parts: the booking session, the call with its state, and how its state is read.

One call gets its own conversation state, gate and processors (app/parts.py); the stores and
breakers under them are the process's (app/resources.py).
"""

import uuid
from collections.abc import Callable

from app.resources import booking_tools, shared_breakers
from conversation.call import Call
from conversation.extraction import ModelExtraction, ParserExtraction, SlotReader
from conversation.logs import bind_call
from conversation.redaction import Redactor
from conversation.state import ConversationState
from flows.acknowledgements import tool_acknowledgement
from flows.booking_session import BookingSession
from flows.restaurant import Restaurant
from processors.speculative_reply_hold import SpeculativeReplyHold, hold_after_tts
from processors.tool_call_acknowledger import ToolCallAcknowledger
from services.llm import create_generative_llm
from settings import Settings

STATE_MODEL = "claude-haiku-4-5"
"""The state extractor's model with Claude when `STATE_MODEL` is unset: small and fast."""


def booking_session(
    settings: Settings,
    restaurant: Restaurant,
    extractor_counts_turns: bool = True,
    caller_phone: str | None = None,
) -> BookingSession:
    """The booking side of a new call: tools over the shared store, a gate of its own.
    `extractor_counts_turns`: the call has a state extractor, which counts every caller turn;
    `caller_phone`: the caller's own number (E.164), when the transport gives it."""
    tools = booking_tools(settings, caller_phone=caller_phone)
    state = ConversationState()
    gate = tools.gate(
        f"call-{uuid.uuid4()}",
        shared_breakers(settings.database_url),
        # The state extractor counts every caller turn; the compiled context keeps a few.
        # Without it there is no compiler either, and the gate counts the turns in the context.
        caller_turns=(lambda: state.turn) if extractor_counts_turns else None,
    )
    return BookingSession(settings, restaurant, tools, gate, state)


def new_call(
    settings: Settings, allowed: tuple[str, ...] = (), state: ConversationState | None = None
) -> Call:
    """A call's id, state and redactor; from now on, the log lines of the running task (and
    the tasks it starts) carry this call's id and are redacted for it.
    `allowed`: phrases that look personal but are the business's own (its address);
    `state`: the state object the flow reads, which the state extractor then keeps."""
    call = Call(
        redactor=Redactor(settings.restaurant_phone_region, allowed),
        state=state if state is not None else ConversationState(),
    )
    bind_call(call)
    return call


def state_extraction(settings: Settings, reader: SlotReader) -> ParserExtraction | ModelExtraction:
    """A small fast model of the same provider when the bot has a generative LLM, else the
    on-device parser."""
    if settings.llm == "anthropic":
        model = settings.state_model or STATE_MODEL
    elif settings.llm == "openai":
        model = settings.state_model or settings.openai_model
    else:
        return ParserExtraction(reader)
    # The whole JSON answer, not just its first token: twice the LLM's first-token deadline.
    return ModelExtraction(
        create_generative_llm(settings, model=model),
        reader,
        timeout_secs=2 * settings.llm_first_token_deadline_secs,
        retry_after_secs=settings.failover_probe_secs,
    )


def tool_acknowledger(generative: Callable[[], bool] | None) -> ToolCallAcknowledger | None:
    """The restaurant's acknowledgement of a tool call, while a generative LLM answers
    (`generative`: whether one answers now); None without one in the chain."""
    if generative is None:
        return None
    return ToolCallAcknowledger(tool_acknowledgement, enabled=generative)


def speculative_hold(settings: Settings, llm: object) -> SpeculativeReplyHold | None:
    """With `SPECULATIVE_REPLY`, the hold of a reply made before the caller's turn end is
    confirmed, after the TTS: the LLM then lets it through (without this part the LLM holds
    its text itself, as Pipecat does)."""
    if not settings.speculative_reply:
        return None
    hold_after_tts(llm)
    return SpeculativeReplyHold()
