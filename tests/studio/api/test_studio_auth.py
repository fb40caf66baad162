"""Anonymous tokens (and the proof a known client id needs), bearer auth, sessions and ownership,
credits balance, /healthz."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

import httpx

from tests.fixtures_studio import RunningStudio, StudioFactory, StudioMedia


def _b(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value or "").encode()


async def all_redis_bytes(studio: RunningStudio) -> bytes:
    """Every key and value in Redis, concatenated (to look for what must not be there)."""
    out = bytearray()
    for key in await studio.redis.keys("*"):
        out += _b(key)
        kind = await studio.redis.type(key)
        if kind == b"hash":
            for k, v in (await studio.redis.hgetall(key)).items():
                out += _b(k) + _b(v)
        elif kind == b"string":
            out += _b(await studio.redis.get(key))
    return bytes(out)


async def token_call(studio: RunningStudio, client_id: str, **headers: str) -> httpx.Response:
    return await studio.http().post("/api/auth/anonymous-token",
                                    headers={"X-Client-Id": client_id, **headers})


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

    assert re.fullmatch(r"vbcs_[A-Za-z0-9_\-]{43}", data["client_secret"])  # bound to client-1, given once

    token = data["token"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert await studio.redis.exists(f"studio:token:{digest}")
    ttl = await studio.redis.ttl(f"studio:token:{digest}")
    assert 7 * 86400 - 60 < ttl <= 7 * 86400
    stored = await all_redis_bytes(studio)  # neither the token, the secret nor the client id in plain
    assert token.encode() not in stored and data["client_secret"].encode() not in stored
    assert b"client-1" not in stored
    pepper = (studio.settings.data_dir / "studio" / "pepper.key").read_text().strip().encode()
    cid = hmac.new(pepper, b"client-1", hashlib.sha256).hexdigest()
    assert await studio.redis.hget(f"studio:cid:{cid}", "user_id") == data["user_id"].encode()


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


async def test_a_known_client_id_gets_no_token_without_proof(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    owner = await studio.user("phone-42")
    sid = await owner.new_session()
    other = await studio.user()
    for headers in ({}, {"Authorization": f"Bearer {other.token}"},
                    {"Authorization": "Bearer nmv_usr_" + "a" * 40},
                    {"X-Client-Secret": other.client_secret or ""}, {"X-Client-Secret": "vbcs_" + "b" * 43},
                    {"X-Client-Secret": "garbage"}):
        r = await token_call(studio, "phone-42", **headers)
        assert r.status_code == 403, headers
        assert r.json() == {"code": 1003, "message": r.json()["message"], "data": None}
        assert "X-Client-Secret" in r.json()["message"] and "nmv_usr_" not in r.text
    assert (await owner.state(sid))["code"] == 0  # the owner's token still works: nothing changed


async def test_the_last_token_proves_the_client_even_after_it_expired(make_studio: StudioFactory) -> None:
    studio = await make_studio()
    first = await studio.user("phone-42")
    sid = await first.new_session()
    await studio.redis.hset(f"studio:user:{first.user_id}", "available", 37)  # spent some credits
    await studio.redis.delete(f"studio:token:{hashlib.sha256(first.token.encode()).hexdigest()}")  # expired
    assert (await first.http.get("/api/credits/balance/simple")).status_code == 401

    r = await token_call(studio, "phone-42", Authorization=f"Bearer {first.token}")
    data: dict[str, Any] = r.json()["data"]
    assert r.status_code == 200 and data["user_id"] == first.user_id and data["token"] != first.token
    assert "client_secret" not in data  # it was given once, with the first token
    again = studio.http(data["token"])
    balance = (await again.get("/api/credits/balance/simple")).json()["data"]
    assert balance["available"] == 37  # no free top-up
    assert (await again.get(f"/api/state/nemo_agent/me/{sid}/latest")).json()["code"] == 0  # still theirs
    # the token before the last one proves nothing any more
    assert (await token_call(studio, "phone-42", Authorization=f"Bearer {first.token}")).status_code == 403


async def test_the_client_secret_proves_the_client_and_the_old_token_stops_working(
    make_studio: StudioFactory,
) -> None:
    studio = await make_studio()
    first = await studio.user("tablet-7")
    assert first.client_secret
    r = await token_call(studio, "tablet-7", **{"X-Client-Secret": first.client_secret})
    data = r.json()["data"]
    assert r.status_code == 200 and data["user_id"] == first.user_id
    assert (await first.http.get("/api/credits/balance/simple")).json()["code"] == 1001
    assert (await studio.http(data["token"]).get("/api/credits/balance/simple")).json()["code"] == 0
    # the secret stays valid across renewals
    renewed = await token_call(studio, "tablet-7", **{"X-Client-Secret": first.client_secret})
    assert renewed.status_code == 200


async def test_plain_client_id_records_are_migrated_and_get_a_secret_on_first_proof(
    make_studio: StudioFactory,
) -> None:
    # the layout before client ids were hashed: studio:client:<plain id>, plain ids in user and token
    studio = await make_studio()
    token = "nmv_usr_" + "L" * 40
    digest = hashlib.sha256(token.encode()).hexdigest()
    await studio.redis.hset("studio:client:legacy-phone",
                            mapping={"user_id": "anon_legacy", "token_hash": digest})
    await studio.redis.expire("studio:client:legacy-phone", 3600)
    await studio.redis.hset("studio:user:anon_legacy", mapping={"available": 55, "frozen": 0,
                                                                "client_id": "legacy-phone"})
    await studio.redis.hset(f"studio:token:{digest}", mapping={"user_id": "anon_legacy",
                                                              "client_id": "legacy-phone"})
    await studio.redis.delete("studio:migrated:client-ids")
    await studio.server.stop()
    studio = await make_studio()  # a restart migrates

    assert b"legacy-phone" not in await all_redis_bytes(studio)
    assert (await studio.http(token).get("/api/credits/balance/simple")).json()["data"]["available"] == 55
    assert (await token_call(studio, "legacy-phone")).status_code == 403
    r = await token_call(studio, "legacy-phone", Authorization=f"Bearer {token}")
    data = r.json()["data"]
    assert data["user_id"] == "anon_legacy" and data["client_secret"].startswith("vbcs_")  # bound now
    by_secret = await token_call(studio, "legacy-phone", **{"X-Client-Secret": data["client_secret"]})
    assert by_secret.status_code == 200


async def test_a_configured_pepper_is_used(make_studio: StudioFactory) -> None:
    studio = await make_studio(client_pepper="operator-chosen-pepper")
    await studio.user("kiosk-1")
    cid = hmac.new(b"operator-chosen-pepper", b"kiosk-1", hashlib.sha256).hexdigest()
    assert await studio.redis.exists(f"studio:cid:{cid}")
    assert not (studio.settings.data_dir / "studio" / "pepper.key").exists()


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
