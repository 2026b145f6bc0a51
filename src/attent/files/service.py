"""Attachments: store a file on a case (limits, type from the bytes, once per hash), list, open, link.

A file is checked before anything is written: its size against the per-file limit, all files of one
message together against the per-message limit, and the type is read from the bytes (`attent.mail`'s
rules, shared with incoming e-mail). A name or content that says "program" (`invoice.pdf.exe`, a
"PDF" that is a Windows executable) is kept, as the customer sent it, and flagged: it is only ever
offered as bytes to save (`application/octet-stream`, `Content-Disposition: attachment`), never shown
inline, and the case page warns. Archives are never opened, so a zip bomb costs its compressed size.

The content goes to the storage before the row is flushed. If the transaction then rolls back, the
content stays behind unreferenced: harmless (the same file stored again finds it), and a sweep can
remove content no row refers to. Callers check who may see the case; these functions check that the
case is the organisation's.
"""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO, Protocol

from babel.numbers import format_decimal
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases import Case
from attent.core.clock import Clock
from attent.core.errors import FieldError, Invalid, NotFound, TooLarge
from attent.core.i18n import NUMBER_LOCALES, pick_language
from attent.core.settings import Settings
from attent.files.kinds import AttachmentAdded
from attent.files.models import Attachment, UploadedBy
from attent.files.storage import Storage, blob_key, digest, storage_for
from attent.mail import classify_file, sanitise_filename
from attent.timeline.service import record_case_event

MAX_FILES = 20  # per message; more is a mistake (a folder dragged in), not a conversation
# Types a browser may show by themselves (thumbnails, a PDF viewer); everything else is served as bytes.
SHOWN_AS_IS = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
THUMBNAIL_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})  # never SVG
TOO_BIG = "The file {name} is {size}; a file may be at most {limit}."
TOO_MUCH = "These files are {size} together; one message may carry at most {limit}."


@dataclass(frozen=True)
class Size:
    """A number of bytes as a person reads it, in the reader's language: "25 MB", "1,5 MB", "300 kB"."""

    bytes: int

    def say(self, language: str) -> str:
        """The size, written the reader's way."""
        locale = NUMBER_LOCALES[pick_language(language)]
        if self.bytes >= 1024 * 1024:
            return f"{format_decimal(round(self.bytes / (1024 * 1024), 1), locale=locale)} MB"
        if self.bytes >= 1024:
            return f"{format_decimal(round(self.bytes / 1024), locale=locale)} kB"
        return f"{self.bytes} B"

    def __str__(self) -> str:
        return self.say("en")


@dataclass(frozen=True)
class Limits:
    """How large one file, and all files of one message together, may be."""

    file_bytes: int
    message_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> "Limits":
        """The limits the deployment is configured with (ATTENT_MAX_FILE_BYTES, ATTENT_MAX_MESSAGE_BYTES)."""
        return cls(file_bytes=settings.max_file_bytes, message_bytes=settings.max_message_bytes)


@dataclass(frozen=True)
class Upload:
    """One file to store: its name and bytes as given, the type the sender declared, and for an
    e-mail's inline image its Content-ID."""

    filename: str | None
    data: bytes
    declared_type: str = ""
    content_id: str | None = None
    inline: bool = False


class Posted(Protocol):
    """A file from a multipart form, as Starlette's UploadFile has it."""

    filename: str | None
    content_type: str | None
    file: BinaryIO


def uploads_of(files: Sequence[Posted]) -> list[Upload]:
    """The files of a multipart form as `store_attachments` takes them; a file input left empty sends a
    part without a name and without bytes, which is no file."""
    uploads = []
    for file in files:
        data = file.file.read()
        if file.filename or data:
            uploads.append(Upload(file.filename, data, file.content_type or ""))
    return uploads


@dataclass(frozen=True)
class Part:
    """An attachment as an outgoing e-mail carries it (the bytes are read from the storage when sent)."""

    filename: str
    content_type: str
    key: str


