"""Captions cut at phrase boundaries, whatever the draft's segments did.

A director (or a creator) may cut one sentence across two captions mid-phrase ("Meet Aurora
Bottle: a double-walled steel" / "Bottle that keeps drinks cold for 24 hours"), or write one
caption too long to read in its time. `phrase_captions` rejoins neighbouring captions that
continue each other (the first does not end a phrase, the next follows it at once) and cuts every
run into phrases of a readable length:

- cut points are between words (Latin at spaces, Chinese at jieba's word boundaries), best after
  a sentence end or a comma / colon / semicolon, good before a conjunction or a relative ("that",
  "and", "with", "which", …), bad after an article or preposition ("a", "the", "of") or between a
  number and its unit;
- a dynamic programme picks the cuts minimising those costs plus the pieces' deviation from an
  even length, with as few pieces as keep each under `MAX_LATIN` characters (`MAX_CJK` for
  Chinese) and at least as many as the draft had;
- each piece gets a share of the run's time proportional to its length.

Two captions continue each other when the first leaves its phrase open and the next starts in
lower case, or the draft's prompt has them as one run of words (no sentence end between); the
continuation takes the prompt's casing (the director capitalised "Bottle" where the creator wrote
"steel bottle").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studio.render.text import has_cjk, split_words

MAX_LATIN = 42  # characters a caption line pair reads in ~2 s
MAX_CJK = 16
TARGET_LATIN = 30
TARGET_CJK = 11
_SENTENCE = set(".!?。！？…")
_PHRASE = set(",;:—–，、；：")
_BEFORE = frozenset(
    "that which who where when while and but or so because with without for to until unless".split()
)
_BEFORE_CJK = frozenset(["和", "而且", "但是", "还", "让", "并且", "同时", "因为", "所以", "适合", "只要"])
_AFTER_BAD = frozenset(
    """a an the of to for with and or but in on at by from into your our my their its this that
these those is are be as than very more most no not new just""".split()
)


@dataclass(frozen=True)
class CaptionPiece:
    text: str
    start: int  # ms
    end: int  # ms
    source: int  # index of the draft caption the piece starts in


def ends_phrase(text: str) -> bool:
    t = text.rstrip(" \"'”’)」』")
    return bool(t) and (t[-1] in _SENTENCE or t[-1] in _PHRASE)


def _join(a: str, b: str) -> str:
    if has_cjk(a[-1:]) or has_cjk(b[:1]):
        return a + b
    return f"{a} {b}"


def _norm(text: str) -> str:
    """Lower case, sentence ends and commas kept as marks, other punctuation dropped."""
    t = re.sub(r"[.!?。！？…]+", " | ", text.lower())
    t = re.sub(r"[,;，；、]+", " / ", t)  # a comma between them: two phrases, not one
    t = re.sub(r"[^\w\s|/]+", "", t)
    return re.sub(r"\s+", " ", t).strip()


def continues(prev: str, nxt: str, prompt: str) -> bool:
    """Whether caption `nxt` goes on with the phrase `prev` left open."""
    if ends_phrase(prev) or not nxt.strip():
        return False
    if nxt.strip()[:1].islower():
        return True
    joined = _norm(_join(prev.strip(), nxt.strip()))
    return bool(prompt) and bool(joined) and joined in _norm(prompt)


def _continuation_case(prev: str, nxt: str, prompt: str) -> str:
    """`nxt` with its first word in the prompt's casing where the prompt joins it to `prev`."""
    words = nxt.split(" ", 1)
    last = prev.split()[-1] if prev.split() else ""
    found = re.search(rf"\b{re.escape(last)}\W+({re.escape(words[0])})\b", prompt, re.IGNORECASE)
    if found is None:
        return nxt
    return " ".join([found.group(1), *words[1:]])


