"""What the bot and the studio share, and nothing else: the settings base (`settings`), logging and
redaction (`logs`, `redact`), file-type sniffing (`filetype`), the ffmpeg binary and probe
(`ffmpeg`), the Redis server launcher and the shared embedded Redis (`redis_server`,
`embedded_redis`), and the draft's track kinds (`draft.TrackKind`).

`common` imports no other videobot package (see the import-linter contracts in pyproject.toml).
"""
