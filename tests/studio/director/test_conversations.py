"""Held-out conversations through the real studio: `POST /run_sse`, versions in Redis, credits.

Each conversation of `corpus/conversations*.yaml` is one session of one user on a running studio
(real director, real Redis), its uploads sent through the upload API first. After every turn the
stored draft is read back through `/api/state` and judged as a creator would see it:
- the facts asked for hold, and on an edit nothing else moved (the corpus's property check);
- undo / redo / "go back to version n" give exactly the draft of that earlier turn;
- small talk, questions and refusals change nothing and cost nothing;
- every charge is the one expected, is stated as the reply's last line with the real balance after
  it, and nothing is charged without being stated.
The rates (turns and whole conversations) appear in the terminal summary; the gate is 97 % of turns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from studio.director import charge_line
from studio.draft import Draft
from tests.fixtures_studio import RunningStudio, StudioFactory, StudioMedia, StudioUser
from tests.studio.director.corpus_facts import allowed, expand, facts
from tests.studio.director.test_corpus import RESULTS, contradictions, matches

CORPUS = Path(__file__).with_name("corpus")
GATE = 0.97
START_CREDITS = 100


def conversations() -> list[dict[str, Any]]:
    """Every conversation of `conversations*.yaml` (batch 1, then batch 2)."""
    data: list[dict[str, Any]] = []
    for path in sorted(CORPUS.glob("conversations*.yaml")):
        data.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return data


def reply_of(raw: str) -> str:
    """The final (not partial) text event of an SSE body; an error event's message otherwise."""
    text = ""
    for block in raw.split("\n\n"):
        if not block.startswith("data: "):
            continue
        event = json.loads(block[len("data: ") :])
        if "errorMessage" in event:
            return f"<error {event.get('errorCode')}: {event['errorMessage']}>"
        parts = (event.get("content") or {}).get("parts") or [{}]
        if "text" in parts[0] and not event.get("partial"):
            text = str(parts[0]["text"])
    return text


def calls_of(raw: str) -> list[str]:
    """The names of the tool calls the turn streamed (`functionCall` events)."""
    names = []
    for block in raw.split("\n\n"):
        if block.startswith("data: "):
            for part in (json.loads(block[len("data: ") :]).get("content") or {}).get("parts") or []:
                if "functionCall" in part:
                    names.append(str(part["functionCall"]["name"]))
    return names


