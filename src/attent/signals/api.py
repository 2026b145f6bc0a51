"""Signals, rules and webhook sources under /api/v1; webhooks from other systems at /hooks/{source}."""

import json
import uuid
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response

from attent.agents import CurrentAgent, Role
from attent.agents.service import require_role
from attent.core import yamlload
from attent.core.deps import ClockDep, DbSession, SettingsDep, request_body
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.onethread import OneThreadRoute
from attent.core.pagination import MAX_LIMIT
from attent.core.schemas import Page
from attent.signals import dryrun, rules, service, sources
from attent.signals.models import SignalState
from attent.signals.schemas import (
    SOURCE_NAME,
    DryRun,
    SignalBatch,
    SignalRead,
    SignalsAccepted,
    SignalsIn,
    SourceIn,
    SourceRead,
)
from attent.signals.shapes import duration

router = APIRouter(tags=["signals"], route_class=OneThreadRoute)
hooks = APIRouter(tags=["webhooks"], route_class=OneThreadRoute)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
Body = Annotated[bytes, Depends(request_body)]
SourceName = Annotated[str, Path(pattern=SOURCE_NAME, description="The source's name, e.g. shop.")]


@router.post("/signals", status_code=202)
def post_signals(body: SignalsIn, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> SignalsAccepted:
    """Take in one signal or {"signals": [...]} (up to 1,000); the worker evaluates them against the rules."""
    require_role(actor, Role.ADMIN)  # integrations post with an admin's token
    batch = isinstance(body, SignalBatch)
    signals = body.signals if isinstance(body, SignalBatch) else [body]
    return service.take_in(
        db=db, organisation_id=actor.organisation_id, source=service.API_SOURCE, signals=signals, batch=batch,
        at=clock.now(),
    )  # fmt: skip


@router.get("/signals")
def list_signals(
    db: DbSession,
    actor: CurrentAgent,
    customer_id: uuid.UUID | None = None,
    type: Annotated[str | None, Query(max_length=80)] = None,
    state: SignalState | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Page[SignalRead]:
    """Signals, newest first, each with what the rules made of it."""
    items, next_cursor = service.list_signals(
        db=db, actor=actor, customer_id=customer_id, type=type, state=state, cursor=cursor, limit=limit
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/signals/{signal_id}")
def get_signal(signal_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> SignalRead:
    """One signal and its firings."""
    return service.get_signal(db=db, actor=actor, signal_id=signal_id)


@router.get("/signal-types")
def signal_types(db: DbSession, actor: CurrentAgent) -> dict[str, dict[str, str]]:
    """Every signal type this organisation can send (built-in and its own) with its attributes."""
    types = service.signal_types(db=db, organisation_id=actor.organisation_id)
    return {name: dict(attributes) for name, attributes in types.items()}


def _rules_response(document: dict[str, Any], request: Request) -> Response:
    if any(t in request.headers.get("accept", "") for t in YAML_TYPES):
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        return Response(text, media_type="application/yaml")
    return Response(json.dumps(document, ensure_ascii=False), media_type="application/json")


_RULES_DOC = {
    "200": {"content": {"application/json": {}, "application/yaml": {}}, "description": "The rules document."}
}


@router.get("/rules", responses=_RULES_DOC)  # type: ignore[arg-type]
def get_rules(request: Request, db: DbSession, actor: CurrentAgent) -> Response:
    """The rules document as JSON, or YAML with `Accept: application/yaml` (leads and admins)."""
    return _rules_response(rules.get_rulebook(db=db, actor=actor), request)


@router.put(
    "/rules",
    responses=_RULES_DOC,  # type: ignore[arg-type]
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}, "application/yaml": {}},
        }
    },
)
def put_rules(
    request: Request,
    body: Body,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    content_type: Annotated[str, Header()] = "application/json",
) -> Response:
    """Replace the rules document (admins); every problem is reported with the path to its field."""
    document = parse_document(body, content_type)
    return _rules_response(rules.put_rulebook(db=db, actor=actor, document=document, at=clock.now()), request)


class UnsupportedMediaType(AttentError):
    """The body is neither JSON nor YAML."""

    status = 415
    title = "Unsupported media type"


