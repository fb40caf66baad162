"""Generated music beds: deterministic, the right length, audible, never clipping, one sound per mood."""

from __future__ import annotations

import wave
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from studio.render.music import MOODS, SAMPLE_RATE, music_bed, synthesize


def test_same_seed_same_bed_other_seed_other_bed() -> None:
    a = synthesize("lofi", 6.0, seed=4)
    assert np.array_equal(a, synthesize("lofi", 6.0, seed=4))
    assert not np.array_equal(a, synthesize("lofi", 6.0, seed=5))


@pytest.mark.parametrize("mood", MOODS)
def test_bed_has_the_asked_length_is_audible_and_does_not_clip(mood: str) -> None:
    bed = synthesize(mood, 7.25, seed=1)
    assert bed.shape == (round(7.25 * SAMPLE_RATE), 2)
    assert np.abs(bed).max() <= 0.8 + 1e-6
    second = len(bed) // 7
    for k in range(7):  # no silent stretch anywhere
        assert np.sqrt(np.mean(bed[k * second:(k + 1) * second] ** 2)) > 0.02, (mood, k)


def _spectrum(x: np.ndarray) -> np.ndarray:
    """Loudness (dB) in 24 log-spaced bands, 40 Hz to 16 kHz, mean removed, unit length."""
    mono = x.mean(axis=1)
    power = np.abs(np.fft.rfft(mono * np.hanning(len(mono)))) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE)
    edges = np.geomspace(40, 16000, 25)
    db = 10 * np.log10([power[(freqs >= lo) & (freqs < hi)].mean() for lo, hi in pairwise(edges)])
    db -= db.mean()
    return np.asarray(db / np.linalg.norm(db))


def _onsets(x: np.ndarray) -> np.ndarray:
    mono = np.abs(x.mean(axis=1))
    frames = mono[: len(mono) // 480 * 480].reshape(-1, 480).mean(axis=1)  # 10 ms
    return np.maximum(np.diff(frames), 0)


def _tempo(x: np.ndarray) -> float:
    """Beats per minute: the strongest onset periodicity between 0.3 and 1 s."""
    onsets = _onsets(x) - _onsets(x).mean()
    ac = np.correlate(onsets, onsets, "full")[len(onsets) - 1:]
    lags = np.arange(30, 101)
    return float(6000 / lags[np.argmax(ac[30:101])])


def _pulse(x: np.ndarray) -> float:
    """How percussive: the spread of 20 ms loudness frames."""
    mono = np.abs(x.mean(axis=1))
    frames = mono[: len(mono) // 960 * 960].reshape(-1, 960).mean(axis=1)
    return float(frames.std() / frames.mean())


def test_each_mood_sounds_different() -> None:
    beds = {mood: synthesize(mood, 8.0, seed=2) for mood in MOODS}
    specs = {mood: _spectrum(bed) for mood, bed in beds.items()}
    for a in MOODS:
        for b in MOODS:
            if a < b:
                assert float(specs[a] @ specs[b]) < 0.97, (a, b)
    assert _tempo(beds["lofi"]) == pytest.approx(80, abs=3)
    assert _tempo(beds["upbeat"]) == pytest.approx(118, abs=3)
    assert _pulse(beds["calm"]) < _pulse(beds["lofi"])
    assert _pulse(beds["calm"]) < _pulse(beds["upbeat"])


def test_unknown_mood_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown mood"):
        synthesize("death-metal", 1.0)


def test_bed_is_written_as_16_bit_stereo_wav(tmp_path: Path) -> None:
    path = music_bed("upbeat", 2.0, tmp_path / "bed.wav", seed=3)
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, SAMPLE_RATE)
        assert wav.getnframes() == 2 * SAMPLE_RATE
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), "<i2")
    assert 0 < np.abs(pcm).max() < 32767


@pytest.mark.slow
def test_a_music_only_promo_is_loud_enough_for_social_feeds(tmp_path: Path) -> None:
    """Integrated loudness of a rendered music-only video near -19 LUFS (social feeds normalise to
    about -14; the old mix measured about -27), with true peak under 0 dBFS."""
    import re
    import subprocess

    import imageio_ffmpeg

    from studio.render.render import render_draft

    draft = {"d": 6000, "m": {"width": 1080, "height": 1080, "fps": 30, "aspect": "1:1"},
             "t": [{"tt": 0, "sg": [{"id": "c", "st": 0, "d": 6000, "kind": "color",
                                     "m": {"kind": "color", "color": "#1e293b"}}]},
                   {"tt": 1, "sg": [{"id": "a", "st": 0, "d": 6000,
                                     "m": {"src": "synth://upbeat", "name": "Upbeat", "vol": 0.35}}]}]}
    out = render_draft(draft, {}, tmp_path / "m.mp4").path
    report = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(out),
         "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True, check=True,
    ).stderr
    loudness = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", report)[-1])
    peak = float(re.findall(r"Peak:\s+(-?[\d.]+) dBFS", report)[-1])
    assert -23 < loudness < -14
    assert peak < 0
