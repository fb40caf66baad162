"""`python -m bench NAME [ARGS...]` runs bench/NAME (its `main(argv) -> int`); with no NAME, every bench.

Each benchmark is a package `bench/<name>/` whose `__init__.py` defines `main(argv: list[str]) -> int`.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(p.parent.name for p in HERE.glob("*/__init__.py") if not p.parent.name.startswith("_"))


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    names = available()
    if argv and argv[0] in ("-h", "--help"):
        print(f"usage: python -m bench [{'|'.join(names)}] [args...]   (no name: run them all)")
        return 0
    if argv:
        if argv[0] not in names:
            print(f"unknown benchmark {argv[0]!r}; available: {', '.join(names)}", file=sys.stderr)
            return 2
        return int(importlib.import_module(f"bench.{argv[0]}").main(argv[1:]))
    status = 0
    for name in names:
        print(f"== bench {name} ==", flush=True)
        status |= int(importlib.import_module(f"bench.{name}").main([]))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
