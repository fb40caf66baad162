"""The conversation engine: one turn per user at a time, routed by intent to the flows.

    Engine(settings, store, client)
    await engine.handle(incoming, reply)   returns when that message's turn (render delivery
                                           included) is done; never raises for a user's input
    await engine.resume(reply_for)         one pass at start-up: finish every undelivered render
    await engine.adopt(reply_for)          one pass: the renders whose bot process died (delivery
                                           lease expired) are finished by this one
    await engine.aclose()

When the passes run, and the turns as tasks a shutdown can stop, is `bot.engine.host.BotHost`'s.

A message that arrives while the same user's turn runs is queued behind it ("⏳ Queued …");
`/cancel` stops waiting on the running turn at once (paid backend work is never cancelled), in
whichever bot process runs it (`bot.engine.cancels`).
Repeated platform updates (`incoming.update_id`) are dropped through the store. Every failure ends
as one friendly line from `bot.i18n` (see `bot.engine.flows.errors`); nothing reaches the user raw.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from bot import metrics
from bot.backend.client import NemoClient
from bot.channel.events import Incoming, Reply, quietly
from bot.engine.cancels import CancelRelay
from bot.engine.flows import account, chat, export, info, preview, upload, voicenote
from bot.engine.flows.context import Services, Turn
from bot.engine.flows.errors import explain
from bot.engine.intents import Classified, Intent, classify
from bot.engine.turns import Outcome, TurnGate
from bot.i18n import Lang, language_for, session_language, t
from bot.ids import UserKey
from bot.settings import Settings
from bot.state.store import JobRecord, Store, StoreError, StoreUnavailable

log = logging.getLogger(__name__)

ReplyFor = Callable[[JobRecord], Awaitable[Reply | None]]

_NO_BACKEND = {Intent.HELP, Intent.EMPTY, Intent.UNKNOWN_COMMAND, Intent.TOKEN, Intent.STATS}


class Engine:
    def __init__(self, settings: Settings, store: Store, client: NemoClient) -> None:
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.services = Services(settings, store, client, owner=owner)
        self.gate = TurnGate(max_concurrent=settings.max_concurrent_turns, remote_lock=self._remote_lock)
        self.cancels = CancelRelay(store.cancels, self.gate.cancel)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    async def aclose(self) -> None:
        """Stop background reads of turns the users cancelled (the store and the client belong to
        the caller)."""
        await self.cancels.aclose()
        await self.services.background.aclose()
        await self.services.checker.aclose()

    @contextlib.asynccontextmanager
    async def _remote_lock(
        self, user_key: UserKey, on_wait: Callable[[], Awaitable[None]]
    ) -> AsyncIterator[None]:
        lease = self.settings.lock_lease_seconds
        async with self.services.store.locks.hold(user_key, lease, on_wait=on_wait):
            yield

    # --- one message ---------------------------------------------------------------------

    async def handle(self, incoming: Incoming, reply: Reply) -> None:
        """Handle one user message; returns when its turn (delivery included) is done."""
        lang = language_for(incoming.locale)
        if self.settings.cancel_relay:
            self.cancels.ensure_started()  # a /cancel received by another process reaches this one
        try:
            store = self.services.store
            if incoming.update_id is not None and not await store.updates.claim(
                incoming.platform, incoming.update_id
            ):
                log.info("dropping repeated update %s", incoming.update_id)
                return
            if not self.services.access.allowed(incoming.user):
                log.info("%s is not on the allow-list", incoming.user)
                await reply.send_text(t(lang, "access.private", user=str(incoming.user)))
                return
            classified = classify(incoming.text, bool(incoming.attachments))
            if classified.intent is Intent.CANCEL:
                await self._cancel(incoming, reply, lang)
                return

            async def queued() -> None:
                await reply.send_text(t(lang, "queued"))

            outcome = await self.gate.run(
                incoming.user, lambda: self._turn(incoming, reply, classified), on_queued=queued
            )
            if outcome is Outcome.BUSY:
                await reply.send_text(t(lang, "busy"))
        except asyncio.CancelledError:
            raise
        except StoreUnavailable as exc:
            log.warning("store unavailable: %s", exc)
            await quietly(reply.send_text(t(lang, "memory")))
        except Exception:
            log.exception("unexpected error around a turn of %s", incoming.user)
            await quietly(reply.send_text(t(lang, "error.generic")))

    async def _cancel(self, incoming: Incoming, reply: Reply, lang: Lang) -> None:
        stopped = self.gate.cancel(incoming.user)
        if not stopped and await self.services.store.locks.held(incoming.user):
            # the turn runs in another bot process: every process listens for this
            stopped = await self.cancels.publish(incoming.user) > 0
        await reply.send_text(t(lang, "cancel.done" if stopped else "cancel.nothing"))

    async def _turn(self, incoming: Incoming, reply: Reply, classified: Classified) -> None:
        services = self.services
        turn = Turn(services, reply, incoming.user, incoming.chat, language_for(incoming.locale),
                    services.nemo_user(incoming.user), incoming)
        services.background.stop(incoming.user)  # this turn reports from here on
        started = time.monotonic()
        try:
            turn.lang = await self._language(incoming)
            with contextlib.suppress(StoreError):  # the daily user count of /stats
                await services.store.quotas.seen(incoming.user)
            heard = await voicenote.hear(turn, incoming)  # spoken notes become the message's words
            if heard is not incoming:
                if not heard.text and not heard.attachments:
                    return
                turn.incoming = heard
                classified = classify(heard.text, bool(heard.attachments))
            await self._route(turn, classified)
            await turn.tell_if_session_renewed()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            text = await explain(turn, exc)
            await quietly(turn.send(text))
        finally:
            metrics.turn_done(incoming.platform, classified.intent.value, started)
            if incoming.attachments:
                upload.discard(turn, incoming.attachments)

    async def _language(self, incoming: Incoming) -> Lang:
        """The user's language: the platform's locale when it tells one (saved), else the saved one."""
        store = self.services.store
        rec = await store.users.get(incoming.user)
        if incoming.locale is None:
            if rec.language is None:
                await store.users.update(incoming.user, language=session_language(None))
            return language_for(rec.language)
        lang = language_for(incoming.locale)
        if rec.language != session_language(lang):  # kept as the backend's code: en, zh-CN
            await store.users.update(incoming.user, language=session_language(lang))
        return lang

    async def _route(self, turn: Turn, classified: Classified) -> None:
        intent, args = classified.intent, classified.args
        incoming = turn.incoming
        assert incoming is not None
        if intent in _NO_BACKEND:
            if intent is Intent.HELP:
                await account.help_text(turn)
            elif intent is Intent.EMPTY:
                await account.empty(turn)
            elif intent is Intent.UNKNOWN_COMMAND:
                await account.unknown_command(turn, incoming.text)
            elif intent is Intent.STATS:
                if self.services.access.is_admin(turn.user_key):
                    await info.stats(turn, running=self.gate.running)
                else:  # not a command for users: as if it did not exist
                    await account.unknown_command(turn, incoming.text)
            else:
                await account.set_token(turn, args)
            return
        if intent is Intent.UPLOAD and not incoming.attachments and not args.strip():
            await turn.say("upload.how")  # "/upload" alone: how to send files
            return
        limit = self.settings.max_message_chars
        too_long = intent in (Intent.CHAT, Intent.UPLOAD) and len(args) > limit
        if too_long:  # said before anything reaches the backend; files sent with it still go
            await turn.say("chat.too_long", length=f"{len(args):,}", limit=f"{limit:,}")
            if not incoming.attachments:
                return
        first = await account.setup(turn)
        if first or intent is Intent.START:
            await account.greet(turn)
        if intent is Intent.START:
            return
        if intent is Intent.NEW:
            await account.new_project(turn)
        elif intent is Intent.CREDITS:
            await info.credits(turn)
        elif intent is Intent.STATUS:
            await info.status(turn)
        elif intent is Intent.PREVIEW:
            await preview.show(turn)
        elif intent is Intent.EXPORT:
            await export.export(turn)
        else:  # UPLOAD, CHAT: files and links first, then the words as a chat turn
            urls, prompt = upload.split_urls("" if too_long else args)
            if incoming.attachments or urls:
                # a refused file never drops the words that came with it
                await upload.upload(turn, list(incoming.attachments), urls, prompt_follows=bool(prompt))
            if prompt:
                await chat.chat_turn(turn, prompt)

    # --- after a restart -----------------------------------------------------------------

    async def resume(self, reply_for: ReplyFor) -> int:
        """Finish every undelivered render this process can claim; returns how many were delivered."""
        return await self._resume_pass(reply_for, adopt=False)

    async def adopt(self, reply_for: ReplyFor) -> int:
        """Finish the renders whose delivery lease expired (their bot process died while polling),
        so any live bot process delivers them; returns how many were delivered."""
        return await self._resume_pass(reply_for, adopt=True)

    async def _resume_pass(self, reply_for: ReplyFor, *, adopt: bool) -> int:
        services = self.services
        store = services.store
        delivered = 0
        for job in await store.jobs.active():
            if job.render_id in services.following:
                continue  # this process is following it right now
            if adopt and await store.leases.held(job.render_id):
                continue  # a live process holds its lease (this one included, before it follows)
            if not await store.leases.claim(job.render_id, services.owner, services.lease_seconds):
                continue
            reply = await reply_for(job)
            if reply is None:
                await store.leases.release(job.render_id, services.owner)
                continue
            ok = False

            async def work(job: JobRecord = job, reply: Reply = reply) -> None:
                nonlocal ok
                current = await store.jobs.get(job.render_id)
                if current is None or not await store.jobs.is_active(job.render_id):
                    await store.leases.release(job.render_id, services.owner)
                    return  # delivered meanwhile (while it waited behind the user's turn)
                ok = await self._resume_one(current, reply)

            await self.gate.run(job.user_key, work, on_queued=_nothing, capped=False)
            delivered += int(ok)
        return delivered

    async def _resume_one(self, job: JobRecord, reply: Reply) -> bool:
        services = self.services
        turn = Turn(services, reply, job.user_key, job.chat, language_for(job.language),
                    services.nemo_user(job.user_key))
        try:
            return await export.resume_job(turn, job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await quietly(turn.send(await explain(turn, exc)))
            return False


async def _nothing() -> None:
    return None
