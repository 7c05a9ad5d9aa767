"""Frames the interruption processors exchange; Pipecat has no equivalent.

Pipecat knows one kind of interruption, `InterruptionFrame`, which drops the
bot's reply at once. A soft interruption (pause, then resume or commit) needs
two more signals, and trimming the context to what the caller heard needs a
third.
"""

from dataclasses import dataclass

from pipecat.frames.frames import SystemFrame


@dataclass
class ResumeBotSpeechFrame(SystemFrame):
    """The sound that paused the bot was not an interruption: play on from where it paused.

    A system frame, so it overtakes the reply text still queued in the LLM and TTS.
    """


@dataclass
class HeardSpeechFrame(SystemFrame):
    """What the caller heard of the reply an interruption is about to cut.

    Pushed just before the `InterruptionFrame` that cuts the reply, so the
    processor after the assistant aggregator can trim the context to it.

    Parameters:
        text: Everything the caller heard of the reply, to the word where the
            TTS gave word timings, else to the audio position.
    """

    text: str
