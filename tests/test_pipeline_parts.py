"""The pipeline assembled from named parts (`PIPELINE_PARTS`, docs/pipeline-parts.md).

The default set builds exactly today's pipeline; each of our parts can be left out and
the bot still answers a scripted call (in text, as the evals' text modality does); a
part by import path and one from an installed package's entry point join a call; each
kind of bad configuration stops start-up with one line.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_response_universal import (
    LLMAssistantAggregator,
    LLMUserAggregator,
)
from pipecat.processors.filters.function_filter import FunctionFilter
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.services.piper.tts import PiperTTSService
from pipecat.turns.user_start import TranscriptionUserTurnStartStrategy, VADUserTurnStartStrategy

from app.part_choice import choose_parts, choose_parts_or_exit
from app.parts import ENTRY_POINT_GROUP, OUR_PARTS
from harness.audio_transport import LoudspeakerOutput, MicrophoneInput
from harness.typed_call import TypedCall
from processors.bot_speech_gate import BotSpeechGate
from processors.context_compiler import ContextCompiler
from processors.conversation_recorder import ConversationRecorder
from processors.interrupted_reply_trimmer import InterruptedReplyTrimmer
from processors.reply_lead_in_trimmer import ReplyLeadInTrimmer
from processors.speculated_turn import SpeculatedTurnFilter
from processors.speculative_reply_hold import SpeculativeReplyHold
from processors.state_extractor import StateExtractor
from services.ondevice_llm import OnDeviceLLMService
from services.turn_prompted_whisper import TurnPromptedWhisperSTTService
from settings import Settings
from turns.barge_in_turn_start import BargeInUserTurnStartStrategy
from turns.segment_turn_stop import SegmentTurnAnalyzerUserTurnStopStrategy
from turns.turn_end_floor import SilenceFloorUserTurnStopStrategy

ROOT = Path(__file__).resolve().parent.parent

TODAY = [
    MicrophoneInput,
    TurnPromptedWhisperSTTService,
    LLMUserAggregator,
    FunctionFilter,  # app/assembly.py's caller_audio_stop
    StateExtractor,
    ConversationRecorder,
    ContextCompiler,
    SpeculatedTurnFilter,
    OnDeviceLLMService,
    PiperTTSService,
    SpeculativeReplyHold,
    ReplyLeadInTrimmer,
    BotSpeechGate,
    LoudspeakerOutput,
    LLMAssistantAggregator,
    InterruptedReplyTrimmer,
]
"""The offline pipeline app/worker.py built before it was assembled from parts, the stop
for caller audio after the user aggregator, the speculative reply's hold and the lead-in trimmer."""

CLASS_OF = {
    "state_extractor": StateExtractor,
    "call_records": ConversationRecorder,
    "context_compiler": ContextCompiler,
    "speculative_hold": SpeculativeReplyHold,
    "lead_in_trimmer": ReplyLeadInTrimmer,
    "speech_gate": BotSpeechGate,
    "reply_trimmer": InterruptedReplyTrimmer,
    "barge_in": BargeInUserTurnStartStrategy,
    "segment_turn_stop": SegmentTurnAnalyzerUserTurnStopStrategy,
}
LEFT_OUT_WITH = {"state_extractor": {"context_compiler"}, "speech_gate": {"reply_trimmer"}}

BOOKING = [
    ("Hi, I'd like to book a table for four tomorrow at half past seven.", "What name"),
    ("My name is Anna Smith.", "phone number"),
    ("It's oh seven nine one one, one two three, four five six.", "Shall I book it?"),
    ("Yes please.", "Your table is booked"),
]


@pytest.fixture(autouse=True)
def fresh_choice():
    """Each test reads `PIPELINE_PARTS` (and the installed entry points) anew."""
    choose_parts.cache_clear()
    yield
    choose_parts.cache_clear()


def settings(parts: str) -> Settings:
    return Settings(_env_file=None, pipeline_parts=parts)


def processors_of(call: TypedCall) -> list[FrameProcessor]:
    """The bot's own pipeline, without Pipecat's source, sink and RTVI around it."""
    inner = next(p for p in call.worker.pipeline.processors if isinstance(p, Pipeline))
    return inner.processors[1:-1]


def strategies_of(call: TypedCall) -> tuple[list, list]:
    user = next(p for p in processors_of(call) if isinstance(p, LLMUserAggregator))
    strategies = user._params.user_turn_strategies
    return strategies.start, strategies.stop


async def test_the_default_set_assembles_todays_pipeline(offline_settings):
    async with TypedCall(offline_settings) as call:
        processors = processors_of(call)
        start, stop = strategies_of(call)
        assert [type(p) for p in processors] == TODAY
        assert [type(s) for s in start] == [BargeInUserTurnStartStrategy]
        assert [type(s) for s in stop] == [SegmentTurnAnalyzerUserTurnStopStrategy]
        gate = next(p for p in processors if isinstance(p, BotSpeechGate))
        compiler = next(p for p in processors if isinstance(p, ContextCompiler))
        assert gate._resume_secs == offline_settings.interruption_resume_secs
        assert compiler._recent_turns == offline_settings.context_recent_turns
        assert "Luigi's Trattoria" in await call.greet()


def test_the_default_set_is_every_part_of_ours_unset_or_named():
    assert choose_parts("default").names == list(OUR_PARTS)
    assert choose_parts("").names == list(OUR_PARTS)
    assert Settings(_env_file=None).pipeline_parts == "default"


def test_the_pipeline_is_logged_in_one_line(offline_settings):
    from harness.audio_transport import ScriptedCallTransport
    from tests.fakes.log import captured_log

    with captured_log() as log:
        from app.worker import build_worker

        build_worker(ScriptedCallTransport(), offline_settings)
    line = next(line for line in log if "pipeline:" in line)
    assert line.rstrip().endswith(
        "pipeline: input | stt | user_aggregator[barge_in, segment_turn_stop] | state_extractor, "
        "call_records, context_compiler | llm | tts | speculative_hold, lead_in_trimmer, speech_gate | output | "
        "assistant_aggregator | reply_trimmer"
    )


@pytest.mark.parametrize("name", list(OUR_PARTS))
async def test_each_part_can_be_left_out_and_the_bot_still_books(name):
    async with TypedCall(settings(f"default,-{name}")) as call:
        processors = processors_of(call)
        start, stop = strategies_of(call)
        present = {type(x) for x in [*processors, *start, *stop]}
        gone = {name, *LEFT_OUT_WITH.get(name, ())}
        for part, cls in CLASS_OF.items():
            assert (cls in present) == (part not in gone), part
        if name == "barge_in":  # Pipecat's own: any speech interrupts the bot
            assert [type(s) for s in start] == [
                VADUserTurnStartStrategy,
                TranscriptionUserTurnStartStrategy,
            ]
        if name == "segment_turn_stop":  # Smart Turn's own, with the floor of silence
            assert [type(s) for s in stop] == [SilenceFloorUserTurnStopStrategy]

        assert "How can I help" in await call.greet()
        assert "noon" in await call.say("What are your opening hours?")
        # The caller's yes is counted right with or without the state extractor's turn count.
        for line, answer in BOOKING:
            assert answer in await call.say(line)
        assert call.watcher.tools[-2:] == ["book_table", "send_confirmation"]


async def test_a_part_by_import_path_joins_the_call():
    parts = "default,tests.fakes.parts:CallerLineLogger,tests.fakes.parts:PoliteReplies"
    async with TypedCall(settings(parts)) as call:
        processors = processors_of(call)
        names = [type(p).__name__ for p in processors]
        # No place of its own: between the user aggregator and the LLM, after ours.
        assert names[3:10] == [
            "FunctionFilter",  # caller audio stops
            "StateExtractor",
            "ConversationRecorder",
            "ContextCompiler",
            "CallerLineLogger",
            "SpeculatedTurnFilter",
            "OnDeviceLLMService",
        ]
        assert names[names.index("OnDeviceLLMService") + 1] == "PoliteReplies"  # after_llm
        await call.greet()
        await call.say("What is your address?")
        logger = next(p for p in processors if type(p).__name__ == "CallerLineLogger")
        assert logger.lines == ["What is your address?"]
        replies = [m["content"] for m in call.context.get_messages() if m["role"] == "assistant"]
        assert any("the lovely Luigi's Trattoria" in reply for reply in replies)


