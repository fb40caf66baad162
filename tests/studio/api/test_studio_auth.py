"""Anonymous tokens, bearer auth, sessions and ownership, credits balance, /healthz."""

from __future__ import annotations

import hashlib
import re

import httpx

from tests.fixtures_studio import StudioFactory, StudioMedia


async def test_anonymous_token_is_issued_with_100_credits_and_stored_only_hashed(
    make_studio: StudioFactory,
) -> None:
    studio = await make_studio()
    r = await studio.http().post("/api/auth/anonymous-token", headers={"X-Client-Id": "client-1"})
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == 0
    data = body["data"]
    assert re.fullmatch(r"nmv_usr_[A-Za-z0-9_\-]{40}", data["token"])
    assert data["user_id"].startswith("anon_")
    assert data["credits"] == 100
    assert data["expires_at"].endswith("Z")

    token = data["token"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert await studio.redis.exists(f"studio:token:{digest}")
    ttl = await studio.redis.ttl(f"studio:token:{digest}")
    assert 7 * 86400 - 60 < ttl <= 7 * 86400
    for key in await studio.redis.keys("*"):  # the raw token is nowhere in Redis
        assert token.encode() not in key
        kind = await studio.redis.type(key)
        if kind == b"hash":
            assert all(token.encode() not in v for v in (await studio.redis.hgetall(key)).values())
        elif kind == b"string":
            assert token.encode() not in (await studio.redis.get(key) or b"")


async def test_missing_or_overlong_client_id_is_http_400(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    http = studio.http()
    missing = await http.post("/api/auth/anonymous-token")
    assert missing.status_code == 400 and missing.json()["code"] == 400
    overlong = await http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "x" * 65})
    assert overlong.status_code == 400
    longest = await http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "x" * 64})
    assert longest.json()["code"] == 0


async def test_bad_or_missing_token_answers_1001_with_http_401(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    for headers in ({}, {"Authorization": "Bearer nmv_usr_" + "a" * 40}, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer garbage"}):
        r = await studio.http().get("/api/credits/balance/simple", headers=headers)
        assert r.status_code == 401
        assert r.json() == {"code": 1001, "message": r.json()["message"], "data": None}
        assert "nmv_usr_" not in r.text


async def test_same_client_id_gets_fresh_token_for_same_user_and_old_token_stops_working(
    make_studio: StudioFactory,
) -> None:
    studio = await make_studio()
    first = await studio.user("phone-42")
    sid = await first.new_session()
    await studio.redis.hset(f"studio:user:{first.user_id}", "available", 37)  # spent some credits

    second = await studio.user("phone-42")
    assert second.token != first.token
    assert second.user_id == first.user_id
    assert (await first.http.get("/api/credits/balance/simple")).json()["code"] == 1001
    assert await second.credits() == {"available": 37, "frozen": 0, "total": 37}  # no free top-up
    assert (await second.state(sid))["code"] == 0  # the project is still theirs


async def test_expired_token_is_1001_and_a_new_token_recovers(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user = await studio.user("tablet-7")
    await studio.redis.delete(f"studio:token:{hashlib.sha256(user.token.encode()).hexdigest()}")  # expiry
    assert (await user.http.get("/api/credits/balance/simple")).status_code == 401
    again = await studio.user("tablet-7")
    assert (await again.credits())["available"] == 100


async def test_credits_balance_of_a_new_user(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user = await studio.user()
    r = await user.http.get("/api/credits/balance/simple")
    balance = {"available": 100, "frozen": 0, "total": 100}
    assert r.json() == {"code": 0, "message": "success", "data": balance}


async def test_session_is_created_with_its_language_and_an_empty_state(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user = await studio.user()
    r = await user.http.post("/api/tasks/me/with-session/nemo_agent", json={"task_name": "project",
                                                                           "language": "zh-CN"})
    data = r.json()["data"]
    assert data["session_id"].isdigit() and len(data["session_id"]) >= 18
    assert data["task_id"].isdigit()
    assert await studio.redis.hget(f"studio:session:{data['session_id']}", "language") == b"zh-CN"
    state = await user.state(data["session_id"])
    assert state["data"]["session_id"] == data["session_id"]
    assert state["data"]["task_id"] == data["task_id"]
    assert state["data"]["state"]["draft"] is None
    canvas = {"width": 1920, "height": 1080, "aspect": "16:9", "fps": 30}
    assert state["data"]["state"]["canvas_config"] == canvas


async def test_another_users_session_is_not_found_everywhere(make_studio: StudioFactory,
                                                            studio_media: StudioMedia) -> None:
    studio = await make_studio()
    owner, other = await studio.user(), await studio.user()
    sid = await owner.new_session()

    state = await other.http.get(f"/api/state/nemo_agent/me/{sid}/latest")
    assert state.status_code == 404 and state.json()["code"] == 1002
    upload = await other.upload(sid, studio_media.photos[0])
    assert upload["code"] == 1002
    chat = await other.chat(sid, "make a video")
    assert chat.status_code == 404 and chat.json() == {"detail": "Session not found"}
    render = await other.http.post("/api/render/proxy/lambda", json={
        "id": "render_1", "sessionId": sid, "draft": {"t": [{"tt": 0, "sg": [{"id": "v1"}]}]},
        "output": {"format": "mp4", "quality": "high"}})
    assert render.status_code == 404 and render.json()["code"] == 1002
    missing = await owner.http.get("/api/state/nemo_agent/me/123456789/latest")
    assert missing.json()["code"] == 1002


async def test_healthz_answers_ok_when_redis_answers(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    r = await studio.http().get("/healthz")
    assert r.status_code == 200 and r.json() == {"ok": True}


async def test_unknown_route_and_wrong_method_answer_json(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    nope = await studio.http().get("/api/nope")
    assert nope.status_code == 404 and nope.json()["code"] == 404
    wrong = await studio.http().get("/run_sse")
    assert wrong.status_code == 405 and wrong.json()["code"] == 405


async def test_invalid_json_body_is_422_not_a_crash(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    user = await studio.user()
    r = await user.http.post("/run_sse", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == 422
    assert "Traceback" not in r.text
    assert isinstance(r, httpx.Response)
