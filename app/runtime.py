"""The services one bot process runs on: embedded services, store, backend client, engine.

Every platform adapter creates one inside its framework's event loop (Telegram: the Application's
`post_init`; Discord: the client's `setup_hook`) and closes it when the framework stops, in reverse
order, through one exit stack.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.engine.engine import Engine
    from bot.state.store import Store

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings  # with the embedded services' URLs filled in
    store: Store
    engine: Engine
    stack: AsyncExitStack

    async def aclose(self) -> None:
        await self.stack.aclose()


async def start_runtime(settings: Settings, *, label: str = "bot") -> Runtime:
    """Embedded Redis/studio when their URLs are unset, then Store, NemoClient and Engine."""
    from app.embedded import embedded_services
    from bot.backend.client import NemoClient
    from bot.engine.engine import Engine
    from bot.state.store import Store

    stack = AsyncExitStack()
    try:
        live = await stack.enter_async_context(embedded_services(settings))
        store = await Store.connect(live)
        stack.push_async_callback(store.aclose)
        client = NemoClient.from_settings(live)
        stack.push_async_callback(client.aclose)
        engine = Engine(live, store, client)
        stack.push_async_callback(engine.aclose)
    except BaseException:
        await stack.aclose()
        raise
    backend = "embedded studio" if settings.embedded_studio else "remote"
    log.info("%s runtime ready (backend: %s)", label, backend)
    return Runtime(settings=live, store=store, engine=engine, stack=stack)
