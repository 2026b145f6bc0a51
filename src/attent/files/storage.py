"""Where attachment bytes live: a small storage interface, and the file system as its first implementation.

Content is addressed by its SHA-256 within an organisation (`blob_key`): the same file attached twice,
or to two cases, is kept once. Keys carry the organisation so that one organisation's files move
with it (sharding by organisation) or are erased as one folder, and no organisation's upload can
ever be answered from another's bytes. An object store (S3 and the like) implements the same three
methods later; `storage_for` picks it from the settings.
"""

import hashlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from attent.core.settings import Settings


class Storage(Protocol):
    """Put, open and ask for content by key; `put` of a key that exists keeps the first copy."""

    def put(self, key: str, data: bytes) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...


class Sweepable(Storage, Protocol):
    """A storage that can also list and remove content, for `attent files sweep`."""

    def stored(self, before: datetime) -> Iterator[str]: ...

    def delete(self, key: str, *, unless_touched_since: datetime) -> bool: ...


def blob_key(organisation_id: uuid.UUID, sha256: str) -> str:
    """The key of one organisation's content: `<organisation>/<first two hex digits>/<sha256>`."""
    return f"{organisation_id}/{sha256[:2]}/{sha256}"


def digest(data: bytes) -> str:
    """The SHA-256 of the content, in hex."""
    return hashlib.sha256(data).hexdigest()


class FileSystemStorage:
    """Files under one folder; written to a temporary name and renamed, so a reader never sees half a
    file, and a crash leaves at most a temporary file behind."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not parts or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes) -> None:
        """Keep `data` under `key`, unless it is there already (same key, same content)."""
        path = self._path(key)
        if path.exists():
            os.utime(path)  # in use again: a sweep running now leaves it alone (it only takes old content)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        """The content for reading; FileNotFoundError when it is not there."""
        return self._path(key).open("rb")

    def exists(self, key: str) -> bool:
        """Whether content is kept under `key`."""
        return self._path(key).is_file()

    def stored(self, before: datetime) -> Iterator[str]:
        """The keys of content last written or stored again before `before`."""
        cutoff = before.timestamp()
        for path in sorted(self.root.glob("*/*/*")):
            if path.is_file() and not path.name.startswith(".") and path.stat().st_mtime < cutoff:
                yield path.relative_to(self.root).as_posix()

    def delete(self, key: str, *, unless_touched_since: datetime) -> bool:
        """Remove content, unless it was stored again since (a file being attached right now)."""
        path = self._path(key)
        try:
            if path.stat().st_mtime >= unless_touched_since.timestamp():
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        return True


def storage_for(settings: Settings) -> Storage:
    """The storage this deployment keeps attachments in (`ATTENT_FILES_DIR`)."""
    return FileSystemStorage(settings.files_dir)
