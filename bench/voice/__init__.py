"""`python -m bench voice`: narration and transcription speed and memory, against a baseline run alongside.

Each job runs in a fresh process (`python -m bench.voice.jobs JOB ...`) so its cold load and its
peak RSS (the process tree, polled from /proc by `bench.render.measure`) are its own:

- `synth-en`, `synth-zh`: Kokoro-82M int8 (voice jf_nezumi) narrating a ~45-word English / ~80-character
  Chinese promo script, synthesis cache off (the cold cost a new voice-over pays once);
- `asr-en`, `asr-zh`: Whisper-base int8 transcribing that narration (as a voice note, Ogg/Opus), language
  given;
- `note-en`: `common.voice.listen` on the English note the way the bot hears one (speech-or-music
  verdict, language detection, transcription): the 2x-the-note's-duration budget;
- `music`: `listen` on 20 s of the studio's upbeat bed sent as Ogg (it must stay music, cheaply);
- `baseline`: ffmpeg decoding the same note to 16 kHz samples and encoding it to AAC (the cost of
  touching that much audio at all), measured in the same run, so the ratios survive a loaded machine.

Reported per job: the work's wall time (inside the job, start-up excluded), the job's CPU seconds,
audio seconds, wall and CPU real-time factors (time / audio length), peak RSS, and the ratio of its
wall time to the baseline's. `--threads N` sets VIDEOBOT_VOICE_THREADS (default 1);
`--write-readme` writes the table into bench/README.md (voice section).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from bench.render import measure

ROOT = Path(__file__).resolve().parents[2]
JOBS = ("baseline", "synth-en", "synth-zh", "asr-en", "asr-zh", "note-en", "music")
START, END = "<!-- bench voice -->", "<!-- /bench voice -->"


def _job(job: str, work: Path, threads: int) -> dict[str, float]:
    env = os.environ | {"VIDEOBOT_VOICE_CACHE": str(work / "cache"), "VIDEOBOT_VOICE_THREADS": str(threads)}
    cmd = [sys.executable, "-m", "bench.voice.jobs", job, str(work)]
    run = measure.run(cmd, cwd=ROOT, env=env)
    info = json.loads((work / f"{job}.json").read_text())
    return {"seconds": run.seconds, "cpu": run.cpu, "rss_mb": run.peak_rss / 2**20, **info}


def table(results: dict[str, dict[str, float]], threads: int) -> list[str]:
    base = results["baseline"]["seconds"]
    lines = [
        f"threads: {threads}; load average at the end: {os.getloadavg()[0]:.1f}; {measure.machine()}",
        "",
        "| job | audio s | wall s | CPU s | wall RTF | CPU RTF | peak RSS MB | wall / baseline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for job in JOBS:
        r = results[job]
        audio = r["audio_s"]
        lines.append(
            f"| {job} | {audio:.1f} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['seconds'] / audio:.2f} | "
            f"{r['cpu'] / audio:.2f} | {r['rss_mb']:.0f} | {r['seconds'] / base:.1f}× |"
        )
    note = results["note-en"]
    met = "met" if note["seconds"] <= 2 * note["audio_s"] else "NOT met"
    lines += ["", f"- voice note: heard in {note['seconds']:.2f} s for {note['audio_s']:.1f} s of speech "
              f"(budget 2× = {2 * note['audio_s']:.1f} s): {met}",
              f"- music: kept as music = {bool(results['music'].get('music', 0))}",
              "- wall s is the work alone (cold load included, interpreter start-up excluded); CPU s is the "
              "whole job process's"]
    return lines


def write_readme(lines: list[str]) -> None:
    readme = ROOT / "bench" / "README.md"
    text = readme.read_text()
    block = "\n".join([START, *lines, END])
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Voice (`python -m bench voice`)\n\n" + block + "\n"
    readme.write_text(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench voice")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-voice-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {job: _job(job, work, args.threads) for job in ("synth-en", "synth-zh")}
    for job in ("baseline", "asr-en", "asr-zh", "note-en", "music"):  # these read the narrations above
        results[job] = _job(job, work, args.threads)
    lines = table(results, args.threads)
    print("\n".join(lines))
    if args.write_readme:
        write_readme(lines)
    return 0
