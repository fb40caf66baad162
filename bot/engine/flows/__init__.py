"""The engine's flows, one module per area: `account` (greeting, /new, /token), `info` (credits,
status), `upload`, `chat` (+ `recovery` for silent and broken turns, `followup` for what the backend
adds by itself after a turn), `export` (+ `delivery` for polling, download and delivery, shared with
the restart resume), and `errors` (every failure as one friendly line). Each flow is an async
function taking a `bot.engine.flows.context.Turn` (`context` also holds the per-engine `Services`);
none keeps state between turns (everything lives in Redis).
"""
