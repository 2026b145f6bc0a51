"""How an attachment leaves the server: as bytes to save, in a sandbox, with the browser told not to guess.

Every download carries `Content-Disposition: attachment` (the browser saves it, never opens it in our
origin), `X-Content-Type-Options: nosniff` (it never reads HTML into an image) and a sandboxing CSP
(were it ever shown, it runs no script, submits no form, reaches nothing). The Content-Type is the
type the bytes are for images and PDFs and `application/octet-stream` for everything else, so an
HTML file, an SVG or a program is never served as what it could run as. A thumbnail is the image
itself, shown `inline` only for raster images (never SVG), under the same sandbox.
"""

import unicodedata
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import quote

from fastapi.responses import StreamingResponse

from attent.core.errors import NotFound
from attent.core.settings import Settings
from attent.files.models import Attachment
from attent.files.service import open_content, served_type, thumbnail_ok

SANDBOX = "sandbox; default-src 'none'; frame-ancestors 'none'"
CHUNK = 256 * 1024


def disposition(kind: str, filename: str) -> str:
    """`attachment; filename="…"; filename*=UTF-8''…`: an ASCII name for old clients, the real one (RFC 6266)
    for the rest; quotes, backslashes and anything unprintable never reach the header as such."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c if c.isprintable() and c not in '"\\;' else "_" for c in ascii_name).strip()
    return f"{kind}; filename=\"{ascii_name or 'attachment'}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _chunks(content: BinaryIO) -> Iterator[bytes]:
    with content:
        while chunk := content.read(CHUNK):
            yield chunk


def download(attachment: Attachment, settings: Settings) -> StreamingResponse:
    """The file as bytes to save."""
    content = open_content(attachment, settings=settings)
    return _respond(
        content, attachment, served_type(attachment), disposition("attachment", attachment.filename)
    )


def thumbnail(attachment: Attachment, settings: Settings) -> StreamingResponse:
    """The image itself, for the case page's thumbnail (sized by CSS); anything but a raster image is
    'not found' here."""
    if not thumbnail_ok(attachment):
        raise NotFound.of("attachment", attachment.id)
    content = open_content(attachment, settings=settings)
    return _respond(content, attachment, attachment.content_type, disposition("inline", attachment.filename))


def _respond(content: BinaryIO, attachment: Attachment, media_type: str, how: str) -> StreamingResponse:
    headers = {
        "Content-Disposition": how,
        "Content-Length": str(attachment.size),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": SANDBOX,
        "Cache-Control": "private, no-store",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    return StreamingResponse(_chunks(content), media_type=media_type, headers=headers)
