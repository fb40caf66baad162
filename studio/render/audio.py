"""The soundtrack: the music's beat grid, the mix, and mastering to the platforms' loudness.

- Generated beds (`synth://<mood>`) come from `studio.render.beds`: intro, body sections and an
  outro arranged for exactly the video's length, tempo nudged so the last bar's final hit rings
  out at the end; their grid is known without synthesising a sample (`bed_grid`).
- A user's own track (`asset://…`) is decoded with ffmpeg (48 kHz stereo float), looped when
  shorter than the video, and beat-tracked (`beds.analyse`); the grid is cached next to the file.
- No music: a steady grid at the pace's tempo, so cuts still keep a pulse.
- The mix: music at its volume (relative to its kind's default), clips' own sound, a voice-over
  (issue 12: recorded `asset://` voice only for now) with the music ducked 9 dB under it; then
  mastered to -14 LUFS integrated, true peak <= -1 dBTP (`beds.master`, a look-ahead true-peak
  limiter with a margin for the AAC encoder). A music-only mix whose volume was turned down stays
  that much quieter than -14 (the creator asked for quieter music).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.ffmpeg import ffmpeg_exe
from studio.draft import Draft
from studio.render import beds, voiceover
from studio.render.beds import BeatGrid
from studio.render.beds.compose import Ctx, beat_grid
from studio.render.beds.loudness import (
    _moving_mean,
    _sliding_min,
    integrated_lufs,
    integrated_lufs_fast,
)
from studio.render.beds.moods import MOODS as MOOD_SPECS

__all__ = [
    "SAMPLE_RATE",
    "BeatGrid",
    "MixInput",
    "MusicPlan",
    "bed_grid",
    "master_mix",
    "music_grid",
    "music_plan",
    "steady_grid",
]

log = logging.getLogger(__name__)

SAMPLE_RATE = 48000
TARGET_LUFS = -14.0
CEILING_DBTP = -1.0
DEFAULT_VOL = {"synth": 0.35, "asset": 0.8}  # what the director writes: the level that masters to -14
DUCK_DB = 9.0
MOOD_ALIASES = {"chill": "lofi", "happy": "upbeat", "relaxing": "calm"}


@dataclass(frozen=True)
class MusicPlan:
    src: str
    mood: str | None  # a generated bed's mood
    path: Path | None  # a user's track
    seed: int
    volume: float
    fade_in: float
    fade_out: float
    start: float
    duration: float

    @property
    def generated(self) -> bool:
        return self.mood is not None


def music_plan(draft: Draft, duration: float, assets: dict[str, Path] | None = None) -> MusicPlan | None:
    seg = draft.music
    if seg is None or seg.d <= 0:
        return None
    m = seg.m
    start = min(seg.st / 1000, duration)
    length = min(seg.d / 1000, duration - start)
    if length <= 0.5:
        return None
    if m.src.startswith("synth://"):
        mood = m.src.removeprefix("synth://")
        mood = MOOD_ALIASES.get(mood, mood)
        if mood not in MOOD_SPECS:
            log.warning("unknown music mood %r, using lofi", mood)
            mood = "lofi"
        return MusicPlan(
            m.src, mood, None, m.seed or 0, m.vol, m.fade_in / 1000, m.fade_out / 1000, start, length
        )
    path = (assets or {}).get(m.src)
    return MusicPlan(
        m.src,
        None,
        Path(path) if path else None,
        m.seed or 0,
        m.vol,
        m.fade_in / 1000,
        m.fade_out / 1000,
        start,
        length,
    )


def bed_grid(mood: str, duration: float, seed: int = 0) -> BeatGrid:
    """The grid `beds.generate(mood, duration, seed)` will have, without synthesising it."""
    return beat_grid(Ctx(MOOD_SPECS[mood], float(duration), int(seed), SAMPLE_RATE))


def steady_grid(duration: float, tempo: float, beats_per_bar: int = 4) -> BeatGrid:
    beat = 60.0 / tempo
    beats = [round(k * beat, 6) for k in range(int(duration / beat) + 1)]
    return BeatGrid(tempo, beats, beats[::beats_per_bar], beats_per_bar, [("track", 0.0, duration)], duration)


def _shift(grid: BeatGrid, offset: float, duration: float) -> BeatGrid:
    if not offset:
        return grid
    beats = [round(b + offset, 6) for b in grid.beats if b + offset <= duration]
    downs = [round(b + offset, 6) for b in grid.downbeats if b + offset <= duration]
    return BeatGrid(
        grid.tempo_bpm, beats, downs, grid.beats_per_bar, grid.sections, duration, grid.final_hit_s
    )


def music_grid(plan: MusicPlan | None, duration: float, tempo: float) -> BeatGrid:
    """The beat grid the cuts follow (see the module docstring)."""
    if plan is None:
        return steady_grid(duration, tempo)
    if plan.generated and plan.mood is not None:
        return _shift(bed_grid(plan.mood, plan.duration, plan.seed), plan.start, duration)
    if plan.path is None or not plan.path.is_file():
        return steady_grid(duration, tempo)
    grid = _track_grid(plan.path)
    if grid is None or len(grid.beats) < 4:
        return steady_grid(duration, tempo)
    # a short track loops: so does its grid
    beats, downs = list(grid.beats), list(grid.downbeats)
    length = grid.duration_s
    k = 1
    while length > 1.0 and beats and beats[-1] < duration and k < 200:
        beats += [b + k * length for b in grid.beats]
        downs += [b + k * length for b in grid.downbeats]
        k += 1
    looped = BeatGrid(
        grid.tempo_bpm,
        [b for b in beats if b <= duration],
        [b for b in downs if b <= duration],
        grid.beats_per_bar,
        [("track", 0.0, duration)],
        duration,
    )
    return _shift(looped, plan.start, duration)


def decode_audio(path: Path, seconds: float | None = None, start: float = 0.0) -> np.ndarray:
    """A file's audio as float32 (n, 2) at 48 kHz (empty when it has none)."""
    cmd = [ffmpeg_exe(), "-v", "error", "-nostdin"]
    if start > 0:
        cmd += ["-ss", f"{start:.3f}"]
    cmd += ["-i", str(path)]
    if seconds is not None:
        cmd += ["-t", f"{seconds:.3f}"]
    cmd += ["-vn", "-f", "f32le", "-ac", "2", "-ar", str(SAMPLE_RATE), "-"]
    done = subprocess.run(cmd, capture_output=True, check=False, timeout=120)
    if done.returncode != 0:
        return np.zeros((0, 2), np.float32)
    return np.frombuffer(done.stdout, np.float32).reshape(-1, 2).copy()


