"""`/run_sse`: ADK events, keep-alive comments, credits per turn, and a turn that outlives its client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.fixtures_studio import (
    ScriptedCall,
    ScriptedDirector,
    ScriptedTurn,
    StudioFactory,
    StudioMedia,
    image_draft,
)

REPLY = "Your 15-second video is ready: three shots, a title and lo-fi music."


def blocks(raw: str) -> list[str]:
    """The SSE body cut into events; every event must be `: comment` or one `data:` line."""
    assert raw.endswith("\n\n")
    out = raw[:-2].split("\n\n")
    for block in out:
        assert block.startswith((": ", "data: ")) and "\n" not in block, block
    return out


def events(raw: str) -> list[dict[str, Any]]:
    return [json.loads(b[len("data: "):]) for b in blocks(raw) if b.startswith("data: ")]


def no_nulls(node: Any) -> bool:
    if isinstance(node, dict):
        return all(v is not None and no_nulls(v) for v in node.values())
    if isinstance(node, list):
        return all(no_nulls(v) for v in node)
    return True


async def test_turn_streams_tool_events_then_text_deltas_then_the_whole_reply(
    make_studio: StudioFactory,
) -> None:
    draft = image_draft(["a1", "a2"], "Urban Dreams")
    director = ScriptedDirector(ScriptedTurn(
        draft=draft, reply=REPLY, cost=10,
        tool_calls=[ScriptedCall(name="create_draft", args={"aspect": "9:16"}),
                    ScriptedCall(name="set_title", args={"text": "Urban Dreams"})]))
    studio = await make_studio(director=director)
    user = await studio.user()
    sid = await user.new_session()
    r = await user.chat(sid, "make a 15 second video")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    evs = events(r.text)
    assert all(no_nulls(e) for e in evs)
    assert all(e["author"] == "nemo_agent" and e["invocationId"].startswith("e-") and "timestamp" in e
               for e in evs)
    assert len({e["invocationId"] for e in evs}) == 1
    parts = [e["content"]["parts"][0] for e in evs]
    calls = [p["functionCall"] for p in parts[0:4:2]]
    responses = [p["functionResponse"] for p in parts[1:4:2]]
    assert [c["name"] for c in calls] == ["create_draft", "set_title"]
    assert calls[0]["args"] == {"aspect": "9:16"}
    assert [r_["id"] for r_ in responses] == [c["id"] for c in calls]
    assert [r_["name"] for r_ in responses] == ["create_draft", "set_title"]
    text_events = evs[4:]
    deltas = [e for e in text_events if e.get("partial")]
    final = text_events[-1]
    assert len(deltas) >= 2 and deltas == text_events[:-1]
    assert "".join(e["content"]["parts"][0]["text"] for e in deltas) == REPLY
    assert "partial" not in final and final["content"] == {"role": "model", "parts": [{"text": REPLY}]}

    state = (await user.state(sid))["data"]["state"]
    assert state["draft"] == draft
    assert state["canvas_config"] == {"width": 1080, "height": 1920, "aspect": "9:16", "fps": 30}
    assert (await user.credits())["available"] == 90


async def test_keepalive_comments_flow_while_the_director_works(make_studio: StudioFactory) -> None:
    director = ScriptedDirector(ScriptedTurn(reply="Done.", cost=0), delay=0.6)
    studio = await make_studio(director=director, keepalive_seconds=0.1)
    user = await studio.user()
    sid = await user.new_session()
    r = await user.chat(sid, "slow one")
    got = blocks(r.text)
    first_data = next(i for i, b in enumerate(got) if b.startswith("data: "))
    assert got[:first_data].count(": keep-alive") >= 3
    assert all(b == ": keep-alive" for b in got[:first_data])


async def test_each_turn_is_charged_what_the_director_says(make_studio: StudioFactory) -> None:
    director = ScriptedDirector(ScriptedTurn(draft=image_draft(["a"]), reply="Created.", cost=10),
                                ScriptedTurn(draft=image_draft(["a"], "New"), reply="Title changed.", cost=2),
                                ScriptedTurn(reply="You have one shot.", cost=0))
    studio = await make_studio(director=director)
    user = await studio.user()
    sid = await user.new_session()
    for text, left in (("create", 90), ("title New", 88), ("what is in it?", 88)):
        await user.chat(sid, text)
        assert await user.credits() == {"available": left, "frozen": 0, "total": left}, text


async def test_out_of_credits_refuses_the_turn_with_2001_before_any_work(make_studio: StudioFactory) -> None:
    director = ScriptedDirector(ScriptedTurn(reply="never", cost=1))
    studio = await make_studio(director=director)
    user = await studio.user()
    sid = await user.new_session()
    await studio.redis.hset(f"studio:user:{user.user_id}", "available", 0)
    r = await user.chat(sid, "make a video")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json()["code"] == 2001
    assert director.seen == []


async def test_a_turn_costing_more_than_is_left_ends_with_a_2001_event_and_keeps_the_draft(
    make_studio: StudioFactory,
) -> None:
    before = image_draft(["a"], "Before")
    director = ScriptedDirector(ScriptedTurn(draft=before, reply="Created.", cost=10),
                                ScriptedTurn(draft=image_draft(["a"], "After"), reply="Edited.", cost=10))
    studio = await make_studio(director=director)
    user = await studio.user()
    sid = await user.new_session()
    await user.chat(sid, "create")
    await studio.redis.hset(f"studio:user:{user.user_id}", "available", 3)
    evs = events((await user.chat(sid, "edit")).text)
    assert len(evs) == 1
    assert evs[0]["errorCode"] == "2001" and "3" in evs[0]["errorMessage"]
    assert (await user.state(sid))["data"]["state"]["draft"] == before
    assert (await user.credits())["available"] == 3


async def test_a_director_crash_becomes_an_error_event_without_internals(make_studio: StudioFactory) -> None:
    studio = await make_studio(director=ScriptedDirector(fail=True))
    user = await studio.user()
    sid = await user.new_session()
    r = await user.chat(sid, "make it")
    (event,) = events(r.text)
    assert event["errorCode"] == "INTERNAL_ERROR" and "try again" in event["errorMessage"]
    assert "exploded" not in r.text and "/srv" not in r.text and "Traceback" not in r.text
    assert (await user.credits())["available"] == 100


async def test_the_turn_finishes_and_saves_the_draft_after_the_client_hangs_up(
    make_studio: StudioFactory,
) -> None:
    draft = image_draft(["a"], "Finished anyway")
    studio = await make_studio(director=ScriptedDirector(ScriptedTurn(draft=draft, reply="ok", cost=10),
                                                         delay=0.5), keepalive_seconds=0.05)
    user = await studio.user()
    sid = await user.new_session()
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": sid,
            "new_message": {"parts": [{"text": "create"}]}}
    async with user.http.stream("POST", "/run_sse", json=body) as r:
        async for chunk in r.aiter_bytes():
            assert b"keep-alive" in chunk
            break  # the phone lost its connection
    for _ in range(50):
        if (await user.state(sid))["data"]["state"]["draft"] == draft:
            break
        await asyncio.sleep(0.05)
    assert (await user.state(sid))["data"]["state"]["draft"] == draft
    assert (await user.credits())["available"] == 90


async def test_the_director_gets_the_session_assets_and_language(make_studio: StudioFactory,
                                                                 studio_media: StudioMedia) -> None:
    director = ScriptedDirector()
    studio = await make_studio(director=director)
    user = await studio.user()
    sid = await user.new_session(language="zh-CN")
    uploaded = (await user.upload(sid, *studio_media.photos[:2]))["data"]["files"]
    await user.chat(sid, "做一个视频")
    (seen,) = director.seen
    assert seen["message"] == "做一个视频" and seen["language"] == "zh" and seen["draft"] is None
    assert [a.id for a in seen["assets"]] == [f["asset_id"] for f in uploaded]
    assert [(a.kind, a.name, a.width, a.height) for a in seen["assets"]] == [
        ("image", "aurora-front.jpg", 1600, 1200), ("image", "aurora-side.jpg", 1080, 1440)]


async def test_unknown_session_and_empty_message(make_studio: StudioFactory) -> None:
    studio = await make_studio(director=ScriptedDirector())
    user = await studio.user()
    gone = await user.chat("999999999999", "hello")
    assert gone.status_code == 404 and gone.json() == {"detail": "Session not found"}
    sid = await user.new_session()
    empty = await user.chat(sid, "   ")
    assert empty.status_code == 422