@pytest.fixture
def installed_part(tmp_path, monkeypatch):
    """A package installed with a `voice_agent.pipeline_parts` entry point, on sys.path."""
    (tmp_path / "caller_line_parts.py").write_text(
        "from tests.fakes.parts import CallerLineLogger as CallerLines\n"
    )
    dist = tmp_path / "caller_line_parts-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: caller-line-parts\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\ncaller_lines = caller_line_parts:CallerLines\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


async def test_a_part_from_an_entry_point_joins_the_call(installed_part):
    async with TypedCall(settings("caller_lines,default")) as call:
        names = [type(p).__name__ for p in processors_of(call)]
        assert names[4] == "CallerLineLogger"  # listed first: first in its slot
        await call.greet()
        await call.say("What is your address?")
        logger = processors_of(call)[4]
        assert logger.lines == ["What is your address?"]


def test_list_parts_shows_every_part_with_its_slot(installed_part):
    env = {**os.environ, "PYTHONPATH": f"{installed_part}{os.pathsep}{ROOT}"}
    listed = subprocess.run(
        [sys.executable, "bot.py", "--list-parts"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    lines = listed.stdout.splitlines()
    for name, part in OUR_PARTS.items():
        line = next(line for line in lines if line.startswith(f"{name} "))
        assert part.slot in line and part.placement.description in line
    line = next(line for line in lines if line.startswith("caller_lines "))
    assert "before_llm" in line and "entry point of caller-line-parts" in line


@pytest.mark.parametrize(
    ("parts", "problem"),
    [
        ("default,-call_record", "unknown part 'call_record'"),
        ("default,no.such.module:Filter", "no.such.module:Filter: cannot import no.such.module"),
        ("default,collections:OrderedDict", "is not a FrameProcessor or a user-turn strategy"),
        ("default,tests.fakes.parts:NeedsTheMoon", "needs moon; a part can need settings"),
        ("context_compiler", "context_compiler needs state_extractor; add state_extractor"),
        ("default,-speech_gate,reply_trimmer", "reply_trimmer needs speech_gate"),
        ("default,speech_gate@after_llm", "speech_gate goes in after_tts, not after_llm"),
        ("default,tests.fakes.parts:MisplacedGate", "cannot go in turn_start"),
        ("default,tests.fakes.parts:CallerLineLogger@turn_stop", "cannot go in turn_stop"),
        ("default,tests.fakes.parts:CallerLineLogger@after_llmm", "no slot 'after_llmm'"),
        ("default,tests.fakes.parts:CompilerFirst", "must come after state_extractor"),
        ("context_compiler,default", "context_compiler (before_llm) must come after"),
    ],
)
def test_a_bad_choice_stops_start_up_with_one_line(parts, problem, capsys):
    with pytest.raises(SystemExit) as stopped:
        choose_parts_or_exit(settings(parts))
    assert stopped.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("configuration error: PIPELINE_PARTS: ")
    assert problem in err[0]


def test_a_turn_strategy_without_a_place_goes_in_turn_start():
    chosen = choose_parts("tests.fakes.parts:SayAnythingStart")
    assert [p.slot for p in chosen.parts] == ["turn_start"]
    moved = choose_parts("none,tests.fakes.parts:CallerLineLogger@after_stt")
    assert [p.slot for p in moved.parts] == ["after_stt"]


def test_bot_py_stops_on_a_bad_part_before_the_server_starts():
    env = {**os.environ, "PIPELINE_PARTS": "default,-interruptions", "PYTHONPATH": str(ROOT)}
    started = subprocess.run(
        [sys.executable, "bot.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 2
    errors = [line for line in started.stderr.splitlines() if "configuration error" in line]
    assert errors == [
        "configuration error: PIPELINE_PARTS: unknown part 'interruptions' (known: barge_in, "
        "segment_turn_stop, state_extractor, call_records, context_compiler, escalation_watch, fast_path, tool_ack, "
        "speculative_hold, lead_in_trimmer, speech_gate, reply_trimmer; or package.module:Class)"
    ]
