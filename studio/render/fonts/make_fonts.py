"""Maintainer tool: rebuild the committed font files of `studio/fonts/` from Debian's Noto packages.

Not used at run time (the fonts are committed). Needs fontTools (`pip install fonttools`) and
Debian's package tools; run from anywhere:

    apt-get download fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
    for f in fonts-noto-*.deb; do dpkg -x "$f" x; done
    python studio/fonts/make_fonts.py x

It copies `NotoSans-Bold.ttf` (Latin, Greek, Cyrillic) and `NotoColorEmoji.ttf` unchanged, writes
`VideobotSansCJK-Bold.otf` (Noto Sans CJK SC Bold subset to symbols, kana, the whole CJK Unified
Ideographs block and Hangul, plus basic Latin), and records each font's character coverage in
`coverage.json` (ranges of code points), which `studio/text.py` uses to pick a font per character
without loading fontTools.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LATIN = "NotoSans-Bold.ttf"
MAIN = "VideobotSansCJK-Bold.otf"
EMOJI = "NotoColorEmoji.ttf"

_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x1100, 0x11FF),
    (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2190, 0x21FF), (0x2200, 0x22FF),
    (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x2600, 0x26FF), (0x3000, 0x30FF), (0x3100, 0x318F),
    (0x31F0, 0x31FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFF00, 0xFFEF),
)


def _as_ranges(codepoints: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for cp in sorted(codepoints):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def main(root: Path) -> None:
    from fontTools import subset  # maintainer-only dependency
    from fontTools.ttLib import TTCollection, TTFont

    cjk = root / "usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
    emoji = root / "usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
    collection = TTCollection(str(cjk))
    sc = next(f for f in collection.fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC Bold")
    full = HERE / "_sc-full.otf"
    sc.save(str(full))
    opts = subset.Options()
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.layout_features = ["kern", "liga", "locl", "palt", "ccmp", "calt"]
    unicodes = [cp for a, b in _RANGES for cp in range(a, b + 1)]
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=unicodes)
    font = subset.load_font(str(full), opts)
    subsetter.subset(font)
    subset.save_font(font, str(HERE / MAIN), opts)
    full.unlink()
    shutil.copyfile(emoji, HERE / EMOJI)
    shutil.copyfile(root / "usr/share/fonts/truetype/noto" / LATIN, HERE / LATIN)
    coverage = {
        LATIN: _as_ranges(set(TTFont(str(HERE / LATIN)).getBestCmap())),
        MAIN: _as_ranges(set(TTFont(str(HERE / MAIN)).getBestCmap())),
        EMOJI: _as_ranges(set(TTFont(str(HERE / EMOJI)).getBestCmap())),
    }
    (HERE / "coverage.json").write_text(json.dumps(coverage, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
