"""A fake NemoVideo backend for tests: a real Starlette app served by uvicorn on 127.0.0.1.

Use the `fake_nemo` fixture (tests/fixtures_nemo.py): one server for the whole run, its state
reset before every test. It implements every endpoint of shared/spec/nemo-api.md with in-memory
state, answers the way the spec's first variant says, and can be scripted:

    fake_nemo.url                         base URL, e.g. "http://127.0.0.1:41234"
    fake_nemo.requests                    every request seen, in order: RecordedRequest(method, path,
                                          query, headers (lower-case names), json, files)
                                          files: RecordedFile(field, filename, content_type, size,
                                          sha256, data) (data None above keep_upload_bytes)
    fake_nemo.requests_to("/run_sse", method=None) the requests whose path matches a glob
    fake_nemo.messages                    every chat message the agent received
    fake_nemo.fail_next(path_glob, status=None, code=None, body=None, headers=None, times=1,
                        method=None, delay=0.0)
                                          the next matching requests get this answer instead:
                                          code only → HTTP 200 {"code": code, ...}; body dict → JSON,
                                          str/bytes → raw; no code/body → 500 plain text
    fake_nemo.script_turn(chunks, draft=None)
                                          the next chat turn's raw SSE: bytes written as they are,
                                          a float sleeps, fake_nemo.BREAK drops the connection;
                                          `draft` is set on the session when the turn ends (or breaks)
    fake_nemo.on_turn_set_draft(draft)    the next turn is silent (tool events only) and sets draft
    fake_nemo.set_draft(session_id, draft) / fake_nemo.draft(session_id)
    fake_nemo.render_plan(statuses=None, fail_first=False, mp4_bytes=None)
                                          steps answered by successive polls (last repeats): "pending",
                                          ("processing", 50), ("completed", 100) (URL added), or a
                                          dict answered verbatim; fail_first: next render fails
    fake_nemo.expire_tokens()             every token so far answers 1001; a new anonymous token for
                                          the same client id keeps the same user id
    fake_nemo.drop_sessions()             every session is gone (REST 404 + code 1002, run_sse ADK 404)
    fake_nemo.add_token(token, user_id)   accept an operator's or a user's own token
    fake_nemo.set_credits(user_id, available, frozen=0, total=None)
    fake_nemo.reply                       default turn text, "{message}" replaced by the user's text
    fake_nemo.turn_pause                  seconds between default-turn events (0.01)
    fake_nemo.max_upload_bytes            server-side size limit (answers 4002 above it)
    fake_nemo.sessions / tokens / renders / uploads   the state, for assertions

Default turn: two heartbeats (a comment, `event: heartbeat`), the reply as partial ADK text
deltas, the whole reply, a functionCall/functionResponse pair; then the session's draft becomes a
small studio-form draft (one video segment per uploaded file, a title). Default render: pending →
processing 50 → completed with a URL served by the fake (`/files/<id>.mp4`, no auth), also
downloadable at `/api/render/proxy/<id>/download` (auth). Uploads are served back at their `cdn_url`.

SSE helpers for scripts live in bot.testing.fakenemo.events (`adk_text`, `adk_call`, `adk_result`,
`adk_thought`, `adk_error`, `flat_text`, `sse`, `HEARTBEAT_*`, `default_turn`, `silent_turn`).
"""

from bot.testing.fakenemo.events import (
    HEARTBEAT_COMMENT,
    HEARTBEAT_EVENT,
    HEARTBEAT_JSON,
    adk_call,
    adk_error,
    adk_event,
    adk_result,
    adk_text,
    adk_thought,
    default_turn,
    flat_call,
    flat_result,
    flat_text,
    silent_turn,
    sse,
)
from bot.testing.fakenemo.media import make_test_mp4
from bot.testing.fakenemo.server import FakeNemoServer
from bot.testing.fakenemo.state import BREAK, FakeNemo, RecordedFile, RecordedRequest

__all__ = [
    "BREAK",
    "HEARTBEAT_COMMENT",
    "HEARTBEAT_EVENT",
    "HEARTBEAT_JSON",
    "FakeNemo",
    "FakeNemoServer",
    "RecordedFile",
    "RecordedRequest",
    "adk_call",
    "adk_error",
    "adk_event",
    "adk_result",
    "adk_text",
    "adk_thought",
    "default_turn",
    "flat_call",
    "flat_result",
    "flat_text",
    "make_test_mp4",
    "silent_turn",
    "sse",
]
