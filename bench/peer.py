"""The peer for `bench/side_by_side.py`: django-helpdesk from PyPI, installed and served at its best.

Everything lives under `bench/work/` (ignored by git): a virtual environment of its own with
django-helpdesk, gunicorn and psycopg (never a dependency of Attent), a minimal Django project that
mounts helpdesk's URLs, and a PostgreSQL database of its own. "At its best" means what its operator
would do for speed: `DEBUG = False`, persistent database connections (`CONN_MAX_AGE = None`), DRF's
token authentication (one indexed lookup; Basic authentication would hash a password per request),
JSON rendering only, mail to the dummy backend, no teams (pinax) and gunicorn with one sync worker
per core.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import make_url

from bench.server import free_port

WORK = Path(__file__).with_name("work")
VERSION = "2.6.1"
REQUIREMENTS = [f"django-helpdesk=={VERSION}", "gunicorn", "psycopg[binary]"]
READY_TIMEOUT_S = 60.0

SETTINGS = """\
import os

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "django.contrib.sites", "django.contrib.humanize",
    "rest_framework", "rest_framework.authtoken", "helpdesk",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "peerproj.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["PEER_DB_NAME"],
    "USER": os.environ["PEER_DB_USER"], "PASSWORD": os.environ.get("PEER_DB_PASSWORD", ""),
    "HOST": os.environ["PEER_DB_HOST"], "PORT": os.environ["PEER_DB_PORT"],
    "CONN_MAX_AGE": None,
}}
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
"""

URLS = """\
from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls"))]
"""

# Run with the peer's Python: migrate, one staff user with a token, one queue, the tickets and a
# follow-up on each; prints the token and the tickets' ids as JSON.
LOAD = """\
import json, sys
from datetime import timedelta
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from helpdesk.models import FollowUp, Queue, Ticket
tickets = int(sys.argv[1])
user, _ = get_user_model().objects.get_or_create(
    username="bench", defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.com"})
token, _ = Token.objects.get_or_create(user=user)
queue, _ = Queue.objects.get_or_create(slug="support", defaults={"title": "Support"})
if not Ticket.objects.exists():
    now = timezone.now()
    rows = [Ticket(title=f"Order {i} did not arrive", queue=queue, created=now - timedelta(minutes=i),
                   modified=now - timedelta(minutes=i), submitter_email=f"customer{i}@example.com",
                   description="My parcel was due yesterday and the tracking page shows nothing.",
                   status=Ticket.OPEN_STATUS, priority=3) for i in range(tickets)]
    Ticket.objects.bulk_create(rows, batch_size=2000)
    ids = list(Ticket.objects.values_list("id", flat=True))
    FollowUp.objects.bulk_create(
        [FollowUp(ticket_id=t, user=user, title="Comment", comment="We asked the carrier.", public=False,
                  date=now) for t in ids], batch_size=2000)
print(json.dumps({"token": token.key, "tickets": list(Ticket.objects.values_list("id", flat=True))}))
"""


def peer_url(url: str) -> str:
    """The peer's own database next to Attent's: same server, name `<attent's>_peer`."""
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_peer").render_as_string(hide_password=False)


class Peer:
    """django-helpdesk under gunicorn on a free loopback port, installed and loaded on first use."""

    def __init__(self, url: str, *, workers: int = 2, tickets: int = 1_000) -> None:
        self.url, self.workers, self.tickets = peer_url(url), workers, tickets
        self.venv, self.project = WORK / "peer-venv", WORK / "peer"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = WORK / "peer.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.token, self.ticket_ids = "", list[int]()

    def install(self) -> None:
        """The peer's virtual environment and project (kept between runs)."""
        python = self.venv / "bin" / "python"
        if not (self.venv / "bin" / "gunicorn").exists():
            subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
        package = self.project / "peerproj"
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
        (package / "settings.py").write_text(SETTINGS)
        (package / "urls.py").write_text(URLS)
        (self.project / "load.py").write_text(LOAD)

    def env(self) -> dict[str, str]:
        """The peer's environment: its settings and database."""
        parsed = make_url(self.url)
        return {**os.environ, "DJANGO_SETTINGS_MODULE": "peerproj.settings", "PYTHONPATH": str(self.project),
                "PEER_DB_NAME": parsed.database or "", "PEER_DB_USER": parsed.username or "postgres",
                "PEER_DB_PASSWORD": parsed.password or "", "PEER_DB_HOST": parsed.host or "127.0.0.1",
                "PEER_DB_PORT": str(parsed.port or 5432)}  # fmt: skip

    def load(self) -> None:
        """Create the database when missing, migrate, load the tickets once; learn the token and ids."""
        parsed = make_url(self.url)
        admin = parsed.set(database="postgres").render_as_string(hide_password=False).replace("+psycopg", "")
        exists = subprocess.run(
            ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{parsed.database}'"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if not exists:
            subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{parsed.database}"'], check=True)
        python = str(self.venv / "bin" / "python")
        out = subprocess.run(
            [python, str(self.project / "load.py"), str(self.tickets)],
            env=self.env(), capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        data = json.loads(out.strip().splitlines()[-1])
        self.token, self.ticket_ids = data["token"], data["tickets"]

    def __enter__(self) -> "Peer":
        self.install()
        self.load()
        command = [str(self.venv / "bin" / "gunicorn"), "peerproj.wsgi_app:application"]
        (self.project / "peerproj" / "wsgi_app.py").write_text(
            "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"
        )
        command += [
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
        ]
        command += ["--chdir", str(self.project), "--log-level", "warning"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_ready()
        return self

    def settle(self) -> None:
        """Wait until the workers are free again: wrk stops, but requests it left queued still run
        (a ticket read takes seconds), and the next test would start against a busy server."""
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"peer exited with {self.process.returncode}; see {self.log_path}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5.0)
            try:
                connection.request("GET", "/helpdesk/api/")  # 401 without a token: it answers
                connection.getresponse().read()
            except OSError:
                time.sleep(0.3)
                continue
            finally:
                connection.close()
            time.sleep(1.0)  # the other workers too
            return
        self.stop()
        raise RuntimeError(f"peer did not answer within {READY_TIMEOUT_S:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        """Stop gunicorn and its workers (killed when a worker is stuck in a slow request)."""
        if self.process is None or self.process.poll() is not None:
            return
        pgid = os.getpgid(self.process.pid)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=20)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        """gunicorn's master process id."""
        assert self.process is not None
        return self.process.pid

    def followup_requests(self, folder: Path) -> Path:
        """wrk's request file: a private follow-up on each ticket in turn."""
        path = folder / "peer_followups.tsv"
        with path.open("w") as out:
            for ticket in self.ticket_ids:
                body = {"ticket": ticket, "comment": "Called the customer back; parcel is on its way.",
                        "public": False}  # fmt: skip
                out.write(f"POST\t/helpdesk/api/followups/\tToken {self.token}\t{json.dumps(body)}\n")
        return path

    def read_requests(self, folder: Path) -> Path:
        """wrk's request file: one ticket read each."""
        path = folder / "peer_tickets.tsv"
        with path.open("w") as out:
            for ticket in self.ticket_ids:
                out.write(f"GET\t/helpdesk/api/tickets/{ticket}/\tToken {self.token}\t\n")
        return path
