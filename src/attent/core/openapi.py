"""The OpenAPI document says what the API really answers: its problem+json errors and its bearer tokens.

Every error leaves through `core.problems` as `application/problem+json`, whichever route raised
it, so the errors an operation can answer follow from what the operation is: one that needs a
token can answer 401 and 403, one that takes a body 400 (malformed JSON) and 413 (too large), one
that changes something 409, one with parameters or a body 404 (an id naming nothing the caller
may see), every one 422 (bad parameters, or a NUL character anywhere in the request).
`document_problems` adds those responses to every operation of the generated document, in one
place, instead of each route listing them by hand; a route adds the rare ones (429, 415) itself
with `responses={429: problem_response(429)}`.
"""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from attent.core.problems import PROBLEM

_REF = {"$ref": "#/components/schemas/Problem"}
_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "description": "An RFC 9457 problem: a stable `code`, a sentence in `detail`, and for bad input "
        "one entry per field in `errors`.",
        "type": "object",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemField"}},
            "retry_at": {"type": "string", "format": "date-time"},
        },
    },
    "ProblemField": {
        "title": "ProblemField",
        "type": "object",
        "required": ["path", "pointer", "message"],
        "properties": {
            "path": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "pointer": {"type": "string"},
            "message": {"type": "string"},
        },
    },
}
_WHY = {
    400: "The body is not valid JSON, or the request is malformed.",
    401: "No valid credentials: send `Authorization: Bearer <token>`.",
    403: "The caller may not do this (a role it lacks).",
    404: "Nothing with that id exists for the caller (other organisations' rows included).",
    409: "The change clashes with the current state.",
    413: "The request body is larger than the configured limit.",
    415: "The body is in a media type this operation does not take.",
    422: "Invalid input (each bad field is named in `errors`), or a NUL character in the request.",
    429: "Too many attempts; `retry_at` says when trying again is allowed.",
}
_WITH_BODY = {"post", "put", "patch"}
_WRITES = {"post", "put", "patch", "delete"}
HOOKS = "/hooks/"
_BODY_MODELS: list[type[BaseModel]] = []  # models that routes reading their own body document


def body_schema(model: type[BaseModel]) -> dict[str, str]:
    """A reference to `model`'s schema for a route that parses its body itself (`openapi_extra`)."""
    if model not in _BODY_MODELS:
        _BODY_MODELS.append(model)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def problem_response(status: int) -> dict[str, Any]:
    """The OpenAPI response of one problem+json status (also for a route's own `responses=`)."""
    response: dict[str, Any] = {"description": _WHY[status], "content": {PROBLEM: {"schema": _REF}}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def problem_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The problem statuses an operation can answer, from what it is (see the module's docstring)."""
    statuses = {401, 422}
    if not path.startswith(HOOKS):
        statuses.add(403)  # hooks are signed by a system, not an agent's: a bad signature is a 401
    if method in _WITH_BODY:
        statuses |= {400, 413}
    if method in _WRITES:
        statuses.add(409)
    if operation.get("parameters") or "requestBody" in operation or method in _WITH_BODY:
        statuses.add(404)
    return sorted(statuses)


def _document(schema: dict[str, Any], prefix: str) -> None:
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(_SCHEMAS)
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in problem_statuses(path, method, operation):
                if str(status) == "422" or str(status) not in responses:  # FastAPI's 422 is not ours
                    responses[str(status)] = problem_response(status)
            operation["responses"] = dict(sorted(responses.items()))
            if path.startswith(prefix):
                operation.setdefault("security", [{"bearer": []}])
    schemas = components["schemas"]
    if _BODY_MODELS:
        template = "#/components/schemas/{model}"
        _, defs = models_json_schema([(m, "validation") for m in _BODY_MODELS], ref_template=template)
        for name, definition in defs.get("$defs", {}).items():
            schemas.setdefault(name, definition)
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422, replaced above
        schemas.pop(unused, None)


def document_problems(app: FastAPI, prefix: str) -> None:
    """Add the problem responses to every operation, and the bearer scheme to those under `prefix`."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        if not schema.get("x-problems-documented"):  # FastAPI rebuilds it when the routes change
            _document(schema, prefix)
            schema["x-problems-documented"] = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