def parse_document(body: bytes, content_type: str) -> Any:
    """A JSON or YAML body (safe YAML only: no tags, no objects; depth bounded, no NUL characters)."""
    media = content_type.split(";")[0].strip().lower()
    if media in YAML_TYPES:
        try:
            return yamlload.safe_load(body.decode("utf-8"))
        except yamlload.Refused as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 1
            raise Invalid(
                exc.code, exc.detail, [FieldError(("body",), "At line {line}.", {"line": line})]
            ) from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            if mark is None:
                raise Invalid("invalid_yaml", "The body is not valid YAML.") from None
            raise Invalid(
                "invalid_yaml",
                "The body is not valid YAML at line {line}, column {column}.",
                line=mark.line + 1,
                column=mark.column + 1,
            ) from None
    if media == "application/json":
        try:
            return json.loads(body)
        except ValueError as exc:
            raise Invalid("invalid_json", "The body is not valid JSON ({reason}).", reason=str(exc)) from None
    raise UnsupportedMediaType(
        "unsupported_media_type", "Send the rules as application/json or application/yaml."
    )


@router.get("/rules/{rule_id}")
def get_rule(rule_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> dict[str, Any]:
    """One rule with its state: paused (and why), and how often it fired, was held or failed."""
    return rules.get_rule(db=db, actor=actor, rule_id=rule_id)


@router.post("/rules/{rule_id}/resume")
def resume_rule(rule_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> dict[str, Any]:
    """Resume a paused rule (admins); the signals it kept run again now."""
    return rules.resume_rule(db=db, actor=actor, rule_id=rule_id, at=clock.now())


@router.get("/rules/{rule_id}/dry-run")
def dry_run(
    rule_id: uuid.UUID,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    since: Annotated[str, Query(description="How far back: 30d, 12h, 2w …")] = "30d",
) -> DryRun:
    """What the rule would have done over past signals, writing nothing (leads and admins)."""
    require_role(actor, Role.LEAD)
    try:
        back = duration(since)
    except ValueError as exc:
        raise Invalid("invalid_since", str(exc), [FieldError.because(("query", "since"), exc)]) from None
    now = clock.now()
    return dryrun.dry_run(
        db=db, organisation_id=actor.organisation_id, rule=rule_id, since=now - back, now=now
    )


@router.get("/signal-sources")
def list_sources(db: DbSession, actor: CurrentAgent) -> list[SourceRead]:
    """Every webhook source, with its address and recent refusals (admins)."""
    return sources.list_sources(db=db, actor=actor)


@router.get("/signal-sources/{name}")
def get_source(name: str, db: DbSession, actor: CurrentAgent) -> SourceRead:
    """One webhook source (admins)."""
    return sources.get_source(db=db, actor=actor, name=name)


@router.put("/signal-sources/{name}")
def put_source(
    name: SourceName,
    body: SourceIn,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
    rotate_secret: bool = False,
) -> SourceRead:
    """Create or change a source (admins); its secret is in the answer when new or rotated, never again."""
    return sources.put_source(
        db=db,
        actor=actor,
        name=name,
        data=body,
        at=clock.now(),
        key=settings.secret_key,
        rotate=rotate_secret,
    )


@hooks.post("/hooks/{address}", status_code=202)
def receive_hook(
    address: str,
    request: Request,
    body: Body,
    db: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
    signature: Annotated[str | None, Header(alias=sources.SIGNATURE_HEADER)] = None,
) -> SignalsAccepted:
    """A signed webhook from another system, mapped to signals; a bad signature is 401, and recorded."""
    now = clock.now()
    try:
        source = sources.verify(
            db=db, address=address, body=body, signature=signature, now=now, key=settings.secret_key
        )
    except sources.HookRejected as rejected:
        remote = request.client.host if request.client else None
        error = sources.record_rejection(
            db=db, rejected=rejected, remote=remote, body_bytes=len(body), at=now
        )
        db.commit()  # the refusal is kept although the request fails
        raise error from None
    return sources.receive(db=db, source=source, body=body, at=now)
