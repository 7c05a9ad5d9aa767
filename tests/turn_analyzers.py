"""Turn analyzers and transcripts for tests of the turn-stop strategies."""

from pipecat.audio.turn.base_turn_analyzer import BaseTurnAnalyzer, BaseTurnParams, EndOfTurnState
from pipecat.frames.frames import TranscriptionFrame


def segment_words(text: str) -> TranscriptionFrame:
    """A caller segment's transcript as a segmented STT (Whisper) pushes it: finalized."""
    frame = TranscriptionFrame(text, "caller", "2026-01-01T00:00:00")
    frame.finalized = True
    return frame


class AlwaysComplete(BaseTurnAnalyzer):
    """A turn analyzer that judges every pause the end of the turn (as Smart Turn did at
    some commas)."""

    @property
    def speech_triggered(self) -> bool:
        return False

    @property
    def params(self) -> BaseTurnParams:
        return BaseTurnParams()

    def append_audio(self, buffer: bytes, is_speech: bool) -> EndOfTurnState:
        return EndOfTurnState.INCOMPLETE

    async def analyze_end_of_turn(self):
        return EndOfTurnState.COMPLETE, None

    def clear(self):
        pass
