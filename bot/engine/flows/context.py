"""What one turn works with: the shared services, the user's backend facade, the chat, the language.

`Services` is built once per engine; `Turn` once per handled message (or resumed job). Flows talk
to the user only through `Turn.say` / `Turn.send` (strings from `bot.i18n`, never literals) and to
the backend only through `Turn.nemo` (the per-user `NemoUser` with its recovery rules).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.backend.client import NemoClient
from bot.backend.user import NemoUser
from bot.channel.events import QUICK_ACTIONS, Activity, Button, Incoming, MessageRef, Reply
from bot.draft.models import Draft
from bot.engine.access import Access
from bot.engine.background import Background
from bot.i18n import Lang, t
from bot.ids import ChatRef, UserKey
from bot.settings import Settings
from bot.state.store import Store
from common.imagecheck import ImageChecker

log = logging.getLogger(__name__)

ACTIVITY_EVERY = 4.0  # seconds: platform activity indicators last about 5 s


@dataclass
class Services:
    """Everything a flow needs that outlives a turn."""

    settings: Settings
    store: Store
    client: NemoClient
    owner: str = "engine"  # this process's name for delivery leases
    following: set[str] = field(default_factory=set)  # render ids this process is polling now
    background: Background = field(default_factory=Background)  # follow-up watches, detached reads
    checker: ImageChecker = field(default_factory=ImageChecker)  # photos decoded in a child process
    access: Access = field(init=False)  # the operator's allow-list and admins

    def __post_init__(self) -> None:
        self.access = Access(self.settings)

    @property
    def lease_seconds(self) -> float:
        return self.settings.lock_lease_seconds

    @property
    def operator_token(self) -> str | None:
        secret = self.settings.nemo_token
        return secret.get_secret_value() if secret is not None else None

    @property
    def out_dir(self) -> Path:
        return self.settings.data_dir / "out"

    def nemo_user(self, user_key: UserKey) -> NemoUser:
        return NemoUser(self.client, self.store.credentials(user_key), operator_token=self.operator_token)


@dataclass
class Turn:
    """One turn of one user: who, where (the chat answers and videos go to), in which language,
    and the user's backend facade. `incoming` is the message, None for a resumed render job."""

    services: Services
    reply: Reply
    user_key: UserKey
    chat: ChatRef
    lang: Lang
    nemo: NemoUser
    incoming: Incoming | None = None
    status_ref: MessageRef | None = None  # a status line the next answer replaces ("Setting things up…")
    _renewal_told: bool = field(default=False, repr=False)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def store(self) -> Store:
        return self.services.store

    def t(self, key: str, **kw: object) -> str:
        return t(self.lang, key, **kw)

    async def send(self, text: str, *, buttons: list[Button] | None = None) -> MessageRef:
        """A new message; or the pending status line turned into this answer."""
        if not self.reply.limits.supports_buttons:
            buttons = None
        if self.status_ref is not None:
            ref, self.status_ref = self.status_ref, None
            with contextlib.suppress(Exception):
                return await self.reply.edit_text(ref, text, buttons=buttons)
        return await self.reply.send_text(text, buttons=buttons)

    async def say(self, key: str, *, buttons: list[Button] | None = None, **kw: object) -> MessageRef:
        return await self.send(self.t(key, **kw), buttons=buttons)

    def quick_buttons(self) -> list[Button] | None:
        """🎬 Export, 📊 Status, 💳 Credits, 🆕 New project — where the channel has buttons."""
        if not self.reply.limits.supports_buttons:
            return None
        return [Button(label=self.t(f"btn.{action[1:]}"), action=action) for action in QUICK_ACTIONS]

    def export_button(self) -> list[Button] | None:
        if not self.reply.limits.supports_buttons:
            return None
        return [Button(label=self.t("btn.export"), action="/export")]

    async def tell_if_session_renewed(self) -> None:
        """The backend lost the session (1002), or refused the proof of the user's client id (1003),
        and a fresh project was started: say so once."""
        nemo = self.nemo
        if nemo.session_renewed or nemo.account_renewed:
            key = "account.renewed" if nemo.account_renewed else "session.renewed"
            nemo.session_renewed = nemo.account_renewed = False
            if not self._renewal_told:
                self._renewal_told = True
                await self.say(key)

    async def draft(self) -> Draft | None:
        """The session's draft now, read from the backend's state (None: no draft yet)."""
        return Draft.read((await self.nemo.state()).draft)

    async def registration_url(self) -> str:
        rec = await self.store.users.get(self.user_key)
        base = self.settings.web_url
        return f"{base}/register?bind={rec.anon_user_id}" if rec.anon_user_id else f"{base}/register"

    async def uses_anonymous_token(self) -> bool:
        rec = await self.store.users.get(self.user_key)
        return not rec.own_token and self.services.operator_token is None

    @contextlib.asynccontextmanager
    async def activity(self, kind: Activity, *, limit: float | None = None) -> AsyncIterator[None]:
        """Keep "typing…" / "sending video…" alive while the block runs (renewed every 4 s), for
        at most `limit` seconds (None: the whole block) — a long wait is said in a message instead."""

        async def show() -> None:
            try:
                await self.reply.show_activity(kind)
            except Exception as exc:  # an indicator is never worth failing a turn
                log.debug("activity %s failed: %s", kind, type(exc).__name__)

        async def keep() -> None:
            until = None if limit is None else time.monotonic() + limit
            while until is None or time.monotonic() < until:
                await asyncio.sleep(ACTIVITY_EVERY)
                await show()

        await show()  # at once: the block may be over before a task would run
        task = asyncio.create_task(keep())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
