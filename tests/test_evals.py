"""The eval suite's plumbing: preparing a run, measuring it, reporting it, choosing a judge."""

from pathlib import Path

import pytest
import yaml
from pipecat.evals.results import EvalScriptResult

from evals.judge import JudgeSettings
from evals.prepare import TALKS_OVER_THE_BOT, prepare_suite
from evals.report import render
from evals.summary import (
    Moment,
    heard,
    latency_ms,
    normalise,
    read_trace,
    turn_segments,
    word_error_rate,
)

SCENARIO = {
    "name": "sample",
    "user": {"modality": "audio", "speech": {"factory": "evals.factories.piper_voice"}},
    "judge": {
        "modality": "audio",
        "transcription": {"factory": "evals.factories.whisper_transcription"},
    },
    "scenarios": [
        {
            "name": "asks",
            "turns": [
                {"expect": [{"event": "bot_stopped_speaking", "within_ms": 20000}]},
                {
                    "user": "What time do you open?",
                    "expect": [
                        {"event": "llm_response", "text_contains": "noon", "within_ms": 8000},
                        {"event": "response", "eval": "says when it opens", "within_ms": 20000},
                        {"event": "response", "absent": True, "within_ms": 25000},
                    ],
                },
                {"user": "Thanks.", "expect": [{"event": "llm_response"}]},
            ],
        },
        {
            "name": "talks_over",
            "turns": [
                {"user": "Tell me the menu.", "expect": [{"event": "llm_response"}]},
                {
                    "user": "Mm-hmm.",
                    "send_after": {"event": "bot_started_speaking", "delay_ms": 2000},
                    "expect": [{"event": "bot_interrupted", "absent": True, "within_ms": 5000}],
                },
            ],
        },
    ],
}


def write_suite(folder: Path) -> Path:
    (folder / "scenarios").mkdir()
    (folder / "scenarios" / "sample.yaml").write_text(yaml.safe_dump(SCENARIO))
    manifest = folder / "manifest.yaml"
    manifest.write_text(yaml.safe_dump({"suite": [{"bot": "bot.py", "scenarios": ["sample"]}]}))
    return manifest


def prepared_turns(folder: Path, **options) -> tuple[dict, list]:
    prepared = prepare_suite(write_suite(folder), folder / "out", **options)
    data = yaml.safe_load((folder / "out" / "sample.yaml").read_text())
    return vars(prepared), data["scenarios"][0]["turns"]


def test_text_run_drops_the_checks_on_speech(tmp_path):
    _, turns = prepared_turns(tmp_path, modality="text", judged=True)
    assert turns[0]["expect"] == []
    assert [e["event"] for e in turns[1]["expect"]] == ["llm_response"]


def test_text_run_watches_an_absence_for_three_seconds(tmp_path):
    scenario = SCENARIO["scenarios"][0]
    scenario["turns"][2]["expect"].append({"event": "function_call", "absent": True})
    try:
        _, turns = prepared_turns(tmp_path, modality="text", judged=True)
    finally:
        scenario["turns"][2]["expect"].pop()
    assert turns[2]["expect"][1] == {"event": "function_call", "absent": True, "within_ms": 3000}


def test_text_run_skips_a_scenario_that_talks_over_the_bot(tmp_path):
    prepared, _ = prepared_turns(tmp_path, modality="text", judged=True)
    assert prepared["skipped"] == {"sample/talks_over": TALKS_OVER_THE_BOT}


def test_without_a_judge_eval_criteria_are_removed_and_counted(tmp_path):
    prepared, turns = prepared_turns(tmp_path, modality="audio", judged=False)
    assert prepared["criteria_skipped"] == {"sample/asks": 1}
    assert turns[1]["expect"][1] == {"event": "response", "within_ms": 20000}


def test_audio_run_asks_for_vad_reports_on_the_first_spoken_turn_only(tmp_path):
    _, turns = prepared_turns(tmp_path, modality="audio", judged=True)
    probes = [
        i
        for i, turn in enumerate(turns)
        for e in turn.get("expect", [])
        if e["event"] == "vad_user_stopped_speaking"
    ]
    assert probes == [1]


def trace_result() -> EvalScriptResult:
    """A spoken turn as the harness traces it: sent at 11.372 s, answered at 15.135 s."""
    lines = [
        ("1.618", "t0", "--- turn 0: None"),
        ("10.368", "t1", "--- turn 1: 'What time do you open?'"),
        ("10.368", "t1", "send: waiting for the bot's speech to be transcribed"),
        ("11.371", "t1", "event: response  'Hello, how can I help?'"),
        ("11.372", "t1", "send: 'What time do you open?' (audio)"),
        ("14.070", "t1", "event: vad_user_stopped_speaking"),
        ("14.077", "t1", "event: vad_user_stopped_speaking"),
        ("14.795", "t1", "event: user_transcription  ' What time do you open? '"),
        ("15.135", "t1", "event: bot_started_speaking"),
    ]
    events = [
        {"type": "response", "text": "Hello, how can I help?"},
        {"type": "vad_user_stopped_speaking"},
        {"type": "vad_user_stopped_speaking"},
        {"type": "user_transcription", "transcript": " What time do you open? "},
        {"type": "bot_started_speaking"},
    ]
    return EvalScriptResult(
        scenario_name="sample/asks",
        passed=True,
        events_seen=events,
        debug_log=[f"{at:>8}  [{tag:>3}]  {message}" for at, tag, message in lines],
    )


def test_greeting_heard_before_the_send_stays_with_the_turn_before():
    segments = turn_segments(read_trace(trace_result()), 2)
    assert [m.event["type"] for m in segments[0] if m.event] == ["response"]


