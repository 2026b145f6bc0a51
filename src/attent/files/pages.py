"""Attachments in the browser: the download link and the thumbnail the case page shows."""

import uuid

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from attent.agents import CurrentAgent
from attent.cases.service import get_case
from attent.core.deps import DbSession, SettingsDep
from attent.files import serving
from attent.files.api import download_attachment
from attent.files.service import get_attachment

router = APIRouter(include_in_schema=False)


# The page's download link is the API's download, signed in with the browser's session: one function,
# so the access log and the headers cannot differ between the two.
router.add_api_route("/cases/{case_id}/attachments/{attachment_id}", download_attachment, methods=["GET"])


@router.get("/cases/{case_id}/attachments/{attachment_id}/thumbnail")
def thumbnail_page(
    case_id: uuid.UUID, attachment_id: uuid.UUID, db: DbSession, actor: CurrentAgent, settings: SettingsDep
) -> StreamingResponse:
    """A raster image shown on the case page (sized there by CSS); other files have no thumbnail."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    attachment = get_attachment(db, org_id=case.organisation_id, case_id=case.id, attachment_id=attachment_id)
    return serving.thumbnail(attachment, settings)
