"""RTVI's events of a speculative reply wait for its turn end, as its audio does.

RTVI's observer tells the page (and `pipecat eval`'s client) about the LLM's replies from
the LLM's own frames, as the LLM pushes them: `bot-llm-started`, `bot-llm-text`,
`bot-llm-stopped`. A reply made before the caller's turn end was confirmed
(processors/speculative_reply_hold.py) is pushed then, and may be dropped: the page would
show, and an eval would read, words the caller never heard. So those frames' pushes are
held back from RTVI's observer, and handed to it when the turn end confirms the reply
(after the turn end's own event), or dropped with the reply.
"""

from pipecat.observers.base_observer import FramePushed

from processors.speculative_reply_hold import SPECULATION, Verdicts


class SpeculativeEvents:
    """Decides which pushes RTVI's observer gets now, for one call."""

    def __init__(self):
        self._held: dict[int, list[FramePushed]] = {}
        self._verdicts = Verdicts()

    def route(self, data: FramePushed) -> list[FramePushed]:
        """The pushes to hand on now, `data` or none of it, and any it frees."""
        freed = self._settle() if self._verdicts.note(data.frame) else []
        number = data.frame.metadata.get(SPECULATION)
        if number is None:
            return [data, *freed]  # the turn end's own event first, as the hold sends it
        verdict = self._verdicts.of(number)
        if verdict is None:
            self._held.setdefault(number, []).append(data)
            return freed
        return [*freed, data] if verdict else freed

    def _settle(self) -> list[FramePushed]:
        freed = []
        for number in sorted(self._held):
            verdict = self._verdicts.of(number)
            if verdict is not None:
                pushes = self._held.pop(number)
                if verdict:
                    freed += pushes
        return freed
