"""Noise mixed into a clip covers it whole, whatever its length (bench.phone_answers failed on
a clip whose length in seconds rounded one sample short)."""

import numpy as np

from harness.noises import SAMPLE_RATE, with_noise


def test_pink_noise_mixes_into_a_clip_of_any_length():
    padded = 64526  # 64526 / 16000 * 16000 is 64525.99...
    samples = padded - 2 * int(SAMPLE_RATE * 0.3)
    pcm = (np.ones(samples, np.int16) * 1000).tobytes()
    mixed = with_noise(pcm, "pink", snr_db=10, pad_secs=0.3)
    assert len(mixed) // 2 == padded
