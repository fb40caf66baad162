"""The terminal channel (`videobot chat`, and the channel scripted tests drive).

    reply.py      ConsoleReply: the terminal as a chat (final texts printed once per turn, the
                  transcript of every operation, a Rich live view on a TTY)
    incoming.py   to_incoming: one input line as one message (`/attach PATH ...` carries files)
    stdin.py      LineReader: standard input one line at a time, off the event loop
    session.py    serve(host, reply, lines, user=, locale=): one conversation on a BotHost

The command itself (arguments, logging, signals) is `app.chat`.
"""

from adapters.console.incoming import to_incoming
from adapters.console.reply import ConsoleReply
from adapters.console.session import FatalError, serve
from adapters.console.stdin import LineReader

__all__ = ["ConsoleReply", "FatalError", "LineReader", "serve", "to_incoming"]
