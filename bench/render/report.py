"""The bench's results as a Markdown section, printed and written into bench/README.md."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from bench.render.measure import Run

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN, END = "<!-- render:begin -->", "<!-- render:end -->"


ABOUT = [
    "`python -m bench render [--repeat N] [--skip-moviepy] [--work DIR] [--write-readme] [--sheets DIR]` "
    "renders the demo draft with `studio.render.render.render_draft` in its own process and compares it, "
    "in the same run, with baseline A (ffmpeg encoding the render's first frame as a still for the same "
    "30 s, plus the mastered soundtrack), baseline B (ffmpeg re-encoding the rendered MP4 with the same "
    "settings: the cost of encoding this much motion at all) and MoviePy 2.x rendering the same plan "
    "(`bench/render/with_moviepy.py`: the same shots, moves, texts and soundtrack, each cell's Ken Burns "
    "move the MoviePy way, `resized(scale(t))` and `with_position(pos(t))`). Repeats run interleaved; the "
    "best time of each counts. Every render synthesises its music bed (a cold bed cache).",
    "",
    "Why the render stays close to baseline B although it does far more (several eased camera moves per "
    "photo, layouts, beat-synced transitions, animated text, a synthesised and mastered soundtrack): "
    "every frame is made directly as Y/Cb/Cr 4:2:0 planes (photos decoded and converted once, at the "
    "resolution their tightest crop needs, with a half-size copy for wide crops); a camera move is one "
    "bilinear `cv2.warpAffine` of the luma (a `cv2.resize` per chroma plane) into the frame (or the "
    "layout cell); text, logo and light "
    "sprites are premultiplied once and blended with two saturating OpenCV operations per plane; the "
    "soundtrack is synthesised and mastered in a short-lived process of its own, started first so its "
    "synthesis runs beside the media analysis (its memory is back with the system before the encoder "
    "starts), and reaches ffmpeg over its own pipe; one ffmpeg "
    "process encodes (clips are decoded by ffmpeg processes of their own).",
    "",
]


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def table(results: dict[str, Any], machine: dict[str, str], how: str, subprocess_note: bool = True) -> str:
    render: Run = results["render"]
    a: Run = results["baseline A"]
    b: Run = results["baseline B"]
    mp: Run | None = results.get("MoviePy")
    rss: int = results["render peak RSS"]
    rows = [
        ("render (studio.render.render)", render),
        ("baseline A: one still frame + audio", a),
        ("baseline B: re-encode of the render", b),
    ]
    if mp is not None:
        rows.append(("MoviePy 2.x, same plan", mp))
    lines = ["| run | wall time | CPU time (process tree) | peak RSS (process tree) |"]
    lines.append("|---|---:|---:|---:|")
    lines += [f"| {name} | {r.seconds:.1f} s | {r.cpu:.1f} s | {_mb(r.peak_rss)} |" for name, r in rows]
    vs_b = render.seconds / b.seconds
    checks = [
        f"- render / baseline B = **{vs_b:.2f}×** (target ≤ 1.3×): {'met' if vs_b <= 1.3 else 'NOT met'}",
        f"- render of the 30 s video = **{render.seconds:.1f} s** (target: faster than real time): "
        f"{'met' if render.seconds < 30 else 'NOT met'}",
        f"- in CPU time (what a loaded machine does not distort): render / baseline B = "
        f"**{render.cpu / max(b.cpu, 1e-9):.2f}×**",
        f"- render / baseline A = {render.seconds / a.seconds:.2f}× (the still floor)",
    ]
    if mp is not None:
        speed = mp.seconds / render.seconds
        checks.append(
            f"- MoviePy / render = **{speed:.1f}×** faster (target ≥ 10×): "
            f"{'met' if speed >= 10 else 'NOT met'}"
        )
    checks.append(
        f"- render peak RSS (highest of its runs) = **{_mb(rss)}** (target ≤ 500 MB): "
        f"{'met' if rss <= 500 * 2**20 else 'NOT met'}"
    )
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = [
        *ABOUT,
        f"Results of `python -m bench render` ({when}); demo draft by {how}: 30 s, 1920x1080, "
        "3 photos, title, captions, lo-fi bed; every encode libx264 with the render's settings "
        "(`studio.render.render.X264`: veryfast, crf 23, 2 threads) + AAC.",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory']}, {machine['os']}, "
        f"Python {machine['python']}; load average at the end {machine['load']} (a shared machine: "
        "other work running at the same time slows every row).",
        "",
    ]
    note = (
        [
            "",
            "Times are wall clock; the render and MoviePy run in their own process (time as the job "
            "measures it, memory of the whole process tree: Python plus ffmpeg).",
        ]
        if subprocess_note
        else []
    )
    return "\n".join(head + lines + [""] + checks + note)


def write_readme(text: str) -> None:
    section = f"{BEGIN}\n{text}\n{END}"
    if README.exists():
        current = README.read_text()
        if BEGIN in current and END in current:
            before, rest = current.split(BEGIN, 1)
            after = rest.split(END, 1)[1]
            README.write_text(before + section + after)
            return
        README.write_text(current.rstrip() + "\n\n## render\n\n" + section + "\n")
        return
    README.write_text(
        "# Benchmarks\n\n`python -m bench NAME` runs one (`make bench` runs them all).\n\n"
        "## render\n\n" + section + "\n"
    )
