"""Which LLM judges the scenarios' `eval:` criteria, read from the environment and `.env`.

`JUDGE_PROVIDER=auto` (the default) takes Claude when `ANTHROPIC_API_KEY` is
set, else an OpenAI-compatible server when `JUDGE_BASE_URL` (or
`OPENAI_BASE_URL`) is set, else none: `make evals` then runs every other
check and reports the `eval:` criteria as skipped.
"""

from typing import Literal

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from settings import describe_errors

Provider = Literal["anthropic", "openai"]
DEFAULT_ANTHROPIC_MODEL = "claude-haiku-4-5"


class JudgeSettings(BaseSettings):
    """The judge's own variables (`JUDGE_*`), with the bot's keys as fallbacks."""

    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", frozen=True
    )

    judge_provider: Literal["auto", "anthropic", "openai", "none"] = "auto"
    judge_model: str = ""
    judge_base_url: str | None = None
    judge_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    openai_base_url: str | None = None
    openai_api_key: SecretStr = SecretStr("none")
    openai_model: str = "local"

    @property
    def provider(self) -> Provider | None:
        """The judge that runs, with `auto` resolved; None when there is none."""
        if self.judge_provider == "none":
            return None
        if self.judge_provider != "auto":
            return self.judge_provider
        if self.anthropic_api_key:
            return "anthropic"
        if self.judge_base_url or self.openai_base_url:
            return "openai"
        return "anthropic" if self.judge_api_key else None

    @property
    def base_url(self) -> str | None:
        if self.provider == "anthropic":
            return self.judge_base_url or self.anthropic_base_url
        return self.judge_base_url or self.openai_base_url

    @property
    def model(self) -> str:
        if self.judge_model:
            return self.judge_model
        return DEFAULT_ANTHROPIC_MODEL if self.provider == "anthropic" else self.openai_model

    def problem(self) -> str | None:
        """Why the chosen judge cannot be built, in one line; None when it can (or none is wanted)."""
        if self.provider == "anthropic" and not (self.judge_api_key or self.anthropic_api_key):
            return "JUDGE_PROVIDER=anthropic needs ANTHROPIC_API_KEY (or JUDGE_API_KEY)"
        if self.provider == "openai" and not self.base_url:
            return (
                "JUDGE_PROVIDER=openai needs JUDGE_BASE_URL or OPENAI_BASE_URL "
                "(e.g. http://localhost:11434/v1)"
            )
        return None

    def describe(self) -> str:
        if self.provider is None:
            return "none"
        where = f" at {self.base_url}" if self.base_url else ""
        return f"{self.provider}/{self.model}{where}"


def load_judge_settings() -> JudgeSettings:
    """The judge settings, or a ValueError naming the variable that is wrong."""
    try:
        settings = JudgeSettings()
    except ValidationError as error:
        raise ValueError("; ".join(describe_errors(error))) from None
    if problem := settings.problem():
        raise ValueError(problem)
    return settings
