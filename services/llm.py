"""The LLM stage: Claude, any OpenAI-compatible server, or the on-device engine."""

from pipecat.services.llm_service import LLMService
from pipecat.utils.errors import ErrorCategory

from services.ondevice_llm import Dialogue, OnDeviceLLMService
from settings import Settings


def create_llm(settings: Settings, *, system_instruction: str, dialogue: Dialogue) -> LLMService:
    """Build the LLM that `settings` selects.

    `system_instruction` is for the generative LLMs, `dialogue` for the
    on-device engine; both come from the flow, so this module knows no domain.
    """
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
            settings=AnthropicLLMService.Settings(
                model=settings.anthropic_model, system_instruction=system_instruction
            ),
        )
        llm.add_event_handler("on_completion_timeout", report_completion_timeout)
        return llm

    if settings.llm == "openai":
        from pipecat.services.openai.llm import OpenAILLMService

        return OpenAILLMService(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            settings=OpenAILLMService.Settings(
                model=settings.openai_model, system_instruction=system_instruction
            ),
        )

    return OnDeviceLLMService(dialogue=dialogue)


async def report_completion_timeout(llm: LLMService):
    """Turn a stream that stalled mid-answer into an ErrorFrame.

    Pipecat only fires `on_completion_timeout` for it, so without this the turn
    ends silently half-said and nothing upstream learns why.
    """
    await llm.push_error(
        f"{llm}: the answer stalled mid-stream and timed out", category=ErrorCategory.CONNECTIVITY
    )
