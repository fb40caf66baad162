"""The engine bench: many users chatting at once through the conversation engine.

`python -m bench engine --users 200 --events 50 --interval-ms 40` (see `bench.engine.run`):
a private Redis, a local SSE backend in its own process (`bench.engine.backend`), recording
Telegram-like chats (`bench.engine.channel`), and the summary (`bench.engine.report`).
"""

from __future__ import annotations


def main(argv: list[str]) -> int:
    """Run the bench with command-line `argv`; 0 when every turn completed within the limits."""
    from bench.engine.run import main as run_main

    return run_main(argv)
