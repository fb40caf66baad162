"""The engine bench: many users chatting at once through the conversation engine.

`python -m bench engine --users 200 --events 50 --interval-ms 40` (see `bench.engine.run`):
a private Redis, the test kit's fake backend with clocked turns in its own process
(`bench.engine.backend`), the kit's recording chats (`bot.testing.RecordingReply`), and the summary
(`bench.engine.report`).
"""

from __future__ import annotations


def main(argv: list[str]) -> int:
    """Run the bench with command-line `argv`; 0 when every turn completed within the limits."""
    from bench.engine.run import main as run_main

    return run_main(argv)
