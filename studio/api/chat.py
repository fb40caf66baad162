"""`POST /run_sse`: one chat turn, the director's work streamed back as ADK events.

The turn itself (director → charge credits → save the draft and its version) runs as its own task,
apart from the response: a client that disconnects mid-turn still finds the result in the session
state, which is what the bot's disconnect recovery polls for. The response streams keep-alive
comments while the turn runs, then, for each director tool call, a `functionCall` and a
`functionResponse` event, then the reply as a few `partial` deltas and one final event.

Turns of one session run one at a time, in order (`state.turn_lock`, across processes too); a turn
that waits longer than `busy_wait_seconds` is refused with one line and costs nothing. The director
runs off the event loop with its own deadline (`studio.director.RuleDirector`).

Credits: refused up front (`{"code": 2001}` JSON body, HTTP 200) when nothing is left; a turn
that costs more than what is left ends with an error event `errorCode: "2001"` and the draft is
not changed. A turn that is charged says so, in the session's language, as the reply's last line
("−10 credits, 74 left." / "−10 积分，剩余 74。"), with the balance after the charge. Undo, redo,
"go back to version 3", questions and refusals are free.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis.asyncio as aioredis
from pydantic import BaseModel, Field

from studio.api import credits
from studio.api.sessions import Session
from studio.api.sse import AdkEvents, frame, keepalive_while, split_deltas
from studio.api.state import (
    Busy,
    StateAsset,
    load_history,
    load_state,
    move_version,
    record_version,
    set_draft,
    turn_lock,
)
from studio.director import Asset, History, charge_line, warm_up
from studio.director.replies import chat as reply_text
from studio.draft import Draft

log = logging.getLogger(__name__)


class TurnResult(Protocol):
    """What the studio reads from a director's turn (`studio.director.DirectorTurn`): `draft` is a
    typed `Draft` or its wire form; `label` and `history` are optional."""

    draft: Draft | dict[str, Any] | None
    tool_calls: list[Any]
    reply: str
    cost: int


class DirectorLike(Protocol):
    async def turn(
        self,
        draft: dict[str, Any] | None,
        message: str,
        assets: list[Any],
        language: str,
        *,
        history: History | None = None,
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
class Reply:
    """A turn's outcome as the stream sends it."""

    reply: str
    tool_calls: list[Any] = field(default_factory=list)
    cost: int = 0


@dataclass
class Outcome:
    turn: Reply | None = None
    error_code: str | None = None
    error_message: str | None = None


def director_assets(assets: list[StateAsset]) -> list[Asset]:
    """The session's assets as the director's `Asset` model."""
    return [Asset.model_validate(a.model_dump(exclude={"url"})) for a in assets]


def _wire(draft: Draft | dict[str, Any] | None) -> dict[str, Any] | None:
    return draft.to_wire() if isinstance(draft, Draft) else draft


def _zh(language: str) -> bool:
    return language.lower().startswith("zh")


class ChatRunner:
    def __init__(
        self,
        redis: aioredis.Redis,
        director: Callable[[], DirectorLike],
        *,
        keepalive_seconds: float = 15.0,
        turn_timeout_seconds: float = 600.0,
        busy_wait_seconds: float = 30.0,
    ) -> None:
        self.redis = redis
        self.director = director
        self.keepalive_seconds = keepalive_seconds
        self.turn_timeout_seconds = turn_timeout_seconds
        self.busy_wait_seconds = busy_wait_seconds
        self._tasks: set[asyncio.Task[Outcome]] = set()
        warm_up()  # the Chinese segmenter loads now, not in the first user's turn

    async def _run(self, session: Session, message: str) -> Outcome:
        language = session.language.split("-")[0].lower() or "en"
        zh = _zh(language)
        try:
            async with turn_lock(
                self.redis,
                session.session_id,
                wait=self.busy_wait_seconds,
                ttl=self.turn_timeout_seconds + 30,
            ):
                return await self._locked(session, message, language)
        except Busy:
            log.info("turn refused as busy in session %s", session.session_id)
            return Outcome(turn=Reply(reply_text("busy", zh)))

    async def _locked(self, session: Session, message: str, language: str) -> Outcome:
        zh = _zh(language)
        state = await load_state(self.redis, session.session_id)
        history = await load_history(self.redis, session.session_id)
        try:
            turn: TurnResult = await asyncio.wait_for(
                self.director().turn(
                    state.draft, message, director_assets(state.assets), language, history=history
                ),
                self.turn_timeout_seconds,
            )
        except TimeoutError:
            log.warning("director turn timed out in session %s", session.session_id)
            return Outcome(error_code="TIMEOUT", error_message=reply_text("timeout", zh))
        except Exception:
            log.exception("director failed in session %s", session.session_id)
            return Outcome(error_code="INTERNAL_ERROR", error_message=reply_text("failed", zh))
        move = getattr(turn, "history", None)
        if move is not None:  # undo / redo / go back to version n: free
            restored = await move_version(self.redis, session.session_id, move)
            if restored is None:
                return Outcome(turn=Reply(reply_text("failed", zh)))
            log.info("turn in session %s moved to version %d (%s)", session.session_id, move.to, move.kind)
            return Outcome(turn=Reply(turn.reply))
        cost = int(turn.cost or 0)
        try:
            left = await credits.charge(self.redis, session.user_id, cost)
        except credits.InsufficientCredits as exc:
            return Outcome(
                error_code="2001",
                error_message=reply_text("out_of_credits", zh, cost=exc.cost, left=exc.available),
            )
        draft = _wire(turn.draft)
        changed = bool(turn.tool_calls) or cost > 0  # an answer or a refusal leaves the stored draft alone
        if changed and draft is not None and draft != state.draft:
            await set_draft(self.redis, session.session_id, draft)
            if turn.tool_calls:
                label = getattr(turn, "label", "") or ", ".join(str(c.name) for c in turn.tool_calls)
                await record_version(
                    self.redis, session.session_id, draft, label, list(turn.tool_calls), before=state.draft
                )
        reply = turn.reply or ""
        if cost > 0:
            reply = (reply + "\n" if reply else "") + charge_line(cost, left, language)
        log.info(
            "turn done in session %s: %d tool calls, cost %s", session.session_id, len(turn.tool_calls), cost
        )
        return Outcome(turn=Reply(reply, list(turn.tool_calls), cost))

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
            code, text = outcome.error_code or "INTERNAL_ERROR", outcome.error_message or "Error"
            yield frame(events.error(code, text))
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
