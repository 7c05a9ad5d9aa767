"""A few of the robustness suite's in-process cases (bench/robustness_cases/), so a broken case
or runner fails `make test`; the whole suite is `python -m bench.robustness` (docs/security.md)."""

import pytest

from bench.robustness_cases import store_faults, tools

TOOL_CASES = {case.name: case for case in tools.CASES}
STORE_CASES = {case.name: case for case in store_faults.CASES}


@pytest.mark.parametrize(
    "name",
    [
        "party_size true",
        "party_size 1e999",
        "time 19:30Z",
        "arguments as a list",
        "name with an RTL override",
        "unknown tool name",
    ],
)
async def test_a_tool_argument_case_gets_its_expected_answer(name):
    async with tools.tool_bench() as bench:
        got = await TOOL_CASES[name].run(bench)
    assert got.ok, got.got
    assert not got.crashed


@pytest.mark.parametrize("name", ["deleted file: book", "corrupt file at open"])
async def test_a_store_fault_case_gets_its_expected_answer(name):
    got = await STORE_CASES[name].run(None)
    assert got.ok, got.got


def test_the_suite_has_at_least_80_cases_with_unique_names_in_each_group():
    from bench.robustness import GROUPS

    names = [(group, case.name) for group, cases in GROUPS.items() for case in cases]
    assert len(names) >= 80
    assert len(names) == len(set(names))
    assert all(case.group == group for group, cases in GROUPS.items() for case in cases)
