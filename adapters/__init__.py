"""The platforms: `telegram/`, `discord/` and `console/` (the terminal). Each turns platform updates
into `bot.channel.events.Incoming`, implements `Reply`, and gives its `BotHost` the Reply for a
resumed render's chat; nothing else (no business logic, no wiring: that is `app`'s)."""
