"""Attachments as the API shows them."""

import uuid
from datetime import datetime

from attent.core.schemas import Output
from attent.files.models import UploadedBy


class AttachmentRead(Output):
    """A file on a case: its name, size and the type its bytes are; `flags` warn of a program
    (`executable`, `double_extension`, `type_mismatch`), and such a file downloads only as bytes."""

    id: uuid.UUID
    case_id: uuid.UUID
    contact_id: uuid.UUID | None
    message_id: uuid.UUID | None
    note_id: uuid.UUID | None
    filename: str
    size: int
    content_type: str
    sha256: str
    flags: list[str]
    inline: bool
    uploaded_by: UploadedBy
    agent_id: uuid.UUID | None
    created_at: datetime