def _track_grid(path: Path) -> BeatGrid | None:
    """The beat grid of a user's track, cached in a sidecar file keyed by the file's size and time."""
    st = path.stat()
    key = hashlib.sha256(f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}:v1".encode()).hexdigest()[:16]
    side = path.with_name(f".{path.name}.beats-{key}.json")
    try:
        return BeatGrid.from_dict(json.loads(side.read_text()))
    except (OSError, ValueError, KeyError):
        pass
    samples = decode_audio(path, seconds=180.0)
    if len(samples) < SAMPLE_RATE:
        return None
    grid = beds.analyse(samples, SAMPLE_RATE)
    grid = BeatGrid(
        grid.tempo_bpm,
        grid.beats,
        grid.downbeats,
        grid.beats_per_bar,
        grid.sections,
        len(samples) / SAMPLE_RATE,
        grid.final_hit_s,
    )
    try:
        side.write_text(json.dumps(grid.to_dict()))
    except OSError:
        pass
    return grid


_BED_CACHE_VERSION = "beds-2"


def _bed_cache_dir() -> Path:
    root = os.environ.get("VIDEOBOT_BED_CACHE") or os.path.join(tempfile.gettempdir(), "videobot-beds")
    return Path(root)


def bed_samples(mood: str, duration: float, seed: int) -> np.ndarray:
    """A generated bed (float32 (n, 2)); beds are deterministic, so they are cached on disk by
    (mood, seed, length): re-exports of a draft of the same length skip the synthesis."""
    key = hashlib.sha256(f"{_BED_CACHE_VERSION}:{mood}:{seed}:{duration:.4f}".encode()).hexdigest()[:20]
    cache = _bed_cache_dir() / f"{mood}-{key}.f32"
    try:
        data = np.fromfile(cache, np.float32)
        if len(data) == 2 * round(duration * SAMPLE_RATE):
            return data.reshape(-1, 2)
    except (OSError, ValueError):
        pass
    samples, _grid = beds.generate(mood, duration, seed=seed, sample_rate=SAMPLE_RATE)
    beds.clear_cache()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        samples.astype(np.float32).tofile(tmp)
        os.replace(tmp, cache)
    except OSError:
        pass
    return samples


