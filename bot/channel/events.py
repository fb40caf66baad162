"""The platform-free event model: what adapters hand the engine, and what the engine asks back.

An adapter turns a platform update into one `Incoming` (text, attachments, who, where, locale)
and implements the `Reply` protocol: a handful of primitives (send, edit, delete, send a video,
show activity). Throttling, splitting, "not modified", retry-after and fall-back-to-new-message
live once in `bot.channel.streaming`, parameterised by the adapter's `ChannelLimits`.

Adapters signal the three platform conditions the streaming layer must know about by raising the
exceptions of `bot.channel.errors` from `edit_text` / `send_text`; anything else they raise is a
delivery failure.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.ids import ChatRef, Platform, UserKey

log = logging.getLogger(__name__)

AttachmentKind = Literal["image", "video", "audio", "document", "unknown"]
Activity = Literal["typing", "upload_video"]


class Attachment(BaseModel):
    """One file (already on local disk) or one remote URL the user sent."""

    model_config = ConfigDict(frozen=True)

    filename: str
    kind: AttachmentKind = "unknown"  # the platform's hint; the engine decides by content
    path: Path | None = None  # downloaded file, owned by the engine once handed over
    url: str | None = None  # a link the user pasted: becomes a URL upload
    size: int | None = None  # bytes, when the platform told us
    mime: str | None = None


class Incoming(BaseModel):
    """One user message (an album counts as one), a command, or a button press: who (`user`) wrote
    where (`chat`, on the same platform)."""

    model_config = ConfigDict(frozen=True)

    user: UserKey
    chat: ChatRef
    text: str = ""
    attachments: list[Attachment] = Field(default_factory=list)
    locale: str | None = None  # platform language code, e.g. "en", "zh-hans", "zh-CN"
    update_id: str | None = None  # platform update id, for de-duplication
    is_group: bool = False
    user_name: str | None = None

    @model_validator(mode="after")
    def _one_platform(self) -> Incoming:
        if self.user.platform != self.chat.platform:
            raise ValueError(f"user {self.user} and chat {self.chat} are on different platforms")
        return self

    @property
    def platform(self) -> Platform:
        return self.user.platform


class Button(BaseModel):
    """A quick-action button. `action` is the command it sends back, e.g. "/export" (≤ 64 bytes)."""

    model_config = ConfigDict(frozen=True)

    label: str
    action: str


QUICK_ACTIONS: tuple[str, ...] = ("/export", "/status", "/credits", "/new")
"""The quick-action buttons the engine offers, in order; each one's label is the i18n key
`btn.<command>` (🎬 Export, 📊 Status, 💳 Credits, 🆕 New project)."""


class MessageRef(BaseModel):
    """An adapter's handle to a message it sent (opaque to the engine)."""

    model_config = ConfigDict(frozen=True)

    id: str
    chat_id: str | None = None


class VideoFile(BaseModel):
    """A finished MP4 on local disk, with what platforms want to know about it."""

    model_config = ConfigDict(frozen=True)

    path: Path
    width: int
    height: int
    duration: float  # seconds
    size: int  # bytes
    thumbnail: Path | None = None  # JPEG, ≤ 320 px on its longer side
    url: str | None = None  # where it can also be downloaded


class ImageFile(BaseModel):
    """A picture for the chat (the draft's storyboard): its bytes and what platforms want to know."""

    model_config = ConfigDict(frozen=True)

    filename: str  # e.g. "storyboard.jpg"
    data: bytes = Field(repr=False)
    mime: str = "image/jpeg"
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


class ChannelLimits(BaseModel):
    """What one channel allows and can do; the engine, the streaming layer and delivery read these
    (a capability is declared here, never probed on the Reply)."""

    model_config = ConfigDict(frozen=True)

    platform: Platform | None = None  # whose channel (metrics); None: a test or tool channel
    max_text: int = 4096
    max_caption: int = 1024
    edit_interval: float = 1.0  # seconds between edits of one message
    max_video_bytes: int | None = 50 * 1024 * 1024  # None: unlimited
    supports_buttons: bool = True
    supports_edit: bool = True  # False: no mid-stream edits, the final text is sent once
    supports_documents: bool = False  # `Reply.send_document` works
    long_text_messages: int | None = None
    """A final text longer than this many messages' worth goes out as one message with its beginning
    and the whole text attached as a file (needs `supports_documents`); None: always split."""
    max_image_bytes: int | None = None
    """The largest picture `Reply.send_image` shows (the storyboard); None: the channel shows none."""
    supports_drafts: bool = False
    """Mid-stream text goes to `Reply.send_draft` (an animated, ephemeral draft: Telegram's
    sendMessageDraft in private chats) and the final text is sent as new messages, instead of
    post-then-edit (`bot.channel.drafts`)."""
    draft_interval: float = 0.5  # seconds between draft updates of one answer

    @property
    def supports_images(self) -> bool:
        return self.max_image_bytes is not None and self.max_image_bytes > 0

    @property
    def long_text_as_file(self) -> bool:
        return self.supports_documents and self.long_text_messages is not None


@runtime_checkable
class Reply(Protocol):
    """What an adapter can do in one chat. Implemented by each adapter; used by the engine."""

    @property
    def limits(self) -> ChannelLimits: ...

    async def send_text(
        self, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        """Send a new message. `formatted`: the text may carry light Markdown (bold, code)."""
        ...

    async def edit_text(
        self, ref: MessageRef, text: str, *, buttons: list[Button] | None = None, formatted: bool = False
    ) -> MessageRef:
        """Replace a message's text. Raises NotModified, MessageGone or RetryLater."""
        ...

    async def delete(self, ref: MessageRef) -> None: ...

    async def send_video(
        self, video: VideoFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        """Send the MP4 (the engine checked `limits.max_video_bytes` first)."""
        ...

    async def send_document(
        self, filename: str, data: bytes, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        """Send a file with a caption; called only when `limits.supports_documents` (else it
        raises DeliveryError)."""
        ...

    async def send_image(
        self, image: ImageFile, caption: str, *, buttons: list[Button] | None = None
    ) -> MessageRef:
        """Show a picture with a caption; called only when `limits.supports_images` and the image
        fits `limits.max_image_bytes` (else it raises DeliveryError)."""
        ...

    async def send_draft(self, draft_id: int, text: str) -> None:
        """Show `text` as the chat's animated draft (ephemeral; one `draft_id` per answer); called
        only when `limits.supports_drafts`. Raises `DraftsRefused` when the platform refuses drafts
        in this chat, `RetryLater` when rate-limited, else DeliveryError."""
        ...

    async def show_activity(self, activity: Activity) -> None:
        """Show "typing…" / "sending video…"; lasts about 5 s on Telegram."""
        ...


async def quietly(aw: Awaitable[object]) -> None:
    """Await a last message to the user (`reply.send_text(...)`); if even that fails, only log it."""
    try:
        await aw
    except Exception as exc:
        log.warning("could not tell the user: %s", type(exc).__name__)
