"""Per-user turn ordering: queueing, /cancel, the global cap, and the cross-process Redis lock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from bot.engine.turns import Outcome, TurnGate, cancelled_by_user
from bot.ids import UserKey
from bot.state.store import Store


def _redis_lock(store: Store) -> Callable[..., contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lock(user_key: UserKey, on_wait: Callable[[], Awaitable[None]]) -> AsyncIterator[None]:
        async with store.locks.hold(user_key, 5.0, on_wait=on_wait):
            yield

    return lock


async def test_second_message_waits_behind_the_first_and_is_told_queued() -> None:
    gate = TurnGate(max_concurrent=10)
    order: list[str] = []
    told: list[str] = []
    release = asyncio.Event()

    async def first() -> None:
        order.append("first starts")
        await release.wait()
        order.append("first ends")

    async def second() -> None:
        order.append("second runs")

    async def queued() -> None:
        told.append("queued")

    t1 = asyncio.create_task(gate.run(UserKey("console", "a"), first, on_queued=queued))
    await asyncio.sleep(0.01)
    t2 = asyncio.create_task(gate.run(UserKey("console", "a"), second, on_queued=queued))
    await asyncio.sleep(0.01)
    assert told == ["queued"] and order == ["first starts"]
    release.set()
    assert await t1 is Outcome.DONE and await t2 is Outcome.DONE
    assert order == ["first starts", "first ends", "second runs"]


async def test_other_users_are_not_held_up() -> None:
    gate = TurnGate(max_concurrent=10)
    release = asyncio.Event()
    ran: list[str] = []

    async def slow() -> None:
        await release.wait()

    async def quick() -> None:
        ran.append("b")

    async def nothing() -> None:
        raise AssertionError("user b was never queued")

    slow_task = asyncio.create_task(gate.run(UserKey("console", "a"), slow, on_queued=nothing))
    await asyncio.sleep(0.01)
    assert await gate.run(UserKey("console", "b"), quick, on_queued=nothing) is Outcome.DONE
    assert ran == ["b"]
    release.set()
    await slow_task


async def test_cancel_stops_waiting_and_marks_the_turn_as_cancelled_by_the_user() -> None:
    gate = TurnGate(max_concurrent=10)
    seen: list[bool] = []

    async def forever() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            seen.append(cancelled_by_user())
            raise

    async def nothing() -> None:
        return None

    task = asyncio.create_task(gate.run(UserKey("console", "a"), forever, on_queued=nothing))
    await asyncio.sleep(0.01)
    assert gate.cancel(UserKey("console", "a")) is True
    assert await asyncio.wait_for(task, 1) is Outcome.CANCELLED
    assert seen == [True]
    assert gate.cancel(UserKey("console", "a")) is False  # nothing runs any more


async def test_a_shutdown_is_not_taken_for_a_users_cancel() -> None:
    gate = TurnGate(max_concurrent=10)
    seen: list[bool] = []

    async def forever() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            seen.append(cancelled_by_user())
            raise

    async def nothing() -> None:
        return None

    task = asyncio.create_task(gate.run(UserKey("console", "a"), forever, on_queued=nothing))
    await asyncio.sleep(0.01)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled() and seen == [False]


async def test_global_cap_answers_busy_without_running() -> None:
    gate = TurnGate(max_concurrent=1)
    release = asyncio.Event()

    async def slow() -> None:
        await release.wait()

    async def never() -> None:
        raise AssertionError("must not run")

    async def nothing() -> None:
        return None

    task = asyncio.create_task(gate.run(UserKey("console", "a"), slow, on_queued=nothing))
    await asyncio.sleep(0.01)
    assert await gate.run(UserKey("console", "b"), never, on_queued=nothing) is Outcome.BUSY
    release.set()
    assert await task is Outcome.DONE
    assert gate.running == 0


async def test_turns_of_one_user_never_overlap_across_two_processes(store_a: Store, store_b: Store) -> None:
    gates = [TurnGate(max_concurrent=10, remote_lock=_redis_lock(s)) for s in (store_a, store_b)]
    inside = 0
    most = 0
    told: list[int] = []

    async def work() -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.05)
        inside -= 1

    def queued(i: int) -> Callable[[], Awaitable[None]]:
        async def tell() -> None:
            told.append(i)

        return tell

    runs = [gates[i % 2].run(UserKey("telegram", "7"), work, on_queued=queued(i)) for i in range(4)]
    results = await asyncio.gather(*runs)
    assert results == [Outcome.DONE] * 4
    assert most == 1
    assert told  # whoever had to wait was told so
