"""Shared narration loop: render a script phrase by phrase, join with pauses, keep exact phrase timings."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from .protocols import Samples, Speech, Timing, normalize_language
from .timings import display_tokens, pause_after, speech_bounds, split_phrases, spread, units

log = logging.getLogger(__name__)

TARGET_RMS_DB = -20.0
PEAK_LIMIT = 0.95
MAX_WORDS = 120
"""Guard: scripts are < 60 words; longer text is refused rather than tying up the CPU."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """One phrase as the engine produced it: samples, plus word timings relative to the piece if known."""

    samples: Samples
    words: list[Timing] | None = None
    breaks: list[tuple[float, float]] | None = None
    """Clause boundaries inside the piece (end of the speech before, start of the speech after), in seconds;
    one per phrase join when the engine times its punctuation."""


class PhraseNarrator(ABC):
    """Base for engines: subclasses implement `_load()` and `_render(phrase, language, speed)`."""

    name: str = "?"
    voice: str = ""
    languages: tuple[str, ...] = ()
    sample_rate: int = 24000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = False
        self.load_seconds = 0.0

    @abstractmethod
    def _load(self) -> None: ...

    @abstractmethod
    def _render(self, phrase: str, language: str, speed: float) -> Rendered: ...

    def load(self) -> None:
        """Load the model now (it is loaded on first use otherwise)."""
        with self._lock:
            self._ensure_loaded()

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            t0 = time.perf_counter()
            self._load()
            self.load_seconds = time.perf_counter() - t0
            self._loaded = True
            log.info("%s voice %s loaded in %.2fs", self.name, self.voice, self.load_seconds)

    def synthesize(self, text: str, language: str, *, speed: float = 1.0) -> Speech:
        lang = normalize_language(language)
        if lang not in self.languages:
            raise ValueError(f"{self.name} narrates {', '.join(self.languages)}, not {language!r}")
        if not 0.5 <= speed <= 2.0:
            raise ValueError(f"speed must be within 0.5..2.0, got {speed}")
        phrases = split_phrases(text, lang)
        if not phrases or not units(text, lang):
            raise ValueError("nothing to say: the text has no words")
        n_units = len(units(text, lang))
        if (lang == "en" and n_units > MAX_WORDS) or (lang == "zh" and n_units > MAX_WORDS * 3):
            raise ValueError(f"script too long for a voice-over ({n_units} units)")
        with self._lock:
            self._ensure_loaded()
            t0 = time.perf_counter()
            speech = self._narrate(text, phrases, lang, speed)
            elapsed = time.perf_counter() - t0
        log.info(
            "%s/%s narrated %d phrases, %.2fs of audio in %.2fs (RTF %.2f)",
            self.name,
            self.voice,
            len(phrases),
            speech.duration,
            elapsed,
            elapsed / max(speech.duration, 1e-6),
        )
        return speech

    render_unit: str = "phrase"
    """'phrase': one engine call per caption phrase (exact phrase bounds from the audio pieces);
    'sentence': one call per sentence (better prosody), phrase bounds from the engine's word timings."""

    def _narrate(self, text: str, phrases: list[str], lang: str, speed: float) -> Speech:
        sr = self.sample_rate
        pieces: list[Samples] = [np.zeros(int(0.05 * sr), np.float32)]
        offset = len(pieces[0])
        out_phrases: list[Timing] = []
        out_words: list[Timing] = []
        groups = _sentences(phrases) if self.render_unit == "sentence" else [[p] for p in phrases]
        for k, group in enumerate(groups):
            chunk_text = ("" if lang == "zh" else " ").join(group)
            rendered = self._render(chunk_text, lang, speed)
            piece, ph, words = _place(rendered, group, chunk_text, lang, sr, offset / sr, self.name)
            out_phrases.extend(ph)
            out_words.extend(words)
            pieces.append(piece)
            offset += len(piece)
            gap = int(pause_after(group[-1]) / speed * sr) if k < len(groups) - 1 else int(0.1 * sr)
            pieces.append(np.zeros(gap, np.float32))
            offset += gap
        samples = _level(np.concatenate(pieces))
        return Speech(
            sample_rate=sr,
            samples=samples,
            phrases=out_phrases,
            words=out_words,
            text=text,
            language=lang,
            engine=self.name,
            voice=self.voice,
            speed=float(speed),
            timing_source="synthesis",
        )


