"""Chinese word segmentation with jieba, started once per process off the request path.

`warm_up()` starts a daemon thread that loads jieba's dictionary (about 1 s of CPU from its cache,
2 s the very first time), adds every Chinese phrase of the lexicon to it (so "快一点", "背景音乐",
"小红书" stay whole) and loads the lexicon itself. The studio calls it when it starts
(`studio.api.chat.ChatRunner`), so the first user's turn does not pay for it; a turn that comes
earlier waits for the thread instead of loading a second copy. `cut(run)` segments one run of
Chinese characters (jieba without its HMM guesser: unknown characters come out one by one, which
is what boundary matching wants; it never merges across a word it does not know).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import jieba

from studio.director.lexicon import lexicon

log = logging.getLogger(__name__)

_lock = threading.Lock()
_ready = threading.Event()
_thread: threading.Thread | None = None
_tokenizer: Any = None
cold_start_seconds: float | None = None  # measured by the warm-up (also in docs/director.md)


def _load() -> None:
    global _tokenizer, cold_start_seconds
    started = time.perf_counter()
    try:
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in lexicon().cjk_words():
            tokenizer.add_word(word, freq=2_000_000)
        _tokenizer = tokenizer
    except Exception:  # never take a turn down: without jieba every character is its own word
        log.exception("jieba could not be loaded; Chinese falls back to single characters")
    finally:
        cold_start_seconds = time.perf_counter() - started
        log.info("director segmenter ready in %.2f s", cold_start_seconds)
        _ready.set()


def warm_up() -> None:
    """Start loading the segmenter and the lexicon in a background thread (idempotent)."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_load, name="director-warm-up", daemon=True)
            _thread.start()


def ready(timeout: float | None = None) -> bool:
    """Wait (at most `timeout` seconds) for the warm-up; starts it when nobody did."""
    warm_up()
    return _ready.wait(timeout)


def cut(run: str) -> list[str]:
    """The words of a run of Chinese characters."""
    ready()
    if _tokenizer is None:
        return list(run)
    words: list[str] = _tokenizer.lcut(run, HMM=False)
    return words
