"""`python -m studio.render.mixjob SPEC.json OUT.f32`: a soundtrack mixed in a process of its own.

Synthesising a bed and mastering the mix is the render's memory peak (a few hundred MB of float
buffers for a minute of audio); in its own short-lived process that memory goes back to the system
before the encoder starts, so the render's process tree stays small. The output is raw float32
stereo at 48 kHz.

`python -m studio.render.mixjob --stdin OUT.f32` is how a render runs it: started before the
media are analysed, it reads two JSON lines on stdin — first the music plan (`{"music": …}`, so a
generated bed is synthesised into the bed cache while the render analyses its photos and plans
its shots on the other core), then the whole `MixSpec` once the plan is known — and mixes.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from studio.render.audio import MixSpec, MusicPlan, mix, music_samples


def _warm(line: str) -> None:
    """Synthesise the bed of a music plan (it lands in the bed cache, where `mix` finds it)."""
    m = json.loads(line).get("music")
    if m is None:
        return
    plan = MusicPlan(**{**m, "path": Path(m["path"]) if m["path"] else None})
    if plan.generated:  # a user's track is decoded by `mix` itself (quick, and not cached)
        music_samples(plan)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    spec_path, out_path = argv
    if spec_path == "--stdin":
        first = sys.stdin.readline()
        if first.strip():
            _warm(first)
        text = sys.stdin.readline()
        if not text.strip():
            return 3  # the render stopped before it knew its plan
    else:
        text = Path(spec_path).read_text()
    samples = mix(MixSpec.from_json(text))
    samples.tofile(out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
