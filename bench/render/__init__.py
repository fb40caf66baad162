"""`python -m bench render`: the studio renderer against ffmpeg baselines and MoviePy, in one run.

Measured on the demo draft (30 s, 1920x1080, the three sample photos, title, captions, lo-fi bed),
made by the real director (`studio.director.director`) from the sample description:
- render: `studio.render.render.render_draft` in its own process (time reported by the job, peak RSS of
  the process tree polled from /proc);
- baseline A: ffmpeg encoding 30 s of one still 1080p frame (decoded once) plus the music;
- baseline B: ffmpeg re-encoding the rendered MP4 with the same encoder settings;
- MoviePy 2.x rendering the same plan (bench/render/with_moviepy.py).
Every encode: libx264 with the render's settings (`studio.render.render.X264`: veryfast, crf 23,
two threads), AAC. Repeats run interleaved and the best time counts. Each
render synthesises its music bed afresh (an empty bed cache per run: the cold case).
`--write-readme` puts the results into bench/README.md (render section); `--sheets DIR` also writes
contact sheets (PNG) of the demo and of one video per style into DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.render import demo, measure, report
from studio.render.render import X264

ENCODE = [
    "-c:v",
    "libx264",
    *X264,  # the render's own encoder settings
    "-profile:v",
    "high",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-b:a",
    "160k",
    "-movflags",
    "+faststart",
]


def _job(engine: str, work: Path, out: Path) -> measure.Run:
    cache = Path(tempfile.mkdtemp(prefix="beds-", dir=work))  # a cold bed cache: the bed is synthesised
    env = os.environ | {"VIDEOBOT_BED_CACHE": str(cache)}
    cmd = [
        sys.executable,
        "-m",
        "bench.render.jobs",
        engine,
        str(work / "draft.json"),
        str(work / "assets.json"),
        str(out),
    ]
    return measure.run(cmd, cwd=Path(__file__).resolve().parents[2], env=env)


def _ffmpeg(args: list[str]) -> measure.Run:
    from common.ffmpeg import ffmpeg_exe

    return measure.run([ffmpeg_exe(), "-v", "error", "-y", *args])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench render", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of the render and baselines (best counts)"
    )
    parser.add_argument("--skip-moviepy", action="store_true", help="leave out the (slow) MoviePy render")
    parser.add_argument("--work", type=Path, help="keep the files here instead of a temporary folder")
    parser.add_argument("--write-readme", action="store_true", help="write the results into bench/README.md")
    parser.add_argument("--sheets", type=Path, help="also write contact sheets (PNG) into this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        draft, assets, how = demo.demo_draft(work)
        (work / "draft.json").write_text(json.dumps(draft))
        (work / "assets.json").write_text(json.dumps({k: str(v) for k, v in assets.items()}))
        still, bed = demo.still_and_bed(draft, assets, work)
        frames = round(draft["d"] * 30 / 1000)
        print(
            f"demo draft ({how}): {draft['d'] / 1000:.0f} s, {draft['m']['width']}x{draft['m']['height']}",
            flush=True,
        )
        runs: dict[str, list[measure.Run]] = {"render": [], "baseline A": [], "baseline B": []}
        for n in range(args.repeat):
            runs["render"].append(_job("studio", work, work / "render.mp4"))
            runs["baseline A"].append(
                _ffmpeg(
                    [
                        "-i",
                        str(still),
                        "-i",
                        str(bed),
                        "-filter_complex",
                        f"[0:v]format=yuv420p,loop=loop={frames - 1}:size=1,setpts=N/(30*TB)[v]",
                        "-map",
                        "[v]",
                        "-map",
                        "1:a",
                        "-r",
                        "30",
                        "-frames:v",
                        str(frames),
                        *ENCODE,
                        str(work / "baseline-a.mp4"),
                    ]
                )
            )
            runs["baseline B"].append(
                _ffmpeg(["-i", str(work / "render.mp4"), *ENCODE, str(work / "baseline-b.mp4")])
            )
            print(
                f"  run {n + 1}: " + ", ".join(f"{k} {v[-1].seconds:.1f} s" for k, v in runs.items()),
                flush=True,
            )
        if not args.skip_moviepy:
            try:
                import moviepy  # noqa: F401
            except ImportError:
                print("  moviepy is not installed (pip install 'moviepy>=2.1'): skipped", flush=True)
            else:
                runs["MoviePy"] = [_job("moviepy", work, work / "moviepy.mp4")]
                print(f"  MoviePy: {runs['MoviePy'][0].seconds:.1f} s", flush=True)
        results: dict[str, Any] = {k: min(v, key=lambda r: r.seconds) for k, v in runs.items()}
        results["render peak RSS"] = max(r.peak_rss for r in runs["render"])
        text = report.table(results, measure.machine(), how, subprocess_note=True)
        print(text)
        if args.write_readme:
            report.write_readme(text)
        if args.sheets:
            from bench.render.sheets import make_sheets

            for path in make_sheets(args.sheets, work):
                print(f"  sheet: {path}", flush=True)
    return 0
