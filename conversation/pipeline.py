"""The conversation parts of one call, for bot.py to put in its pipeline."""

import sys
from dataclasses import dataclass
from functools import cache

from pipecat.processors.frame_processor import FrameProcessor

from conversation.call import Call
from conversation.extraction import ModelExtraction, ParserExtraction, SlotReader
from conversation.logs import bind_call
from conversation.redaction import Redactor
from conversation.state import ConversationState
from conversation.store import ConversationStore, ConversationStoreError
from processors.context_compiler import ContextCompiler
from processors.conversation_recorder import ConversationRecorder
from processors.state_extractor import StateExtractor
from settings import Settings


@dataclass
class CallConversation:
    call: Call
    extractor: StateExtractor
    recorder: ConversationRecorder
    compiler: ContextCompiler

    def processors(self) -> list[FrameProcessor]:
        """In this order, between the user aggregator and the LLM."""
        return [self.extractor, self.recorder, self.compiler]


def call_conversation(
    settings: Settings,
    reader: SlotReader,
    allowed: tuple[str, ...] = (),
    state: ConversationState | None = None,
) -> CallConversation:
    """State, lean context and records for one call; from now on, the log lines of the
    running task (and the tasks it starts) carry this call's id and are redacted for it.
    `allowed`: phrases that look personal but are the business's own (its address);
    `state`: the state object the flow reads, which the extractor then keeps."""
    call = Call(
        redactor=Redactor(settings.restaurant_phone_region, allowed),
        state=state if state is not None else ConversationState(),
    )
    bind_call(call)
    return CallConversation(
        call=call,
        extractor=StateExtractor(call, state_extraction(settings, reader)),
        recorder=ConversationRecorder(
            call, shared_conversation_store(settings.conversations_database_url), settings.llm
        ),
        compiler=ContextCompiler(call, recent_turns=settings.context_recent_turns),
    )


def state_extraction(settings: Settings, reader: SlotReader) -> ParserExtraction | ModelExtraction:
    """A small fast model of the same provider when the bot has a generative LLM, else the
    on-device parser."""
    if settings.llm == "anthropic":
        from anthropic import AsyncAnthropic
        from pipecat.services.anthropic.llm import AnthropicLLMService

        api_key = settings.anthropic_api_key.get_secret_value()
        llm = AnthropicLLMService(
            api_key=api_key,
            client=AsyncAnthropic(
                api_key=api_key,
                base_url=settings.anthropic_base_url,
                timeout=settings.anthropic_timeout_secs,
                max_retries=settings.anthropic_max_retries,
            ),
            settings=AnthropicLLMService.Settings(model=settings.state_model or "claude-haiku-4-5"),
        )
        return ModelExtraction(llm, reader)
    if settings.llm == "openai":
        from pipecat.services.openai.llm import OpenAILLMService

        llm = OpenAILLMService(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            settings=OpenAILLMService.Settings(model=settings.state_model or settings.openai_model),
        )
        return ModelExtraction(llm, reader)
    return ParserExtraction(reader)


@cache
def shared_conversation_store(url: str) -> ConversationStore:
    """One store per database for the whole process; it migrates the schema when opened."""
    return ConversationStore.open(url)


def open_conversations_or_exit(settings: Settings) -> None:
    """Open (and migrate) the call records at start-up; if they cannot be, say why and exit 2."""
    try:
        shared_conversation_store(settings.conversations_database_url)
    except ConversationStoreError as error:
        print(f"configuration error: CONVERSATIONS_DATABASE_URL: {error}", file=sys.stderr)
        raise SystemExit(2) from None
