"""`videobot discord`: the Discord adapter lives in `adapters.discord_bot` (see its docstring).

This module only re-exports its entry points, `build_bot(settings=None)` and `main(argv)`; the
package has another name so that `import discord` always means the discord.py library.
"""

from adapters.discord_bot import build_bot, main

__all__ = ["build_bot", "main"]
