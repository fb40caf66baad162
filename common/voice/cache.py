"""Synthesis cache: one WAV + one timings JSON per sha256(engine, voice, language, speed, text)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import replace
from pathlib import Path

from .protocols import Narrator, Speech, Timing, normalize_language, write_wav

log = logging.getLogger(__name__)

FORMAT = 1


def cache_key(engine: str, voice: str, language: str, speed: float, text: str) -> str:
    payload = json.dumps(
        [FORMAT, engine, voice, normalize_language(language), round(float(speed), 3), " ".join(text.split())],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class SpeechCache:
    """A directory of `<key>.wav` + `<key>.json`. Entries are written atomically; a torn entry is a miss."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.misses = 0

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.directory / f"{key}.wav", self.directory / f"{key}.json"

    def get(self, engine: str, voice: str, language: str, speed: float, text: str) -> Speech | None:
        wav, meta = self._paths(cache_key(engine, voice, language, speed, text))
        if not (wav.is_file() and meta.is_file()):
            self.misses += 1
            return None
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            speech = Speech(
                sample_rate=int(data["sample_rate"]),
                path=wav,
                phrases=[_timing(t) for t in data["phrases"]],
                words=[_timing(t) for t in data["words"]],
                text=data["text"],
                language=data["language"],
                engine=data["engine"],
                voice=data["voice"],
                speed=float(data["speed"]),
                timing_source=data.get("timing_source", ""),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("voice cache entry %s is unreadable (%s); ignoring it", meta.name, exc)
            self.misses += 1
            return None
        self.hits += 1
        return speech

    def put(self, speech: Speech) -> Speech:
        """Store `speech` (keyed by its engine/voice/language/speed/text); returned pointing at the WAV."""
        key = cache_key(speech.engine, speech.voice, speech.language, speech.speed, speech.text)
        wav, meta = self._paths(key)
        write_wav(wav, speech.audio(), speech.sample_rate)
        data = {
            "sample_rate": speech.sample_rate,
            "phrases": speech.phrases,
            "words": speech.words,
            "text": speech.text,
            "language": speech.language,
            "engine": speech.engine,
            "voice": speech.voice,
            "speed": speech.speed,
            "timing_source": speech.timing_source,
        }
        tmp = meta.with_name(f"{meta.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(meta)
        return replace(speech, path=wav)


def _timing(item: list[object]) -> Timing:
    text, start, end = item
    return str(text), float(start), float(end)  # type: ignore[arg-type]


class CachedNarrator:
    """A `Narrator` that answers from a `SpeechCache` and fills it on a miss."""

    def __init__(self, narrator: Narrator, cache: SpeechCache) -> None:
        self.inner = narrator
        self.cache = cache
        self.name = narrator.name
        self.voice = narrator.voice
        self.languages = narrator.languages

    def synthesize(self, text: str, language: str, *, speed: float = 1.0) -> Speech:
        lang = normalize_language(language) or language
        hit = self.cache.get(self.name, self.voice, lang, speed, text)
        if hit is not None:
            log.debug("voice cache hit for %s/%s %r", self.name, self.voice, text[:40])
            return hit
        return self.cache.put(self.inner.synthesize(text, lang, speed=speed))
