"""The NemoVideo backend client: `NemoClient` (the API), `NemoUser` (one user, with recovery).

Modules: errors (exception tree), models (answers), sse (turn events), http (the wire: retries,
error mapping), multipart (streamed uploads), filetype (content sniffing), client, user.
"""

from bot.backend.client import NemoClient
from bot.backend.errors import NemoError
from bot.backend.models import (
    AnonymousToken,
    Credits,
    RenderJob,
    SessionInfo,
    StateSnapshot,
    TurnEvent,
    UploadedFile,
    UploadResult,
)
from bot.backend.sse import SSEDecoder, VisibleText, parse_turn_event
from bot.backend.user import Credentials, CredentialStore, NemoUser

__all__ = [
    "AnonymousToken",
    "CredentialStore",
    "Credentials",
    "Credits",
    "NemoClient",
    "NemoError",
    "NemoUser",
    "RenderJob",
    "SSEDecoder",
    "SessionInfo",
    "StateSnapshot",
    "TurnEvent",
    "UploadResult",
    "UploadedFile",
    "VisibleText",
    "parse_turn_event",
]