def _cost_after(word: str, nxt: str) -> float:
    w = word.strip()
    last = w[-1:]
    if last in _SENTENCE:
        return -4.0
    if last in _PHRASE:
        return -3.0
    cost = 0.0
    if w.lower().strip("'’\"") in _AFTER_BAD:
        cost += 4.0
    if w[:1].isdigit() or w[:1] in "$€£¥#":
        cost += 3.0  # "24 | hours"
    n = nxt.strip().lower()
    if n in _BEFORE or n in _BEFORE_CJK:
        cost -= 1.5
    return cost


def split_phrases(text: str, pieces: int = 1) -> list[str]:
    """`text` cut into at least `pieces` phrases, each short enough to read (see the module doc)."""
    words = [w for w in split_words(text) if w.strip()] if text.strip() else []
    if not words:
        return []
    cjk = has_cjk(text)
    limit, target = (MAX_CJK, TARGET_CJK) if cjk else (MAX_LATIN, TARGET_LATIN)
    spaced = [w if cjk else w.strip() for w in words]
    sep = "" if cjk else " "

    def length(i: int, j: int) -> int:
        return len(sep.join(spaced[i:j]))

    n = len(words)
    total = length(0, n)
    want = min(n, max(pieces, -(-total // limit)))
    best: tuple[float, list[str]] | None = None
    for k in range(want, n + 1):
        if best is not None and k > want + 1:
            break
        even = total / k
        inf = float("inf")
        cost = [[inf] * (n + 1) for _ in range(k + 1)]
        back = [[0] * (n + 1) for _ in range(k + 1)]
        cost[0][0] = 0.0
        for p in range(1, k + 1):
            for j in range(1, n + 1):
                for i in range(p - 1, j):
                    if cost[p - 1][i] == inf:
                        continue
                    size = length(i, j)
                    if size > limit and j - i > 1:
                        continue
                    c = cost[p - 1][i] + 3.0 * ((size - even) / max(even, 1.0)) ** 2
                    c += 0.02 * max(0, size - target)
                    if j < n:
                        c += _cost_after(spaced[j - 1], spaced[j])
                    if c < cost[p][j]:
                        cost[p][j], back[p][j] = c, i
        if cost[k][n] < inf:
            out: list[str] = []
            j, p = n, k
            while p > 0:
                i = back[p][j]
                out.append(sep.join(spaced[i:j]))
                j, p = i, p - 1
            total_cost = cost[k][n] + 3.5 * (k - want)  # one more piece only when it reads much better
            if best is None or total_cost < best[0]:
                best = (total_cost, out[::-1])
    return best[1] if best is not None else [text.strip()]


def phrase_captions(
    captions: list[tuple[str, int, int]], prompt: str = "", gap_ms: int = 250
) -> list[CaptionPiece]:
    """Captions (text, start ms, end ms) in time order → pieces that keep phrases whole."""
    runs: list[list[int]] = []
    for n, (text, start, _end) in enumerate(captions):
        if runs:
            prev = captions[runs[-1][-1]]
            if 0 <= start - prev[2] <= gap_ms and continues(prev[0], text, prompt):
                runs[-1].append(n)
                continue
        runs.append([n])
    out: list[CaptionPiece] = []
    for run in runs:
        texts = [captions[i][0].strip() for i in run]
        joined = texts[0]
        for t in texts[1:]:
            joined = _join(joined, _continuation_case(joined, t, prompt) if prompt else t)
        start, end = captions[run[0]][1], captions[run[-1]][2]
        parts = split_phrases(joined, len(run)) if joined else []
        if len(parts) <= 1 and len(run) == 1:
            out.append(CaptionPiece(texts[0], start, end, run[0]))
            continue
        weights = [max(len(p), 6) for p in parts]
        span = end - start
        at = start
        for k, (part, wgt) in enumerate(zip(parts, weights, strict=True)):
            stop = end if k == len(parts) - 1 else at + round(span * wgt / sum(weights))
            source = next((i for i in run if captions[i][1] <= at < captions[i][2]), run[0])
            out.append(CaptionPiece(part, at, stop, source))
            at = stop
    return out
