"""The interactive API docs and the favicon, served from `static/` (no CDN: a third party sees nothing).

Swagger UI is vendored from the npm package swagger-ui-dist (see static/vendor/ and the README's
dependency section). FastAPI's `get_swagger_ui_html` starts it with an inline script, which our
Content-Security-Policy (script-src 'self') refuses, so the page loads `static/api-docs.js` instead.
"""

from html import escape
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

SWAGGER_UI = "5.36.0"
STATIC = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)


def docs_page(openapi_url: str) -> str:
    """The docs page: Swagger UI's own files, then ours to start it on `openapi_url`."""
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Attent API</title>
  <link rel="icon" href="/favicon.ico">
  <link rel="stylesheet" href="/static/vendor/swagger-ui-{SWAGGER_UI}.css">
  <script src="/static/vendor/swagger-ui-{SWAGGER_UI}-bundle.js" defer></script>
  <script src="/static/api-docs.js" defer></script>
</head>
<body>
  <div id="swagger-ui" data-openapi="{escape(openapi_url)}"></div>
</body>
</html>
"""


def docs_route(openapi_url: str) -> HTMLResponse:
    """The response for the docs URL."""
    return HTMLResponse(docs_page(openapi_url))


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """Browsers ask for it on every site; a 404 in every tab's console helps nobody."""
    return FileResponse(
        STATIC / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )
