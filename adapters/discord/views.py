"""Quick-action buttons as a persistent `discord.ui.View` (🎬 Export, 📊 Status, 💳 Credits, 🆕 New project).

A button's custom id is fixed per action (`videobot:/export`), so a press keeps working after a
restart: `setup_hook` registers one `QuickActions.persistent(handler)` with `bot.add_view`, and
discord.py routes every press of a button with that custom id to it, whatever message it sits on.
Messages are sent with a `QuickActions` built from the engine's `Button`s (their labels are in the
user's language); when all its actions are standard the sent view is stopped again at once, so the
registered view is the one code path that handles presses, before and after a restart.

A press becomes an `Incoming` whose text is the button's action (the handler does that).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

import discord

from bot.channel.events import QUICK_ACTIONS, Button
from bot.i18n import DEFAULT_LANG, t

log = logging.getLogger(__name__)

PREFIX = "videobot:"
MAX_CUSTOM_ID = 100
MAX_LABEL = 80

STANDARD: tuple[Button, ...] = tuple(
    Button(label=t(DEFAULT_LANG, f"btn.{action[1:]}"), action=action) for action in QUICK_ACTIONS
)  # the engine's quick buttons; a press is routed by custom id, whatever the label says
STANDARD_ACTIONS = frozenset(b.action for b in STANDARD)

ActionHandler = Callable[[discord.Interaction, str], Awaitable[None]]


def custom_id(action: str) -> str:
    return f"{PREFIX}{action}"


def action_of(custom: str | None) -> str | None:
    """The action behind one of our custom ids (None for anything else)."""
    if custom and custom.startswith(PREFIX):
        return custom[len(PREFIX) :] or None
    return None


class ActionButton(discord.ui.Button["QuickActions"]):
    def __init__(self, button: Button, handler: ActionHandler | None) -> None:
        super().__init__(
            label=button.label[:MAX_LABEL],
            custom_id=custom_id(button.action),
            style=(
                discord.ButtonStyle.primary if button.action == "/export" else discord.ButtonStyle.secondary
            ),
        )
        self._handler = handler

    async def callback(self, interaction: discord.Interaction) -> None:
        action = action_of(self.custom_id)
        if action is None or self._handler is None:
            return
        await self._handler(interaction, action)


class QuickActions(discord.ui.View):
    """Buttons whose presses are handed to `handler(interaction, action)`; never times out."""

    def __init__(self, buttons: Sequence[Button], handler: ActionHandler | None = None) -> None:
        super().__init__(timeout=None)
        for b in buttons:
            if len(custom_id(b.action)) > MAX_CUSTOM_ID:
                log.warning("button %r dropped: its action is too long for a custom id", b.label)
                continue
            self.add_item(ActionButton(b, handler))

    @property
    def standard_only(self) -> bool:
        return all(action_of(getattr(item, "custom_id", None)) in STANDARD_ACTIONS for item in self.children)

    @classmethod
    def persistent(cls, handler: ActionHandler) -> QuickActions:
        """The view `setup_hook` registers with `bot.add_view`: every standard action."""
        return cls(STANDARD, handler)


def view_for(buttons: list[Button] | None, handler: ActionHandler | None = None) -> QuickActions | None:
    """The view to send with a message (None: no buttons)."""
    if not buttons:
        return None
    view = QuickActions(buttons, handler)
    return view if view.children else None


def release(view: QuickActions | None) -> None:
    """After sending: leave presses of standard buttons to the registered persistent view."""
    if view is not None and view.standard_only:
        view.stop()
