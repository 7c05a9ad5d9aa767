"""The frame a segmented STT pushes once it has finished a speech segment; Pipecat has none.

A segmented STT (Whisper) transcribes each VAD segment after the segment ended, and
a segment may hold no words at all: its `TranscriptionFrame`, when there is one, does
not say that the segment is done. The turn-stop strategy for segmented STTs
(turns/segment_turn_stop.py) waits for this frame, not for a fixed time, so a slow
transcription on a loaded machine does not end the caller's turn before their last words.
"""

from dataclasses import dataclass, field

from pipecat.frames.frames import ControlFrame


@dataclass
class SegmentTranscribedFrame(ControlFrame):
    """A speech segment's transcription is over: its words, if any, went on before this.

    In order behind the segment's `TranscriptionFrame`, and kept through an interruption
    (a barge-in must not leave the turn waiting for a segment that was done).
    """

    interruptible: bool = field(default=False, init=False)
