"""`python -m attent …` is the `attent` command."""

from attent.cli import app

app()
