"""The services one bot process runs on: embedded services, store, backend client, engine, metrics.

`start_runtime` is the composition root's `bot.engine.host.RuntimeFactory`: the `videobot
telegram|discord|chat` commands and the demo pass it to their `BotHost`, and pyproject.toml
installs it under the `videobot.runtime` entry point for hosts built without one (an adapter
built by a test peer). Everything is closed in reverse order through one exit stack.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

from app.embedded import embedded_services
from bot import metrics
from bot.backend.client import NemoClient
from bot.engine.engine import Engine
from bot.engine.host import Runtime
from bot.settings import Settings
from bot.state.store import Store

log = logging.getLogger(__name__)


async def start_runtime(settings: Settings, *, label: str = "bot") -> Runtime:
    """Embedded Redis/studio when their URLs are unset, then Store, NemoClient and Engine; the
    metrics endpoint when VIDEOBOT_METRICS_PORT is set."""
    stack = AsyncExitStack()
    try:
        live = await stack.enter_async_context(embedded_services(settings))
        store = await Store.connect(live)
        stack.push_async_callback(store.aclose)
        client = NemoClient.from_settings(live)
        stack.push_async_callback(client.aclose)
        engine = Engine(live, store, client)
        stack.push_async_callback(engine.aclose)
        metrics.serve(live.metrics_port)
    except BaseException:
        await stack.aclose()
        raise
    backend = "embedded studio" if settings.embedded_studio else "remote"
    log.info("%s runtime ready (backend: %s)", label, backend)
    return Runtime(settings=live, store=store, engine=engine, close=stack.aclose)
