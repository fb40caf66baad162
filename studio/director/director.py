"""The studio's director: a creator's message (English, Chinese or both) → draft edits, without an LLM.

`studio.api.chat.ChatRunner` calls `await director.turn(draft, message, assets, language,
history=...)` from `/run_sse`, streams `reply`, emits `tool_calls` as `functionCall` events, stores
`draft` (or, for undo / redo / "go back to version 3", the version `history` names), charges `cost`
and appends the charge line. The draft format is `studio.draft` (docs/studio-draft.md).

How a turn works (`RuleDirector.run`, pure and synchronous; `turn` runs it on a small thread pool
with a deadline, so a long message never stalls the event loop):
1. a message over `MAX_MESSAGE_CHARS` gets one line asking for a shorter brief;
2. `understand.understand` reads it into an answer, a move in the versions, or calls;
3. `ops.apply_call` applies each call to a copy of the draft, keeping the timing rules;
4. `replies` words the outcome in the reply language ("en", or "zh*" for Chinese): what changed,
   what was refused and why, what was not understood, what cannot be done yet.
Answers, refusals and moves in the versions cost nothing and leave the draft as it was.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, runtime_checkable

from common.voice import accent_caveat
from studio.director import replies, segment
from studio.director.copywriter import copy_text
from studio.director.history import History
from studio.director.models import Asset, Change, DirectorTurn, HistoryMove, ToolCall
from studio.director.ops import apply_call, apply_calls
from studio.director.summary import summary
from studio.director.timeline import check_draft, normalize
from studio.director.understand import Context, Understanding, understand
from studio.draft import Draft

__all__ = [
    "CREATE_COST",
    "EDIT_COST",
    "MAX_MESSAGE_CHARS",
    "Asset",
    "Director",
    "DirectorTurn",
    "RuleDirector",
    "ToolCall",
    "apply_call",
    "check_draft",
]

log = logging.getLogger(__name__)

CREATE_COST = 10  # credits for a new draft
EDIT_COST = 2  # credits for a turn that changed the draft (any number of edits)
MAX_MESSAGE_CHARS = 2000  # longer messages get one line asking for a shorter brief
TURN_DEADLINE_SECONDS = 5.0  # a rule turn takes milliseconds; this only guards against the pathological
_EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="director")


@runtime_checkable
class Director(Protocol):
    """Turns one user message into draft edits.

    Plugging in an LLM director later: give the model the draft, the message, the assets and the
    tools of `studio.director.tool_schema()`; apply the calls it makes with
    `apply_call(draft, call, assets)`, which validates them, keeps the draft valid and says what
    changed or why a call was refused; let the model write the reply. Charge `CREATE_COST` /
    `EDIT_COST` as `RuleDirector` does, and fall back to `RuleDirector` when the model is
    unreachable, so a user never waits on a broken backend.
    """

    async def turn(
        self,
        draft: Draft | dict[str, Any] | None,
        message: str,
        assets: list[Asset],
        language: str,
        *,
        history: History | None = None,
    ) -> DirectorTurn: ...


def _is_zh(language: str) -> bool:
    return (language or "en").lower().startswith("zh")


class RuleDirector:
    """The deterministic director: the lexicons and grammar in English and Chinese; no network, no model."""

    def __init__(self, *, deadline_seconds: float = TURN_DEADLINE_SECONDS) -> None:
        self.deadline_seconds = deadline_seconds
        segment.warm_up()

    async def turn(
        self,
        draft: Draft | dict[str, Any] | None,
        message: str,
        assets: list[Asset],
        language: str,
        *,
        history: History | None = None,
    ) -> DirectorTurn:
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(_EXECUTOR, self.run, draft, message, list(assets), language, history)
        try:
            return await asyncio.wait_for(asyncio.shield(work), self.deadline_seconds)
        except TimeoutError:
            log.warning(
                "director turn over its %.1f s deadline (%d characters)",
                self.deadline_seconds,
                len(message or ""),
            )
            zh = _is_zh(language)
            current = normalize(draft) if draft is not None else None
            return DirectorTurn(draft=current, tool_calls=[], reply=replies.chat("timeout", zh), cost=0)

    # --- the turn, synchronously ----------------------------------------------------------------
    def run(
        self,
        draft: Draft | dict[str, Any] | None,
        message: str,
        assets: list[Asset],
        language: str,
        history: History | None = None,
    ) -> DirectorTurn:
        zh = _is_zh(language)
        message = message or ""
        current = normalize(draft) if draft is not None else None
        if len(message) > MAX_MESSAGE_CHARS:
            text = replies.chat("too_long", zh, count=len(message), limit=MAX_MESSAGE_CHARS)
            return DirectorTurn(draft=current, tool_calls=[], reply=text, cost=0)
        ctx = Context(current, list(assets), zh)
        u = understand(message, ctx)
        if u.kind == "answer":
            return DirectorTurn(
                draft=current, tool_calls=[], reply=self._answer(u, current, assets, zh), cost=0
            )
        if u.kind == "history":
            return self._history(u, current, history, zh)
        return self._apply(u, current, assets, zh)

    def _answer(self, u: Understanding, current: Draft | None, assets: list[Asset], zh: bool) -> str:
        key = u.answer or "help"
        visual = any(a.kind in ("image", "video") for a in assets)
        if key in ("greet", "thanks", "ack", "laugh"):
            if current is None:
                return replies.chat("ready", zh) if visual else replies.help_text(zh)
            return replies.chat("greet" if key == "greet" else "thanks", zh)
        if key == "help":
            return replies.help_text(zh)
        if key in ("describe", "status"):
            if current is None:
                return replies.phrase(Change("no_draft", refused=True), zh).capitalize() + (
                    "。" if zh else "."
                )
            return replies.describe(summary(current), zh)
        if key == "cost":
            return replies.chat("cost", zh, create=CREATE_COST, edit=EDIT_COST)
        return replies.chat(key, zh)

    def _history(
        self, u: Understanding, current: Draft | None, history: History | None, zh: bool
    ) -> DirectorTurn:
        def reply(text: str, move: HistoryMove | None = None) -> DirectorTurn:
            return DirectorTurn(draft=current, tool_calls=[], reply=text, cost=0, history=move)

        log_ = history or History()
        if u.history == "versions":
            if len(log_.versions) < 2:
                return reply(replies.history("no_versions", zh))
            lines = [replies.history("header", zh)]
            for v in log_.versions:
                line = replies.history("line", zh, n=v.n, label=v.label)
                lines.append(line + (replies.history("mark", zh) if v.n == log_.head else ""))
            example = next((v.n for v in reversed(log_.versions) if v.n != log_.head), log_.versions[0].n)
            lines.append(replies.history("footer", zh, example=example))
            return reply("\n".join(lines))
        if u.history == "undo":
            to = log_.undo_to
            if to is None or log_.version(to) is None:
                return reply(replies.history("nothing_to_undo", zh))
            head = log_.version(log_.head) if log_.head is not None else None
            label = head.label if head is not None else ""
            return reply(replies.history("undone", zh, n=to, label=label), HistoryMove(kind="undo", to=to))
        if u.history == "redo":
            to = log_.redo_to
            if to is None or log_.version(to) is None:
                return reply(replies.history("nothing_to_redo", zh))
            return reply(
                replies.history("redone", zh, n=to, label=log_.version(to).label),  # type: ignore[union-attr]
                HistoryMove(kind="redo", to=to),
            )
        # version 0: the oldest one kept ("回到最开始的版本", "back to the original")
        version = log_.versions[0] if u.version == 0 and log_.versions else log_.version(u.version or 0)
        if version is None:
            return reply(
                replies.phrase(Change("no_version", {"version": u.version}, refused=True), zh).capitalize()
                + ("。" if zh else ".")
            )
        if version.n == log_.head:
            return reply(replies.history("restored", zh, n=version.n, label=replies.history("current", zh)))
        return reply(
            replies.history("restored", zh, n=version.n, label=version.label),
            HistoryMove(kind="restore", to=version.n),
        )

    def _apply(self, u: Understanding, current: Draft | None, assets: list[Asset], zh: bool) -> DirectorTurn:
        work, outcomes = apply_calls(current, u.calls, list(assets))
        applied = [(c, change) for c, change in outcomes if not change.refused]
        refused: list[Change] = list(u.notes) + [change for _, change in outcomes if change.refused]
        if not applied:
            if not refused and not u.cannot:
                return DirectorTurn(
                    draft=current, tool_calls=[], reply=replies.help_text(zh, understood=False), cost=0
                )
            text = replies.edited([], refused, zh, missed=u.missed, cannot=u.cannot)
            return DirectorTurn(draft=current, tool_calls=[], reply=text, cost=0)
        assert work is not None
        problems = check_draft(work)
        if problems:  # a bug, not a user error: keep the old draft rather than hand a broken one on
            log.error("director produced an invalid draft: %s", "; ".join(problems))
            return DirectorTurn(draft=current, tool_calls=[], reply=replies.chat("failed", zh), cost=0)
        calls = [c for c, _ in applied]
        created = next((c for _, c in applied if c.key == "created"), None)
        if created is not None:
            extra = [c for _, c in applied if c.key != "created"]
            text = replies.created(created.params, zh, extra, refused, cannot=u.cannot, missed=u.missed)
            cost = CREATE_COST
            label = (
                replies.history("created", zh)
                + f" ({created.params['ms'] // 1000}s {created.params['aspect']})"
            )
            if extra:
                label += "; " + "; ".join(replies.phrase(c, zh) for c in extra)
        else:
            changes = [c for _, c in applied]
            text = replies.edited(changes, refused, zh, missed=u.missed, cannot=u.cannot)
            cost = EDIT_COST
            label = "; ".join(replies.phrase(c, zh) for c in changes)
        told = next((c for _, c in applied if c.key == "voiceover" and c.params.get("first")), None)
        if told is not None:  # the first voice-over of the session says what it sounds like
            text = text.rstrip() + " " + accent_caveat("zh" if zh else "en")
        if u.kind == "copy" and u.brief is not None:
            text = replies.chat("copy", zh, copy=copy_text(u.brief, zh)) + " " + text
        log.info("director turn: %s", ", ".join(c.name for c in calls))
        return DirectorTurn(draft=work, tool_calls=calls, reply=text.strip(), cost=cost, label=label[:120])
