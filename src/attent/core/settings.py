"""Settings from the environment (ATTENT_*), validated once at start-up."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can configure; unknown ATTENT_* variables are an error."""

    model_config = SettingsConfigDict(env_prefix="ATTENT_", extra="forbid", frozen=True)

    database_url: str = "sqlite:///./var/attent.db"
    secret_key: str = Field(default="dev-only-change-me", min_length=8)
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    session_days: int = Field(default=14, ge=1)
    secure_cookies: bool = False
    signin_failures_per_email: int = Field(default=5, ge=1, description="Failed sign-ins before a lock.")
    signin_failures_per_address: int = Field(default=20, ge=1)
    signin_lock_minutes: int = Field(default=15, ge=1, description="The window failures are counted in.")
    embedded_worker: bool = True
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    promise_batch: int = Field(default=500, ge=1, description="Promises one worker moves per transaction.")
    default_language: str = Field(default="nl", pattern="^(nl|en)$")
    db_pool_size: int = Field(default=10, ge=1)
    access_log: bool = Field(
        default=True, description="A log line per request (off behind a proxy that logs)."
    )
    api_on_event_loop: bool = Field(
        default=False,
        description="Run API requests' database work on the event loop, not a worker thread; on by default "
        "in each process of attent serve --workers N, where a process waiting on its own query costs less "
        "than the trip to a thread and back.",
    )
    webhook_private_addresses: bool = Field(
        default=False,
        description="Let rules call webhooks on loopback, private and link-local addresses (on-premises).",
    )
    smtp_host: str | None = Field(default=None, description="Without it, customer e-mail is undeliverable.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "Attent <no-reply@attent.localhost>"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_poll_seconds: float = Field(
        default=60.0, gt=0, description="How often a mailbox without IMAP IDLE is checked for new mail."
    )
    mail_idle: bool = Field(
        default=True, description="Hold an IMAP IDLE connection per mailbox, so new mail is read at once."
    )
    mail_max_message_bytes: int = Field(
        default=30_000_000, ge=10_000, description="A larger message is kept with its headers only."
    )
    mail_max_attachment_bytes: int = Field(default=15_000_000, ge=1_000)
    mail_sender_per_minute: int = Field(
        default=10, ge=1, description="More messages a minute from one sender are held back (a loop)."
    )
    files_dir: Path = Field(
        default=Path("./var/files"), description="Where attachments are kept, once per content hash."
    )
    max_file_bytes: int = Field(default=25 * 1024 * 1024, ge=1, description="The largest attachment.")
    max_message_bytes: int = Field(
        default=40 * 1024 * 1024, ge=1, description="All attachments of one message (reply, note, e-mail)."
    )
    api_requests_per_token_per_minute: int = Field(
        default=6000, ge=1, description="API requests one token may make per minute (per web process)."
    )
    api_requests_per_organisation_per_minute: int = Field(
        default=30000, ge=1, description="API requests all tokens of one organisation may make per minute."
    )
    public_url: str | None = Field(
        default=None,
        description="The address agents and customers reach Attent at, for the links in invitations, "
        'password resets, customer sign-in links and the customer e-mails\' "Bekijk uw vraag"; without '
        "it the request's own address is used, and e-mails the worker writes go without the case link "
        "(set it behind a proxy: a forged Host header must not choose where a link points).",
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own Settings instead."""
    return Settings()


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of a file-based SQLite database so a fresh checkout just works."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        Path(url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)
