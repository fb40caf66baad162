"""What the bot and the studio share, and nothing else: the settings base, logging and redaction,
file-type sniffing, the ffmpeg probe and the Redis server launcher.

`common` imports no other videobot package (see the import-linter contracts in pyproject.toml).
"""
