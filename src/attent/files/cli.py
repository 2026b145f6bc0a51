"""`attent files sweep`: remove attachment content that no attachment refers to any more."""

from datetime import timedelta
from typing import Annotated

import typer

from attent.core.clock import SystemClock
from attent.core.db import Database
from attent.core.settings import get_settings
from attent.files.jobs import sweep_unreferenced
from attent.files.storage import FileSystemStorage

app = typer.Typer(help="Attachments' stored content.", no_args_is_help=True)


@app.command("sweep")
def sweep(
    hours: Annotated[
        float, typer.Option(min=1, help="Leave content younger than this (uploads still in progress).")
    ] = 24,
) -> None:
    """Remove content in ATTENT_FILES_DIR that no attachment refers to (rolled-back or deleted uploads)."""
    settings = get_settings()
    database = Database.from_url(settings.database_url)
    now = SystemClock().now()
    try:
        removed = sweep_unreferenced(
            database=database,
            storage=FileSystemStorage(settings.files_dir),
            before=now - timedelta(hours=hours),
        )
    finally:
        database.engine.dispose()
    typer.echo(f"Removed {removed} unreferenced file(s) from {settings.files_dir}.")
