"""The director's boundary models (re-exported by `studio.director.director`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field


class Asset(BaseModel):
    """One uploaded file of the session, in upload order."""

    id: str
    kind: Literal["image", "video", "audio"]
    name: str
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None

    @property
    def ref(self) -> str:
        return f"asset://{self.id}"


class ToolCall(BaseModel):
    """One edit, replayable: `apply_call(draft, call, assets)` gives the same draft again."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class DirectorTurn(BaseModel):
    draft: dict[str, Any] | None
    tool_calls: list[ToolCall]
    reply: str
    cost: int  # credits to charge (0 when nothing changed)


@dataclass
class Change:
    """What one tool call did (or why it did nothing: `refused`), for the reply text."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    refused: bool = False
