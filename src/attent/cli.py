"""The `attent` command: serve, worker, migrate, demo, org, agent, token, coach, rules, citus."""

import logging
import signal
from datetime import timedelta
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from attent import wiring
from attent.agents.models import Role
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent, create_token
from attent.coach import cli as coach_cli
from attent.core.clock import SystemClock
from attent.core.db import Database
from attent.core.errors import AttentError
from attent.core.migrate import upgrade
from attent.core.settings import get_settings
from attent.core.worker import Worker
from attent.files import cli as files_cli
from attent.mailboxes import cli as mailboxes_cli
from attent.organisations.models import Organisation
from attent.organisations.service import create_organisation, find_organisation

app = typer.Typer(help="Attent: customer service in which every commitment is kept.", no_args_is_help=True)
agent_app = typer.Typer(help="Manage agents.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
org_app = typer.Typer(help="Manage organisations (tenants).", no_args_is_help=True)
rules_app = typer.Typer(help="Try the organisation's rules.", no_args_is_help=True)
citus_app = typer.Typer(
    help="Run on a Citus cluster (PostgreSQL distributed by organisation).", no_args_is_help=True
)
app.add_typer(agent_app, name="agent")
app.add_typer(token_app, name="token")
app.add_typer(org_app, name="org")
app.add_typer(coach_cli.app, name="coach")
app.add_typer(rules_app, name="rules")
app.add_typer(citus_app, name="citus")
app.add_typer(mailboxes_cli.mailbox_app, name="mailbox")
app.add_typer(mailboxes_cli.mail_app, name="mail")
app.add_typer(files_cli.app, name="files")
console = Console()


def _database() -> Database:
    settings = get_settings()
    return Database.from_url(settings.database_url, pool_size=settings.db_pool_size)


def _fail(error: AttentError) -> None:
    console.print(f"[red]{error.detail}[/red]")
    raise typer.Exit(code=1)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    url = get_settings().database_url
    console.print(upgrade(url).describe(url.split("@")[-1]))


@citus_app.command("distribute")
def citus_distribute() -> None:
    """Distribute the migrated schema by organisation (run on the coordinator after `attent migrate`)."""
    from attent import models  # every table, in foreign-key order
    from attent.core.citus import distribute

    database = _database()
    try:
        console.print(distribute(database.engine, models.Base.metadata).describe())
    except RuntimeError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=1) from error
    finally:
        database.engine.dispose()


def _base_url() -> str:
    """Where `attent serve` can be reached on this machine with the settings as they are."""
    settings = get_settings()
    host = settings.host
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - listening everywhere: this machine answers on loopback
        host = "127.0.0.1"
    if ":" in host:  # an IPv6 address goes in brackets in a URL
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    worker: Annotated[
        bool, typer.Option(help="Run the worker in this process (the embedded default).")
    ] = True,
    workers: Annotated[
        int, typer.Option(help="Web processes on this port (PostgreSQL only; `attent worker` for jobs).")
    ] = 1,
    reuse_port: Annotated[bool, typer.Option(hidden=True, help="Bind beside sibling processes.")] = False,
) -> None:
    """Serve the web app and API (and, by default, the worker)."""
    import os

    from attent.coach.engine import describe
    from attent.core.serving import serve_many, serve_one

    if not worker:  # before the settings are read (and cached): the app factory reads them again
        os.environ["ATTENT_EMBEDDED_WORKER"] = "false"
        get_settings.cache_clear()
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("attent.coach").info(describe())  # compiled or plain (`make run` builds nothing)
    host, port = host or settings.host, port or settings.port
    if workers > 1:
        # Each of several processes can wait on its own queries: no trip to a thread (bench/README.md).
        os.environ.setdefault("ATTENT_API_ON_EVENT_LOOP", "true")
        raise typer.Exit(serve_many(host, port, workers, worker))
    serve_one(host, port, reuse_port=reuse_port, access_log=settings.access_log)


@app.command("worker")
def run_worker(
    once: Annotated[bool, typer.Option(help="Do one batch of due jobs and exit.")] = False,
) -> None:
    """Do due jobs (promise transitions, messages, webhooks) until stopped."""
    from attent.coach.engine import describe
    from attent.core.serving import settle_heap

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("attent.coach").info(describe())
    settings = get_settings()
    w = Worker(
        database=_database(),
        clock=SystemClock(),
        settings=settings,
        poll_seconds=settings.worker_poll_seconds,
        step_batch=settings.promise_batch,
        steps=wiring.TIMED_STEPS,
    )
    if once:
        console.print(f"{w.tick()} job(s) done.")
        return

    def stop(_signum: int, _frame: FrameType | None) -> None:
        w.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    settle_heap()
    w.run()


