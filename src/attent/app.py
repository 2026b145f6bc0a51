"""create_app(): routers, middleware, error handlers, and the embedded worker for `attent serve`."""

import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from attent import wiring
from attent.agents import CALLERS
from attent.agents import account as agents_account
from attent.agents import admin as agents_admin
from attent.agents import admin_people as agents_admin_people
from attent.agents import api as agents_api
from attent.agents import pages as agents_pages
from attent.agents.ratelimit import ApiLimits
from attent.agents.sso import api as sso_api
from attent.agents.sso import pages as sso_pages
from attent.briefs import api as briefs_api
from attent.cases import api as cases_api
from attent.coach import api as coach_api
from attent.coach import pages as coach_pages
from attent.contacts import api as contacts_api
from attent.core import docs, problems
from attent.core.access import AccessLog
from attent.core.clock import Clock, SystemClock
from attent.core.db import Database
from attent.core.edge import InputGuard
from attent.core.errors import AttentError, Invalid
from attent.core.live import Listener
from attent.core.middleware import BodyLimit, Crashes, SecurityHeaders
from attent.core.openapi import document_problems
from attent.core.settings import Settings, get_settings
from attent.core.templating import page_language, render
from attent.core.worker import Worker
from attent.customers import api as customers_api
from attent.failures import api as failures_api
from attent.failures import pages as failures_pages
from attent.files import api as files_api
from attent.files import pages as files_pages
from attent.insight import api as insight_api
from attent.insight import pages as insight_pages
from attent.insight import survey_pages
from attent.mailboxes import api as mailboxes_api
from attent.mailboxes import mail_pages
from attent.mailboxes import pages as mailboxes_pages
from attent.notifications import api as notifications_api
from attent.phone import api as phone_api
from attent.phone import pages as phone_pages
from attent.playbooks import api as playbooks_api
from attent.playbooks import pages as playbooks_pages
from attent.portal import pages as portal_pages
from attent.privacy import api as privacy_api
from attent.privacy import pages as privacy_pages
from attent.promises import api as promises_api
from attent.promises import pages as promises_pages
from attent.recovery import admin as recovery_admin
from attent.recovery import api as recovery_api
from attent.recovery import ladder as recovery_ladder
from attent.search import api as search_api
from attent.search import pages as search_pages
from attent.signals import api as signals_api
from attent.signals import pages as signals_pages
from attent.signals import source_pages as signals_source_pages
from attent.verification import api as verification_api
from attent.verification import pages as verification_pages
from attent.workspace import access_log as workspace_access
from attent.workspace import api as workspace_api
from attent.workspace import calls as workspace_calls
from attent.workspace import (
    canned_page,
    case_edit,
    case_forms,
    case_live,
    case_page,
    customer_edit,
    customer_page,
    new_case,
    panel_forms,
    queue_page,
)
from attent.workspace import hours_pages as workspace_hours
from attent.workspace import pages as workspace_pages

API_PREFIX = "/api/v1"
# Paths that take files in a multipart body, allowed past ATTENT_MAX_BODY_BYTES up to the per-message
# attachment limit (and room for the form's other fields); each file is then held to its own limits.
UPLOAD_PATHS = [
    r"(/api/v1)?/cases/[^/]+/attachments",
    r"/cases/[^/]+/(reply|note)",
]
FORM_ROOM = 1024 * 1024


def _page_error(request: Request, error: AttentError) -> HTMLResponse:
    language = page_language(request)
    return render(
        request,
        "error.html",
        status_code=error.status,
        title=error.heading(language),
        detail=error.say(language),
        errors=[e.say(language) for e in error.errors] if isinstance(error, Invalid) else [],
        agent=None,
    )


def _crash(request: Request, exc: Exception) -> Response:
    return problems.crash_response(request, exc, _page_error)


