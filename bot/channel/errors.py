"""The conditions an adapter reports from a `Reply` operation (raised by `edit_text` / `send_text`
and friends); `bot.channel.streaming` knows what each one means.

    DeliveryError    the platform refused the operation (the base class)
    ├── NotModified  the edit carried the text the message already has: harmless
    ├── MessageGone  the message to edit no longer exists or can no longer be edited: send anew
    ├── RetryLater   rate-limited: wait `.seconds`, then send only the newest text
    └── DraftsRefused  the platform refuses native drafts in this chat: stream with edits instead
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A platform refused an operation (base class)."""


class NotModified(DeliveryError):
    """The edit carried the text the message already has: harmless."""


class MessageGone(DeliveryError):
    """The message to edit no longer exists or can no longer be edited."""


class RetryLater(DeliveryError):
    """The platform rate-limited us: wait `seconds`, then send only the newest text."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:.1f}s")
        self.seconds = seconds


class DraftsRefused(DeliveryError):
    """The platform refuses native drafts (`Reply.send_draft`) in this chat, e.g. Telegram answers
    sendMessageDraft with "method not found" or a chat-type error: stream with edits instead."""