def check_sizes(uploads: Sequence[Upload], *, limits: Limits, already: int = 0, field: str = "files") -> None:
    """Refuse, before anything is stored, a file over the per-file limit (413), all of them over the
    per-message limit (413), an empty file or too many files (422); `already` is what the message
    carries besides."""
    if len(uploads) > MAX_FILES:
        raise Invalid(
            "too_many_files",
            "Attach at most {n} files to one message.",
            [FieldError((field,), "At most {n} files.", {"n": MAX_FILES})],
            n=MAX_FILES,
        )
    for index, upload in enumerate(uploads):
        name = sanitise_filename(upload.filename, f"#{index + 1}")
        if len(upload.data) > limits.file_bytes:
            raise TooLarge(
                "file_too_large",
                TOO_BIG,
                name=name,
                size=Size(len(upload.data)),
                limit=Size(limits.file_bytes),
            )
        if not upload.data:
            raise Invalid(
                "empty_file",
                "The file {name} is empty.",
                [FieldError((field, index), "The file is empty.")],
                name=name,
            )
    total = already + sum(len(u.data) for u in uploads)
    if total > limits.message_bytes:
        raise TooLarge("message_too_large", TOO_MUCH, size=Size(total), limit=Size(limits.message_bytes))


def store_attachments(
    db: Session,
    *,
    org_id: uuid.UUID,
    case_id: uuid.UUID,
    uploads: Sequence[Upload],
    clock: Clock,
    settings: Settings,
    storage: Storage | None = None,
    uploaded_by: UploadedBy = UploadedBy.AGENT,
    agent: Agent | None = None,
    contact_id: uuid.UUID | None = None,
    message_id: uuid.UUID | None = None,
    note_id: uuid.UUID | None = None,
    already: int = 0,
) -> list[Attachment]:
    """Store the files of one message on a case, all or none: each checked, typed from its bytes, kept
    once per content hash, and recorded on the case's timeline."""
    case = db.get(Case, (org_id, case_id))
    if case is None:
        raise NotFound.of("case", case_id)
    check_sizes(uploads, limits=Limits.of(settings), already=already)
    storage = storage or storage_for(settings)
    at = clock.now()
    rows = []
    for index, upload in enumerate(uploads, start=1):
        declared = _media_type(upload.declared_type)
        content_type, flags = classify_file(upload.filename or "", declared, upload.data)
        sha256 = digest(upload.data)
        storage.put(blob_key(org_id, sha256), upload.data)
        rows.append(
            Attachment(
                organisation_id=org_id,
                case_id=case.id,
                contact_id=contact_id,
                message_id=message_id,
                note_id=note_id,
                filename=sanitise_filename(upload.filename, _fallback(index, content_type)),
                sha256=sha256,
                size=len(upload.data),
                content_type=content_type[:127],
                declared_type=declared,
                flags=list(flags),
                content_id=_printable(upload.content_id or "")[:255] or None,
                inline=upload.inline,
                uploaded_by=uploaded_by,
                agent_id=agent.id if agent is not None else None,
                created_at=at,
            )
        )
    db.add_all(rows)
    db.flush()
    for row in rows:
        added = AttachmentAdded(
            attachment_id=str(row.id),
            filename=row.filename,
            size=row.size,
            content_type=row.content_type,
            flags=row.flags,
            contact_id=str(contact_id) if contact_id else None,
            note_id=str(note_id) if note_id else None,
        )
        record_case_event(db=db, case=case, event=added, at=at, actor=agent)
    return rows