def _refuse(request: Request, error: AttentError) -> Response:
    return problems.respond(request, error, _page_error)


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    worker: bool | None = None,
) -> FastAPI:
    """Build the web app; pass `database` and `clock` to run against a test transaction and time."""
    settings = settings or get_settings()
    own_database = database is None  # tests hand in theirs, and write the access log themselves
    database = database or Database.from_url(settings.database_url, pool_size=settings.db_pool_size)
    access_log = AccessLog(database)
    clock = clock or SystemClock()
    run_worker = settings.embedded_worker if worker is None else worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        embedded = None
        url = database.engine.url.render_as_string(hide_password=False)
        listener = Listener(url) if database.is_postgres else None
        if listener is not None:  # other processes' changes arrive through LISTEN/NOTIFY
            listener.start()
        if own_database:
            access_log.start()
        if run_worker:
            embedded = Worker(
                database=database,
                clock=clock,
                settings=settings,
                poll_seconds=settings.worker_poll_seconds,
                step_batch=settings.promise_batch,
                steps=wiring.TIMED_STEPS,
            )
            threading.Thread(target=embedded.run, name="attent-worker", daemon=True).start()
        yield
        if embedded is not None:
            embedded.stop()
        if own_database:
            access_log.stop()
        if listener is not None:
            listener.stop()

    app = FastAPI(
        title="Attent",
        version="1",
        summary="Customer service in which every commitment is kept.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by core.docs from static/, not from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings, app.state.db, app.state.clock = settings, database, clock
    app.state.api_limits = ApiLimits(
        per_token=settings.api_requests_per_token_per_minute,
        per_organisation=settings.api_requests_per_organisation_per_minute,
    )
    app.state.access = access_log  # who opened which customer's data, written in batches
    app.state.callers = CALLERS  # who is calling, for the core's one-thread routes and error pages

    # The busiest first: FastAPI tries the routers in order, and each try costs (case work, contacts).
    api_modules = (
        cases_api,
        contacts_api,
        briefs_api,
        agents_api,
        customers_api,
        promises_api,
        notifications_api,
        verification_api,
        playbooks_api,
        recovery_api,
        coach_api,
        signals_api,
        failures_api,
        mailboxes_api,
        files_api,
        insight_api,
        privacy_api,
        search_api,
    )
    for module in api_modules:
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(workspace_access.api, prefix=API_PREFIX)
    app.include_router(cases_api.tags, prefix=API_PREFIX)
    app.include_router(cases_api.teams, prefix=API_PREFIX)  # a team's automatic assignment
    app.include_router(workspace_api.router, prefix=API_PREFIX)  # the case queue and saved views
    app.include_router(workspace_hours.api, prefix=API_PREFIX)  # business hours, organisation and teams
    app.include_router(workspace_hours.router)
    app.include_router(agents_pages.router)
    app.include_router(agents_admin.router)
    app.include_router(agents_account.router)
    app.include_router(agents_admin_people.router)
    app.include_router(sso_pages.router)
    app.include_router(sso_api.router, prefix=API_PREFIX)
    # Before the cases pages: My work answers "/" (the first matching route wins).
    app.include_router(workspace_pages.router)
    app.include_router(queue_page.router)  # before the case page's: /cases/bulk is not a case
    app.include_router(new_case.router)  # nor is /cases/new
    app.include_router(case_page.router)
    app.include_router(case_forms.router)
    app.include_router(panel_forms.router)
    app.include_router(case_edit.router)
    app.include_router(case_live.router)
    app.include_router(workspace_calls.router)
    app.include_router(portal_pages.router)
    app.include_router(customer_page.router)
    app.include_router(workspace_access.router)
    app.include_router(privacy_pages.router)
    app.include_router(promises_pages.router)
    app.include_router(customer_edit.router)
    app.include_router(canned_page.router)
    app.include_router(playbooks_pages.router)
    app.include_router(verification_pages.router)
    app.include_router(recovery_admin.router)
    app.include_router(recovery_ladder.router)
    app.include_router(signals_pages.router)
    app.include_router(signals_source_pages.router)
    app.include_router(phone_pages.router)
    app.include_router(phone_api.router, prefix=API_PREFIX)
    app.include_router(phone_api.hooks)  # before the signal sources' /hooks/{address}, which would take it
    app.include_router(signals_api.hooks)
    app.include_router(coach_pages.router)
    app.include_router(docs.router)
    app.include_router(search_pages.router)
    app.add_api_route(
        f"{API_PREFIX}/docs", lambda: docs.docs_route(f"{API_PREFIX}/openapi.json"), include_in_schema=False
    )
    app.include_router(failures_pages.router)
    app.include_router(mailboxes_pages.router)
    app.include_router(mail_pages.router)
    app.include_router(files_pages.router)
    app.include_router(insight_pages.router)
    app.include_router(survey_pages.router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    document_problems(app, API_PREFIX)
    phone_api.document(app)

    problems.install(app, _page_error)
    # The last added runs first: size limit, then NUL and depth checks, then headers, then crashes.
    app.add_middleware(Crashes, respond=_crash)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(InputGuard, respond=_refuse)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        respond=_refuse,
        uploads=re.compile("|".join(f"(?:{p})" for p in UPLOAD_PATHS)),
        upload_max_bytes=settings.max_message_bytes + FORM_ROOM,
    )
    return app
