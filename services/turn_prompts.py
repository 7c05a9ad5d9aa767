"""Which prompt a speech recogniser gets for the caller's next turn, from what the bot just said.

Whisper decodes after its prompt as if the prompt were the text just before the
speech, so a prompt in the form of a likely answer makes that answer's words
and spelling likelier: after a question about a number, digits; after one about
a name, a name. The questions and their prompts come from the domain (flows/);
here they are only looked up.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TurnPrompts:
    """Questions the bot may ask (as it says them), each with the prompt for its answer."""

    by_question: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None
    """The prompt after anything else the bot says (and before it has said anything)."""

    def after(self, said: str) -> str | None:
        """The prompt for the answer to the question in `said` that comes last (nearest its
        end), or `default` when it asked none of them. Questions match without case."""
        spoken = said.lower()
        best, best_end = self.default, -1
        for question, prompt in self.by_question.items():
            at = spoken.rfind(question.lower())
            if at >= 0 and at + len(question) > best_end:
                best, best_end = prompt, at + len(question)
        return best