@dataclass(frozen=True)
class MixInput:
    """A sound placed on the timeline: samples, where it starts, its gain."""

    samples: np.ndarray  # float32 (n, 2)
    start: float
    gain: float
    kind: str  # music | clip | voice


def _fades(x: np.ndarray, fade_in: float, fade_out: float) -> np.ndarray:
    n = len(x)
    if n == 0:
        return x
    out = x.copy()
    fi = min(n // 2, round(fade_in * SAMPLE_RATE))
    fo = min(n // 2, round(fade_out * SAMPLE_RATE))
    if fi > 0:
        out[:fi] *= np.linspace(0.0, 1.0, fi, dtype=np.float32)[:, None]
    if fo > 0:
        out[n - fo :] *= (np.cos(np.linspace(0.0, np.pi / 2, fo, dtype=np.float32)) ** 2)[:, None]
    return out


def music_samples(plan: MusicPlan) -> np.ndarray:
    """The music of the plan, its length exactly `plan.duration`, faded."""
    n = round(plan.duration * SAMPLE_RATE)
    if plan.generated and plan.mood is not None:
        bed = bed_samples(plan.mood, plan.duration, plan.seed)
        return _fades(bed[:n], min(plan.fade_in, 0.05), 0.0)  # the bed has its own intro and ending
    if plan.path is None:
        return np.zeros((n, 2), np.float32)
    track = decode_audio(plan.path, seconds=plan.duration)
    if len(track) == 0:
        return np.zeros((n, 2), np.float32)
    if len(track) < n:
        track = np.tile(track, (n // len(track) + 1, 1))
    return _fades(track[:n], plan.fade_in, max(plan.fade_out, 1.0))


def master_mix(
    inputs: list[MixInput], duration: float, *, music_gain_db: float = 0.0, bed_db: float = 0.0
) -> np.ndarray:
    """The inputs mixed on a timeline of `duration` s, music ducked under voice, mastered."""
    n = round(duration * SAMPLE_RATE)
    mix = np.zeros((n, 2), np.float32)
    voice = np.zeros(n, np.float32)
    for item in inputs:
        if item.kind != "voice":
            continue
        a = round(item.start * SAMPLE_RATE)
        seg = item.samples[: max(0, n - a)]
        voice[a : a + len(seg)] += np.abs(seg).mean(axis=1) * item.gain
    duck = None
    bed = 1.0
    if voice.any():
        env = _envelope(voice, 0.25)
        duck = 10 ** (-DUCK_DB * np.clip(env / (env.max() * 0.3 + 1e-9), 0, 1) / 20)
        # the music under a voice-over sits under the voice's level (docs/voice.md)
        bed = voiceover.bed_gain([i.samples * i.gain for i in inputs if i.kind == "voice"],
                                 [i.samples for i in inputs if i.kind == "music"], SAMPLE_RATE,
                                 volume=10 ** (bed_db / 20))
    for item in inputs:
        a = round(item.start * SAMPLE_RATE)
        seg = item.samples[: max(0, n - a)] * np.float32(item.gain)
        if item.kind == "music" and duck is not None:
            seg = seg * (bed * duck[a : a + len(seg), None]).astype(np.float32)
        mix[a : a + len(seg)] += seg
    if not np.any(mix):
        return mix
    target = TARGET_LUFS + min(0.0, music_gain_db)
    return master(mix, target)


CODEC_MARGIN_DB = 0.8  # the AAC encoder's overshoot: the limiter keeps this much under the ceiling


def master(x: np.ndarray, target: float = TARGET_LUFS, ceiling: float = CEILING_DBTP) -> np.ndarray:
    """`x` at `target` LUFS integrated with true peak <= `ceiling` - the codec margin.

    The 4x-oversampled peak envelope is measured once; the look-ahead limiter's gain curve is
    derived from it for each gain tried (a smooth gain moves the oversampled peaks with it), so
    mastering 30 s costs one envelope and two or three loudness measurements. The gain is found
    with the spectral loudness (`integrated_lufs_fast`, within a few hundredths of a LU, ~30x
    cheaper) and confirmed with the exact BS.1770 measurement, which corrects it when needed."""
    measured = integrated_lufs_fast(x, SAMPLE_RATE)
    if not math.isfinite(measured):
        return x.astype(np.float32)
    env = peak_envelope(x)
    limit_db = ceiling - CODEC_MARGIN_DB
    gain_db = target - measured
    y = x
    for attempt in range(7):
        g = 10.0 ** (gain_db / 20.0)
        curve = _limiter_curve(env * g, limit_db)
        y = (x * (g * curve)[:, None]).astype(np.float32)
        quick = integrated_lufs_fast(y, SAMPLE_RATE)
        if abs(quick - target) > 0.04 and attempt < 3:
            gain_db += target - quick
            continue
        got = integrated_lufs(y, SAMPLE_RATE)
        if abs(got - target) <= 0.1:
            break
        gain_db += target - got
    peak = float(np.max(peak_envelope(y)))
    if peak > 10 ** (limit_db / 20) * 1.01:  # a residue the smooth curve missed: one more pass
        y = (y * _limiter_curve(peak_envelope(y), limit_db - 0.1)[:, None]).astype(np.float32)
    return y


def _limiter_curve(
    env: np.ndarray,
    ceiling_db: float,
    attack_db_per_ms: float = 1.5,
    release_db_per_s: float = 25.0,
    smooth_ms: float = 0.75,
) -> np.ndarray:
    """Per-sample gain keeping `env` (linear peaks) under `ceiling_db` (as `beds.loudness.limiter_gain`)."""
    with np.errstate(divide="ignore"):
        need = np.minimum(0.0, ceiling_db - 20.0 * np.log10(np.maximum(env, 1e-12)))
    if not np.any(need < 0):
        return np.ones(len(need))
    idx = np.arange(len(need), dtype=np.float64)
    rel = release_db_per_s / SAMPLE_RATE
    att = attack_db_per_ms * 1000.0 / SAMPLE_RATE
    released = np.minimum.accumulate(need - rel * idx) + rel * idx
    attacked = np.minimum.accumulate((need + att * idx)[::-1])[::-1] - att * idx
    gain_db = np.minimum(released, attacked)
    half = max(1, round(smooth_ms * 1e-3 * SAMPLE_RATE / 2))
    gain_db = _moving_mean(_sliding_min(gain_db, half), half)
    return np.power(10.0, gain_db / 20.0)


def _envelope(x: np.ndarray, seconds: float) -> np.ndarray:
    w = max(1, round(seconds * SAMPLE_RATE))
    c = np.concatenate([[0.0], np.cumsum(x, dtype=np.float64)])
    half = w // 2
    idx = np.arange(len(x))
    lo, hi = np.clip(idx - half, 0, len(x)), np.clip(idx + half + 1, 0, len(x))
    return ((c[hi] - c[lo]) / np.maximum(hi - lo, 1)).astype(np.float32)


def music_gain_db(plan: MusicPlan) -> float:
    """The music's volume relative to its kind's default, in dB (the creator's "louder"/"quieter")."""
    ref = DEFAULT_VOL["synth" if plan.generated else "asset"]
    return 20 * math.log10(max(plan.volume, 0.01) / ref)


def write_wav(path: Path, samples: np.ndarray) -> Path:
    return beds.write_wav(path, samples, SAMPLE_RATE)


def peak_envelope(samples: np.ndarray) -> np.ndarray:
    """`beds.loudness.oversampled_peak_envelope`, the same 4x polyphase interpolator, computed
    with one `np.convolve` per phase and channel (about ten times faster)."""
    from studio.render.beds.loudness import _PHASES

    x = np.asarray(samples, np.float64)
    if x.ndim == 1:
        x = x[:, None]
    n, channels = x.shape
    taps = _PHASES.shape[1]
    half = taps // 2
    env = np.abs(x).max(axis=1)
    for c in range(channels):
        padded = np.zeros(n + taps)
        padded[half : half + n] = x[:, c]
        seg = padded[1 : n + taps]
        for p in range(_PHASES.shape[0]):
            vals = np.correlate(seg, _PHASES[p], mode="valid")[:n]
            np.maximum(env, np.abs(vals), out=env)
    return env


@dataclass(frozen=True)
class SoundPart:
    """A file's sound placed on the timeline (a clip's own sound, a recorded voice-over)."""

    path: str
    start: float  # on the timeline, s
    seconds: float
    trim: float  # into the file, s
    volume: float
    kind: str  # clip | voice


@dataclass(frozen=True)
class MixSpec:
    """Everything the soundtrack depends on, as plain data (it is mixed in a process of its own)."""

    duration: float
    music: MusicPlan | None
    parts: tuple[SoundPart, ...]

    def to_json(self) -> str:
        music = None
        if self.music is not None:
            music = {**self.music.__dict__, "path": str(self.music.path) if self.music.path else None}
        return json.dumps(
            {"duration": self.duration, "music": music, "parts": [p.__dict__ for p in self.parts]}
        )

    @classmethod
    def from_json(cls, text: str) -> MixSpec:
        data = json.loads(text)
        m = data["music"]
        music = None
        if m is not None:
            music = MusicPlan(**{**m, "path": Path(m["path"]) if m["path"] else None})
        return cls(float(data["duration"]), music, tuple(SoundPart(**p) for p in data["parts"]))


def mix(spec: MixSpec) -> np.ndarray:
    """The mastered soundtrack of a spec: float32 (n, 2), exactly `spec.duration` long."""
    inputs: list[MixInput] = []
    gain_db = 0.0
    if spec.music is not None:
        inputs.append(MixInput(music_samples(spec.music), spec.music.start, 1.0, "music"))
        gain_db = music_gain_db(spec.music)
    for part in spec.parts:
        sound = decode_audio(Path(part.path), seconds=part.seconds, start=part.trim)
        if not len(sound):
            continue
        if part.kind == "clip":
            sound = _fades(sound, 0.05, 0.08)
        inputs.append(MixInput(sound, part.start, part.volume, part.kind))
        gain_db = 0.0  # the programme has more than music: it is mastered whole
    bed_db = music_gain_db(spec.music) if spec.music is not None else 0.0  # under a voice-over too
    out = master_mix(inputs, spec.duration, music_gain_db=gain_db, bed_db=bed_db)
    n = round(spec.duration * SAMPLE_RATE)
    if len(out) < n:
        out = np.concatenate([out, np.zeros((n - len(out), 2), np.float32)])
    return np.ascontiguousarray(out[:n], np.float32)
