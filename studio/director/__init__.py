"""The studio's director: what creators say (English, Chinese, or both) → typed draft edits.

The public interface:
- `RuleDirector` (`director.py`): one turn: `await RuleDirector().turn(draft, message, assets,
  language, history=...)` → `DirectorTurn` (the new draft, the tool calls, the reply, the cost,
  a one-line label, or a move in the versions);
- `tool_schema()` (`ops.py`): every operation as a cloud agent's tool list
  (`[{"name", "description", "parameters"}]`); `apply_call(draft, call, assets)` applies one
  `ToolCall` (the wire form, streamed as `functionCall` events) and is the replayable seam;
- `check_draft(draft)` (`timeline.py`): the timing rules a draft breaks;
- `History` (`history.py`): the session's versions (undo, redo, restore);
- `warm_up()` (`segment.py`): load jieba and the lexicons off the request path.

Inside: `lexicon/*.toml` (the vocabulary, per language) → `lexicon.py`; `units.py`, `segment.py`,
`dims.py`, `tokens.py` (a message → items); `content.py` (the words given to texts);
`understand.py` (the grammar: items → calls); `copywriter.py` (copy from a description);
`ops.py`, `build.py`, `timeline.py` (the operations and the timing rules); `replies.py` with
`i18n/*.toml` (what the user reads). See docs/director.md.
"""

from studio.director.director import (
    CREATE_COST,
    EDIT_COST,
    MAX_MESSAGE_CHARS,
    Director,
    RuleDirector,
)
from studio.director.history import History
from studio.director.models import Asset, Change, DirectorTurn, HistoryMove, ToolCall
from studio.director.ops import apply_call, tool_schema
from studio.director.replies import charge_line
from studio.director.segment import warm_up
from studio.director.timeline import check_draft

__all__ = [
    "CREATE_COST",
    "EDIT_COST",
    "MAX_MESSAGE_CHARS",
    "Asset",
    "Change",
    "Director",
    "DirectorTurn",
    "History",
    "HistoryMove",
    "RuleDirector",
    "ToolCall",
    "apply_call",
    "charge_line",
    "check_draft",
    "tool_schema",
    "warm_up",
]
