"""Where things are, for tests that run the `videobot` command or read repository files."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The repository root (the `cwd` of subprocess tests)."""
