"""The director's boundary models (re-exported by `studio.director`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from studio.draft import Draft


class Asset(BaseModel):
    """One uploaded file of the session, in upload order."""

    model_config = ConfigDict(extra="ignore")

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
    """One operation on the wire: `{"name", "args"}`, streamed as an ADK `functionCall` event.

    Replayable: `apply_call(draft, call, assets)` gives the same draft again. The arguments of each
    name are the fields of its operation model in `studio.director.ops` (`tool_schema()` lists them).
    """

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class HistoryMove(BaseModel):
    """A turn that moves through the session's versions instead of editing: the caller (the studio's
    chat runner) makes `to` the current version and stores that version's draft."""

    kind: Literal["undo", "redo", "restore"]
    to: int  # the version number that becomes current


class DirectorTurn(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    draft: Draft | None
    tool_calls: list[ToolCall]
    reply: str
    cost: int  # credits to charge (0 when nothing changed)
    label: str = ""  # one line naming what changed (the version's label)
    history: HistoryMove | None = None

    def wire(self) -> dict[str, Any] | None:
        """The draft in the wire form the session state stores."""
        return self.draft.to_wire() if self.draft is not None else None


@dataclass
class Change:
    """What one tool call did (or why it did nothing: `refused`), for the reply text."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    refused: bool = False
