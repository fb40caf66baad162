"""The studio's HTTP API: routes only; each area's logic lives in its own module.

    POST /api/auth/anonymous-token                    studio.api.auth
    POST /api/tasks/me/with-session/nemo_agent        studio.api.sessions
    POST /api/upload-video/nemo_agent/me/{sid}        studio.api.uploads, studio.api.urlfetch
    GET  /api/credits/balance/simple                  studio.api.credits
    GET  /api/state/nemo_agent/me/{sid}/latest        studio.api.state
    GET  /api/storyboard/nemo_agent/me/{sid}/latest   studio.api.storyboard (+ studio.render.storyboard)
    POST /run_sse                                     studio.api.chat (+ studio.api.sse)
    POST /api/render/proxy/lambda                     studio.api.renders (+ studio.jobs.dispatch)
    GET  /api/render/proxy/lambda/{rid}               studio.api.renders
    GET  /api/render/proxy/{rid}/download             studio.api.renders
    GET  /media/{path}                                studio.storage (unguessable URLs, no auth)
    GET  /healthz
    GET  /metrics                                     studio.metrics (Prometheus)

`create_app(settings, redis)` builds the app; the director, the renderer, the job dispatcher,
the URL policy and the keep-alive interval can be injected (tests, embedding).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import redis.asyncio as aioredis
from pydantic import BaseModel, ValidationError
from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from studio.api import auth, credits, errors, sessions, storyboard, uploads
from studio.api.chat import ChatRunner, DirectorLike, RunSseBody
from studio.api.renders import RenderBody, Renders
from studio.api.sse import SSE_HEADERS
from studio.api.state import load_state
from studio.api.urlfetch import AddressPolicy, UrlFetcher, public_address
from studio.jobs.dispatch import JobDispatcher, RenderCallable, redis_url_of
from studio.jobs.queue import RenderQueue, queue_counts
from studio.metrics import CONTENT_TYPE, RequestContext, StudioMetrics
from studio.settings import StudioSettings
from studio.storage import MediaStore

log = logging.getLogger(__name__)


@dataclass
class Studio:
    settings: StudioSettings
    redis: aioredis.Redis
    store: MediaStore
    chat: ChatRunner
    renders: Renders
    dispatcher: JobDispatcher
    fetcher: UrlFetcher
    metrics: StudioMetrics

    def base_url(self, request: Request) -> str:
        return self.settings.public_url or str(request.base_url).rstrip("/")

    async def principal(self, request: Request) -> auth.Principal:
        return await auth.authenticate(self.redis, request.headers.get("authorization"))


def _studio(request: Request) -> Studio:
    studio: Studio = request.app.state.studio
    return studio


async def _body[M: BaseModel](request: Request, model: type[M], *, empty_ok: bool = False) -> M:
    raw = await request.body()
    try:
        data = json.loads(raw) if raw.strip() else ({} if empty_ok else None)
        return model.model_validate(data)
    except (ValueError, ValidationError):
        raise errors.invalid_request(f"Invalid request body: expected {model.__name__} JSON.") from None


async def anonymous_token(request: Request) -> Response:
    studio = _studio(request)
    client_id = auth.check_client_id(request.headers.get("x-client-id"))
    issued = await auth.issue_anonymous_token(studio.redis, client_id)
    return errors.ok(issued.model_dump())


async def create_session(request: Request) -> Response:
    studio = _studio(request)
    who = await studio.principal(request)
    session = await sessions.create_session(studio.redis, who.user_id, await _body(
        request, sessions.NewSession, empty_ok=True))
    return errors.ok({"task_id": session.task_id, "session_id": session.session_id, "user_id": who.user_id})


async def upload(request: Request) -> Response:
    studio = _studio(request)
    try:  # refusals before the body is read close the connection instead of draining it
        who = await studio.principal(request)
        session = await sessions.get_session(studio.redis, who.user_id, request.path_params["sid"])
    except errors.ApiError as exc:
        exc.close = True
        raise
    max_bytes = studio.settings.max_upload_bytes
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/"):
        saved = await uploads.read_multipart(request, studio.store, who.user_id, max_bytes)
    elif content_type.startswith("application/json"):
        urls = (await _body(request, uploads.UrlUpload)).urls
        saved = await uploads.fetch_urls(studio.fetcher, studio.store, who.user_id, urls, max_bytes)
    else:
        raise errors.ApiError(
            422, "Send files as multipart/form-data (field 'files') or JSON {\"urls\": [...]}.",
            status=422, close=True)
    files = await uploads.register_files(studio.redis, studio.store, session, saved, studio.base_url(request))
    return errors.ok({"files": files, "session_state_applied": True})


async def balance(request: Request) -> Response:
    studio = _studio(request)
    who = await studio.principal(request)
    return errors.ok((await credits.balance(studio.redis, who.user_id)).model_dump())


async def state(request: Request) -> Response:
    studio = _studio(request)
    who = await studio.principal(request)
    session = await sessions.get_session(studio.redis, who.user_id, request.path_params["sid"])
    current = await load_state(studio.redis, session.session_id)
    return errors.ok({"session_id": session.session_id, "task_id": session.task_id,
                      "state": current.public(studio.base_url(request))})


async def storyboard_preview(request: Request) -> Response:
    studio = _studio(request)
    who = await studio.principal(request)
    session = await sessions.get_session(studio.redis, who.user_id, request.path_params["sid"])
    data = await storyboard.storyboard_jpeg(studio.renders, session)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


async def run_sse(request: Request) -> Response:
    studio = _studio(request)
    who = await studio.principal(request)
    body = await _body(request, RunSseBody)
    session = await sessions.find_session(studio.redis, who.user_id, body.session_id)
    if session is None:
        return JSONResponse({"detail": "Session not found"}, status_code=404)
    if not body.text:
        raise errors.invalid_request("The message has no text.")
    available = (await credits.balance(studio.redis, who.user_id)).available
    if available <= 0:
        raise errors.out_of_credits(available)
    return StreamingResponse(studio.chat.stream(session, body.text), media_type="text/event-stream",
                             headers=SSE_HEADERS)


async def submit_render(request: Request) -> Response:
    studio = _studio(request)
    who = await studio.principal(request)
    if not request.headers.get("x-skill-source"):
        raise errors.not_exportable(
            "Export needs the X-Skill-Source, X-Skill-Version and X-Skill-Platform headers.")
    body = await _body(request, RenderBody)
    session = await sessions.get_session(studio.redis, who.user_id, body.session_id)
    return errors.ok(await studio.renders.submit(session, body, studio.base_url(request)))


async def poll_render(request: Request) -> Response:
    studio = _studio(request)
    who = await studio.principal(request)
    rid = request.path_params["rid"]
    return errors.ok(await studio.renders.view(who.user_id, rid, studio.base_url(request)))


async def download_render(request: Request) -> Response:
    studio = _studio(request)
    who = await studio.principal(request)
    path, name = await studio.renders.output_file(who.user_id, request.path_params["rid"])
    return FileResponse(path, media_type="video/mp4", filename=name)


async def media(request: Request) -> Response:
    path = _studio(request).store.resolve(request.path_params["path"])
    if path is None:
        raise errors.not_found()
    return FileResponse(path)


async def healthz(request: Request) -> Response:
    try:
        await asyncio.wait_for(_studio(request).redis.ping(), 2.0)
    except (RedisError, OSError, TimeoutError):
        return JSONResponse({"ok": False, "error": "redis unreachable"}, status_code=503)
    return JSONResponse({"ok": True})


async def metrics(request: Request) -> Response:
    return Response(await _studio(request).metrics.exposition(), media_type=CONTENT_TYPE)


ROUTES = [
    Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
    Route("/api/tasks/me/with-session/nemo_agent", create_session, methods=["POST"]),
    Route("/api/upload-video/nemo_agent/me/{sid}", upload, methods=["POST"]),
    Route("/api/credits/balance/simple", balance, methods=["GET"]),
    Route("/api/state/nemo_agent/me/{sid}/latest", state, methods=["GET"]),
    Route("/api/storyboard/nemo_agent/me/{sid}/latest", storyboard_preview, methods=["GET"]),
    Route("/run_sse", run_sse, methods=["POST"]),
    Route("/api/render/proxy/lambda", submit_render, methods=["POST"]),
    Route("/api/render/proxy/lambda/{rid}", poll_render, methods=["GET"]),
    Route("/api/render/proxy/{rid}/download", download_render, methods=["GET"]),
    Route("/media/{path:path}", media, methods=["GET", "HEAD"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]


def _default_director() -> Callable[[], DirectorLike]:
    cache: list[DirectorLike] = []

    def get() -> DirectorLike:
        if not cache:
            from studio.director.director import RuleDirector

            cache.append(RuleDirector())
        return cache[0]

    return get


def create_app(
    settings: StudioSettings,
    redis: aioredis.Redis,
    *,
    director: DirectorLike | None = None,
    renderer: RenderCallable | None = None,
    dispatcher: JobDispatcher | None = None,
    url_policy: AddressPolicy = public_address,
    keepalive_seconds: float = 15.0,
) -> Starlette:
    """The studio as an ASGI app on `redis` (defaults: RuleDirector, render_draft, the render queue
    with `render_workers` local worker processes; 0: external `videobot studio-worker`s)."""
    store = MediaStore(settings.data_dir)
    if dispatcher is None:
        if settings.render_workers > 0:
            from studio.jobs.worker import LocalQueueDispatcher, LocalWorkers

            url = settings.redis_url or redis_url_of(redis)
            # local workers log like this process does: an embedded studio inside `videobot chat`
            # or the demo (logging at WARNING to a file) keeps its workers' INFO lines off the terminal
            level = logging.getLevelName(max(logging.getLogger().getEffectiveLevel(),
                                             logging.getLevelName(settings.log_level)))
            workers = LocalWorkers(redis, url, settings.render_workers, renderer,
                                   log_level=level, log_json=settings.log_json)
            dispatcher = LocalQueueDispatcher(redis, workers)
        else:
            dispatcher = RenderQueue(redis)
    chat = ChatRunner(redis, (lambda: director) if director is not None else _default_director(),
                      keepalive_seconds=keepalive_seconds)
    studio = Studio(settings=settings, redis=redis, store=store, chat=chat,
                    renders=Renders(redis, store, dispatcher), dispatcher=dispatcher,
                    fetcher=UrlFetcher(url_policy),
                    metrics=StudioMetrics(redis, lambda: queue_counts(redis)))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await chat.aclose()
            await dispatcher.aclose()

    app = Starlette(routes=ROUTES, exception_handlers=errors.HANDLERS, lifespan=lifespan,
                    middleware=[Middleware(RequestContext, metrics=studio.metrics)])
    app.state.studio = studio
    return app
