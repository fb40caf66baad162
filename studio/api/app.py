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
    DELETE /api/render/proxy/lambda/{rid}             studio.api.renders (cancel; the studio's own)
    GET  /api/render/proxy/{rid}/download             studio.api.renders
    GET  /media/{path}                                studio.storage (unguessable URLs, no auth)
    GET  /healthz
    GET  /metrics                                     studio.metrics (Prometheus)

`create_app(settings, redis)` builds the app; the director, the renderer, the job dispatcher,
the URL policy and the keep-alive interval can be injected (tests, embedding).

Every JSON body is read with a bound (`_body`: the declared length first, then the bytes as they
arrive), before anything parses it: `max_request_kb` (`max_draft_kb` for a render submit); over
it, 4007 / 4008 with HTTP 413 and the rest of the body is not read. While the app runs, the
janitor (`studio.jobs.janitor`) keeps renders from being stranded and temporary files from
piling up; the image checker processes (`common.imagecheck`) are stopped with the app.
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

from common.imagecheck import ImageChecker
from studio.api import auth, credits, errors, sessions, storyboard, uploads
from studio.api.chat import ChatRunner, DirectorLike, RunSseBody
from studio.api.limits import DraftLimits
from studio.api.probe import Limits
from studio.api.renders import RenderBody, Renders
from studio.api.sse import SSE_HEADERS
from studio.api.state import load_state
from studio.api.urlfetch import AddressPolicy, UrlFetcher, public_address
from studio.jobs.dispatch import JobDispatcher, RenderCallable, redis_url_of
from studio.jobs.janitor import Janitor
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
    pepper: bytes
    checker: ImageChecker
    janitor: Janitor

    @property
    def media_limits(self) -> Limits:
        return Limits(max_pixels=self.settings.max_image_pixels, max_seconds=self.settings.max_media_seconds)

    def base_url(self, request: Request) -> str:
        return self.settings.public_url or str(request.base_url).rstrip("/")

    async def principal(self, request: Request) -> auth.Principal:
        return await auth.authenticate(self.redis, request.headers.get("authorization"))


def _studio(request: Request) -> Studio:
    studio: Studio = request.app.state.studio
    return studio


async def read_bounded(request: Request, limit: int, too_large: Callable[[], errors.ApiError]) -> bytes:
    """The request body, refused (`too_large()`) as soon as it is known to be over `limit` bytes:
    from its declared length before a byte is read, else while it arrives."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large()
    return bytes(body)


async def _body[M: BaseModel](request: Request, model: type[M], *, empty_ok: bool = False,
                              limit: int | None = None,
                              too_large: Callable[[], errors.ApiError] | None = None) -> M:
    settings = _studio(request).settings
    raw = await read_bounded(request, limit or settings.max_request_bytes,
                             too_large or (lambda: errors.body_too_large(settings.max_request_kb)))
    try:
        data = json.loads(raw) if raw.strip() else ({} if empty_ok else None)
        return model.model_validate(data)
    except (ValueError, ValidationError, RecursionError):
        raise errors.invalid_request(f"Invalid request body: expected {model.__name__} JSON.") from None


async def anonymous_token(request: Request) -> Response:
    studio = _studio(request)
    client_id = auth.check_client_id(request.headers.get("x-client-id"))
    issued = await auth.issue_anonymous_token(
        studio.redis, studio.pepper, client_id, authorization=request.headers.get("authorization"),
        client_secret=request.headers.get("x-client-secret"))
    return errors.ok(issued.public())


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
    max_bytes, max_files = studio.settings.max_upload_bytes, studio.settings.max_files_per_upload
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/"):
        got = await uploads.read_multipart(request, studio.store, who.user_id, max_bytes, max_files)
    elif content_type.startswith("application/json"):
        urls = (await _body(request, uploads.UrlUpload)).urls
        got = await uploads.fetch_urls(studio.fetcher, studio.store, who.user_id, urls, max_bytes, max_files)
    else:
        raise errors.ApiError(
            422, "Send files as multipart/form-data (field 'files') or JSON {\"urls\": [...]}.",
            status=422, close=True)
    kept, refused = await uploads.verify_files(got.saved, studio.media_limits, studio.checker)
    rejected = sorted(got.rejected + refused, key=lambda r: r.position)
    studio.metrics.count_rejections(r.code for r in rejected)
    if not kept:
        raise errors.upload_refused(rejected, close=not got.complete)
    files = await uploads.register_files(studio.redis, studio.store, session, kept, studio.base_url(request))
    return errors.ok({"files": files, "session_state_applied": True,
                      "rejected": [r.public() for r in rejected]}, close=not got.complete)


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
    limit_kb = studio.settings.max_draft_kb
    body = await _body(request, RenderBody, limit=studio.settings.max_draft_bytes, too_large=lambda: (
        errors.draft_too_large(f"The render request is too large: the limit is {limit_kb} KB.",
                               status=413, close=True)))
    session = await sessions.get_session(studio.redis, who.user_id, body.session_id)
    return errors.ok(await studio.renders.submit(session, body, studio.base_url(request)))


async def poll_render(request: Request) -> Response:
    studio = _studio(request)
    who = await studio.principal(request)
    rid = request.path_params["rid"]
    return errors.ok(await studio.renders.view(who.user_id, rid, studio.base_url(request)))


async def cancel_render(request: Request) -> Response:
    studio = _studio(request)
    who = await studio.principal(request)
    rid = request.path_params["rid"]
    return errors.ok(await studio.renders.cancel(who.user_id, rid, studio.base_url(request)))


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
    Route("/api/render/proxy/lambda/{rid}", cancel_render, methods=["DELETE"]),
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
    workers = None
    if dispatcher is None:
        if settings.render_workers > 0:
            from studio.jobs.worker import LocalQueueDispatcher, LocalWorkers

            url = settings.redis_url or redis_url_of(redis)
            # local workers log like this process does: an embedded studio inside `videobot chat`
            # or the demo (logging at WARNING to a file) keeps its workers' INFO lines off the terminal
            level = logging.getLevelName(max(logging.getLogger().getEffectiveLevel(),
                                             logging.getLevelName(settings.log_level)))
            workers = LocalWorkers(redis, url, settings.render_workers, renderer,
                                   log_level=level, log_json=settings.log_json, scratch_root=store.tmp_root)
            dispatcher = LocalQueueDispatcher(redis, workers, render_timeout=settings.render_limit_seconds)
        else:
            dispatcher = RenderQueue(redis, render_timeout=settings.render_limit_seconds)
    chat = ChatRunner(redis, (lambda: director) if director is not None else _default_director(),
                      keepalive_seconds=keepalive_seconds)
    draft_limits = DraftLimits(max_bytes=settings.max_draft_bytes, max_segments=settings.max_draft_segments,
                               max_seconds=settings.max_video_seconds)
    renders = Renders(redis, store, dispatcher, limits=draft_limits,
                      render_timeout=settings.render_limit_seconds,
                      keep_seconds=settings.render_keep_seconds)
    janitor = Janitor(redis, scratch_root=store.tmp_root, media_root=store.root, workers=workers)
    studio = Studio(settings=settings, redis=redis, store=store, chat=chat, renders=renders,
                    dispatcher=dispatcher,
                    fetcher=UrlFetcher(url_policy, deadline=settings.url_fetch_seconds),
                    metrics=StudioMetrics(redis, lambda: queue_counts(redis)),
                    pepper=auth.load_pepper(settings), checker=ImageChecker(), janitor=janitor)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await auth.migrate_plain_client_ids(redis, studio.pepper)
        except (RedisError, OSError) as exc:
            log.warning("could not check for plain client ids: %s", type(exc).__name__)
        await studio.janitor.start()
        try:
            yield
        finally:
            await studio.janitor.aclose()
            await chat.aclose()
            await studio.checker.aclose()
            await dispatcher.aclose()

    app = Starlette(routes=ROUTES, exception_handlers=errors.HANDLERS, lifespan=lifespan,
                    middleware=[Middleware(RequestContext, metrics=studio.metrics)])
    app.state.studio = studio
    return app
