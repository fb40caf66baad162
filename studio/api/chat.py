"""`POST /run_sse`: one chat turn, the director's work streamed back as ADK events.

The turn itself (director → charge credits → save the draft) runs as its own task, apart from
the response: a client that disconnects mid-turn still finds the result in the session state,
which is what the bot's disconnect recovery polls for. The response streams keep-alive comments
while the turn runs, then, for each director tool call, a `functionCall` and a
`functionResponse` event, then the reply as a few `partial` deltas and one final event.

Credits: refused up front (`{"code": 2001}` JSON body, HTTP 200) when nothing is left; a turn
that costs more than what is left ends with an error event `errorCode: "2001"` and the draft is
not changed.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as aioredis
from pydantic import BaseModel, Field

from studio.api import credits
from studio.api.sessions import Session
from studio.api.sse import AdkEvents, frame, keepalive_while, split_deltas
from studio.api.state import StateAsset, load_state, set_draft

log = logging.getLogger(__name__)


class TurnResult(Protocol):
    """What the studio reads from `studio.director.director.DirectorTurn`."""

    draft: dict[str, Any] | None
    tool_calls: list[Any]
    reply: str
    cost: int


class DirectorLike(Protocol):
    async def turn(
        self, draft: dict[str, Any] | None, message: str, assets: list[Any], language: str
    ) -> Any: ...


class MessagePart(BaseModel):
    text: str | None = None


class NewMessage(BaseModel):
    role: str = "user"
    parts: list[MessagePart] = Field(default_factory=list)


class RunSseBody(BaseModel):
    app_name: str = "nemo_agent"
    user_id: str = "me"
    session_id: str
    new_message: NewMessage

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.new_message.parts if p.text).strip()


@dataclass
class Outcome:
    turn: TurnResult | None = None
    error_code: str | None = None
    error_message: str | None = None


def director_assets(assets: list[StateAsset]) -> list[Any]:
    """The session's assets as the director's `Asset` model (falls back to ours)."""
    try:
        from studio.director.director import Asset
    except ImportError:
        return list(assets)
    return [Asset.model_validate(a.model_dump(exclude={"url"})) for a in assets]


class ChatRunner:
    def __init__(
        self,
        redis: aioredis.Redis,
        director: Callable[[], DirectorLike],
        *,
        keepalive_seconds: float = 15.0,
        turn_timeout_seconds: float = 600.0,
    ) -> None:
        self.redis = redis
        self.director = director
        self.keepalive_seconds = keepalive_seconds
        self.turn_timeout_seconds = turn_timeout_seconds
        self._tasks: set[asyncio.Task[Outcome]] = set()

    async def _run(self, session: Session, message: str) -> Outcome:
        state = await load_state(self.redis, session.session_id)
        language = session.language.split("-")[0].lower() or "en"
        try:
            turn: TurnResult = await asyncio.wait_for(
                self.director().turn(state.draft, message, director_assets(state.assets), language),
                self.turn_timeout_seconds,
            )
        except TimeoutError:
            log.warning("director turn timed out in session %s", session.session_id)
            return Outcome(error_code="TIMEOUT", error_message="That took too long. Please try again.")
        except Exception:
            log.exception("director failed in session %s", session.session_id)
            return Outcome(error_code="INTERNAL_ERROR",
                           error_message="Sorry, I could not finish that edit. Please try again.")
        try:
            await credits.charge(self.redis, session.user_id, int(turn.cost or 0))
        except credits.InsufficientCredits as exc:
            return Outcome(error_code="2001", error_message=(
                f"Out of credits: this edit needs {exc.cost} credits and {exc.available} are left."))
        if turn.draft is not None:
            await set_draft(self.redis, session.session_id, turn.draft)
        log.info("turn done in session %s: %d tool calls, cost %s", session.session_id,
                 len(turn.tool_calls), turn.cost)
        return Outcome(turn=turn)

    def start(self, session: Session, message: str) -> asyncio.Task[Outcome]:
        task = asyncio.create_task(self._run(session, message), name=f"turn-{session.session_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stream(self, session: Session, message: str) -> AsyncIterator[bytes]:
        """The response body of one turn (the turn continues if the client goes away)."""
        task = self.start(session, message)
        events = AdkEvents()
        async for comment in keepalive_while(task, self.keepalive_seconds):
            yield comment
        outcome = task.result()
        if outcome.turn is None:
            code, message = outcome.error_code or "INTERNAL_ERROR", outcome.error_message or "Error"
            yield frame(events.error(code, message))
            return
        for call in outcome.turn.tool_calls:
            call_id = "call_" + secrets.token_hex(6)
            name, args = str(call.name), dict(call.args or {})
            yield frame(events.function_call(call_id, name, args))
            yield frame(events.function_response(call_id, name, {"status": "success"}))
        reply = outcome.turn.reply or ""
        if reply:
            for delta in split_deltas(reply):
                yield frame(events.text(delta, partial=True))
            yield frame(events.text(reply, partial=False))

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