@app.command()
def demo(
    force: Annotated[bool, typer.Option(help="Load even if the database holds other data.")] = False,
    show: Annotated[
        bool, typer.Option(help="Only print the logins and the API token; change nothing.")
    ] = False,
) -> None:
    """Load the demo organisations and print the logins; a demo too old for its story is loaded again."""
    from attent.demo import PASSWORD, Opened, open_demo

    database = _database()
    now = SystemClock().now()
    with database.unit_of_work() as db:
        try:
            result = open_demo(
                db=db, now=now, secret_key=get_settings().secret_key, show_only=show, force=force
            )
        except AttentError as exc:
            _fail(exc)
            return
    if result.opened is None:
        console.print(
            "The database already has data; demo data was not loaded (use --force to add it anyway)."
        )
        return
    if not result.logins.logins:
        console.print("There is no demo in this database; `attent demo` loads it.")
        raise typer.Exit(code=1)
    when = _ago(now - result.was_loaded_at) if result.was_loaded_at else "some time ago"
    console.print(
        {
            Opened.LOADED: "Loaded the demo organisations.",
            Opened.RELOADED: f"The demo was loaded {when}, too long ago for its story (a call that dropped "
            "minutes ago): it was loaded again, so that its times read from now. Changes made in the demo "
            "organisations were reset.",
            Opened.CURRENT: f"The demo was loaded {when}; its story still holds, nothing was changed.",
            Opened.SHOWN: f"The demo, loaded {when}:",
        }[result.opened],
        soft_wrap=True,
    )
    table = Table(title=f"Demo logins (password for all: {PASSWORD})")
    for column in ("Organisation", "E-mail", "Name", "Role"):
        table.add_column(column)
    for row in result.logins.logins:
        table.add_row(*row)
    console.print(table)
    token = result.logins.token
    if token is None:
        console.print(
            "The demo API token was revoked (or ATTENT_SECRET_KEY changed since loading); make one with "
            "`attent token create --org kopje-koffie --email sanne@kopjekoffie.example`.",
            soft_wrap=True,
        )
        token = "<token>"
    else:
        console.print(f"Demo API token (Sanne, admin of Kopje Koffie): [bold]{token}[/bold]", soft_wrap=True)
    console.print(f"Try: curl -H 'Authorization: Bearer {token}' {_base_url()}/api/v1/cases", soft_wrap=True)


def _ago(delta: timedelta) -> str:
    """A short 'how long ago': just now, 3 minutes ago, 5 hours ago, 2 days ago."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} minute{'s' * (minutes != 1)} ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} hours ago"
    return f"{minutes // (24 * 60)} days ago"


@org_app.command("create")
def org_create(
    slug: Annotated[str, typer.Argument(help="Short name, e.g. kopje-koffie.")],
    name: Annotated[str, typer.Argument(help="Display name.")],
    timezone: Annotated[str, typer.Option(help="IANA time zone.")] = "Europe/Amsterdam",
    language: Annotated[str, typer.Option(help="nl or en.")] = "nl",
) -> None:
    """Create an organisation."""
    with _database().unit_of_work() as db:
        try:
            org = create_organisation(
                db=db, slug=slug, name=name, timezone=timezone, language=language, at=SystemClock().now()
            )
        except AttentError as exc:
            _fail(exc)
            return
        console.print(f"Organisation {org.slug} created ({org.id}).")


def _org(db: Session, slug: str) -> Organisation:
    try:
        return find_organisation(db=db, slug=slug)
    except AttentError as exc:
        _fail(exc)
        raise


@agent_app.command("create")
def agent_create(
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    email: Annotated[str, typer.Option(help="Sign-in e-mail address.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[Role, typer.Option(help="agent, lead or admin.")] = Role.AGENT,
    language: Annotated[str, typer.Option(help="nl or en.")] = "nl",
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters."),
    ] = "",
) -> None:
    """Create an agent (the way to make the first admin of a new organisation)."""
    from pydantic import ValidationError

    with _database().unit_of_work() as db:
        organisation = _org(db, org)
        try:
            data = AgentCreate(email=email, name=name, role=role, language=language, password=password)
            agent = create_agent(
                db=db, actor=None, organisation_id=organisation.id, data=data, at=SystemClock().now()
            )
        except ValidationError as exc:
            problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
            console.print(f"[red]{problems}[/red]")
            raise typer.Exit(code=1) from None
        except AttentError as exc:
            _fail(exc)
            return
        console.print(f"Agent {agent.email} ({agent.role.value}) created in {organisation.slug}.")


@token_app.command("create")
def token_create(
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    email: Annotated[str, typer.Option(help="The agent the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Create an API token for an agent and print it (shown once)."""
    from sqlalchemy import select

    from attent.agents.models import Agent

    with _database().unit_of_work() as db:
        organisation = _org(db, org)
        agent = db.scalar(
            select(Agent).where(Agent.organisation_id == organisation.id, Agent.email == email.lower())
        )
        if agent is None:
            console.print(f"[red]No agent {email} in {org}.[/red]")
            raise typer.Exit(code=1)
        _token, secret = create_token(db=db, agent=agent, name=name, at=SystemClock().now())
    console.print(secret)


@rules_app.command("test")
def rules_test(
    rule: Annotated[str, typer.Argument(help="The rule's key (or id).")],
    org: Annotated[str, typer.Option(help="Organisation slug.")],
    since: Annotated[str, typer.Option(help="How far back: 30d, 12h, 2w.")] = "30d",
) -> None:
    """Show what a rule would have done over past signals, without writing anything."""
    from attent.signals.dryrun import dry_run
    from attent.signals.shapes import duration

    try:
        back = duration(since)
    except ValueError as exc:
        console.print(f"[red]--since: {exc}[/red]")
        raise typer.Exit(code=2) from None
    now = SystemClock().now()
    with _database().sessions() as db:  # read only, and rolled back whatever happens
        organisation = _org(db, org)
        try:
            result = dry_run(db=db, organisation_id=organisation.id, rule=rule, since=now - back, now=now)
        except AttentError as exc:
            _fail(exc)
            return
        finally:
            db.rollback()
    since_text = f"{result.since:%Y-%m-%d %H:%M}"
    table = Table(title=f"Rule {result.rule_key} over {result.signals_seen} signal(s) since {since_text}")
    for column in ("Signal", "Type", "Occurred", "Outcome", "Actions", "Held back / note"):
        table.add_column(column)
    for line in result.lines:
        table.add_row(
            str(line.signal_id)[:13], line.signal_type, f"{line.occurred_at:%Y-%m-%d %H:%M}", line.outcome,
            ", ".join(line.actions), line.reason or "",
        )  # fmt: skip
    console.print(table)
    console.print(f"Would act on {result.would_fire}; held back {result.held}; nothing was written.")
