"""The LLM stage: Claude, any OpenAI-compatible server, or the on-device engine.

`anthropic_llm` and `openai_llm` are the one place each provider's client is
built: the bot's LLM, the state extractor's small model and the eval judge all
use them. With more than one LLM in `LLM_CHAIN` the bot's LLM is their
`LLMFailover` (services/llm_failover.py). Their services close the SDK's HTTP client
when the call ends (`ClosesClient`).
"""

import functools
import ssl
from typing import Any

from pipecat.services.anthropic.llm import AnthropicLLMService
from pipecat.services.llm_service import LLMService
from pipecat.services.openai.llm import OpenAILLMService
from pipecat.utils.errors import ErrorCategory

from services.failover_health import recovery_policy
from services.llm_failover import LLMFailover
from services.ondevice_llm import OnDeviceLLMService, Responder
from settings import Settings


class ClosesClient:
    """Closes the SDK client (and its connection pool) at the call's teardown.

    Pipecat's Anthropic and OpenAI services leave it to the garbage collector, whose
    finaliser closes it in a task of its own, after the call has ended: per call, stray
    tasks and sockets that outlive the teardown (`python -m bench.load --only leaks`).
    """

    _client: Any

    async def cleanup(self):
        await super().cleanup()
        await self._client.close()


class AnthropicLLM(ClosesClient, AnthropicLLMService):
    """Pipecat's Claude service, closing its client at teardown."""


class OpenAILLM(ClosesClient, OpenAILLMService):
    """Pipecat's OpenAI-compatible service, closing its client at teardown."""


def anthropic_llm(
    *,
    api_key: str,
    model: str,
    base_url: str | None = None,
    timeout_secs: float | None = None,
    max_retries: int | None = None,
    system_instruction: str | None = None,
) -> AnthropicLLMService:
    """Claude, with the client's timeout and retries set (the SDK's own wait 10 minutes)."""
    from anthropic import AsyncAnthropic, DefaultAsyncHttpxClient

    client_options = {
        "api_key": api_key,
        "base_url": base_url,
        "http_client": DefaultAsyncHttpxClient(verify=_tls_context()),
    }
    if timeout_secs is not None:
        client_options["timeout"] = timeout_secs
    if max_retries is not None:
        client_options["max_retries"] = max_retries
    return AnthropicLLM(
        api_key=api_key,
        client=AsyncAnthropic(**client_options),
        settings=AnthropicLLMService.Settings(model=model, **_instruction(system_instruction)),
    )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The TLS context of every Claude client, built once: the SDK builds one a client by
    default, loading the system's certificates (two clients a call, the bot's and the state
    extractor's: about 3 % of the event loop's time in a profile of short calls)."""
    import httpx2  # the Anthropic SDK's HTTP client; its own default context

    return httpx2.create_ssl_context()


def openai_llm(
    *, api_key: str, base_url: str | None, model: str, system_instruction: str | None = None
) -> OpenAILLMService:
    """Any OpenAI-compatible server: vLLM, Ollama, llama.cpp."""
    return OpenAILLM(
        api_key=api_key,
        base_url=base_url,
        settings=OpenAILLMService.Settings(model=model, **_instruction(system_instruction)),
    )


def _instruction(system_instruction: str | None) -> dict[str, str]:
    """Left out when None: the service's settings tell "not given" from an explicit None."""
    return {} if system_instruction is None else {"system_instruction": system_instruction}


def create_generative_llm(
    settings: Settings,
    *,
    model: str | None = None,
    system_instruction: str | None = None,
    provider: str | None = None,
) -> AnthropicLLMService | OpenAILLMService:
    """The generative LLM that `settings` selects (or `provider`), with `model` instead of its
    own if given."""
    provider = provider or settings.llm
    if provider == "anthropic":
        return anthropic_llm(
            api_key=settings.anthropic_api_key.get_secret_value(),
            model=model or settings.anthropic_model,
            base_url=settings.anthropic_base_url,
            timeout_secs=settings.anthropic_timeout_secs,
            max_retries=settings.anthropic_max_retries,
            system_instruction=system_instruction,
        )
    if provider == "openai":
        return openai_llm(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            model=model or settings.openai_model,
            system_instruction=system_instruction,
        )
    raise ValueError(f"LLM provider {provider} is not generative")


def create_llm(
    settings: Settings, *, system_instruction: str, dialogue: Responder
) -> LLMService | LLMFailover:
    """Build the LLM chain that `settings` selects: one LLM, or their failover switcher.

    `system_instruction` is for the generative LLMs, `dialogue` for the
    on-device engine; both come from the flow, so this module knows no domain.
    """
    names = settings.llm_services
    llms = [one_llm(settings, name, system_instruction, dialogue) for name in names]
    if len(llms) == 1:
        return llms[0]
    hedge = settings.llm_hedge_secs
    return LLMFailover(
        llms,
        names=names,
        first_token_deadline_secs=settings.llm_first_token_deadline_secs,
        idle_deadline_secs=settings.llm_idle_deadline_secs,
        hedge_secs=hedge if 0 < hedge < settings.llm_first_token_deadline_secs else None,
        hedge_to=[name for name in names if name != "ondevice"],
        policy=recovery_policy(settings),
    )


def one_llm(
    settings: Settings, provider: str, system_instruction: str, dialogue: Responder
) -> LLMService:
    """One member of the chain."""
    if provider == "ondevice":
        return OnDeviceLLMService(dialogue=dialogue)
    llm = create_generative_llm(settings, system_instruction=system_instruction, provider=provider)
    if provider == "anthropic":
        llm.add_event_handler("on_completion_timeout", report_completion_timeout)
    return llm


async def report_completion_timeout(llm: LLMService):
    """Turn a stream that stalled mid-answer into an ErrorFrame.

    Pipecat only fires `on_completion_timeout` for it, so without this the turn
    ends silently half-said and nothing upstream learns why.
    """
    await llm.push_error(
        f"{llm}: the answer stalled mid-stream and timed out", category=ErrorCategory.CONNECTIVITY
    )
