"""A stage's failovers and recoveries are kept with the call's records, redacted, and purged with it."""

from datetime import timedelta

from pipecat.frames.frames import Frame, TextFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import run_test

from conversation.call import Call, utc_now
from conversation.call_records import CallRecordStore, SwitchRecord
from conversation.redaction import Redactor
from processors.conversation_recorder import ConversationRecorder


class SwitchOnCue(FrameProcessor):
    """Reports a failover to the recorder when a "switch" text frame passes."""

    def __init__(self, recorder: ConversationRecorder):
        super().__init__()
        self._recorder = recorder

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, TextFrame) and frame.text == "switch":
            self._recorder.record_switch(
                stage="llm",
                kind="failover",
                from_service="anthropic",
                to_service="openai",
                reason="error: 500 for the caller on 07911 123456",
                duration_ms=1520,
            )
        await self.push_frame(frame, direction)


async def test_a_failover_is_recorded_on_the_call_with_its_reason_redacted(tmp_path):
    store = CallRecordStore.open(f"sqlite:///{tmp_path}/conversations.db")
    call = Call(redactor=Redactor("GB"))
    recorder = ConversationRecorder(call, store, "anthropic")
    await run_test(
        Pipeline([SwitchOnCue(recorder), recorder]), frames_to_send=[TextFrame("switch")]
    )

    (switch,) = store.switches(call.id)
    assert (switch.stage, switch.kind, switch.from_service, switch.to_service) == (
        "llm",
        "failover",
        "anthropic",
        "openai",
    )
    assert switch.duration_ms == 1520
    assert "07911" not in switch.reason and switch.reason.startswith("error: 500")


def test_switches_are_purged_with_their_call(tmp_path):
    store = CallRecordStore.open(f"sqlite:///{tmp_path}/conversations.db")
    long_ago = utc_now() - timedelta(days=40)
    store.start_session("old-call", long_ago, "anthropic")
    store.add_switch(
        SwitchRecord("old-call", 1, long_ago, "tts", "failover", "cartesia", "piper", "stall", 800)
    )
    deleted = store.delete_before(utc_now() - timedelta(days=30))
    assert (deleted.sessions, deleted.switches) == (1, 1)
    assert store.switches("old-call") == []
