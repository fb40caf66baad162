"""The two seams of voice: a `Narrator` turns text into `Speech`, a `Transcriber` audio into a `Transcript`.

Engines live in their own modules (`kokoro`, `whisper`) and import their
libraries lazily, so importing this package costs nothing when the `[voice]` extra is absent.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]
Timing = tuple[str, float, float]
"""(text, start_s, end_s): one caption phrase or one word, in seconds from the start of the audio."""

LANGUAGES = ("en", "zh")


class VoiceUnavailable(RuntimeError):
    """The engine (or its weights) is not installed; the message says what is missing in one line."""


def normalize_language(language: str | None) -> str | None:
    """'en-US', 'English', 'zh-CN', 'zh-Hans', 'cmn', 'Chinese', 'Mandarin' → 'en' / 'zh'; None stays None."""
    if language is None:
        return None
    tag = language.strip().lower().replace("_", "-")
    if not tag:
        return None
    head = tag.split("-")[0]
    aliases = {"english": "en", "eng": "en", "chinese": "zh", "mandarin": "zh", "cmn": "zh", "zho": "zh"}
    return aliases.get(head, head)


@dataclass(frozen=True, slots=True)
class Speech:
    """Synthesized narration: mono float32 samples in [-1, 1] and/or a WAV path, with caption timings.

    `phrases` are caption units (the script split at punctuation), `words` are finer units
    (words for English, characters for Chinese); both are (text, start_s, end_s) in playback order.
    """

    sample_rate: int
    samples: Samples | None = None
    path: Path | None = None
    phrases: list[Timing] = field(default_factory=list)
    words: list[Timing] = field(default_factory=list)
    text: str = ""
    language: str = ""
    engine: str = ""
    voice: str = ""
    speed: float = 1.0
    timing_source: str = ""
    """'synthesis' when the timings come from the engine, 'alignment' when from ASR forced alignment."""

    def __post_init__(self) -> None:
        if self.samples is None and self.path is None:
            raise ValueError("Speech needs samples or a WAV path")

    def audio(self) -> Samples:
        """The samples, read from `path` when they are not in memory."""
        if self.samples is not None:
            return self.samples
        assert self.path is not None
        samples, _ = read_wav(self.path)
        return samples

    @property
    def duration(self) -> float:
        if self.samples is not None:
            return len(self.samples) / self.sample_rate
        assert self.path is not None
        with wave.open(str(self.path), "rb") as w:
            return w.getnframes() / w.getframerate()

    def save(self, path: Path) -> Speech:
        """Write a 16-bit mono WAV and return a copy that points at it (samples kept)."""
        write_wav(path, self.audio(), self.sample_rate)
        return replace(self, path=Path(path))


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    start: float
    end: float
    no_speech_prob: float
    avg_logprob: float


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    language: str
    duration: float
    no_speech_prob: float
    """Duration-weighted mean of the segments' no-speech probabilities; 1.0 when nothing was heard."""
    avg_logprob: float
    """Duration-weighted mean of the segments' mean token log-probabilities; -inf when nothing was heard."""
    segments: list[Segment] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    language_probability: float = 0.0


@runtime_checkable
class Narrator(Protocol):
    """Text to speech. `speed` > 1 is faster, < 1 slower ("slower voice" is speed 0.85)."""

    name: str
    voice: str
    languages: tuple[str, ...]

    def synthesize(self, text: str, language: str, *, speed: float = 1.0) -> Speech: ...


@runtime_checkable
class Transcriber(Protocol):
    """Speech to text. `language=None` detects it."""

    name: str

    def transcribe(self, path: Path, *, language: str | None = None) -> Transcript: ...


def write_wav(path: Path, samples: Samples, sample_rate: int) -> Path:
    """16-bit PCM mono WAV, written atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0).round().astype("<i2")
    tmp = path.with_name(path.name + ".part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(pcm.tobytes())
    tmp.replace(path)
    return path


def read_wav(path: Path) -> tuple[Samples, int]:
    """Read a PCM WAV (8/16/32-bit, any channel count) as mono float32."""
    with wave.open(str(path), "rb") as w:
        channels, width, rate, frames = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
        raw = w.readframes(frames)
    if width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 4:
        data = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    elif width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    else:
        raise ValueError(f"{path}: unsupported sample width {width}")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data.astype(np.float32), rate
