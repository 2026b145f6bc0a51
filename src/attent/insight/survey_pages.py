"""The customer's side of a survey: the page a survey e-mail links to, without signing in, in the
customer's language; the answer is posted once and the page then says thank you (post/redirect/get)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from attent.core.csrf import check_csrf
from attent.core.deps import ClockDep, DbSession
from attent.core.forms import say_plain
from attent.core.templating import page_language, render
from attent.customers import Customer
from attent.insight import surveys
from attent.insight.schemas import SurveyAnswer

router = APIRouter(include_in_schema=False)


def _speak_as_customer(
    request: Request, db: DbSession, organisation_id: uuid.UUID, customer_id: uuid.UUID
) -> None:
    customer = db.get(Customer, (organisation_id, customer_id))
    request.state.language = customer.language if customer else None


@router.get("/survey/{organisation_id}/{survey_id}")
def survey_page(
    organisation_id: uuid.UUID,
    survey_id: uuid.UUID,
    request: Request,
    db: DbSession,
    clock: ClockDep,
    t: str = "",
) -> HTMLResponse:
    """Two questions and a comment box; a used, expired or altered link says so (409 or 404)."""
    survey = surveys.open_survey(
        db=db, organisation_id=organisation_id, survey_id=survey_id, token=t, now=clock.now()
    )
    _speak_as_customer(request, db, organisation_id, survey.customer_id)
    return render(request, "insight/survey.html", agent=None, token=t, errors={}, form={})


@router.post("/survey/{organisation_id}/{survey_id}")
def answer_survey(
    organisation_id: uuid.UUID,
    survey_id: uuid.UUID,
    request: Request,
    db: DbSession,
    clock: ClockDep,
    t: Annotated[str, Form(max_length=100)] = "",
    csat: Annotated[str, Form(max_length=3)] = "",
    ces: Annotated[str, Form(max_length=3)] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Store the answer (once), then show the thank-you page."""
    check_csrf(request, csrf)
    now = clock.now()
    survey = surveys.open_survey(
        db=db, organisation_id=organisation_id, survey_id=survey_id, token=t, now=now
    )
    _speak_as_customer(request, db, organisation_id, survey.customer_id)
    form = {"csat": csat, "ces": ces, "comment": comment}
    try:
        data = SurveyAnswer.model_validate(
            {"csat": csat or None, "ces": ces or None, "comment": comment or None}
        )
    except ValidationError as exc:
        language = page_language(request)
        errors = {str(e["loc"][0]): say_plain(e, language) for e in exc.errors()}
        return render(
            request, "insight/survey.html", status_code=422, agent=None, token=t, errors=errors, form=form
        )
    surveys.answer(db=db, organisation_id=organisation_id, survey_id=survey_id, token=t, data=data, now=now)
    return RedirectResponse(f"/survey/{organisation_id}/{survey_id}/thanks", status_code=303)


@router.get("/survey/{organisation_id}/{survey_id}/thanks")
def thanks(organisation_id: uuid.UUID, survey_id: uuid.UUID, request: Request, db: DbSession) -> HTMLResponse:
    """Thank you; nothing about the case is shown to whoever holds the address."""
    return render(request, "insight/survey_thanks.html", agent=None)
