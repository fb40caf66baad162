"""Caption timings: split a script into phrases, time them from synthesis, or force-align them with ASR words.

Two sources, in order of preference:

1. Synthesis: narrators render the script phrase by phrase (`split_phrases`) and know exactly
   where each phrase's audio starts and ends (`speech_bounds` on each rendered piece). Word
   timings come from the engine's own durations when it has them (Piper alignments, FastSpeech2
   durations), else they are spread over the phrase by length (`spread`).
2. Forced alignment (`align_phrases`): transcribe the audio with word timestamps, then align the
   ASR words to the script's words (English) or characters (Chinese) with an edit-distance
   alignment that tolerates ASR errors, and read each phrase's span off its aligned units.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from .protocols import Samples, Timing
from .whisper import to_simplified

log = logging.getLogger(__name__)

_STOPS = ".!?。！？…"
_CLAUSES = ",;:，、；：—–"
_SPLIT = re.compile(r"(?<=[.!?。！？…,;:，、；：—–])\s*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ALNUM_RUN = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+(?:['’][0-9A-Za-z]+)*")


def is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


def units(text: str, language: str) -> list[str]:
    """Comparable units: lower-cased words for English; CJK characters (and Latin/digit runs) for Chinese."""
    text = unicodedata.normalize("NFKC", text)
    if language == "zh":
        out: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if is_cjk(ch):
                out.append(ch)
                i += 1
                continue
            m = _ALNUM_RUN.match(text, i)
            if m:
                out.append(m.group(0).lower().replace("’", "'"))
                i = m.end()
            else:
                i += 1
        return out
    return [m.group(0).lower().replace("’", "'") for m in _ALNUM_RUN.finditer(text)]


def split_phrases(text: str, language: str, *, max_words: int = 8, max_chars: int = 16) -> list[str]:
    """Caption phrases: the script split after punctuation; long pieces split evenly at word boundaries.

    English phrases keep at most `max_words` words, Chinese ones at most `max_chars` characters.
    Pieces without any speakable unit are glued to their neighbour.
    """
    text = " ".join(text.split())
    pieces = [p.strip() for p in _SPLIT.split(text) if p.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and not units(piece, language):
            merged[-1] += piece
        else:
            merged.append(piece)
    out: list[str] = []
    for piece in merged:
        out.extend(_split_long(piece, language, max_words, max_chars))
    return out


def _split_long(piece: str, language: str, max_words: int, max_chars: int) -> list[str]:
    if language == "zh":
        n = len(units(piece, language))
        if n <= max_chars:
            return [piece]
        k = -(-n // max_chars)
        size = -(-len(piece) // k)
        return [piece[i : i + size] for i in range(0, len(piece), size)]
    words = piece.split()
    if len(words) <= max_words:
        return [piece]
    n = len(words)
    # split before a joining word near the middle ("... batches | with cotton wicks"), else at the middle
    best = min(
        range(2, n - 1),
        key=lambda i: abs(i - n / 2) - (2.5 if words[i].lower().strip("\"'“(") in _JOINERS else 0.0),
    )
    left, right = " ".join(words[:best]), " ".join(words[best:])
    return _split_long(left, language, max_words, max_chars) + _split_long(
        right, language, max_words, max_chars
    )


_JOINERS = frozenset("and or but so with in on at for to from of by that which who while when".split())


def pause_after(phrase: str) -> float:
    """Seconds of silence after a phrase, at speed 1: longer after a sentence than after a clause."""
    tail = phrase.rstrip("\"'”’)）」』 ")
    if tail and tail[-1] in _STOPS:
        return 0.34
    if tail and tail[-1] in _CLAUSES:
        return 0.14
    return 0.06


def speech_bounds(samples: Samples, sample_rate: int, *, threshold_db: float = -38.0) -> tuple[int, int]:
    """First and last sample of sound (10 ms frames above `threshold_db` of the peak); (0, 0) if silent."""
    n = len(samples)
    if n == 0:
        return 0, 0
    hop = max(1, sample_rate // 100)
    frames = n // hop
    if frames == 0:
        return 0, n
    x = np.asarray(samples[: frames * hop], dtype=np.float32).reshape(frames, hop)
    rms = np.sqrt(np.mean(x * x, axis=1) + 1e-12)
    peak = float(rms.max())
    if peak < 1e-5:
        return 0, 0
    loud = np.flatnonzero(rms > peak * 10 ** (threshold_db / 20))
    return int(loud[0] * hop), int(min(n, (loud[-1] + 1) * hop))


def spread(phrase: str, start: float, end: float, language: str) -> list[Timing]:
    """Word (English) or character (Chinese) timings spread over [start, end] in proportion to length."""
    tokens = display_tokens(phrase, language)
    if not tokens:
        return []
    if language == "zh":
        weights = np.ones(len(tokens))
    else:
        weights = np.array([max(1.0, float(len(re.sub(r"\W", "", t)))) + 1.5 for t in tokens])
    edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])
    return [(tok, float(edges[i]), float(edges[i + 1])) for i, tok in enumerate(tokens)]


def display_tokens(phrase: str, language: str) -> list[str]:
    """Tokens as shown in captions: words with their punctuation (English), characters (Chinese)."""
    if language == "zh":
        return units(phrase, language)
    return [w for w in phrase.split() if units(w, language)]


# ------------------------------------------------------------------------- forced alignment


def _similarity(a: str, b: str, language: str) -> float:
    if a == b:
        return 1.0
    if language == "zh" and len(a) == 1 and len(b) == 1:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _asr_units(words: Sequence[Timing], language: str) -> list[Timing]:
    """Split ASR words into script-comparable units, sharing each word's span by unit length."""
    out: list[Timing] = []
    for text, start, end in words:
        us = units(_to_simplified(text) if language == "zh" else text, language)
        if not us:
            continue
        lengths = np.array([max(1, len(u)) for u in us], float)
        edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(lengths) / lengths.sum()])
        out.extend((u, float(edges[i]), float(edges[i + 1])) for i, u in enumerate(us))
    return out


