"""The ffmpeg command of a render: inputs, one filtergraph, and the encoder settings.

Video: the visual track comes in blocks (`Plan.blocks`): runs of photos and colour cards arrive as
raw yuv420p frames on one pipe, transitions among them already drawn, cut into pieces by `segment`;
each video clip is trimmed, scaled to cover, padded and cut by frame; every block is tagged BT.709
and has exactly its frame count. Blocks are concatenated, with `xfade` over the overlap where a
transition goes into or out of a clip. Text and logo images are converted to YUVA once and overlaid
(texts between their times, with a short alpha fade). Audio: a silent bed of the exact length mixed
with the music (faded, at its volume, delayed to its start) and the clips' own sound. Output: H.264
High, AAC, +faststart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from studio.render.plan import FPS, Block, Plan, Visual

TAGS = "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"
TO_YUVA = "scale=out_color_matrix=bt709:out_range=tv,format=yuva420p"
PRESET = "veryfast"
CRF = 23
AUDIO_RATE = 48000
TEXT_FADE = 0.3


@dataclass(frozen=True)
class StillSource:
    """A photo segment's frames: `offset` frames into a pipe that carries photo segments' frames back
    to back in timeline order. Neighbouring photos come down different pipes (two in turns), so a
    transition reads both at once and ffmpeg never has to hold one segment's frames for the other."""

    fd: int  # read end of the pipe
    offset: int


@dataclass(frozen=True)
class ClipSource:
    path: Path
    audio: bool


Source = StillSource | ClipSource


@dataclass(frozen=True)
class Overlay:
    path: Path  # RGBA PNG at its final size
    x: int
    y: int
    start: int | None = None  # frames; None: the whole video (no fade)
    end: int | None = None


@dataclass(frozen=True)
class Sound:
    path: Path
    loop: bool  # repeat the file to fill the duration (a user's audio shorter than the video)
    start: float  # seconds
    duration: float
    volume: float
    fade_in: float
    fade_out: float


@dataclass
class _Builder:
    width: int
    height: int
    args: list[str] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)
    count: int = 0
    labels: int = 0
    clip_sound: list[tuple[Visual, int]] = field(default_factory=list)  # clips heard, with their input
    pipe_pieces: dict[int, list[tuple[str, int, int]]] = field(default_factory=dict)  # fd → (label, a, z)

    def input(self, *args: str) -> int:
        self.args.extend(args)
        self.count += 1
        return self.count - 1

    def label(self, prefix: str) -> str:
        self.labels += 1
        return f"{prefix}{self.labels}"


def _sec(frames: int | float) -> str:
    return f"{frames / FPS:.6f}"


def _block(b: _Builder, block: Block, source: Source, cuts: list[int]) -> list[str]:
    """The block as a frame-exact stream, split at `cuts` (frame offsets) into pieces."""
    n = block.frames
    bounds = sorted({0, n, *[c for c in cuts if 0 < c < n]})
    pieces = [b.label("p") for _ in bounds[1:]]
    if isinstance(source, StillSource):
        at = source.offset
        spans = zip(pieces, bounds, bounds[1:], strict=False)
        b.pipe_pieces.setdefault(source.fd, []).extend((p, at + a, at + z) for p, a, z in spans)
        return pieces
    visual = block.visuals[0]
    i = b.input("-ss", f"{visual.trim_in:.3f}", "-t", f"{n / FPS + 1:.3f}", "-i", str(source.path))
    if source.audio and visual.volume > 0:
        b.clip_sound.append((visual, i))
    whole = b.label("v")
    b.chains.append(
        f"[{i}:v]setpts=PTS-STARTPTS,fps={FPS},scale={b.width}:{b.height}:force_original_aspect_ratio=increase"
        f":out_color_matrix=bt709:out_range=tv,crop={b.width}:{b.height},format=yuv420p,"
        f"tpad=stop=-1:stop_mode=clone,trim=end_frame={n},setpts=PTS-STARTPTS,setsar=1,{TAGS}[{whole}]")
    if len(pieces) == 1:
        return [whole]
    b.chains.append(f"[{whole}]split={len(pieces)}" + "".join(f"[{p}s]" for p in pieces))
    for p, a, z in zip(pieces, bounds, bounds[1:], strict=False):
        b.chains.append(f"[{p}s]trim=start_frame={a}:end_frame={z},setpts=PTS-STARTPTS[{p}]")
    return pieces


def _pipes(b: _Builder) -> None:
    """The photo pipes: each one raw input, cut into its segments' pieces in order by `segment`."""
    for fd, pieces in b.pipe_pieces.items():
        i = b.input("-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", f"{b.width}x{b.height}",
                    "-framerate", str(FPS), "-thread_queue_size", "2", "-i", f"pipe:{fd}")
        head = f"[{i}:v]setpts=PTS-STARTPTS,setsar=1,{TAGS}"
        if len(pieces) == 1:
            b.chains.append(f"{head}[{pieces[0][0]}]")
            continue
        cuts = "|".join(str(a) for _, a, _ in pieces[1:])
        b.chains.append(f"{head},segment=frames={cuts}" + "".join(f"[{p}s]" for p, _, _ in pieces))
        b.chains.extend(f"[{p}s]setpts=PTS-STARTPTS[{p}]" for p, _, _ in pieces)


