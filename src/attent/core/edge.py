"""Input every route would have to refuse, refused once at the edge: NUL characters and deep nesting.

PostgreSQL cannot store U+0000 in text (psycopg raises DataError, a 500 on every field it reached),
and no person types one. A JSON body nested 100,000 levels deep makes `json.loads` and pydantic
recurse until Python gives up (RecursionError, a 500). Rather than a validator on every field of
every schema, `InputGuard` looks at each request once, before anything parses it: the path, the
query string, and the body (JSON, urlencoded and multipart form fields; uploaded files' contents
are left alone, they are bytes). YAML bodies get the same bracket count (flow collections), and
`core.yamlload` bounds their block nesting and YAML's own escapes while they are parsed.
"""

import json
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from attent.core.errors import FieldError, Invalid
from attent.core.labels import N_

MAX_DEPTH = 64  # arrays and objects inside each other; our deepest real document (rules) uses about 8
NUL_DETAIL = N_("Text may not contain NUL characters (U+0000); remove them and send again.")
NUL_FIELD = N_("Contains a NUL character.")
DEPTH_DETAIL = N_("The body is nested more than 64 levels deep; no request of this API needs that.")

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string literal, escapes included
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # \u0000, but not the text \\u0000
_BRACKETS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # opening +1, closing -1 (as signed bytes)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_FORM = b"application/x-www-form-urlencoded"
_MULTIPART = b"multipart/form-data"
_YAML = (b"application/yaml", b"application/x-yaml", b"text/yaml")


def nul_error(path: tuple[str | int, ...]) -> Invalid:
    """The refusal of a NUL character, naming where it was."""
    return Invalid("nul_character", NUL_DETAIL, [FieldError(path, NUL_FIELD)])


def depth_error(path: tuple[str | int, ...] = ("body",)) -> Invalid:
    """The refusal of a body nested deeper than MAX_DEPTH."""
    deeper = FieldError(path, "Nested more than {n} levels deep.", {"n": MAX_DEPTH})
    return Invalid("too_deep", DEPTH_DETAIL, [deeper])


def json_too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than `limit`, found by counting brackets outside strings."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # cannot nest deeper than it has brackets: most bodies stop here
    outside = _STRING.sub(b"", body) if b'"' in body else body
    steps = memoryview(outside.translate(_BRACKETS, _NOT_BRACKETS)).cast("b")
    return max(accumulate(steps), default=0) > limit


def json_nul(body: bytes) -> tuple[str | int, ...] | None:
    """Where a JSON body holds a NUL (raw or as the escape \\u0000), or None when it holds none."""
    if b"\x00" not in body and not (b"\\u0000" in body and _NUL_ESCAPE.search(body)):
        return None
    try:  # safe to parse: the depth was checked first
        document = json.loads(body)
    except ValueError:
        return ("body",)
    return _nul_path(document) or ("body",)


def _nul_path(document: Any) -> tuple[str | int, ...] | None:
    """The path of the first string (value or key) with a NUL in a parsed document."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ("body",))]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return path
        elif isinstance(value, dict):
            if any("\x00" in key for key in value):
                return path
            stack.extend((item, (*path, key)) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in reversed(list(enumerate(value))))
    return None


def encoded_nul(raw: bytes, where: str) -> tuple[str | int, ...] | None:
    """Where a query string or urlencoded form holds a NUL (`%00` or a raw one), naming the field."""
    if b"%00" not in raw and b"\x00" not in raw:
        return None  # every %00 decodes to NUL: a '%' before it cannot belong to an earlier escape
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name:
            return (where,)
        if "\x00" in value:
            return (where, name)
    return (where,)


def multipart_nul(body: bytes, boundary: bytes) -> tuple[str | int, ...] | None:
    """Where a multipart form's fields (not its files) hold a NUL, naming the field."""
    if b"\x00" not in body:
        return None
    found: list[tuple[str | int, ...]] = []
    part: dict[str, Any] = {}

    def begin() -> None:
        part.clear()
        part.update(field=b"", value=b"", disposition=b"", data=False)

    def header_field(data: bytes, start: int, end: int) -> None:
        part["field"] += data[start:end]

    def header_value(data: bytes, start: int, end: int) -> None:
        if part["field"].lower() == b"content-disposition":
            part["disposition"] += data[start:end]

    def header_end() -> None:
        part["field"] = b""

    def part_data(data: bytes, start: int, end: int) -> None:
        part["data"] = part["data"] or data.find(b"\x00", start, end) != -1

    def end_part() -> None:
        _, options = parse_options_header(part["disposition"])
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"\x00" in part["disposition"]:
            found.append(("body",))
        elif part["data"] and b"filename" not in options:
            found.append(("body", name))

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": begin,
            "on_header_field": header_field,
            "on_header_value": header_value,
            "on_header_end": header_end,
            "on_part_data": part_data,
            "on_part_end": end_part,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except (MultipartParseError, ValueError):
        return found[0] if found else None  # a malformed form is the route's to refuse; a NUL seen is ours
    return found[0] if found else None


def body_problem(body: bytes, content_type: bytes) -> Invalid | None:
    """What is wrong with a body at the edge (too deep, or a NUL in its text), if anything."""
    media, options = parse_options_header(content_type)
    if media == _FORM:
        path = encoded_nul(body, "body")
    elif media == _MULTIPART:
        path = multipart_nul(body, options.get(b"boundary", b""))
    else:  # JSON, YAML, or what a route reads as JSON or text (a body without a type is read as JSON)
        if json_too_deep(body):  # YAML's flow collections use the same brackets
            return depth_error()
        # YAML's own escapes ("\0") and its block nesting are for core.yamlload, which parses it.
        path = (("body",) if b"\x00" in body else None) if media in _YAML else json_nul(body)
    return None if path is None else nul_error(path)


def request_problem(scope: Scope) -> Invalid | None:
    """What is wrong with the path or query string, if anything."""
    if "\x00" in scope["path"]:
        return nul_error(("path",))
    path = encoded_nul(scope.get("query_string", b""), "query")
    return None if path is None else nul_error(path)


Respond = Callable[[Request, Invalid], Response]


class InputGuard:
    """Refuse NUL characters and too-deep JSON before any route parses the request (see module doc).

    `respond(request, error)` turns the refusal into the answer the reader expects: problem+json for
    the API, the error page for a browser.
    """

    def __init__(self, app: ASGIApp, respond: Respond) -> None:
        self.app, self.respond = app, respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = request_problem(scope)
        if problem is not None:
            await self.respond(Request(scope), problem)(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        problem = body_problem(body, content_type) if body else None
        if problem is not None:
            await self.respond(Request(scope), problem)(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
