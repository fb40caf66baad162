"""videobot's test kit: a recording chat and a fake NemoVideo backend, for tests and benchmarks.

    from bot.testing import RecordingReply, FakeNemo, FakeNemoServer, make_test_mp4

    fake = FakeNemo(make_test_mp4(tmp / "render.mp4"))   # the backend's state, scriptable
    server = FakeNemoServer(fake); url = server.start()  # a real loopback server speaking nemo-api.md
    ...  NemoClient(url) / Settings(nemo_api_url=url) / the engine, a whole bot ...
    server.stop()

    reply = RecordingReply(ChannelLimits(edit_interval=0.02))   # a strict chat that remembers
    await engine.handle(incoming, reply)
    reply.visible_texts(); reply.done("edit"); reply.fail("edit", RetryLater(0.3), call=3)

In this repository's tests the `fake_nemo` fixture (tests/fixtures_nemo.py) runs one server for the
whole session and resets its state per test; `chat` (tests/fixtures_engine.py) is one user talking
to an engine through a `RecordingReply`. The engine benchmark runs the same server in a process of
its own with clocked turns (`bench.engine.backend`, through `FakeNemo.turn_factory`).

    bot.testing.reply       RecordingReply, Op, Message (the Reply protocol, recorded; faults scripted)
    bot.testing.fakenemo    FakeNemo (state + scripting), FakeNemoServer, the SSE builders, make_test_mp4

Nothing outside tests and benchmarks imports this package (an import-linter contract says so).
"""

from bot.testing.fakenemo import FakeNemo, FakeNemoServer, make_test_mp4
from bot.testing.reply import Message, Op, RecordingReply

__all__ = ["FakeNemo", "FakeNemoServer", "Message", "Op", "RecordingReply", "make_test_mp4"]
