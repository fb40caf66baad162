"""One voice benchmark job in its own process: `python -m bench.voice.jobs JOB WORK_DIR`.

Prints `seconds=<work time>` (read by `bench.render.measure.run`) and writes WORK_DIR/JOB.json with
the audio length (and, for `music`, whether it stayed music)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

from common.ffmpeg import ffmpeg_exe
from common.voice import listen, narrator_for, transcriber
from common.voice.audio import decode

SCRIPTS = {
    "en": "Handmade soy candles, poured in small batches. Lavender and cedar, for slow evenings at home. "
    "Every candle burns clean for fifty hours. Free shipping this week only. Order yours today and "
    "treat yourself, or someone you love.",
    "zh": "手工大豆蜡烛，小批量慢慢浇筑。薰衣草和雪松的香味，陪你度过安静的夜晚。"
    "每一支都能干净地燃烧五十个小时。本周包邮，现在下单，送给自己，也送给你爱的人。",
}


def _ogg(wav: Path, out: Path, *extra: str) -> Path:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(wav), *extra, str(out)], check=True)
    return out


def main(job: str, work: Path) -> None:
    info: dict[str, float] = {}
    began = time.perf_counter()
    if job.startswith("synth-"):
        lang = job.split("-")[1]
        narrator = narrator_for(lang)
        speech = narrator.synthesize(SCRIPTS[lang], lang)  # includes the cold load (weights, graph)
        seconds = time.perf_counter() - began
        wav = speech.save(work / f"narration-{lang}.wav").path
        assert wav is not None
        _ogg(wav, work / f"note-{lang}.ogg", "-c:a", "libopus", "-b:a", "32k")
        info["audio_s"] = speech.duration
    elif job == "baseline":
        note = work / "note-en.ogg"
        samples = decode(note, 16000)
        _ogg(note, work / "baseline.m4a", "-c:a", "aac", "-b:a", "128k")
        seconds = time.perf_counter() - began
        info["audio_s"] = len(samples) / 16000
    elif job.startswith("asr-"):
        lang = job.split("-")[1]
        note = work / f"note-{lang}.ogg"
        heard = transcriber().transcribe(note, language=lang)
        seconds = time.perf_counter() - began
        info["audio_s"] = heard.duration
    elif job == "note-en":
        verdict = asyncio.run(listen(work / "note-en.ogg", voice_note=True))
        seconds = time.perf_counter() - began
        info["audio_s"] = verdict.duration
        info["speech"] = float(verdict.is_speech)
    elif job == "music":
        from common.voice.protocols import write_wav
        from studio.render.audio import SAMPLE_RATE, bed_samples

        bed = bed_samples("upbeat", 20.0, 0)
        wav = write_wav(work / "song.wav", bed.mean(axis=1).astype("float32"), SAMPLE_RATE)
        song = _ogg(wav, work / "song.ogg", "-c:a", "libopus", "-b:a", "96k")
        began = time.perf_counter()
        verdict = asyncio.run(listen(song, voice_note=False))
        seconds = time.perf_counter() - began
        info["audio_s"] = verdict.duration
        info["music"] = float(not verdict.is_speech)
    else:
        raise SystemExit(f"unknown job {job!r}")
    (work / f"{job}.json").write_text(json.dumps(info))
    print(f"seconds={seconds:.4f}")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
