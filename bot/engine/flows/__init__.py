"""The engine's flows, one module per area: `account` (greeting, /new, /token), `info` (credits,
status), `upload`, `chat` (+ `recovery` for silent and broken turns), `export` (+ `delivery` for
polling, download and delivery, shared with the restart resume). Each flow is an async function
taking a `bot.engine.flows.context.Turn`; none keeps state between turns (everything lives in Redis).
"""