def _video(b: _Builder, plan: Plan, sources: Sequence[Source], overlays: Sequence[Overlay]) -> str:
    """The visual track: blocks back to back; an overlap (a transition into or out of a clip) goes
    through `xfade`, the rest is concatenated untouched (xfade would otherwise process every frame)."""
    blocks = plan.blocks()
    sequence: list[str] = []
    tail: str | None = None  # the previous block's last frames, waiting for the next one's head
    for k, (block, source) in enumerate(zip(blocks, sources, strict=True)):
        t_in = block.transition_frames if k else 0
        t_out = blocks[k + 1].transition_frames if k + 1 < len(blocks) else 0
        pieces = _block(b, block, source, [t_in, block.frames - t_out])
        if t_in:
            head, pieces = pieces[0], pieces[1:]
            out = b.label("x")
            b.chains.append(f"[{tail}][{head}]xfade=transition={block.transition}"
                            f":duration={_sec(t_in)}:offset=0[{out}]")
            sequence.append(out)
        if t_out:
            tail, pieces = pieces[-1], pieces[:-1]
        sequence.extend(pieces)
    _pipes(b)
    acc = sequence[0]
    if len(sequence) > 1:
        acc = b.label("x")
        b.chains.append("".join(f"[{s}]" for s in sequence) + f"concat=n={len(sequence)}:v=1:a=0[{acc}]")
    end = blocks[-1].start + blocks[-1].frames
    pad = f"tpad=stop={plan.frames - end}:stop_mode=clone," if end < plan.frames else ""
    out = b.label("x")
    b.chains.append(f"[{acc}]{pad}trim=end_frame={plan.frames},setpts=PTS-STARTPTS[{out}]")
    acc = out
    for ov in overlays:
        i = b.input("-i", str(ov.path))
        img = b.label("t")
        if ov.start is None or ov.end is None:
            b.chains.append(f"[{i}:v]{TO_YUVA}[{img}]")
            enable = ""
        else:
            n = ov.end - ov.start
            fade = min(TEXT_FADE, n / FPS / 3)
            b.chains.append(
                f"[{i}:v]{TO_YUVA},loop=loop={n - 1}:size=1,setpts=(N+{ov.start})/({FPS}*TB),"
                f"fade=t=in:st={_sec(ov.start)}:d={fade:.3f}:alpha=1,"
                f"fade=t=out:st={ov.end / FPS - fade:.6f}:d={fade:.3f}:alpha=1[{img}]")
            enable = f":enable='between(t,{(ov.start - 0.5) / FPS:.6f},{(ov.end - 0.5) / FPS:.6f})'"
        out = b.label("x")
        b.chains.append(f"[{acc}][{img}]overlay=x={ov.x}:y={ov.y}:format=yuv420"
                        f":eof_action={'pass' if enable else 'repeat'}{enable}[{out}]")
        acc = out
    b.chains.append(f"[{acc}]{TAGS},format=yuv420p[vout]")
    return "vout"


def _audio_chain(src: str, start: float, duration: float, volume: float,
                 fade_in: float = 0.0, fade_out: float = 0.0) -> str:
    parts = [f"{src}aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo",
             f"atrim=end={duration:.6f}", "asetpts=PTS-STARTPTS"]
    if fade_in > 0:
        parts.append(f"afade=t=in:st=0:d={min(fade_in, duration / 2):.3f}")
    if fade_out > 0:
        d = min(fade_out, duration / 2)
        parts.append(f"afade=t=out:st={duration - d:.6f}:d={d:.3f}")
    parts.append(f"volume={volume:.4f}")
    if start > 0:
        parts.append(f"adelay={round(start * 1000)}:all=1")
    return ",".join(parts)


def _audio(b: _Builder, plan: Plan, sounds: Sequence[Sound]) -> str:
    total = plan.duration
    mix = ["sil"]
    b.chains.append(f"anullsrc=r={AUDIO_RATE}:cl=stereo,atrim=end={total:.6f}[sil]")
    for sound in sounds:
        i = b.input(*(["-stream_loop", "-1"] if sound.loop else []), "-i", str(sound.path))
        out = b.label("a")
        b.chains.append(_audio_chain(f"[{i}:a]", sound.start, sound.duration, sound.volume,
                                     sound.fade_in, sound.fade_out) + f"[{out}]")
        mix.append(out)
    for visual, i in b.clip_sound:
        out = b.label("a")
        fade = visual.transition_frames / FPS
        b.chains.append(_audio_chain(f"[{i}:a]", visual.start / FPS, visual.frames / FPS, visual.volume,
                                     fade, 0.0) + f"[{out}]")
        mix.append(out)
    inputs = "".join(f"[{m}]" for m in mix)
    b.chains.append(f"{inputs}amix=inputs={len(mix)}:duration=first:normalize=0,"
                    f"alimiter=limit=0.89:level=false,atrim=end={total:.6f}[aout]")
    return "aout"


def build_command(plan: Plan, sources: Sequence[Source], overlays: Sequence[Overlay],
                  sounds: Sequence[Sound], out_path: Path) -> list[str]:
    """ffmpeg arguments (after the binary) rendering `plan` to `out_path`."""
    b = _Builder(plan.width, plan.height)
    video = _video(b, plan, sources, overlays)
    audio = _audio(b, plan, sounds)
    return [
        *b.args,
        "-filter_complex", ";".join(b.chains),
        "-map", f"[{video}]", "-map", f"[{audio}]",
        "-c:v", "libx264", "-preset", PRESET, "-crf", str(CRF), "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv",
        "-r", str(FPS), "-frames:v", str(plan.frames),
        "-c:a", "aac", "-b:a", "160k", "-ar", str(AUDIO_RATE), "-ac", "2",
        "-movflags", "+faststart", "-f", "mp4", "-y", str(out_path),
    ]
