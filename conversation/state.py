"""The typed state of one call: what the caller wants, what they have told us, what is open.

The state extractor (processors/state_extractor.py) keeps it up to date; the
context compiler (processors/context_compiler.py) puts `render()` in front of
the LLM instead of the whole history; the recorder stores `snapshot()`.
"""

from collections.abc import Iterable

from pydantic import BaseModel, Field

from conversation.redaction import PERSONAL_SLOTS, Redactor

SUMMARY_CHARS = 400
"""The running summary keeps its latest sentences within this many characters."""
OPEN_QUESTIONS = 3
TRUSTED = 0.7
"""Confidence from which the flow and the tools use a slot without asking again; below it
sit a model's readings the parser could not confirm from the caller's words."""


class Slot(BaseModel):
    """One detail the caller gave."""

    value: str
    confidence: float = Field(ge=0.0, le=1.0)
    source_turn: int = Field(ge=0)
    """The caller turn it was said in (1 is the caller's first turn)."""


class ConversationState(BaseModel):
    """Where one call stands."""

    turn: int = 0
    """Caller turns so far."""
    intent: str | None = None
    """What the caller wants now ("book", "hours", ...); None until known."""
    slots: dict[str, Slot] = Field(default_factory=dict)
    summary: str = ""
    """A few sentences on what has happened, newest last."""
    open_questions: list[str] = Field(default_factory=list)
    """The bot's questions the caller has not answered yet, oldest first."""

    def fill(self, name: str, value: str, confidence: float, turn: int):
        """Set a slot; a later value replaces an earlier one (callers correct themselves)."""
        self.slots[name] = Slot(value=value, confidence=round(confidence, 2), source_turn=turn)

    def value(self, name: str) -> str | None:
        slot = self.slots.get(name)
        return slot.value if slot else None

    def trusted(self, names: Iterable[str]) -> dict[str, str]:
        """Those of `names` the caller gave clearly: what the flow and the tools may use."""
        return {
            name: slot.value
            for name in names
            if (slot := self.slots.get(name)) is not None and slot.confidence >= TRUSTED
        }

    def note(self, sentence: str):
        """Add a sentence to the running summary, dropping the oldest past the limit."""
        sentence = sentence.strip()
        if not sentence or self.summary.endswith(sentence):
            return
        summary = f"{self.summary} {sentence}".strip()
        while len(summary) > SUMMARY_CHARS and ". " in summary:
            summary = summary.split(". ", 1)[1]
        self.summary = summary[-SUMMARY_CHARS:].strip()

    def ask(self, question: str):
        if question and question not in self.open_questions:
            self.open_questions = [*self.open_questions, question][-OPEN_QUESTIONS:]

    def render(self) -> str:
        """The state as the LLM reads it: short, and the same size however long the call."""
        lines = [f"Caller turns so far: {self.turn}."]
        if self.intent:
            lines.append(f"The caller wants: {self.intent}.")
        if self.slots:
            details = "; ".join(
                f"{name}: {slot.value} (turn {slot.source_turn}, confidence {slot.confidence:.1f})"
                for name, slot in sorted(self.slots.items())
            )
            lines.append(f"Details the caller gave: {details}.")
        if self.summary:
            lines.append(f"Earlier in the call: {self.summary}")
        if self.open_questions:
            lines.append("Still unanswered: " + " ".join(self.open_questions))
        return "\n".join(lines)

    def snapshot(self, redactor: Redactor) -> dict:
        """The state to store: personal values replaced, free text redacted."""
        data = self.model_dump()
        for name, slot in data["slots"].items():
            if name in PERSONAL_SLOTS:
                slot["value"] = PERSONAL_SLOTS[name]
            else:
                slot["value"] = redactor.redact(slot["value"])
        data["summary"] = redactor.redact(self.summary)
        data["open_questions"] = [redactor.redact(q) for q in self.open_questions]
        return data
