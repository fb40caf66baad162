"""Benchmarks with their own runner: `python -m bench [NAME ...]` (see bench/README.md)."""
