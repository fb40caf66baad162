"""The NemoVideo backend client: `NemoClient` (the API), `NemoUser` (one user, with recovery).

Modules: errors (exception tree), models (answers), sse (turn events), http (the wire: retries,
error mapping), multipart (streamed uploads), filetype (content sniffing), client, user.
"""

from bot.nemo.client import NemoClient
from bot.nemo.errors import NemoError
from bot.nemo.models import (
    AnonymousToken,
    Credits,
    RenderJob,
    SessionInfo,
    StateSnapshot,
    TurnEvent,
    UploadedFile,
    UploadResult,
)
from bot.nemo.sse import SSEDecoder, VisibleText, parse_turn_event
from bot.nemo.user import Credentials, CredentialStore, NemoUser

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
