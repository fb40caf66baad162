"""The adapter host: one lifecycle for every channel (Telegram, Discord, the terminal).

    host = BotHost(settings, platform="telegram")   # or runtime=<a RuntimeFactory>
    await host.start(reply_for)         # the runtime (store, backend client, engine), the clean-up of
                                        # a killed process's leftover files (bot.engine.janitor); then, in the
                                        # background, the start-up resume pass and the adoption pass
                                        # every `adopt_every` seconds
    await host.handle(incoming, reply)  # one turn, run as a tracked task; never raises for the user
    await host.wait_resumed()           # for tests and the terminal: the start-up pass is over
    await host.settle(reply_for, mine)  # the terminal at end of input: until no render of `mine`
                                        # is left, adopt the ones a killed process left (lease out)
    await host.stop_turns()             # shutdown: stop the passes and the turns in flight (their
                                        # render jobs stay in Redis, leases released, for the next start)
    await host.aclose()                 # stop_turns, then close the runtime

An adapter keeps only its platform's quirks: it turns updates into `Incoming`, implements `Reply`,
and gives the host `reply_for(job)`, the `Reply` for the chat a render job belongs to (None: not a
chat of this adapter's platform, or one it cannot reach).

**Where the runtime comes from.** The host does not build the store, the backend client and the
engine itself, and it does not import the composition root (`app`, which sits above every
adapter). A `RuntimeFactory` is passed in (`videobot telegram|discord|chat` pass
`app.runtime.start_runtime`), or, when none is, the one installed under the entry point group
`videobot.runtime` (pyproject.toml: `default = "app.runtime:start_runtime"`) is loaded with
`importlib.metadata`. That keeps `adapters.telegram.build_application(builder)` and
`adapters.discord.build_bot()` complete for the peers and checks that call them with a builder or
settings only (the embedded studio when NEMO_API_URL is unset), while the layers stay one-way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol

from bot.channel.events import Incoming, Reply, quietly
from bot.engine import janitor
from bot.engine.engine import Engine, ReplyFor
from bot.i18n import language_for, t
from bot.ids import Platform
from bot.settings import Settings
from bot.state.store import JobRecord, Store, StoreError

log = logging.getLogger(__name__)

ADOPT_EVERY = 15.0  # seconds between passes looking for renders whose bot process died
STOP_GRACE = 5.0  # seconds a stopped turn may take to release its leases
RUNTIME_GROUP = "videobot.runtime"  # the entry point group of the default runtime factory


@dataclass
class Runtime:
    """The services one bot process runs on, as a `RuntimeFactory` made them."""

    settings: Settings  # with the embedded services' URLs filled in
    store: Store
    engine: Engine
    close: Callable[[], Awaitable[None]]  # closes everything, in reverse order


class RuntimeFactory(Protocol):
    def __call__(self, settings: Settings, *, label: str) -> Awaitable[Runtime]: ...


class NoRuntime(RuntimeError):
    """No runtime factory was given and none is installed under the `videobot.runtime` entry point."""


def installed_runtime() -> RuntimeFactory:
    """The runtime factory installed under the `videobot.runtime` entry point named `default`."""
    for found in entry_points(group=RUNTIME_GROUP, name="default"):
        factory: RuntimeFactory = found.load()
        return factory
    raise NoRuntime(
        f"no runtime: nothing is installed under the entry point group {RUNTIME_GROUP!r} "
        "(install videobot with `make setup`, or pass a runtime factory)"
    )


class BotHost:
    """Runs one channel's bot process: start, resume, adopt, the turns, stop (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        *,
        platform: Platform,
        runtime: RuntimeFactory | None = None,
        adopt_every: float | None = ADOPT_EVERY,
    ) -> None:
        self._settings = settings
        self.platform: Platform = platform
        self._factory = runtime
        self.adopt_every = adopt_every  # seconds; None: no adoption passes (tests)
        self._runtime: Runtime | None = None
        self._resume: asyncio.Task[None] | None = None
        self._adopt: asyncio.Task[None] | None = None
        self._turns: set[asyncio.Task[None]] = set()

    # --- what adapters read -------------------------------------------------------------------

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError(f"the {self.platform} bot's services are not started (BotHost.start)")
        return self._runtime

    @property
    def settings(self) -> Settings:
        """The running settings (embedded services filled in); before `start`, the given ones."""
        return self._runtime.settings if self._runtime is not None else self._settings

    @property
    def started(self) -> bool:
        return self._runtime is not None

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self, reply_for: ReplyFor) -> None:
        """Start the runtime, then the resume pass and the adoption passes in the background."""
        if self._runtime is not None:
            return
        factory = self._factory if self._factory is not None else installed_runtime()
        self._runtime = await factory(self._settings, label=self.platform)
        try:  # what a killed process of the bot left under the data dir (bot.engine.janitor)
            await asyncio.to_thread(janitor.sweep, self._runtime.settings.data_dir)
        except Exception as exc:  # a clean-up is never worth not starting
            log.warning("start-up clean-up failed: %s", type(exc).__name__)
        self._resume = asyncio.create_task(self._resume_pass(reply_for), name=f"{self.platform}-resume")
        if self.adopt_every:
            self._adopt = asyncio.create_task(
                self._adopt_passes(reply_for, self.adopt_every), name=f"{self.platform}-adopt"
            )

    async def wait_resumed(self) -> None:
        """Wait until the start-up resume pass is over (at once when there is none)."""
        if self._resume is not None:
            await asyncio.shield(self._resume)

    async def stop_turns(self, grace: float = STOP_GRACE) -> int:
        """Cancel the resume and adoption passes and every turn in flight; returns how many turns
        were stopped. A stopped turn leaves its render job in Redis with its lease released."""
        passes = [task for task in (self._resume, self._adopt) if task is not None]
        self._resume = self._adopt = None
        for task in passes:
            task.cancel()
        for task in passes:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        running = [task for task in self._turns if not task.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=grace)
        return len(running)

    async def aclose(self) -> None:
        """Stop the turns, then close the runtime (store, backend client, embedded services)."""
        await self.stop_turns()
        runtime, self._runtime = self._runtime, None
        if runtime is not None:
            await runtime.close()

    async def settle(self, reply_for: ReplyFor, mine: Callable[[JobRecord], bool]) -> int:
        """Until no active render job of `mine` is left, adopt the ones whose bot process died, as
        soon as their delivery lease runs out (checked every quarter lease, at most every second);
        returns how many were delivered. The terminal calls it when its input ends: a restart right
        after a `kill -9` (the dead process's lease still running) still gets the video, once.
        Bounded: jobs not updated for a render timeout plus a lease are not waited for, and it
        gives up after the lease plus the render timeout."""
        runtime, settings = self.runtime, self.settings
        lease = settings.lock_lease_seconds
        step = min(1.0, max(0.1, lease / 4))
        deadline = time.monotonic() + lease + settings.render_timeout_seconds
        delivered = 0
        while time.monotonic() < deadline:
            try:
                fresh_after = time.time() - settings.render_timeout_seconds - lease
                left = [j for j in await runtime.store.jobs.active() if mine(j) and j.updated >= fresh_after]
                if not left:
                    return delivered
                delivered += await runtime.engine.adopt(reply_for)
            except StoreError as exc:  # Redis away: try again at the next step
                log.warning("settling renders failed: %s", type(exc).__name__)
            await asyncio.sleep(step)
        log.warning("gave up waiting for renders left by a stopped process")
        return delivered

    # --- turns --------------------------------------------------------------------------------

    async def handle(self, incoming: Incoming, reply: Reply) -> None:
        """Run one message's turn (render delivery included) as a task `stop_turns` can stop."""
        engine = self.runtime.engine
        task = asyncio.ensure_future(self._turn(engine, incoming, reply))
        self._turns.add(task)
        task.add_done_callback(self._turns.discard)
        await task

    async def _turn(self, engine: Engine, incoming: Incoming, reply: Reply) -> None:
        try:
            await engine.handle(incoming, reply)
        except Exception:  # the engine answers its own errors; this is the last line of defence
            log.exception("the engine failed on a %s update", self.platform)
            await quietly(reply.send_text(t(language_for(incoming.locale), "error.generic")))

    # --- background passes --------------------------------------------------------------------

    async def _resume_pass(self, reply_for: ReplyFor) -> None:
        try:
            resumed = await self.runtime.engine.resume(reply_for)
        except Exception:
            log.exception("resuming undelivered renders failed")
            return
        if resumed:
            log.info("resumed %d undelivered render(s)", resumed)

    async def _adopt_passes(self, reply_for: ReplyFor, every: float) -> None:
        """Until cancelled: every `every` seconds, deliver the renders whose bot process died."""
        while True:
            await asyncio.sleep(every)
            try:
                if adopted := await self.runtime.engine.adopt(reply_for):
                    log.info("delivered %d render(s) left by a stopped bot process", adopted)
            except Exception as exc:  # Redis down for a while: the next pass tries again
                log.warning("adopting renders failed: %s", type(exc).__name__)
