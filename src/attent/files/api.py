"""Attachments over the API: list a case's files, download one, upload files to a case (multipart)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import StreamingResponse

from attent.agents import CurrentAgent
from attent.cases.service import get_case
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.files import serving
from attent.files.models import UploadedBy
from attent.files.schemas import AttachmentRead
from attent.files.service import attachments_of, get_attachment, store_attachments, uploads_of

router = APIRouter(prefix="/cases", tags=["attachments"])


@router.get("/{case_id}/attachments")
def list_attachments(case_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> list[AttachmentRead]:
    """The case's files, oldest first (a case you may not see is 'not found')."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    rows = attachments_of(db, org_id=case.organisation_id, case_id=case.id)
    return [AttachmentRead.model_validate(r) for r in rows]


@router.post("/{case_id}/attachments", status_code=201)
def upload_attachments(
    case_id: uuid.UUID,
    files: Annotated[list[UploadFile], File(description="One or more files (repeat the field).")],
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
) -> list[AttachmentRead]:
    """Add files to a case: 413 over the per-file or per-message limit (it names the limit), 422 for an
    empty file; the type is read from the bytes, and a program's name is kept but flagged.

    No Idempotency-Key here: the form is parsed as it streams in, and sending the same files again
    stores no second copy of their bytes (they are kept once per hash)."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    rows = store_attachments(
        db,
        org_id=case.organisation_id,
        case_id=case.id,
        uploads=uploads_of(files),
        clock=clock,
        settings=settings,
        uploaded_by=UploadedBy.AGENT,
        agent=actor,
    )
    return [AttachmentRead.model_validate(r) for r in rows]


@router.get(
    "/{case_id}/attachments/{attachment_id}",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file, to save."}},
)
def download_attachment(
    case_id: uuid.UUID, attachment_id: uuid.UUID, db: DbSession, actor: CurrentAgent, settings: SettingsDep
) -> StreamingResponse:
    """The file's bytes, as a download (`Content-Disposition: attachment`, sandboxed, never sniffed)."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    attachment = get_attachment(db, org_id=case.organisation_id, case_id=case.id, attachment_id=attachment_id)
    return serving.download(attachment, settings)
