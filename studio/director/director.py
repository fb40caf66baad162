"""The studio's director: a user's instruction (English or Chinese) → draft edits, without an LLM.

`studio/app.py` calls `await director.turn(draft, message, assets, language)` from `/run_sse`
and streams `reply` back, emits `tool_calls` as tool events, stores `draft` and charges `cost`
credits. The draft format is documented in `docs/studio-draft.md`; `studio/render.py` renders it.

How a turn works (`RuleDirector`):
1. `understand.plan_turn` reads the message into tool calls (`create_draft`, `set_duration`,
   `set_aspect`, `set_title`, `remove_title`, `set_captions`, `remove_captions`, `move_shot`,
   `swap_shots`, `remove_shot`, `add_shots`, `set_music`, `remove_music`, `set_music_volume`,
   `set_transition`, `set_pace`, `add_logo`, `remove_logo`, `set_cta`, `remove_cta`);
2. `ops.apply_call` applies each call to a copy of the draft, keeping the timing rules;
3. `replies` words the outcome in the user's language ("en", or "zh*" for Chinese).
A question ("what's in my video?") gets a description, anything else it cannot do gets a short
list of examples; both cost nothing and leave the draft as it was.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol, runtime_checkable

from studio.director import replies
from studio.director.models import Asset, Change, DirectorTurn, ToolCall
from studio.director.ops import apply_call
from studio.director.replies import summary
from studio.director.timeline import check_draft, normalize
from studio.director.understand import plan_turn

__all__ = ["CREATE_COST", "EDIT_COST", "Asset", "Director", "DirectorTurn", "RuleDirector", "ToolCall",
           "apply_call", "check_draft"]

log = logging.getLogger(__name__)

CREATE_COST = 10  # credits for a new draft
EDIT_COST = 2  # credits for a turn that changed the draft (any number of edits)


@runtime_checkable
class Director(Protocol):
    """Turns one user message into draft edits.

    Plugging in an LLM director later: implement `turn` by giving the model the draft, the
    message and the assets, with one tool per `studio.director.ops.OPS` entry (plus
    `create_draft`, whose arguments are those `build.create_args` returns); apply the calls the
    model makes with `apply_call(draft, call, assets)`, which keeps the draft valid and says
    what changed or why a call was refused, and let the model write the reply. Charge
    `CREATE_COST` / `EDIT_COST` as `RuleDirector` does, and fall back to `RuleDirector` when the
    model is unreachable, so a user never waits on a broken backend.
    """

    async def turn(self, draft: dict[str, Any] | None, message: str, assets: list[Asset],
                   language: str) -> DirectorTurn: ...


class RuleDirector:
    """The deterministic director: keyword rules in English and Chinese; no network, no model."""

    async def turn(self, draft: dict[str, Any] | None, message: str, assets: list[Asset],
                   language: str) -> DirectorTurn:
        zh = (language or "en").lower().startswith("zh")
        current = normalize(draft) if draft else None
        plan = plan_turn(current, message or "", list(assets), zh)
        if plan.help or plan.question or plan.chat or (not plan.calls and not plan.notes):
            if plan.chat:
                text = replies.chat_text(plan.chat, zh)
            elif plan.question and current is not None:
                text = replies.describe(summary(current), zh)
            else:
                text = replies.help_text(zh, understood=plan.help)
            return DirectorTurn(draft=draft, tool_calls=[], reply=text, cost=0)
        work = current
        applied: list[tuple[ToolCall, Change]] = []
        refused: list[Change] = list(plan.notes)
        for call in plan.calls:
            work, change = apply_call(work, call, list(assets))
            (refused.append(change) if change.refused else applied.append((call, change)))
        if not applied:
            return DirectorTurn(draft=draft, tool_calls=[], reply=replies.edited([], refused, zh), cost=0)
        assert work is not None
        problems = check_draft(work)
        if problems:  # a bug, not a user error: keep the old draft rather than hand a broken one on
            log.error("director produced an invalid draft: %s", "; ".join(problems))
            text = replies.help_text(zh, understood=False)
            return DirectorTurn(draft=draft, tool_calls=[], reply=text, cost=0)
        calls = [call for call, _ in applied]
        created = next((c for _, c in applied if c.key == "created"), None)
        if created is not None:
            extra = [c for _, c in applied if c.key != "created"]
            text = replies.created(created.params, zh, extra, refused)
            cost = CREATE_COST
        else:
            text = replies.edited([c for _, c in applied], refused, zh)
            cost = EDIT_COST
        log.info("director turn: %s", ", ".join(c.name for c in calls))
        return DirectorTurn(draft=work, tool_calls=calls, reply=text.strip(), cost=cost)
