"""The phone line under /api/v1/phone, and the telephone system's events at /hooks/{org}.phone."""

from functools import partial
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter
from starlette.background import BackgroundTask

from attent.agents import CurrentAgent
from attent.core.deps import ClockDep, DbSession, SettingsDep, request_body
from attent.core.onethread import OneThreadRoute
from attent.core.pagination import MAX_LIMIT
from attent.phone import service, twilio
from attent.phone.intake import DRAIN
from attent.phone.schemas import CallRead, EventsAccepted, PhoneEvent, PhoneLineIn, PhoneLineRead
from attent.signals import SIGNATURE_HEADER, HookRejected, record_rejection

router = APIRouter(tags=["phone"], route_class=OneThreadRoute)
hooks = APIRouter(tags=["webhooks"], route_class=OneThreadRoute)
Body = Annotated[bytes, Depends(request_body)]
_BODY_SCHEMA = TypeAdapter(PhoneEvent | list[PhoneEvent]).json_schema(
    ref_template="#/components/schemas/{model}", by_alias=True
)


@router.put("/phone/line")
def put_line(
    body: PhoneLineIn,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
    rotate_secret: bool = False,
) -> PhoneLineRead:
    """Create or change the organisation's phone line (admins); the secret is shown when new or rotated."""
    return service.put_line(
        db=db, actor=actor, data=body, at=clock.now(), key=settings.secret_key, rotate=rotate_secret
    )


@router.get("/phone/line")
def get_line(db: DbSession, actor: CurrentAgent) -> PhoneLineRead:
    """The phone line, with its address and recently refused events (admins)."""
    return service.get_line(db=db, actor=actor)


@router.get("/phone/calls")
def list_calls(
    db: DbSession,
    actor: CurrentAgent,
    unsettled: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> list[CallRead]:
    """Calls, newest first: the case and contact each became, its outcome, call-back and problems."""
    return service.list_calls(db=db, actor=actor, unsettled=unsettled, limit=limit)


@router.get("/phone/calls/{call_id}")
def get_call(call_id: str, db: DbSession, actor: CurrentAgent) -> CallRead:
    """One call, by the telephone system's id."""
    return service.get_call(db=db, actor=actor, call_id=call_id)


@hooks.post(
    "/hooks/{slug}.phone",
    status_code=202,
    response_model=EventsAccepted,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": 'One call event, a list, or {"events": [...]}, signed in X-Attent-Signature '
            '(t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>). A Twilio line posts Twilio\'s '
            "form fields instead, signed in X-Twilio-Signature.",
            "content": {
                "application/json": {"schema": {k: v for k, v in _BODY_SCHEMA.items() if k != "$defs"}},
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            },
        }
    },
)
def receive_events(
    slug: str,
    request: Request,
    body: Body,
    db: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
    twilio_signature: Annotated[str | None, Header(alias=twilio.SIGNATURE_HEADER)] = None,
) -> Response:
    """Call events from the telephone system; unsigned or stale ones are refused (401) and recorded.

    Kept and answered first, done right after the answer (`phone.intake`)."""
    now = clock.now()
    line = service.line_at(db=db, slug=slug)
    header = twilio.SIGNATURE_HEADER if line.provider == "twilio" else SIGNATURE_HEADER
    try:
        if line.provider == "twilio":
            fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            service.verify_twilio(
                line=line,
                url=str(request.url),
                fields=fields,
                signature=twilio_signature,
                key=settings.secret_key,
            )
            event = twilio.as_event(fields, dict(request.query_params), now)
            events: list[Any] = [event] if event else []
        else:
            service.verify_generic(
                line=line, body=body, signature=signature, now=now, key=settings.secret_key
            )
            events = service.parse_events(body)
    except HookRejected as rejected:
        remote = request.client.host if request.client else None
        error = record_rejection(
            db=db, rejected=rejected, remote=remote, body_bytes=len(body), at=now, header=header
        )
        db.commit()  # the refusal is kept although the request fails
        raise error from None
    if not events:  # a status we do not follow (Twilio's "queued")
        none = EventsAccepted(accepted=0, duplicates=0, queued=0, items=[])
        return JSONResponse(none.model_dump(mode="json"), status_code=202)
    valid = service.validate(events)
    answer = service.receive(db=db, line=line, events=valid, at=now)
    db.commit()
    work = partial(DRAIN.run, database=request.app.state.db, clock=request.app.state.clock, settings=settings)
    return JSONResponse(answer.model_dump(mode="json"), status_code=202, background=BackgroundTask(work))


def document(app: FastAPI) -> None:
    """Put the call event format's parts into the OpenAPI document's components."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {}).update(_BODY_SCHEMA.get("$defs", {}))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
