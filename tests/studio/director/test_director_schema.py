"""The edit language as a tool list: one JSON schema for every operation, and every call the director
makes fits it (what an LLM agent given the same tools would be held to)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from studio.director import RuleDirector, ToolCall, apply_call, tool_schema
from studio.director.ops import OPERATIONS, parse_call, to_call
from tests.studio.director.corpus_facts import start
from tests.studio.director.test_corpus import CORPUS

_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}


def problems(schema: dict[str, Any], value: Any, where: str = "") -> list[str]:
    """A small JSON-schema check: types, enums, required and unknown properties, bounds, items."""
    out: list[str] = []
    kind = schema.get("type")
    if (kind and not isinstance(value, _TYPES[kind])) or (
        kind in ("integer", "number") and isinstance(value, bool)
    ):
        return [f"{where}: {value!r} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} not in {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        out.append(f"{where}: {value!r} < {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        out.append(f"{where}: {value!r} > {schema['maximum']}")
    if kind == "object":
        props = schema.get("properties", {})
        out += [f"{where}: missing {k}" for k in schema.get("required", []) if k not in value]
        if schema.get("additionalProperties") is False:
            out += [f"{where}: unknown {k}" for k in value if k not in props]
        for k, v in value.items():
            if k in props:
                out += problems(props[k], v, f"{where}.{k}")
    if kind == "array" and "items" in schema:
        for n, v in enumerate(value):
            out += problems(schema["items"], v, f"{where}[{n}]")
    return out


def test_every_operation_is_one_tool_in_the_cloud_agent_shape() -> None:
    tools = tool_schema()
    assert json.loads(json.dumps(tools)) == tools  # plain JSON
    names = [t["name"] for t in tools]
    assert len(names) == len(set(names)) == len(OPERATIONS)
    for tool in tools:
        assert set(tool) == {"name", "description", "parameters"}
        assert tool["description"] and len(tool["description"]) > 15, tool["name"]
        params = tool["parameters"]
        assert params["type"] == "object" and isinstance(params["properties"], dict)
        assert "$ref" not in json.dumps(params) and "anyOf" not in json.dumps(params)  # plain for every agent
    by_name = {t["name"]: t for t in tools}
    assert by_name["set_aspect"]["parameters"]["properties"]["aspect"]["enum"] == [
        "16:9",
        "9:16",
        "1:1",
        "4:5",
        "3:4",
    ]
    assert by_name["move_shot"]["parameters"]["required"] == ["from", "to"]
    assert set(by_name["style_text"]["parameters"]["properties"]) >= {
        "target",
        "color",
        "size",
        "font",
        "bold",
        "italic",
        "upper",
        "anim",
        "pos",
    }
    for name in (
        "undo",
        "redo",
        "restore_version",
        "list_versions",
        "duplicate_shot",
        "set_shot_weight",
        "trim_shot",
        "set_brand",
        "set_style",
        "set_end_card",
        "add_text",
        "set_price",
        "set_offer",
    ):
        assert name in by_name


def test_every_call_the_director_makes_over_the_corpus_fits_the_schema_and_replays() -> None:
    tools = {t["name"]: t["parameters"] for t in tool_schema()}
    director = RuleDirector()
    seen: set[str] = set()
    for lang in ("en", "zh"):
        for entry in yaml.safe_load((CORPUS / f"{lang}.yaml").read_text(encoding="utf-8")):
            session = start(director, entry["start"], "zh" if lang == "zh" else "en")
            turn = director.run(
                session.draft, entry["say"], session.assets, session.language, session.history
            )
            replayed = session.draft
            for call in turn.tool_calls:
                seen.add(call.name)
                assert problems(tools[call.name], call.args, call.name) == [], (entry["say"], call)
                op = parse_call(call)
                assert not hasattr(op, "refused") and to_call(op) == call  # the wire form round-trips
                replayed, change = apply_call(replayed, call, session.assets)
                assert not change.refused, (entry["say"], call, change)
            if turn.tool_calls:
                assert replayed == turn.draft, entry["say"]
    assert len(seen) >= 25  # the corpus exercises most of the language


@pytest.mark.parametrize(
    "call",
    [
        ToolCall(name="set_aspect", args={"aspect": "9:16", "extra": 1}),
        ToolCall(name="style_text", args={"target": "everything", "color": "#ffffff"}),
        ToolCall(name="set_shot_weight", args={"index": 1, "weight": 20}),
        ToolCall(name="move_shot", args={"from": 1}),
    ],
)
def test_a_call_outside_the_schema_is_refused(call: ToolCall) -> None:
    tools = {t["name"]: t["parameters"] for t in tool_schema()}
    assert problems(tools[call.name], call.args)  # the schema says no ...
    _draft, change = apply_call(None, call, [])
    assert change.refused  # ... and so does apply_call
