"""The engine bench: N simulated users chatting at once through `bot.engine.engine.Engine`.

    python -m bench engine [--users 200] [--events 50] [--interval-ms 40] [--turns 1]
                           [--channel-latency-ms 50] [--edit-interval 1.0]
                           [--redis-max-connections N] [--http-max-connections N] [--http-shards K]

Real parts: a private redis-server (`common.redis_server.RedisServer` in a temp dir), the real
`Store`, `NemoClient` and `Engine`, and the bench backend (`bench.engine.backend`) in its own
process on 127.0.0.1. Each user has the test kit's `RecordingReply` (a recording Telegram-like private
chat: 4096 characters, one edit a second, "not modified" for an edit to the same text, every call
taking `--channel-latency-ms`; the edit limit is measured afterwards, not enforced).

1. set-up: every user sends /start at once (token, session, greeting), as returning users would
   already have done; then the memory of the stored users is measured;
2. chat: every user sends a chat message at the same moment (`--turns` in a row); the backend
   streams `--events` partial events per turn, one every `--interval-ms`, then the final text;
3. the recorded chats give the latencies, the edit rates and the completion count.

The store and the client are built as the bot builds them, unless the two pool options replace
their connection pools (to see what the rest of the engine does once a pool is no bottleneck).
Exit status 0 when every turn completed, no error, and no chat was edited faster than its limit.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import get_type_hints

import httpx

from bench.engine.process import BackendProcess, FirstFew, RssPeak, WarningCounter, cpu_seconds
from bench.engine.report import MARKER_RE, Latencies, Options, Result, edit_rates
from bench.engine.transport import ShardedTransport
from bot.backend.client import NemoClient
from bot.channel.events import ChannelLimits, Incoming
from bot.engine.engine import Engine
from bot.ids import ChatRef, UserKey
from bot.settings import Settings, load_settings
from bot.state import keys
from bot.state.connect import connect_url
from bot.state.crypto import TokenCipher
from bot.state.store import Store
from bot.testing import Op, RecordingReply
from common.redis_server import RedisServer

log = logging.getLogger(__name__)

PROMPT = "make the opening shot warmer and add a short title"


def user_key(user: int) -> UserKey:
    return UserKey.of("telegram", 10_000 + user)


def incoming(user: int, text: str, update: str) -> Incoming:
    return Incoming(user=user_key(user), chat=ChatRef.of("telegram", 10_000 + user),
                    text=text, locale="en", update_id=update, user_name=f"bench{user}")


async def run(opts: Options) -> Result:
    """One whole run: Redis and the backend up, set-up, chat turns, measurements, clean-up."""
    started, load = time.monotonic(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vb-bench-") as tmp:
        redis_server = RedisServer(Path(tmp) / "redis", appendonly=False)
        await asyncio.to_thread(redis_server.start)
        try:
            backend = await BackendProcess.start(opts.events, opts.interval_ms)
            try:
                settings = load_settings(
                    nemo_api_url=backend.url, nemo_web_url="http://127.0.0.1", nemo_token=None,
                    redis_url=redis_server.url, data_dir=Path(tmp) / "data",
                )
                result = await _measure(opts, settings, backend)
            finally:
                await backend.stop()
        finally:
            await asyncio.to_thread(redis_server.stop)
    result.wall_seconds = time.monotonic() - started
    result.cpus, result.load_before = os.cpu_count() or 0, load
    return result


async def _measure(opts: Options, settings: Settings, backend: BackendProcess) -> Result:
    result = Result(opts)
    limits = ChannelLimits(max_text=4096, edit_interval=opts.edit_interval)
    latency = opts.channel_latency_ms / 1000
    chats = [RecordingReply(limits, chat_id=f"c{i}", latency=latency, clock=time.time)
             for i in range(opts.users)]
    store, client = await _parts(opts, settings)
    engine = Engine(settings, store, client)
    try:
        await _setup(engine, chats, result)
        await _memory(store, opts.users, result)
        await _chat(engine, chats, opts, result)
        result.backend = await backend.stats()
    finally:
        await engine.aclose()
        await client.aclose()
        await store.aclose()
    return result


async def _parts(opts: Options, settings: Settings) -> tuple[Store, NemoClient]:
    """The store and the client as the bot builds them, or with the pool sizes of the options."""
    if opts.redis_max_connections is None:
        store = await Store.connect(settings)
    else:
        assert settings.redis_url is not None
        redis = connect_url(settings.redis_url, max_connections=opts.redis_max_connections).client
        store = Store(redis, TokenCipher.from_settings(settings))
    transport: httpx.AsyncBaseTransport | None = None
    if opts.http_max_connections is not None or opts.http_shards > 1:
        n = opts.http_max_connections or 100  # httpx's default
        limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
        transport = ShardedTransport(opts.http_shards, limits)
    return store, NemoClient.from_settings(settings, transport=transport)


def _error(result: Result, text: str) -> None:
    result.errors += 1
    if len(result.error_samples) < 5:
        result.error_samples.append(text[:200])


async def _setup(engine: Engine, chats: list[RecordingReply], result: Result) -> None:
    """Every user says /start at once: a token, a session, the greeting."""
    t0 = time.monotonic()
    store = engine.services.store

    async def one(i: int) -> None:
        try:
            await engine.handle(incoming(i, "/start", f"start-{i}"), chats[i])
        except Exception as exc:
            _error(result, f"set-up of user {i} raised {type(exc).__name__}")

    await asyncio.gather(*(one(i) for i in range(len(chats))))
    result.setup_seconds = time.monotonic() - t0
    for i, chat in enumerate(chats):  # one by one: the check must not add load of its own
        if (await store.users.get(user_key(i))).session_id is None:
            shown = [o.text or "" for o in chat.done("send", "edit")]
            _error(result, f"set-up of user {i} failed; the chat shows {shown[-1:]!r}")


async def _memory(store: Store, users: int, result: Result) -> None:
    """Bytes per user: the store's own measure of an idle user, the set-up users' hashes, and
    every key in Redis now (users, update de-duplication, anything else) divided by the users."""
    sizes = [int(await store.redis.memory_usage(keys.user(user_key(i)), samples=0) or 0)
             for i in range(users)]
    result.stored_user_bytes = sum(sizes) / users
    total = 0
    async for key in store.redis.scan_iter(count=1000):
        total += int(await store.redis.memory_usage(key, samples=0) or 0)
    result.redis_bytes_per_user = total / users
    result.idle_user_bytes = await memory_per_user(store, sample=min(users, 200))


async def memory_per_user(store: Store, sample: int = 200, *, with_token: bool = False) -> float:
    """Average `MEMORY USAGE` bytes of one user's hash, over `sample` throwaway users (idle, or
    holding a token): created, measured, deleted."""
    names = [UserKey.of("console", f"membench-{uuid.uuid4().hex[:8]}-{i}") for i in range(sample)]
    total = 0
    try:
        for key in names:
            await store.users.get(key)
            if with_token:
                await store.users.update(key, token=f"nmv_usr_{uuid.uuid4().hex}{uuid.uuid4().hex}")
            total += int(await store.redis.memory_usage(keys.user(key), samples=0) or 0)
    finally:
        for key in names:
            await store.redis.delete(keys.user(key))
    return total / sample if sample else 0.0


async def _chat(engine: Engine, chats: list[RecordingReply], opts: Options, result: Result) -> None:
    """Every user sends a chat message at the same moment, `opts.turns` times in a row."""
    since = {chat.chat_id: len(chat.ops) for chat in chats}
    go = asyncio.Event()

    async def user(i: int) -> None:
        chat = chats[i]
        await go.wait()
        for turn in range(1, opts.turns + 1):
            before, sent = len(chat.ops), time.time()
            try:
                await engine.handle(incoming(i, PROMPT, f"chat-{i}-{turn}"), chat)
            except Exception as exc:
                _error(result, f"turn {turn} of user {i} raised {type(exc).__name__}")
                continue
            ops = chat.done("send", "edit", since=before)
            if ops:
                result.first_text.append(ops[0].ended - sent)
            _check_turn(ops, turn, opts.events, result, i)

    tasks = [asyncio.create_task(user(i)) for i in range(len(chats))]
    gc.collect()
    rss = RssPeak()
    result.rss_base_mb = rss.peak
    rss.start()
    cpu0, t0 = cpu_seconds(), time.monotonic()
    go.set()
    await asyncio.gather(*tasks)
    result.chat_seconds = time.monotonic() - t0
    result.bot_cpu_seconds = cpu_seconds() - cpu0
    await rss.stop()
    result.rss_peak_mb = rss.peak
    turns = range(1, opts.turns + 1)
    lat = Latencies()
    for chat in chats:
        lat.add_chat(chat, opts.events, turns)
    result.latencies = lat
    result.max_edits_per_window, result.max_texts_per_window = edit_rates(chats, since)
    edits = sum(1 for c in chats for o in c.ops[since[c.chat_id]:] if o.op == "edit" and o.ok)
    result.edits_per_turn = edits / max(1, opts.users * opts.turns)


def _check_turn(ops: list[Op], turn: int, events: int, result: Result, user: int) -> None:
    """A turn is complete when its one message ends with the whole final text (every marker)."""
    if not ops:
        _error(result, f"turn {turn} of user {user}: nothing shown")
        return
    final = ops[-1].text or ""
    found = {f"t{t}{w}" for t, w, _ in MARKER_RE.findall(final)}
    wanted = {f"t{turn}e{i}" for i in range(events)} | {f"t{turn}end"}
    others = [o.text or "" for o in ops if o.id != ops[-1].id]
    if others:
        _error(result, f"turn {turn} of user {user}: a second message {others[0][:80]!r}")
    elif not wanted <= found:
        _error(result, f"turn {turn} of user {user}: {len(wanted - found)} markers missing; "
                       f"the chat shows {final[:80]!r}")
    else:
        result.turns_done += 1


def parse_args(argv: Sequence[str] | None = None) -> Options:
    """The `Options` of a run from its command line (one `--option` per field of `Options`)."""
    parser = argparse.ArgumentParser(prog="python -m bench engine",
                                     description="Load benchmark of the conversation engine.")
    hints = get_type_hints(Options)
    for f in fields(Options):
        kind = float if hints[f.name] is float else int
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=kind, default=f.default,
                            metavar=f.metadata["metavar"], help=f.metadata["help"])
    args = parser.parse_args(argv)
    for f in fields(Options):
        minimum = f.metadata["minimum"]
        if minimum is not None and getattr(args, f.name) < minimum:
            parser.error(f"--{f.name.replace('_', '-')} must be at least {minimum}")
    return Options(**{f.name: getattr(args, f.name) for f in fields(Options)})


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    root, counter, few = logging.getLogger(), WarningCounter(), FirstFew()
    for handler in root.handlers:
        handler.addFilter(few)
    root.addHandler(counter)
    try:
        result = asyncio.run(run(opts))
    finally:
        root.removeHandler(counter)
        for handler in root.handlers:
            handler.removeFilter(few)
    result.warnings = counter.count
    result.warning_samples = list(counter.samples.values())
    for line in result.lines():
        print(line)
    return 0 if result.passed else 1
