"""Sends a reply's first clause to the TTS on its own, so the first audio comes sooner.

Pipecat's `SimpleTextAggregator` hands the TTS whole sentences, and a TTS that
synthesises a sentence before its first audio (Piper) makes the caller wait for
all of the first one. Piper's time to its first audio grows with the text's
length (measured on a 2-core machine, load 4.5: "Sure, what day would you like,
and for how many people?" 713 ms, "Sure," alone 126 ms). This aggregator cuts
each reply's first sentence at its first comma, semicolon or colon once at least
`min_words` words come before it; the rest goes by sentences, as before. The
minimum keeps the clause long enough to cover the synthesis of what follows it,
so no gap opens after it.
"""

from collections.abc import AsyncIterator

from pipecat.utils.text.base_text_aggregator import Aggregation, TextType
from pipecat.utils.text.simple_text_aggregator import SimpleTextAggregator

CLAUSE_ENDS = ",;:"


class FirstClauseTextAggregator(SimpleTextAggregator):
    """Sentences, except that a reply's first clause of `min_words` words goes first."""

    def __init__(self, *, min_words: int, **kwargs):
        """
        Args:
            min_words: Words the first clause needs before it is sent alone.
            **kwargs: For `SimpleTextAggregator`.
        """
        super().__init__(**kwargs)
        self._min_words = min_words
        self._first_clause_due = True

    async def aggregate(self, text: str) -> AsyncIterator[Aggregation]:
        if self._aggregation_type == TextType.TOKEN:
            async for aggregation in super().aggregate(text):
                yield aggregation
            return
        for char in text:
            self._text += char
            sentence = await self._check_sentence_with_lookahead(char)
            if sentence:
                self._first_clause_due = False
                yield sentence
            elif self._first_clause_due and char.isspace():
                clause = self._first_clause()
                if clause:
                    self._first_clause_due = False
                    yield clause

    def _first_clause(self) -> Aggregation | None:
        """The buffer up to a clause end just before this space, if long enough.
        A comma inside a number ("1,500") is not followed by a space, so it never cuts."""
        body = self._text.rstrip()
        if len(body) == len(self._text) or not body or body[-1] not in CLAUSE_ENDS:
            return None
        if len(body.split()) < self._min_words:
            return None
        self._text = self._text[len(body) :]
        return Aggregation(text=body.strip(" "), type=TextType.SENTENCE)

    async def flush(self) -> Aggregation | None:
        self._first_clause_due = True
        return await super().flush()

    async def handle_interruption(self):
        self._first_clause_due = True
        await super().handle_interruption()

    async def reset(self):
        self._first_clause_due = True
        await super().reset()
