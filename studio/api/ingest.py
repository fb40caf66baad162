"""One incoming file, streamed to disk: type sniffed from its first bytes, size capped.

Used by both ways a file arrives (multipart upload, URL download). The type is decided by
content (`common.filetype.sniff_bytes`) as soon as the first bytes are in, before anything is
written; the size is checked on every chunk. Either refusal raises the ApiError (4001 / 4002) at
once and removes the partial file; the caller decides whether to skip the rest of that file or
stop reading. Files are created 0600 (`studio.storage.open_private`). What the file holds is
verified once it is complete (`studio.api.probe.verify`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel

from common.filetype import SNIFF_BYTES, FileType, sniff_bytes
from studio.api import errors
from studio.storage import MediaStore, display_name, open_private

log = logging.getLogger(__name__)


class SavedFile(BaseModel):
    path: Path
    name: str  # display name (sanitised basename)
    filetype: FileType
    size: int
    position: int = 0  # its place in the upload (answers list files in upload order)


class FileSink:
    def __init__(self, store: MediaStore, user_id: str, name: str | None, *, max_bytes: int) -> None:
        self.store = store
        self.user_id = user_id
        self.name = display_name(name)
        self.max_bytes = max_bytes
        self.size = 0
        self._head = bytearray()
        self._type: FileType | None = None
        self._path: Path | None = None
        self._fh: BinaryIO | None = None

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.max_bytes:
            self.discard()
            raise errors.file_too_large(self.name, self.max_bytes // (1024 * 1024))
        if self._fh is None:
            self._head += data
            if len(self._head) >= SNIFF_BYTES:
                self._open()
        else:
            self._fh.write(data)

    def _open(self) -> None:
        head = bytes(self._head)
        filetype = sniff_bytes(head[:SNIFF_BYTES])
        if filetype is None:
            self.discard()
            raise errors.unsupported_file(self.name)
        self._type = filetype
        self._path = self.store.new_path(self.user_id, self.name, filetype.ext)
        self._fh = open_private(self._path)  # closed in finish() / discard()
        self._fh.write(head)
        self._head = bytearray()

    def finish(self) -> SavedFile:
        if self._fh is None:
            self._open()  # a file shorter than SNIFF_BYTES
        assert self._fh is not None and self._path is not None and self._type is not None
        self._fh.close()
        self._fh = None
        return SavedFile(path=self._path, name=self.name, filetype=self._type, size=self.size)

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None
        self._head = bytearray()


def discard_saved(files: list[SavedFile]) -> None:
    for f in files:
        f.path.unlink(missing_ok=True)
