"""Tell a voice note (speech) from a music file.

By duration, a numpy voice-activity measure, and the ASR's no-speech probability.

The acoustic measure uses three classic speech/music cues over 1-second windows (Lu, Zhang & Jiang 2002):
low short-time-energy ratio (speech pauses between syllables, music sustains), high
zero-crossing-rate ratio (speech alternates voiced sounds and fricatives) and spectral flatness
(tonal music is flat-free and steady; noise is flat). Whisper's no-speech probability and average
log-probability then confirm that words were actually heard. Clear music is decided without
running the ASR on the whole file (a greedy look at its first 12 s only).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .audio import decode
from .protocols import Samples, Transcript

log = logging.getLogger(__name__)

RATE = 16000
MIN_SECONDS = 0.4
MAX_SECONDS = 10 * 60
PROBE_OVER_S = 30.0
"""Clips longer than this get the cheap ASR probe before a full transcription."""
"""Voice notes longer than this are not transcribed (a 10-minute note costs ~80 s of CPU at RTF 0.13)."""


@dataclass(frozen=True, slots=True)
class SpeechVerdict:
    is_speech: bool
    reason: str
    duration: float
    vad_score: float
    """0 (music / noise / silence) .. 1 (speech), from the acoustic cues alone."""
    features: dict[str, float] = field(default_factory=dict)
    no_speech_prob: float = math.nan
    avg_logprob: float = math.nan
    language: str = ""
    transcript: Transcript | None = None
    """The full transcript when the clip was judged speech (reuse it: no second ASR pass is needed)."""


def _frames(x: Samples, size: int, hop: int) -> np.ndarray:
    n = 1 + (len(x) - size) // hop if len(x) >= size else 0
    if n <= 0:
        return np.zeros((0, size), np.float32)
    return np.lib.stride_tricks.sliding_window_view(x, size)[::hop][:n]


def acoustic_features(samples: Samples, rate: int = RATE) -> dict[str, float]:
    """Frame-level cues summarised over the clip (25 ms frames, 10 ms hop, 1 s windows)."""
    x = np.asarray(samples, dtype=np.float32)
    size, hop = int(0.025 * rate), int(0.010 * rate)
    f = _frames(x, size, hop)
    if len(f) < 20:
        return {"active_ratio": 0.0, "lster": 0.0, "hzcrr": 0.0, "flatness": 1.0, "pause_ratio": 0.0}
    rms = np.sqrt(np.mean(f.astype(np.float64) ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms)
    peak = float(np.percentile(db, 99))
    active = db > max(-55.0, peak - 35.0)
    signs = np.signbit(f)
    zcr = np.mean(signs[:, 1:] != signs[:, :-1], axis=1)
    spec = np.abs(np.fft.rfft(f * np.hanning(size), axis=1)) ** 2 + 1e-12
    freqs = np.fft.rfftfreq(size, 1 / rate)
    band = (freqs >= 100) & (freqs <= 4000)
    p = spec[:, band]
    flat = np.exp(np.mean(np.log(p), axis=1)) / np.mean(p, axis=1)
    energy = rms**2
    win, step = 100, 50
    lster, hzcrr = [], []
    for s in range(0, max(1, len(f) - win + 1), step):
        sl = slice(s, s + win)
        if active[sl].mean() < 0.2:
            continue
        e, z = energy[sl], zcr[sl]
        lster.append(float(np.mean(e < 0.5 * e.mean())))
        hzcrr.append(float(np.mean(z > 1.5 * z.mean())))
    # pauses: frames 20 dB under the loud level, inside the active span of the clip
    idx = np.flatnonzero(active)
    inner = db[idx[0] : idx[-1] + 1] if len(idx) else db
    loud = float(np.percentile(inner, 90)) if len(inner) else peak
    pause_ratio = float(np.mean(inner < loud - 20.0)) if len(inner) else 0.0
    return {
        "active_ratio": float(active.mean()),
        "lster": float(np.median(lster)) if lster else 0.0,
        "hzcrr": float(np.median(hzcrr)) if hzcrr else 0.0,
        "flatness": float(np.median(flat[active])) if active.any() else 1.0,
        "pause_ratio": pause_ratio,
    }


def vad_score(features: dict[str, float]) -> float:
    """The cues as 0..1 (speech-like); thresholds tuned on synthetic speech, noisy speech and music."""
    if features["active_ratio"] < 0.05:
        return 0.0
    s_lster = np.clip((features["lster"] - 0.15) / 0.20, 0.0, 1.0)
    s_hzcrr = np.clip((features["hzcrr"] - 0.04) / 0.10, 0.0, 1.0)
    s_pause = np.clip((features["pause_ratio"] - 0.04) / 0.16, 0.0, 1.0)
    noise_penalty = np.clip((features["flatness"] - 0.35) / 0.3, 0.0, 1.0)
    score = 0.45 * s_lster + 0.30 * s_hzcrr + 0.25 * s_pause
    return float(score * (1.0 - 0.7 * noise_penalty))


def _heard(tr: Transcript) -> bool:
    words = len(tr.text.split()) if tr.language != "zh" else len(tr.text.strip())
    return tr.no_speech_prob < 0.5 and tr.avg_logprob > -1.0 and words > 0


def is_speech(
    path: Path | None = None,
    *,
    samples: Samples | None = None,
    transcriber: object | None = None,
    language: str | None = None,
    voice_note: bool = False,
    max_seconds: float = MAX_SECONDS,
) -> SpeechVerdict:
    """Is this attachment speech to transcribe (True) or music / noise / silence to keep as audio (False)?

    `transcriber` is a `WhisperTranscriber` (anything with `probe(samples)` and
    `transcribe_samples(samples, language=)`);
    without it the verdict rests on duration and the acoustic cues. `voice_note=True` (Telegram's
    voice-message type) lowers the acoustic bar, since the platform already says it was recorded speech.
    """
    if samples is None:
        if path is None:
            raise ValueError("is_speech needs a path or samples")
        samples = decode(Path(path), RATE, max_seconds=max_seconds + 1)
    x = np.asarray(samples, dtype=np.float32)
    duration = len(x) / RATE
    if duration < MIN_SECONDS:
        return SpeechVerdict(False, f"too short ({duration:.2f}s)", duration, 0.0)
    if duration > max_seconds:
        return SpeechVerdict(False, f"too long for a voice note (over {max_seconds:.0f}s)", duration, 0.0)
    feats = acoustic_features(x)
    score = vad_score(feats)
    if feats["active_ratio"] < 0.05:
        return SpeechVerdict(False, "silence", duration, score, feats)
    bar = 0.25 if voice_note else 0.4
    if transcriber is None:
        ok = score >= bar
        return SpeechVerdict(
            ok, f"acoustic score {score:.2f} {'>=' if ok else '<'} {bar}", duration, score, feats
        )
    if score < bar * 0.5:
        # Acoustically music / noise. An audio attachment stays music (songs have clear lyrics too);
        # a voice-message recording gets a cheap ASR look at its start, in case it is speech over loud noise.
        if not voice_note:
            return SpeechVerdict(
                False, f"music or noise (acoustic {score:.2f} < {bar * 0.5:.2f})", duration, score, feats
            )
        probe: Transcript = transcriber.probe(x)  # type: ignore[attr-defined]
        if not (_heard(probe) and probe.no_speech_prob < 0.2 and probe.avg_logprob > -0.6):
            return SpeechVerdict(
                False,
                f"music or noise (acoustic {score:.2f}, no-speech {probe.no_speech_prob:.2f})",
                duration,
                score,
                feats,
                probe.no_speech_prob,
                probe.avg_logprob,
                probe.language,
            )
    elif duration > PROBE_OVER_S:
        # a long clip that sounds speech-like (drums do): a cheap look at its start before a full
        # transcription, so a song costs a 12 s greedy decode, not minutes of beam search
        first: Transcript = transcriber.probe(x)  # type: ignore[attr-defined]
        if not _heard(first):
            return SpeechVerdict(
                False,
                f"no speech at its start (acoustic {score:.2f}, no-speech {first.no_speech_prob:.2f})",
                duration,
                score,
                feats,
                first.no_speech_prob,
                first.avg_logprob,
                first.language,
            )
    tr: Transcript = transcriber.transcribe_samples(x, language=language)  # type: ignore[attr-defined]
    heard = _heard(tr)
    if score >= bar and heard:
        verdict, reason = True, f"speech (acoustic {score:.2f}, no-speech {tr.no_speech_prob:.2f})"
    elif heard and tr.no_speech_prob < 0.2 and tr.avg_logprob > -0.6:
        verdict, reason = True, f"speech heard clearly by the ASR (acoustic {score:.2f})"
    elif not heard:
        verdict, reason = (
            False,
            f"no speech heard (no-speech {tr.no_speech_prob:.2f}, logprob {tr.avg_logprob:.2f})",
        )
    else:
        verdict, reason = False, f"music-like sound (acoustic {score:.2f}) even if words were heard"
    log.info("is_speech: %s: %s", verdict, reason)
    return SpeechVerdict(
        verdict,
        reason,
        duration,
        score,
        feats,
        tr.no_speech_prob,
        tr.avg_logprob,
        tr.language,
        tr if verdict else None,
    )