class Symbols:
    """Asset ids ↔ the corpus's names (p1..p3, c1, s1, logo1)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def add(self, asset_id: str, name: str) -> None:
        self.names[asset_id] = name

    def facts(self, wire: dict[str, Any] | None) -> dict[str, Any]:
        if wire is None:
            return {}
        f = facts(Draft.from_wire(wire))
        f["shots"] = [self.names.get(s, s) for s in f["shots"]]
        if f.get("music") is not None:
            f["music"] = self.names.get(f["music"], f["music"])
        return f


async def _upload(
    user: StudioUser, sid: str, kinds: list[str], media: StudioMedia, logo: Path, symbols: Symbols
) -> None:
    files = {"photos": media.photos, "clip": [media.video], "song": [media.audio], "logo": [logo]}
    prefix = {"photos": "p", "clip": "c", "song": "s", "logo": "logo"}
    for kind in kinds:
        answer = await user.upload(sid, *files[kind])
        assert answer.get("code") == 0, answer
        for n, f in enumerate(answer["data"]["files"], 1):
            symbols.add(str(f["asset_id"]), f"{prefix[kind]}{n}")


def _expected_cost(turn: dict[str, Any], created: bool) -> int:
    if "cost" in turn:
        return int(turn["cost"])
    if turn.get("nothing") or "same_as" in turn:
        return 0
    return 2 if created else 10


async def run_conversation(
    studio: RunningStudio, conv: dict[str, Any], media: StudioMedia, logo: Path
) -> list[tuple[int, str]]:
    """Every turn's problems, as (turn number, what went wrong); empty when all turns pass."""
    user = await studio.user()
    language = "zh-CN" if conv["language"] == "zh" else "en"
    sid = await user.new_session(language=language)
    symbols = Symbols()
    await _upload(user, sid, conv.get("uploads", []), media, logo, symbols)
    after_turn: dict[int, dict[str, Any]] = {}
    balance = START_CREDITS
    created = False
    failures: list[tuple[int, str]] = []
    for n, turn in enumerate(conv["turns"], 1):
        before_wire = (await user.state(sid))["data"]["state"]["draft"]
        before = symbols.facts(before_wire)
        raw = (await user.chat(sid, turn["say"])).text
        reply = reply_of(raw)
        after_wire = (await user.state(sid))["data"]["state"]["draft"]
        after = symbols.facts(after_wire)
        after_turn[n] = after
        problems: list[str] = contradictions(calls_of(raw))
        cost = _expected_cost(turn, created)
        left = int((await user.credits())["available"])
        if balance - left != cost:
            problems.append(f"charged {balance - left}, want {cost}")
        stated = charge_line(balance - left, left, conv["language"]) if balance > left else None
        if stated is not None and not reply.endswith(stated):
            problems.append(f"the charge is not stated ({stated!r})")
        last = reply.splitlines()[-1] if reply else ""
        if stated is None and (("credits," in last and "left." in last) or "积分，剩余" in last):
            problems.append("a charge is stated but nothing was charged")
        balance = left
        if turn.get("nothing") and after_wire != before_wire:
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            problems.append(f"changed {changed}")
        if "same_as" in turn:
            target = after_turn[int(turn["same_as"])]
            diff = sorted(k for k in set(target) | set(after) if target.get(k) != after.get(k))
            if diff:
                problems.append(
                    f"not the draft of turn {turn['same_as']}: "
                    + ", ".join(f"{k} {target.get(k)!r}≠{after.get(k)!r}" for k in diff)
                )
        want = expand(turn.get("want") or {}, after)
        for key, value in want.items():
            if not matches(value, after.get(key)):
                problems.append(f"{key}: want {value!r}, got {after.get(key)!r}")
        if want and before:
            moved = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
            moved -= allowed(set(want))
            if moved and turn.get("cost") != 10:  # a new video may renew everything
                problems.append(
                    "also changed "
                    + ", ".join(f"{k} {before.get(k)!r}→{after.get(k)!r}" for k in sorted(moved))
                )
        replies = turn.get("reply") or []
        for text in [replies] if isinstance(replies, str) else replies:
            if text.lower() not in reply.lower():
                problems.append(f"reply lacks {text!r}")
        if after_wire is not None:
            created = True
        if problems:
            failures.append((n, f"{turn['say']!r}: " + "; ".join(problems) + f" / reply {reply!r}"))
    return failures


async def test_held_out_conversations_through_the_studio(
    make_studio: StudioFactory, studio_media: StudioMedia, tmp_path: Path
) -> None:
    logo = tmp_path / "brand-logo.png"
    Image.new("RGBA", (256, 256), (200, 40, 90, 255)).save(logo)
    studio = await make_studio()
    convs = conversations()
    turns = sum(len(c["turns"]) for c in convs)
    report: list[str] = []
    bad_turns = 0
    bad_convs = 0
    for conv in convs:
        failures = await run_conversation(studio, conv, studio_media, logo)
        if failures:
            bad_convs += 1
            bad_turns += len(failures)
            report.extend(f"{conv['name']} #{n}: {text}" for n, text in failures)
    RESULTS["conversation turns"] = (turns - bad_turns, turns)
    RESULTS["conversations"] = (len(convs) - bad_convs, len(convs))
    rate = (turns - bad_turns) / turns
    text = "\n".join(report)
    print(
        f"\nconversations: {len(convs) - bad_convs}/{len(convs)}; turns {turns - bad_turns}/{turns}"
        f" = {100 * rate:.1f} %\n{text}"
    )
    assert rate >= GATE, text


def test_the_conversations_are_many_and_long_enough() -> None:
    convs = conversations()
    assert len(convs) >= 25
    assert all(3 <= len(c["turns"]) <= 8 for c in convs)
    assert {c["language"] for c in convs} == {"en", "zh"}
