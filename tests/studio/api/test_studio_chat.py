"""`/run_sse`: ADK events, keep-alive comments, credits per turn (and the line that says so), versions
with undo and redo, turns of one session in order, and a turn that outlives its client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from studio import keys
from studio.api.chat import ChatRunner
from studio.api.sessions import find_session
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
    charged = REPLY + "\n−10 credits, 90 left."  # every charge is stated, with the balance after it
    assert len(deltas) >= 2 and deltas == text_events[:-1]
    assert "".join(e["content"]["parts"][0]["text"] for e in deltas) == charged
    assert "partial" not in final and final["content"] == {"role": "model", "parts": [{"text": charged}]}

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


def reply_of(raw: str) -> str:
    finals = [e for e in events(raw) if "content" in e and not e.get("partial")
              and "text" in e["content"]["parts"][0]]
    return str(finals[-1]["content"]["parts"][0]["text"]) if finals else ""


async def test_a_session_with_the_real_director_keeps_versions_undoes_redoes_and_states_each_charge(
    make_studio: StudioFactory, studio_media: StudioMedia,
) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session()
    await user.upload(sid, *studio_media.photos[:3])
    made = reply_of((await user.chat(sid, "make a video for our candle shop")).text)
    assert made.endswith("−10 credits, 90 left.")
    vertical = reply_of((await user.chat(sid, "make it vertical")).text)
    assert vertical.endswith("−2 credits, 88 left.")
    assert (await user.state(sid))["data"]["state"]["draft"]["m"]["aspect"] == "9:16"
    music = reply_of((await user.chat(sid, "add upbeat music")).text)
    assert "Upbeat" in music
    undone = reply_of((await user.chat(sid, "undo")).text)
    assert undone.startswith("Undone: back to version 2") and "credits" not in undone
    draft = (await user.state(sid))["data"]["state"]["draft"]
    assert draft["m"]["aspect"] == "9:16"
    assert [s["m"]["src"] for t in draft["t"] if t["tt"] == 1 for s in t["sg"]] == ["synth://lofi"]
    redone = reply_of((await user.chat(sid, "redo")).text)
    assert redone.startswith("Redone: version 3")
    listed = reply_of((await user.chat(sid, "show versions")).text)
    assert listed.splitlines()[1:4] == ["1. Created the video (15s 16:9)",
                                        "2. the format is now 9:16 (1080x1920)",
                                        "3. the music is now Upbeat ← now"]
    back = reply_of((await user.chat(sid, "go back to version 1")).text)
    assert back.startswith("Back to version 1")
    assert (await user.state(sid))["data"]["state"]["draft"]["m"]["aspect"] == "16:9"
    again = reply_of((await user.chat(sid, "undo")).text)  # undo after a restore returns to where you were
    assert again.startswith("Undone: back to version 3")
    assert (await user.credits())["available"] == 86  # 10 + 2 + 2; undo, redo, versions cost nothing


async def test_words_that_are_not_requests_make_nothing_and_cost_nothing(
    make_studio: StudioFactory, studio_media: StudioMedia,
) -> None:
    studio = await make_studio()
    user = await studio.user()
    sid = await user.new_session(language="zh-CN")
    await user.upload(sid, *studio_media.photos[:2])
    for text in ("help", "upload", "上传", "how much does this cost?", "你好"):
        answer = reply_of((await user.chat(sid, text)).text)
        assert answer and "积分，剩余" not in answer, text
        assert (await user.state(sid))["data"]["state"]["draft"] is None, text
    assert (await user.credits())["available"] == 100
    made = reply_of((await user.chat(sid, "做一个抖音视频，15秒")).text)
    assert made.startswith("好了！") and made.endswith("−10 积分，剩余 90。")


async def test_two_edits_sent_at_once_are_both_applied_in_order_and_both_charged(
    make_studio: StudioFactory,
) -> None:
    first, second = image_draft(["a"], "First"), image_draft(["a"], "Second")
    def titled(draft: dict[str, Any], reply: str) -> ScriptedTurn:
        call = ScriptedCall(name="set_title", args={"text": draft["m"]["title"]})
        return ScriptedTurn(draft=draft, reply=reply, cost=2, tool_calls=[call])

    director = ScriptedDirector(titled(first, "one"), titled(second, "two"), delay=0.3)
    studio = await make_studio(director=director)
    user = await studio.user()
    sid = await user.new_session()
    one, two = await asyncio.gather(user.chat(sid, "edit one"), user.chat(sid, "edit two"))
    assert {reply_of(one.text).splitlines()[0], reply_of(two.text).splitlines()[0]} == {"one", "two"}
    assert [seen["draft"] for seen in director.seen] == [None, first]  # the second saw the first's result
    assert (await user.state(sid))["data"]["state"]["draft"] == second
    assert (await user.credits())["available"] == 96


async def test_a_turn_that_cannot_get_the_session_is_refused_as_busy_and_costs_nothing(
    make_studio: StudioFactory,
) -> None:
    studio = await make_studio(director=ScriptedDirector())
    user = await studio.user()
    sid = await user.new_session()
    session = await find_session(studio.redis, user.user_id, sid)
    assert session is not None
    director = ScriptedDirector(ScriptedTurn(draft=image_draft(["a"]), reply="made", cost=10))
    runner = ChatRunner(studio.redis, lambda: director, busy_wait_seconds=0.3)
    await studio.redis.set(keys.turn_lock(sid), "another-process", px=30000)  # another studio is mid-turn
    outcome = await runner._run(session, "make a video")
    assert outcome.turn is not None
    assert outcome.turn.reply.startswith("I'm still working on your last message")
    assert director.seen == [] and (await user.credits())["available"] == 100
    assert (await user.state(sid))["data"]["state"]["draft"] is None
    await studio.redis.delete(keys.turn_lock(sid))
    after = await runner._run(session, "make a video")  # once the other turn is done, it goes through
    assert after.turn is not None and after.turn.reply == "made\n−10 credits, 90 left."
