"""Credits and status: one REST call each, formatted for the user."""

from __future__ import annotations

from bot.draft.models import Draft
from bot.draft.timeline import summarize
from bot.engine.flows.context import Turn


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


async def credits(turn: Turn) -> None:
    balance = await turn.nemo.credits()
    await turn.tell_if_session_renewed()
    await turn.say(
        "credits.balance",
        available=_number(balance.available),
        frozen=_number(balance.frozen),
        total=_number(balance.total),
        buttons=turn.quick_buttons(),
    )


async def status(turn: Turn) -> None:
    snapshot = await turn.nemo.state()
    await turn.tell_if_session_renewed()
    summary = summarize(Draft.read(snapshot.draft), turn.lang)
    if not summary:
        await turn.say("status.empty")
        return
    await turn.say("status.summary", summary=summary, buttons=turn.quick_buttons())


async def stats(turn: Turn, *, running: int) -> None:
    """`/stats` (admins): today's exports and users over every bot process, what renders now."""
    store = turn.store
    renders, users = await store.quotas.today()
    active = len(await store.jobs.active())
    await turn.say("stats.summary", renders=renders, users=users, active=active, running=running)
