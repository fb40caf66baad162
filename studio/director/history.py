"""The versions of a session's draft: every change kept, with undo, redo and "go back to version 3".

A version is the draft after one applied turn, numbered from 1, with the turn's tool calls and a
one-line label. The log is append-only: going back to an old version makes it current without
deleting anything after it, and "undo" after that returns to where you were. It keeps the last
`LIMIT` versions (the drafts themselves are stored by the studio next to this log,
`studio.api.state`).

- a new edit: the current version is pushed on the undo stack, the new one becomes current, the
  redo stack is cleared;
- undo: the current version goes on the redo stack, the top of the undo stack becomes current;
- redo: the reverse;
- restore n: the current version goes on the undo stack, n becomes current, redo is cleared.
"""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, Field

from studio.director.models import ToolCall

LIMIT = 50


class Version(BaseModel):
    n: int
    label: str
    calls: list[ToolCall] = Field(default_factory=list)
    at: float = 0.0


class History(BaseModel):
    versions: list[Version] = Field(default_factory=list)
    head: int | None = None
    undo_stack: list[int] = Field(default_factory=list)
    redo_stack: list[int] = Field(default_factory=list)
    next_n: int = 1

    def version(self, n: int) -> Version | None:
        return next((v for v in self.versions if v.n == n), None)

    @property
    def undo_to(self) -> int | None:
        return self.undo_stack[-1] if self.undo_stack else None

    @property
    def redo_to(self) -> int | None:
        return self.redo_stack[-1] if self.redo_stack else None

    def record(self, label: str, calls: list[ToolCall], limit: int = LIMIT) -> tuple[int, list[int]]:
        """A new current version; returns its number and the numbers dropped to stay within `limit`."""
        n = self.next_n
        self.next_n += 1
        self.versions.append(Version(n=n, label=label[:120], calls=calls, at=time.time()))
        if self.head is not None:
            self.undo_stack.append(self.head)
        self.head = n
        self.redo_stack = []
        dropped = [v.n for v in self.versions[:-limit]] if len(self.versions) > limit else []
        if dropped:
            gone = set(dropped)
            self.versions = self.versions[-limit:]
            self.undo_stack = [x for x in self.undo_stack if x not in gone]
            self.redo_stack = [x for x in self.redo_stack if x not in gone]
        return n, dropped

    def move(self, kind: Literal["undo", "redo", "restore"], to: int) -> None:
        """Make `to` current by an undo, a redo or a restore (the caller checked it is possible)."""
        if self.head is None:
            self.head = to
            return
        if kind == "undo":
            self.redo_stack.append(self.head)
            self.undo_stack.pop()
        elif kind == "redo":
            self.undo_stack.append(self.head)
            self.redo_stack.pop()
        else:
            if to == self.head:
                return
            self.undo_stack.append(self.head)
            self.redo_stack = []
        self.head = to