def _to_simplified(text: str) -> str:
    return to_simplified(text)


def align_units(script: Sequence[str], heard: Sequence[str], language: str) -> list[int | None]:
    """For each script unit, the index of the heard unit it aligns with (match or substitution), or None.

    Needleman-Wunsch with gap cost 0.7 and substitution cost 1 - similarity, so an ASR error
    (a substituted word or character) still anchors its position in time.
    """
    n, m = len(script), len(heard)
    gap = 0.7
    cost = np.zeros((n + 1, m + 1))
    cost[:, 0] = np.arange(n + 1) * gap
    cost[0, :] = np.arange(m + 1) * gap
    back = np.zeros((n + 1, m + 1), dtype=np.int8)  # 0 diag, 1 up (skip script), 2 left (skip heard)
    back[1:, 0] = 1
    back[0, 1:] = 2
    for i in range(1, n + 1):
        a = script[i - 1]
        for j in range(1, m + 1):
            diag = cost[i - 1, j - 1] + (1.0 - _similarity(a, heard[j - 1], language))
            up = cost[i - 1, j] + gap
            left = cost[i, j - 1] + gap
            if diag <= up and diag <= left:
                cost[i, j], back[i, j] = diag, 0
            elif up <= left:
                cost[i, j], back[i, j] = up, 1
            else:
                cost[i, j], back[i, j] = left, 2
    out: list[int | None] = [None] * n
    i, j = n, m
    while i > 0 or j > 0:
        step = back[i, j]
        if step == 0:
            out[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif step == 1:
            i -= 1
        else:
            j -= 1
    return out


def align_phrases(
    phrases: Sequence[str], words: Sequence[Timing], language: str, duration: float
) -> tuple[list[Timing], list[Timing]]:
    """Phrase and unit timings for a script from ASR word timings (forced alignment).

    Returns (phrases, units): phrase spans, and one span per script unit (English word /
    Chinese character). Script units the ASR missed are interpolated between their aligned
    neighbours; the result is monotonic and inside [0, duration].
    """
    script: list[str] = []
    owner: list[int] = []
    for k, phrase in enumerate(phrases):
        us = units(phrase, language)
        script.extend(us)
        owner.extend([k] * len(us))
    heard = _asr_units(words, language)
    if not script:
        return [], []
    if not heard:
        log.warning("forced alignment: the ASR heard nothing; spreading phrases over the audio")
        return _even(phrases, language, 0.0, duration)
    match = align_units(script, [h[0] for h in heard], language)
    starts = np.full(len(script), np.nan)
    ends = np.full(len(script), np.nan)
    for i, j in enumerate(match):
        if j is not None:
            starts[i], ends[i] = heard[j][1], heard[j][2]
    _interpolate(starts, ends, 0.0, duration)
    # monotonic, non-overlapping
    for i in range(len(script)):
        lo = ends[i - 1] if i else 0.0
        starts[i] = min(max(starts[i], lo), duration)
        ends[i] = min(max(ends[i], starts[i]), duration)
    unit_timings = [(script[i], float(starts[i]), float(ends[i])) for i in range(len(script))]
    out: list[Timing] = []
    for k, phrase in enumerate(phrases):
        idx = [i for i, o in enumerate(owner) if o == k]
        if not idx:
            continue
        out.append((phrase, float(starts[idx[0]]), float(ends[idx[-1]])))
    return out, unit_timings


def _interpolate(starts: np.ndarray, ends: np.ndarray, t0: float, t1: float) -> None:
    """Fill NaN runs by sharing the gap between the aligned neighbours evenly."""
    n = len(starts)
    i = 0
    while i < n:
        if not np.isnan(starts[i]):
            i += 1
            continue
        j = i
        while j < n and np.isnan(starts[j]):
            j += 1
        lo = ends[i - 1] if i > 0 else t0
        hi = starts[j] if j < n else t1
        if hi < lo:
            hi = lo
        edges = np.linspace(lo, hi, j - i + 1)
        starts[i:j] = edges[:-1]
        ends[i:j] = edges[1:]
        i = j


def _even(phrases: Sequence[str], language: str, t0: float, t1: float) -> tuple[list[Timing], list[Timing]]:
    lengths = np.array([max(1, len(units(p, language))) for p in phrases], float)
    edges = t0 + (t1 - t0) * np.concatenate([[0.0], np.cumsum(lengths) / lengths.sum()])
    ph = [(p, float(edges[k]), float(edges[k + 1])) for k, p in enumerate(phrases)]
    us: list[Timing] = []
    for p, s, e in ph:
        us.extend((u, a, b) for u, a, b in spread(p, s, e, language))
    return ph, us


def check_timings(timings: Sequence[Timing], duration: float, *, tolerance: float = 0.05) -> list[str]:
    """Problems with a timing list (empty when fine): order, overlap, spans outside the audio."""
    problems: list[str] = []
    prev_end = 0.0
    for k, (text, start, end) in enumerate(timings):
        if end < start:
            problems.append(f"#{k} {text!r}: ends before it starts ({start:.3f} > {end:.3f})")
        if start < prev_end - tolerance:
            problems.append(f"#{k} {text!r}: starts at {start:.3f} before the previous end {prev_end:.3f}")
        if start < -tolerance or end > duration + tolerance:
            problems.append(f"#{k} {text!r}: [{start:.3f}, {end:.3f}] outside [0, {duration:.3f}]")
        prev_end = max(prev_end, end)
    return problems