def store_attachment(
    db: Session,
    *,
    org_id: uuid.UUID,
    case_id: uuid.UUID,
    filename: str | None,
    data: bytes,
    clock: Clock,
    settings: Settings,
    declared_type: str = "",
    content_id: str | None = None,
    inline: bool = False,
    storage: Storage | None = None,
    uploaded_by: UploadedBy = UploadedBy.AGENT,
    agent: Agent | None = None,
    contact_id: uuid.UUID | None = None,
    message_id: uuid.UUID | None = None,
    note_id: uuid.UUID | None = None,
    already: int = 0,
) -> Attachment:
    """Store one file on a case (see `store_attachments`); `already` is what its message carries besides."""
    [row] = store_attachments(
        db,
        org_id=org_id,
        case_id=case_id,
        uploads=[Upload(filename, data, declared_type, content_id, inline)],
        clock=clock,
        settings=settings,
        storage=storage,
        uploaded_by=uploaded_by,
        agent=agent,
        contact_id=contact_id,
        message_id=message_id,
        note_id=note_id,
        already=already,
    )
    return row


_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")


def _media_type(declared: str) -> str:
    """The type the sender declared, if it is one (`type/subtype`, parameters dropped); else nothing.
    It is the sender's claim, shown for comparison only, and may hold anything (a NUL, a novel)."""
    value = declared.split(";", 1)[0].strip().lower()
    return value if _MEDIA_TYPE.fullmatch(value) else ""


def _printable(text: str) -> str:
    return "".join(c for c in text if c.isprintable())


def _fallback(index: int, content_type: str) -> str:
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "text/plain": ".txt"}
    return f"attachment-{index}{extension.get(content_type, '.bin')}"


def attachments_of(
    db: Session, *, org_id: uuid.UUID, case_id: uuid.UUID, contact_id: uuid.UUID | None = None
) -> list[Attachment]:
    """A case's attachments (or one contact's), oldest first."""
    query = select(Attachment).where(Attachment.organisation_id == org_id, Attachment.case_id == case_id)
    if contact_id is not None:
        query = query.where(Attachment.contact_id == contact_id)
    return list(db.scalars(query.order_by(Attachment.created_at, Attachment.id)))


def attachments_for_customer(db: Session, *, org_id: uuid.UUID, case_id: uuid.UUID) -> list[Attachment]:
    """What the customer may see of a case's files, oldest first: those that went with a contact (our reply,
    their e-mail) and those they uploaded themselves; never a note's, nor a file an agent added to the
    case without sending it."""
    query = select(Attachment).where(
        Attachment.organisation_id == org_id,
        Attachment.case_id == case_id,
        Attachment.note_id.is_(None),
        or_(Attachment.contact_id.is_not(None), Attachment.uploaded_by == UploadedBy.CUSTOMER),
    )
    return list(db.scalars(query.order_by(Attachment.created_at, Attachment.id)))