def test_latency_runs_from_the_end_of_speech_to_the_first_bot_audio():
    segment = turn_segments(read_trace(trace_result()), 2)[1]
    # The VAD reported the stop 0.4 s after the speech ended, at 14.077 s.
    assert latency_ms(segment, vad_stop_secs=0.4) == 1458


def test_numbers_said_in_words_match_numbers_written_in_digits():
    assert normalise("It's oh seven nine one one, at half past seven") == normalise(
        "its 07911 at half past 7"
    )


def test_word_error_rate_counts_each_misheard_word():
    said = ["What time do you open on Sunday?"]
    heard = ["Well, time to open on Sunday."]
    assert word_error_rate(said, heard) == round(3 / 7, 4)


def summary(passed: bool) -> dict:
    turn = {
        "index": 1,
        "user": "What time do you open?",
        "talks_over_bot": False,
        "status": "passed" if passed else "failed",
        "failed_expectation": None
        if passed
        else {"event": "llm_response", "kind": "timeout", "reason": "no reply <in time>"},
        "latency_ms": 1458,
        "heard": "What time do you open?",
        "wer": 0.0,
        "reply": "We are open from noon.",
        "reply_heard": "We are open from noon.",
        "calls": [],
        "duration_ms": 4000,
    }
    attempt = {
        "attempt": 1,
        "passed": passed,
        "error": None,
        "duration_ms": 30000,
        "failures": [] if passed else [{**turn["failed_expectation"], "turn": 1}],
        "turns": [turn],
        "logs": {"trace": "logs/x.eval.log"},
    }
    return {
        "scenarios": {"total": 1, "passed": int(passed), "skipped": 0},
        "latency_ms": {"p50": 1458, "p95": 1458, "turns": 1},
        "wer": 0.0,
        "runs": {"total": 1, "passed": int(passed)},
        "started_at": "2026-01-01T10:00:00+00:00",
        "duration_s": 30,
        "modality": "audio",
        "notes": ["3 eval: criteria skipped"],
        "results": [
            {"scenario": "sample/asks", "bot": "offline", "passed": passed, "attempts": [attempt]}
        ],
    }


def test_report_lists_a_failure_with_its_reason_escaped():
    page = render(summary(passed=False))
    assert "no reply &lt;in time&gt;" in page
    assert "0/1 scenarios passed" in page


def test_report_draws_the_latency_distribution_inline_and_loads_nothing():
    page = render(summary(passed=True))
    assert "<svg" in page and "p50 1458 ms" in page
    assert "http" not in page and "<script" not in page


@pytest.fixture
def no_judge_variables(monkeypatch, tmp_path):
    """No judge variable in the environment, and no developer's `.env` in reach."""
    monkeypatch.chdir(tmp_path)
    for name in ("JUDGE_PROVIDER", "JUDGE_MODEL", "JUDGE_BASE_URL", "JUDGE_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_judge_is_none_without_keys_or_a_server(no_judge_variables):
    assert JudgeSettings(_env_file=None).provider is None


def test_judge_is_claude_when_an_anthropic_key_is_set(no_judge_variables):
    judge = JudgeSettings(_env_file=None, anthropic_api_key="sk-test")
    assert (judge.provider, judge.model) == ("anthropic", "claude-haiku-4-5")


def test_judge_on_an_openai_compatible_server_needs_its_url(no_judge_variables):
    judge = JudgeSettings(_env_file=None, judge_provider="openai")
    assert "JUDGE_BASE_URL" in judge.problem()


def test_judge_factory_builds_claude_for_the_harness(no_judge_variables, monkeypatch):
    from pipecat.classifiers.llm.classifier import LLMClassifier
    from pipecat.evals.services import classifier_from_config
    from pipecat.services.anthropic.llm import AnthropicLLMService

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    classifier = classifier_from_config({"factory": "evals.factories.judge"}, where="judge.eval")
    assert isinstance(classifier, LLMClassifier)
    assert isinstance(classifier.llm, AnthropicLLMService)


def test_judge_factory_builds_an_openai_compatible_judge(no_judge_variables, monkeypatch):
    from pipecat.services.openai.llm import OpenAILLMService

    from evals.factories import judge

    monkeypatch.setenv("JUDGE_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("JUDGE_MODEL", "qwen3:8b")
    assert isinstance(judge({}), OpenAILLMService)


def test_judge_factory_refuses_when_no_judge_is_configured(no_judge_variables):
    from evals.factories import judge

    with pytest.raises(ValueError, match="needs a judge"):
        judge({})


def test_a_backchannel_reported_twice_is_heard_once():
    segment = [
        Moment(1.0, "event", event={"type": "user_transcription", "transcript": " Okay, yeah. "}),
        Moment(1.0, "event", event={"type": "user_backchannel", "text": "Okay, yeah."}),
    ]
    assert heard(segment) == "Okay, yeah."


def test_a_runner_body_may_choose_how_the_bot_is_built_but_not_its_keys(tmp_path):
    from evals.eval_bot import read_body

    body = tmp_path / "body.yaml"
    body.write_text(yaml.safe_dump({"env": {"FLOW": "agents"}}))
    assert read_body(["--runner-body", str(body), "--port", "9301"]) == (
        {"env": {"FLOW": "agents"}},
        9301,
    )
    body.write_text(yaml.safe_dump({"env": {"ANTHROPIC_API_KEY": "sk-x"}}))
    with pytest.raises(SystemExit, match="env may set only FLOW, FAST_PATH"):
        read_body(["--runner-body", str(body)])
