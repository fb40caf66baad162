"""Voice fixtures: real engines (Kokoro, Whisper-base), loaded once per session, offline.

`VIDEOBOT_VOICE_CACHE` points at a per-session folder (the split weights are joined there once, and
the synthesis cache starts empty), so no test depends on, or writes to, the user's cache. Sound
files are made for real: a spoken note is Kokoro's narration encoded as Ogg/Opus (how Telegram and
Discord send a voice message); music is one of the studio's own generated beds.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from common.ffmpeg import ffmpeg_exe
from common.voice import Transcriber, cached_narrator, transcriber
from common.voice.protocols import write_wav
from studio.render.audio import SAMPLE_RATE, bed_samples


@pytest.fixture(scope="session", autouse=True)
def voice_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A per-session voice cache, unless VIDEOBOT_VOICE_CACHE is set already (then it is reused)."""
    preset = os.environ.get("VIDEOBOT_VOICE_CACHE")
    path = Path(preset) if preset else tmp_path_factory.mktemp("voice-cache")
    os.environ["VIDEOBOT_VOICE_CACHE"] = str(path)
    yield path
    if not preset:
        os.environ.pop("VIDEOBOT_VOICE_CACHE", None)


@pytest.fixture(scope="session")
def asr(voice_cache: Path) -> Transcriber:
    """The shared Whisper-base transcriber, loaded."""
    engine = transcriber()
    engine.transcribe_samples(np.zeros(1600, np.float32))  # type: ignore[attr-defined]  # load now
    return engine


def encode(src: Path, dst: Path, *args: str) -> Path:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(src), *args, str(dst)], check=True)
    return dst


def spoken(text: str, language: str, folder: Path, name: str) -> Path:
    """`text` said by Kokoro, as an Ogg/Opus voice note."""
    speech = cached_narrator(language).synthesize(text, language)
    assert speech.path is not None
    return encode(speech.path, folder / name, "-c:a", "libopus", "-b:a", "32k")


@pytest.fixture(scope="session")
def voice_notes(tmp_path_factory: pytest.TempPathFactory, voice_cache: Path) -> dict[str, Path]:
    """Voice notes (.ogg): 'en' "Make it vertical for TikTok.", 'zh' "视频改成三十秒，标题改成夏季促销。"."""
    folder = tmp_path_factory.mktemp("notes")
    return {
        "en": spoken("Make it vertical for TikTok.", "en", folder, "note-en.ogg"),
        "zh": spoken("视频改成三十秒，标题改成夏季促销。", "zh", folder, "note-zh.ogg"),
    }


@pytest.fixture(scope="session")
def music_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """20 s of the studio's upbeat bed as an Ogg (the hard case: Ogg is how voice notes come too)."""
    folder = tmp_path_factory.mktemp("music")
    bed = bed_samples("upbeat", 20.0, 0)
    wav = write_wav(folder / "song.wav", bed.mean(axis=1).astype(np.float32), SAMPLE_RATE)
    return {"ogg": encode(wav, folder / "song.ogg", "-c:a", "libopus", "-b:a", "96k")}