def get_attachment(
    db: Session, *, org_id: uuid.UUID, case_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment:
    """One attachment of a case; another organisation's, or another case's, is 'not found'."""
    row = db.get(Attachment, (org_id, attachment_id))
    if row is None or row.case_id != case_id:
        raise NotFound.of("attachment", attachment_id)
    return row


def open_content(attachment: Attachment, *, settings: Settings, storage: Storage | None = None) -> BinaryIO:
    """The attachment's bytes, for reading; NotFound when the storage lost them."""
    storage = storage or storage_for(settings)
    try:
        return storage.open(blob_key(attachment.organisation_id, attachment.sha256))
    except FileNotFoundError:
        raise NotFound.of("attachment", attachment.id) from None


def served_type(attachment: Attachment) -> str:
    """The Content-Type a download carries: the real type for what a browser shows safely by itself,
    `application/octet-stream` for everything else (HTML, SVG, programs, anything flagged)."""
    if attachment.dangerous or attachment.content_type not in SHOWN_AS_IS:
        return "application/octet-stream"
    return attachment.content_type


def thumbnail_ok(attachment: Attachment) -> bool:
    """Whether the case page may show the file as an image: raster images only (an SVG can carry script)."""
    return attachment.content_type in THUMBNAIL_TYPES and not attachment.dangerous


def attach_to(
    db: Session,
    *,
    org_id: uuid.UUID,
    case_id: uuid.UUID,
    attachment_ids: Sequence[uuid.UUID],
    contact_id: uuid.UUID | None = None,
    message_id: uuid.UUID | None = None,
    note_id: uuid.UUID | None = None,
) -> list[Attachment]:
    """Link stored attachments of a case to the contact, message or note they were sent with."""
    rows = [get_attachment(db, org_id=org_id, case_id=case_id, attachment_id=i) for i in attachment_ids]
    for row in rows:
        row.contact_id = contact_id or row.contact_id
        row.message_id = message_id or row.message_id
        row.note_id = note_id or row.note_id
    db.flush()
    return rows


def outgoing_parts(db: Session, *, org_id: uuid.UUID, attachment_ids: Sequence[str]) -> list[Part]:
    """What an outgoing e-mail attaches, in the order given: name, type to declare, storage key."""
    if not attachment_ids:
        return []
    ids = [uuid.UUID(i) for i in attachment_ids]
    rows = {
        r.id: r
        for r in db.scalars(
            select(Attachment).where(Attachment.organisation_id == org_id, Attachment.id.in_(ids))
        )
    }
    return [
        Part(r.filename, served_type(r), blob_key(org_id, r.sha256))
        for i in ids
        if (r := rows.get(i)) is not None
    ]


def move_attachments(
    db: Session, *, org_id: uuid.UUID, from_case_id: uuid.UUID, to_case_id: uuid.UUID
) -> int:
    """Move every attachment of one case to another of the organisation (merging cases); returns how many."""
    moved = db.execute(
        update(Attachment)
        .where(Attachment.organisation_id == org_id, Attachment.case_id == from_case_id)
        .values(case_id=to_case_id)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(moved, "rowcount", 0) or 0)


def read_part(part: Part, *, settings: Settings, storage: Storage | None = None) -> bytes:
    """The bytes of an outgoing e-mail's attachment (read when it is sent, not when it is queued)."""
    with (storage or storage_for(settings)).open(part.key) as content:
        return content.read()


@dataclass(frozen=True)
class Shown:
    """An attachment as the case page lists it: the file, where to get it, and whether it has a thumbnail."""

    attachment: Attachment
    url: str
    thumbnail_url: str | None

    @property
    def size(self) -> Size:
        """Its size, for the page to say."""
        return Size(self.attachment.size)


def case_panel(db: Session, *, org_id: uuid.UUID, case_id: uuid.UUID) -> list[Shown]:
    """The case page's list of files, newest first (the caller has checked who may see the case)."""
    rows = attachments_of(db, org_id=org_id, case_id=case_id)
    shown = []
    for row in reversed(rows):
        url = f"/cases/{case_id}/attachments/{row.id}"
        shown.append(Shown(row, url, f"{url}/thumbnail" if thumbnail_ok(row) else None))
    return shown


def forget_content(
    db: Session,
    *,
    org_id: uuid.UUID,
    sha256s: Sequence[str],
    settings: Settings,
    unless_touched_since: datetime | None = None,
) -> int:
    """Remove at once the stored content that no attachment of the organisation names any more (after an
    erasure wiped the rows that did, or retention deleted them); content still named by another row
    stays, and so does content stored again since `unless_touched_since` (an upload whose row is not
    committed yet; the sweep takes it later if nothing names it). Returns how much went."""
    wanted = set(sha256s)
    if not wanted:
        return 0
    still = set(
        db.scalars(
            select(Attachment.sha256).where(
                Attachment.organisation_id == org_id, Attachment.sha256.in_(wanted)
            )
        )
    )
    storage = storage_for(settings)
    delete = getattr(storage, "delete", None)
    if delete is None:
        return 0
    since = unless_touched_since or datetime.max.replace(tzinfo=UTC)  # None: whenever touched, it goes
    return sum(bool(delete(blob_key(org_id, sha), unless_touched_since=since)) for sha in wanted - still)
