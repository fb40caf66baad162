"""The fake backend's HTTP API: every endpoint of shared/spec/nemo-api.md, on a `FakeNemo` state."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC
from pathlib import PurePosixPath
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from bot.testing.fakenemo.state import BREAK, FakeNemo, Fault, RecordedFile, RecordedRequest, Session
from common.filetype import SNIFF_BYTES, sniff_bytes

Handler = Callable[[Request, RecordedRequest], Awaitable[Response]]

_KIND_BY_EXT = {
    **dict.fromkeys(("jpg", "jpeg", "png", "gif", "webp"), "image"),
    **dict.fromkeys(("mp3", "wav", "m4a", "aac"), "audio"),
}


class BrokenOnPurpose(Exception):
    """Raised inside a streamed turn to drop the connection (a scripted BREAK)."""


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "success", "data": data})


def code_error(code: int, message: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "data": None}, status_code=status)


async def _read_request(fake: FakeNemo, request: Request) -> RecordedRequest:
    ctype = request.headers.get("content-type", "")
    rec = RecordedRequest(request.method, request.url.path, dict(request.query_params),
                          {k.lower(): v for k, v in request.headers.items()})
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_files=1000, max_fields=1000)
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                rec.files.append(await _read_upload(fake, key, value))
        await form.close()
    else:
        body = await request.body()
        if body:
            try:
                rec.json = json.loads(body)
            except ValueError:
                rec.json = None
    return rec


async def _read_upload(fake: FakeNemo, key: str, upload: UploadFile) -> RecordedFile:
    sha = hashlib.sha256()
    kept: bytearray | None = bytearray()
    size = 0
    head = b""
    while chunk := await upload.read(1 << 20):
        if size < SNIFF_BYTES:
            head = (head + chunk)[:SNIFF_BYTES]
        size += len(chunk)
        sha.update(chunk)
        if kept is not None:
            kept += chunk
            if len(kept) > fake.keep_upload_bytes:
                kept = None
    return RecordedFile(key, upload.filename or "", upload.content_type or "", size, sha.hexdigest(),
                        bytes(kept) if kept is not None else None, head)


async def _fault_response(fault: Fault) -> Response:
    if fault.delay:
        await asyncio.sleep(fault.delay)
    body = fault.body
    if body is None and fault.code is not None:
        body = {"code": fault.code, "message": f"fake error {fault.code}", "data": None}
    if body is None:
        body = f"fake failure {fault.status}"
    if isinstance(body, (dict, list)):
        return JSONResponse(body, status_code=fault.status, headers=fault.headers)
    return Response(body, status_code=fault.status, headers=fault.headers, media_type="text/plain")


def create_app(fake: FakeNemo, extra_routes: Sequence[Route] = ()) -> Starlette:
    """The API on `fake`; `extra_routes` come before the catch-all 404 (a benchmark's stats)."""
    def endpoint(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            rec = await _read_request(fake, request)
            fault = fake.record(rec)
            if fault is not None:
                return await _fault_response(fault)
            return await fn(request, rec)

        return handle

    def user_of(request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        return fake.user_for(auth[7:] if auth.lower().startswith("bearer ") else None)

    def token_error() -> JSONResponse:
        return code_error(1001, "Token invalid or expired")

    def path_session(request: Request) -> Session | Response:
        """The caller's session named in the path, or the answer for a bad token / a gone session."""
        user = user_of(request)
        if user is None:
            return token_error()
        session = fake.session_of(request.path_params["sid"], user)
        return session if session is not None else code_error(1002, "Session not found", status=404)

    async def anonymous_token(request: Request, rec: RecordedRequest) -> Response:
        cid = request.headers.get("x-client-id", "")
        if not cid or len(cid) > 64:
            return code_error(400, "X-Client-Id header required", status=400)
        tok = fake.issue_token(cid)
        return ok({"token": tok.token, "user_id": tok.user_id,
                   "expires_at": tok.expires_at.astimezone(UTC).isoformat(), "credits": 100})

    async def create_session(request: Request, rec: RecordedRequest) -> Response:
        user = user_of(request)
        if user is None:
            return token_error()
        body = rec.json if isinstance(rec.json, dict) else {}
        s = fake.new_session(user, str(body.get("language") or "en"))
        return ok({"task_id": s.task_id, "session_id": s.id, "user_id": user})

    async def run_sse(request: Request, rec: RecordedRequest) -> Response:
        user = user_of(request)
        if user is None:
            return token_error()
        body = rec.json if isinstance(rec.json, dict) else {}
        session = fake.session_of(str(body.get("session_id", "")), user)
        if session is None:
            return JSONResponse({"detail": "Session not found"}, status_code=404)
        try:
            message = str(body["new_message"]["parts"][0]["text"])
        except (KeyError, IndexError, TypeError):
            return JSONResponse({"detail": "new_message.parts[0].text required"}, status_code=422)
        script = fake.next_turn(session, message)

        async def stream() -> AsyncIterator[bytes]:
            try:
                if isinstance(script.chunks, list):
                    for chunk in script.chunks:
                        if chunk is BREAK:
                            raise BrokenOnPurpose("scripted BREAK")
                        if isinstance(chunk, (int, float)):
                            await asyncio.sleep(chunk)
                        else:
                            yield chunk
                else:
                    async for made in script.chunks:
                        yield made
            finally:  # the agent finishes its work even when the client went away
                fake.apply_turn_draft(session, script.draft)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    async def upload(request: Request, rec: RecordedRequest) -> Response:
        session = path_session(request)
        if isinstance(session, Response):
            return session
        out: list[dict[str, Any]] = []
        if rec.files:
            for f in rec.files:
                ft = sniff_bytes(f.head)
                if ft is None:
                    return code_error(4001, f"Unsupported file type: {f.filename}")
                if f.size > fake.max_upload_bytes:
                    return code_error(4002, f"File too large: {f.filename}")
                fid = f"f{fake.next_id()}"
                fake.uploads[fid] = (f.filename, ft.mime, f.data or b"")
                out.append({"filename": f.filename, "file_type": ft.kind,
                            "cdn_url": f"{fake.url}/cdn/{fid}/{f.filename}"})
        elif isinstance(rec.json, dict) and rec.json.get("urls"):
            for url in rec.json["urls"]:
                name = PurePosixPath(str(url).split("?")[0]).name or "file"
                kind = _KIND_BY_EXT.get(name.rsplit(".", 1)[-1].lower(), "video")
                out.append({"filename": name, "file_type": kind, "cdn_url": str(url)})
        else:
            return code_error(4001, "No files or urls in the request")
        session.files.extend(out)
        return ok({"files": out, "session_state_applied": True})

    async def credits(request: Request, rec: RecordedRequest) -> Response:
        user = user_of(request)
        if user is None:
            return token_error()
        available, frozen, total = fake.credits_of(user)
        return ok({"available": available, "frozen": frozen, "total": total})

    async def state(request: Request, rec: RecordedRequest) -> Response:
        s = path_session(request)
        if isinstance(s, Response):
            return s
        return ok({"session_id": s.id, "task_id": s.task_id, "state": {
            "draft": s.draft, "video_infos": [], "generated_media": [],
            "canvas_config": {"width": 1080, "height": 1920}}})

    async def submit_render(request: Request, rec: RecordedRequest) -> Response:
        user = user_of(request)
        if user is None:
            return token_error()
        if not request.headers.get("x-skill-source"):
            return JSONResponse({"success": False, "error": "Export requires attribution"}, status_code=402)
        body = rec.json if isinstance(rec.json, dict) else {}
        if not body.get("id") or not body.get("draft"):
            return JSONResponse({"success": False, "error": "id and draft are required"}, status_code=400)
        r = fake.start_render(str(body["id"]), body.get("sessionId"), body["draft"])
        return JSONResponse({"success": True, "data": {"id": r.id, "status": "pending", "progress": 0}})

    async def poll_render(request: Request, rec: RecordedRequest) -> Response:
        if user_of(request) is None:
            return token_error()
        rid = request.path_params["rid"]
        if rid not in fake.renders:
            return JSONResponse({"success": False, "error": "render not found"}, status_code=404)
        step = fake.poll_step(rid)
        if isinstance(step, dict):
            return JSONResponse(step)
        status, progress, *estimate = (step, None) if isinstance(step, str) else step
        if progress is None:
            progress = {"processing": 50, "completed": 100}.get(status, 0)
        data: dict[str, Any] = {"id": rid, "status": status, "progress": progress}
        if estimate:  # (status, progress, eta_seconds): the studio's estimate of the time left
            data["eta_seconds"] = estimate[0]
        if status == "completed":
            data["output"] = {"url": f"{fake.url}/files/{rid}.mp4"}
        if status == "failed":
            data["error"] = "render failed (fake)"
        return JSONResponse({"success": True, "data": data})

    async def proxy_download(request: Request, rec: RecordedRequest) -> Response:
        if user_of(request) is None:
            return token_error()
        r = fake.renders.get(request.path_params["rid"])
        if r is None:
            return JSONResponse({"success": False, "error": "render not found"}, status_code=404)
        return Response(r.mp4, media_type="video/mp4")

    async def cdn_render(request: Request, rec: RecordedRequest) -> Response:
        r = fake.renders.get(request.path_params["name"].removesuffix(".mp4"))
        if r is None:
            return Response("no such file", status_code=404, media_type="text/plain")
        return Response(r.mp4, media_type="video/mp4")

    async def cdn_upload(request: Request, rec: RecordedRequest) -> Response:
        item = fake.uploads.get(request.path_params["fid"])
        if item is None:
            return Response("no such file", status_code=404, media_type="text/plain")
        return Response(item[2], media_type=item[1])

    async def not_found(request: Request, rec: RecordedRequest) -> Response:
        return JSONResponse({"detail": "Not Found"}, status_code=404)

    routes = [
        Route("/api/auth/anonymous-token", endpoint(anonymous_token), methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", endpoint(create_session), methods=["POST"]),
        Route("/run_sse", endpoint(run_sse), methods=["POST"]),
        Route("/api/upload-video/nemo_agent/me/{sid}", endpoint(upload), methods=["POST"]),
        Route("/api/credits/balance/simple", endpoint(credits), methods=["GET"]),
        Route("/api/state/nemo_agent/me/{sid}/latest", endpoint(state), methods=["GET"]),
        Route("/api/render/proxy/lambda", endpoint(submit_render), methods=["POST"]),
        Route("/api/render/proxy/lambda/{rid}", endpoint(poll_render), methods=["GET"]),
        Route("/api/render/proxy/{rid}/download", endpoint(proxy_download), methods=["GET"]),
        Route("/files/{name}", endpoint(cdn_render), methods=["GET"]),
        Route("/cdn/{fid}/{filename}", endpoint(cdn_upload), methods=["GET"]),
        *extra_routes,
        Route("/{path:path}", endpoint(not_found), methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
    ]
    return Starlette(routes=routes)
