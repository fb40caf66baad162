"""Maintainer tool: rebuild the committed font files of `studio/render/fonts/` from Debian's packages.

Not used at run time (the fonts are committed). Needs fontTools (`pip install fonttools`) and
Debian's package tools; run from anywhere:

    apt-get download fonts-noto-core fonts-noto-extra fonts-noto-cjk fonts-noto-color-emoji \
        fonts-inter fonts-bebas-neue fonts-comfortaa fonts-lobstertwo
    for f in fonts-*.deb; do dpkg -x "$f" x; done
    python studio/render/fonts/make_fonts.py x

Every font is OFL-1.1 (see OFL.txt). What it writes:
- `NotoSans-Bold.ttf` and `NotoColorEmoji.ttf`, unchanged (the fallback chain's Latin and emoji);
- the style families, subset to Latin, Greek and Cyrillic (`_LATIN`): Inter Display Bold and Inter
  SemiBold (sans), Noto Serif Display SemiBold and Regular (serif), Bebas Neue Bold (display caps),
  Comfortaa Bold (rounded), Lobster Two Bold (handwriting);
- `VideobotSansCJK-Bold.otf`: Noto Sans CJK SC Bold subset to symbols, kana, the whole CJK Unified
  Ideographs block and Hangul, plus basic Latin;
- `VideobotSerifCJK-Bold.otf`: Noto Serif CJK SC Bold subset to the 3,755 most common hanzi (GB 2312
  level 1), kana and CJK punctuation (about 2 MB; rarer characters fall back to the sans subset);
- `coverage.json`: each font's character coverage (ranges of code points), which
  `studio/render/text.py` uses to pick a font per character without loading fontTools.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LATIN = "NotoSans-Bold.ttf"
MAIN = "VideobotSansCJK-Bold.otf"
SERIF_CJK = "VideobotSerifCJK-Bold.otf"
EMOJI = "NotoColorEmoji.ttf"
STYLE_FONTS = {  # bundled name: path inside the unpacked packages
    "InterDisplay-Bold.otf": "usr/share/fonts/opentype/inter/InterDisplay-Bold.otf",
    "Inter-SemiBold.otf": "usr/share/fonts/opentype/inter/Inter-SemiBold.otf",
    "NotoSerifDisplay-SemiBold.ttf": "usr/share/fonts/truetype/noto/NotoSerifDisplay-SemiBold.ttf",
    "NotoSerifDisplay-Regular.ttf": "usr/share/fonts/truetype/noto/NotoSerifDisplay-Regular.ttf",
    "BebasNeue-Bold.otf": "usr/share/fonts/opentype/bebas-neue/BebasNeue-Bold.otf",
    "Comfortaa-Bold.ttf": "usr/share/fonts/truetype/comfortaa/Comfortaa-Bold.ttf",
    "LobsterTwo-Bold.otf": "usr/share/fonts/opentype/lobstertwo/LobsterTwo-Bold.otf",
}

_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x1100, 0x11FF),
    (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2190, 0x21FF), (0x2200, 0x22FF),
    (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x2600, 0x26FF), (0x3000, 0x30FF), (0x3100, 0x318F),
    (0x31F0, 0x31FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFF00, 0xFFEF),
)
_LATIN: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x0300, 0x036F), (0x0370, 0x03FF), (0x0400, 0x04FF),
    (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x215F), (0x2190, 0x21FF),
    (0x2212, 0x2212), (0x25CF, 0x25CF),
)


def _gb2312_level1() -> set[int]:
    out: set[int] = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return out


def _as_ranges(codepoints: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for cp in sorted(codepoints):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def _subset(source: Path, target: Path, unicodes: list[int]) -> None:
    from fontTools import subset  # maintainer-only dependency

    opts = subset.Options()
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.layout_features = ["kern", "liga", "locl", "palt", "ccmp", "calt"]
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=unicodes)
    font = subset.load_font(str(source), opts)
    subsetter.subset(font)
    subset.save_font(font, str(target), opts)


def _cjk(collection_path: Path, full_name: str, target: Path, unicodes: list[int]) -> None:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(collection_path))
    face = next(f for f in collection.fonts if f["name"].getDebugName(4) == full_name)
    full = HERE / "_cjk-full.otf"
    face.save(str(full))
    try:
        _subset(full, target, unicodes)
    finally:
        full.unlink()


def main(root: Path) -> None:
    from fontTools.ttLib import TTFont

    noto_cjk = root / "usr/share/fonts/opentype/noto"
    _cjk(noto_cjk / "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC Bold", HERE / MAIN,
         [cp for a, b in _RANGES for cp in range(a, b + 1)])
    serif = _gb2312_level1() | {cp for a, b in ((0x20, 0x7E), (0x3000, 0x30FF), (0xFF00, 0xFFEF))
                                for cp in range(a, b + 1)}
    _cjk(noto_cjk / "NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC Bold", HERE / SERIF_CJK, sorted(serif))
    shutil.copyfile(root / "usr/share/fonts/truetype/noto/NotoColorEmoji.ttf", HERE / EMOJI)
    shutil.copyfile(root / "usr/share/fonts/truetype/noto" / LATIN, HERE / LATIN)
    latin = [cp for a, b in _LATIN for cp in range(a, b + 1)]
    for name, path in STYLE_FONTS.items():
        _subset(root / path, HERE / name, latin)
    names = [LATIN, MAIN, SERIF_CJK, EMOJI, *STYLE_FONTS]
    coverage = {name: _as_ranges(set(TTFont(str(HERE / name)).getBestCmap())) for name in names}
    (HERE / "coverage.json").write_text(json.dumps(coverage, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