def _sentences(phrases: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for p in phrases:
        out[-1].append(p)
        if pause_after(p) >= 0.3:
            out.append([])
    return [g for g in out if g]


def _place(
    rendered: Rendered, group: list[str], chunk_text: str, lang: str, sr: int, t0: float, engine: str
) -> tuple[Samples, list[Timing], list[Timing]]:
    """Trim one rendered chunk; return it with its phrase and word timings shifted to start at t0 seconds."""
    audio = np.asarray(rendered.samples, dtype=np.float32).ravel()
    s0, s1 = speech_bounds(audio, sr)
    if s1 <= s0:
        log.warning("%s rendered silence for %r", engine, chunk_text)
        s0, s1 = 0, len(audio)
    pad = int(0.03 * sr)
    a0, a1 = max(0, s0 - pad), min(len(audio), s1 + pad)
    piece = audio[a0:a1]
    shift = t0 - a0 / sr
    start, end = s0 / sr + shift, s1 / sr + shift
    if rendered.words:
        words = [
            (w, min(max(ws + shift, start), end), min(max(we + shift, start), end))
            for w, ws, we in rendered.words
        ]
    else:
        words = spread(chunk_text, start, end, lang)
    if len(group) == 1:
        return piece, [(group[0], start, end)], words
    phrases: list[Timing] = []
    if rendered.breaks is not None and len(rendered.breaks) == len(group) - 1:
        edges = (
            [(start, start)]
            + [(min(max(a + shift, start), end), min(max(b + shift, start), end)) for a, b in rendered.breaks]
            + [(end, end)]
        )
        for k, p in enumerate(group):
            phrases.append((p, edges[k][1], max(edges[k][1], edges[k + 1][0])))
        return piece, phrases, words
    counts = [len(display_tokens(p, lang)) for p in group]
    if sum(counts) != len(words):
        words = spread(chunk_text, start, end, lang)
    i = 0
    for p, c in zip(group, counts, strict=True):
        span = words[i : i + c]
        i += c
        if span:
            phrases.append((p, span[0][1], span[-1][2]))
    if phrases:  # the first phrase starts with the sound, the last ends with it
        phrases[0] = (phrases[0][0], start, phrases[0][2])
        phrases[-1] = (phrases[-1][0], phrases[-1][1], end)
    return piece, phrases, words


def _level(x: Samples) -> Samples:
    """Scale so the voiced part sits at TARGET_RMS_DB, with peaks kept under PEAK_LIMIT."""
    hop = 240
    frames = len(x) // hop
    if frames == 0:
        return x.astype(np.float32)
    f = x[: frames * hop].reshape(frames, hop)
    rms = np.sqrt(np.mean(f * f, axis=1) + 1e-12)
    voiced = rms[rms > rms.max() * 0.1]
    level = float(np.sqrt(np.mean(voiced**2))) if len(voiced) else float(rms.max())
    if level < 1e-6:
        return x.astype(np.float32)
    gain = 10 ** (TARGET_RMS_DB / 20) / level
    peak = float(np.abs(x).max()) * gain
    if peak > PEAK_LIMIT:
        gain *= PEAK_LIMIT / peak
    return (x * gain).astype(np.float32)


def word_timings_from_durations(
    phrase: str, language: str, groups: list[tuple[float, float]]
) -> list[Timing] | None:
    """Engine-timed groups (one per word / character) on the phrase's display tokens, if counts agree."""
    tokens = display_tokens(phrase, language)
    if len(tokens) != len(groups) or not tokens:
        return None
    return [(tok, s, e) for tok, (s, e) in zip(tokens, groups, strict=True)]


CLAUSE_MARKS = frozenset(",;:—–")
SPACE_MARKS = frozenset(" ")
SKIP_MARKS = frozenset('.!?¡¿…"«»“”()^$_')


def phoneme_groups(
    items: list[tuple[str, float, float]],
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """From timed phonemes, (word spans, clause breaks).

    Words are the runs between spaces and punctuation; a break is (start of a clause mark, start of
    the next word), i.e. where the speech before the comma ends and where the speech after resumes.
    """
    words: list[tuple[float, float]] = []
    breaks: list[tuple[float, float]] = []
    start: float | None = None
    end = 0.0
    pending: float | None = None
    for ph, s, e in items:
        if ph in SPACE_MARKS or ph in SKIP_MARKS or ph in CLAUSE_MARKS:
            if start is not None:
                words.append((start, end))
                start = None
            if ph in CLAUSE_MARKS and pending is None:
                pending = s
            continue
        if start is None:
            start = s
            if pending is not None:
                breaks.append((pending, s))
                pending = None
        end = e
    if start is not None:
        words.append((start, end))
    return words, breaks
