"""`python -m studio.render.mixjob SPEC.json OUT.f32`: a soundtrack mixed in a process of its own.

Synthesising a bed and mastering the mix is the render's memory peak (a few hundred MB of float
buffers for a minute of audio); in its own short-lived process that memory goes back to the system
before the encoder starts, so the render's process tree stays small. The output is raw float32
stereo at 48 kHz.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from studio.render.audio import MixSpec, mix


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    spec_path, out_path = argv
    samples = mix(MixSpec.from_json(Path(spec_path).read_text()))
    samples.tofile(out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
