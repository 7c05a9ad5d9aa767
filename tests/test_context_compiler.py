"""The context compiler: system prompt + compiled state + last few turns, and prompt tokens
that stay flat over a long call that still ends right."""

import json

from pipecat.processors.aggregators.llm_context import LLMContext

from harness.text_call import CALL, NAME, NAME_QUESTION, PARTY_QUESTION, run_text_call
from processors.context_compiler import STATE_HEADER, compile_context, is_state_message


def caller(text: str) -> dict:
    return {"role": "user", "content": text}


def bot(text: str) -> dict:
    return {"role": "assistant", "content": text}


def turns(count: int) -> list[dict]:
    return [m for n in range(1, count + 1) for m in (caller(f"caller {n}"), bot(f"bot {n}"))]


def contents(context: LLMContext) -> list[str]:
    return [m.get("content") for m in context.get_messages()]


def test_the_context_is_the_system_prompt_the_state_and_the_last_turns():
    system = {"role": "system", "content": "You are the restaurant's assistant."}
    context = LLMContext(messages=[system, *turns(6)])
    compile_context(context, "Caller turns so far: 6.", recent_turns=2)
    assert contents(context) == [
        "You are the restaurant's assistant.",
        f"{STATE_HEADER}\nCaller turns so far: 6.",
        "caller 5",
        "bot 5",
        "caller 6",
        "bot 6",
    ]


def test_the_flows_current_instructions_survive_the_cut():
    node = {"role": "developer", "content": "Ask for the day, the time and the party size."}
    context = LLMContext(messages=[*turns(2), node, *turns(4)[4:]])
    compile_context(context, "state", recent_turns=1)
    kept = contents(context)
    assert kept[1] == node["content"]
    assert kept[2:] == ["caller 4", "bot 4"]


def test_a_tool_call_waiting_for_its_result_is_not_cut_from_its_call():
    call = {
        "role": "assistant",
        "tool_calls": [
            {"id": "t1", "type": "function", "function": {"name": "book_table", "arguments": "{}"}}
        ],
    }
    pending = {"role": "tool", "tool_call_id": "t1", "content": "IN_PROGRESS"}
    context = LLMContext(messages=[caller("book it"), call, pending, *turns(3)])
    compile_context(context, "state", recent_turns=1)
    messages = context.get_messages()
    assert call in messages and pending in messages


def test_compiling_again_replaces_the_state_instead_of_adding_one():
    context = LLMContext(messages=turns(5))
    for n in range(3):
        compile_context(context, f"version {n}", recent_turns=2)
    states = [m for m in context.get_messages() if is_state_message(m)]
    assert [s["content"] for s in states] == [f"{STATE_HEADER}\nversion 2"]


def test_an_early_call_keeps_every_turn():
    context = LLMContext(messages=turns(2))
    compile_context(context, "state", recent_turns=4)
    assert contents(context)[1:] == ["caller 1", "bot 1", "caller 2", "bot 2"]


async def test_a_30_turn_call_keeps_its_prompt_flat_and_remembers_the_callers_name():
    result = await run_text_call(CALL, recent_turns=4)
    tokens = [prompt.tokens() for prompt in result.prompts]
    assert len(tokens) == 30
    assert tokens[29] <= 1.3 * tokens[4], tokens
    # Turn 2 (the name) is long out of the window at turn 28, yet the answer has it.
    late_prompt = result.prompts[NAME_QUESTION - 1]
    assert f"My name is {NAME}" not in json.dumps(late_prompt.messages)
    assert result.replies[NAME_QUESTION] == f"The booking is under the name {NAME}."
    # "Actually, make it six" (turn 14) replaced the party of four (turn 3).
    assert result.replies[PARTY_QUESTION] == "It is for 6 people."
    assert result.replies[-1] == "Thank you for calling. Goodbye!"


async def test_without_the_compiler_the_same_call_grows_past_the_limit():
    result = await run_text_call(CALL, compile=False)
    tokens = [prompt.tokens() for prompt in result.prompts]
    assert tokens[29] > 1.3 * tokens[4]
