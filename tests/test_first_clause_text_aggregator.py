"""The first clause of a reply goes to the TTS alone; the rest by sentences."""

import pytest

from services.first_clause_text_aggregator import FirstClauseTextAggregator


async def aggregated(aggregator, *chunks: str) -> list[str]:
    """What the TTS is handed for one reply streamed in `chunks`, the flush included."""
    out = [a.text for chunk in chunks async for a in aggregator.aggregate(chunk)]
    rest = await aggregator.flush()
    return out + ([rest.text] if rest else [])


async def test_the_first_clause_of_a_reply_is_sent_alone():
    reply = "We are open every day from noon, and until eleven on Fridays. Anything else?"
    assert await aggregated(FirstClauseTextAggregator(min_words=4), reply) == [
        "We are open every day from noon,",
        "and until eleven on Fridays.",
        "Anything else?",
    ]


async def test_a_clause_shorter_than_the_minimum_waits_for_the_next_clause_end():
    reply = "Yes, we have a vegan menu, and most pasta can be made vegan."
    assert await aggregated(FirstClauseTextAggregator(min_words=4), reply) == [
        "Yes, we have a vegan menu,",
        "and most pasta can be made vegan.",
    ]


async def test_only_the_first_clause_is_cut():
    reply = "Sure thing, my friend, we can do that. Then, after that, we close."
    assert await aggregated(FirstClauseTextAggregator(min_words=2), reply) == [
        "Sure thing,",
        "my friend, we can do that.",
        "Then, after that, we close.",
    ]


async def test_a_comma_inside_a_number_does_not_cut():
    reply = "That comes to 1,500 pounds in total, my friend."
    assert await aggregated(FirstClauseTextAggregator(min_words=3), reply) == [
        "That comes to 1,500 pounds in total,",
        "my friend.",
    ]


async def test_text_streamed_in_tokens_is_cut_at_the_same_place():
    tokens = ["We are", " open every", " day,", " and", " until eleven."]
    assert await aggregated(FirstClauseTextAggregator(min_words=4), *tokens) == [
        "We are open every day,",
        "and until eleven.",
    ]


@pytest.mark.parametrize("end_of_reply", ["flush", "interruption", "reset"])
async def test_each_reply_gets_its_own_first_clause(end_of_reply):
    aggregator = FirstClauseTextAggregator(min_words=2)
    assert await aggregated(aggregator, "First one, then more.") == ["First one,", "then more."]
    if end_of_reply == "interruption":
        [_ async for _ in aggregator.aggregate("Cut off, mid")]
        await aggregator.handle_interruption()
    elif end_of_reply == "reset":
        await aggregator.reset()
    assert await aggregated(aggregator, "Second one, then more.") == ["Second one,", "then more."]
