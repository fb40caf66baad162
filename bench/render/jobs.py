"""One render in its own process (so its time and memory can be measured from outside):

python -m bench.render.jobs studio|moviepy DRAFT.json ASSETS.json OUT.mp4
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    engine, draft_file, assets_file, out = argv
    draft = json.loads(Path(draft_file).read_text())
    assets = {k: Path(v) for k, v in json.loads(Path(assets_file).read_text()).items()}
    if engine == "studio":
        from studio.render.render import render_draft

        started = time.perf_counter()
        render_draft(draft, assets, Path(out))
    else:
        from bench.render.with_moviepy import render_with_moviepy

        started = time.perf_counter()
        render_with_moviepy(draft, assets, Path(out))
    print(f"seconds={time.perf_counter() - started:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
