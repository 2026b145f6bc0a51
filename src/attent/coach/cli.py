"""`attent coach score FILE` and `attent coach eval DIR`: the coach in the terminal."""

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from attent.coach.evaluation import F1_DEFINITION, GATE, corpus_files, evaluate, read_contact
from attent.coach.pasted import parse_text
from attent.coach.schemas import say_reason, scorecard_json
from attent.core.clock import SystemClock
from attent.core.errors import AttentError

app = typer.Typer(help="Score conversations and evaluate the coach.", no_args_is_help=True)
console = Console()
MARK = {"met": "[green]met[/green]", "missed": "[red]missed[/red]", "na": "[dim]n/a[/dim]"}


def _read_transcript(path: Path, started_at: datetime | None, timezone: str):  # type: ignore[no-untyped-def]
    """A corpus-style JSON file or a plain-text transcript."""
    if path.suffix == ".json":
        return read_contact(path).transcript
    data = path.read_bytes()
    if b"\x00" in data:
        raise typer.BadParameter(f"{path} is not a text transcript.")
    return parse_text(
        data.decode("utf-8", errors="replace"),
        started_at=started_at or SystemClock().now(),
        timezone=timezone,
    )


@app.command("score")
def score_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Plain-text transcript or corpus JSON.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    started_at: Annotated[
        datetime | None, typer.Option(help="When the contact started (ISO 8601); default now.")
    ] = None,
    timezone: Annotated[str, typer.Option(help="The organisation's time zone.")] = "Europe/Amsterdam",
    language: Annotated[str, typer.Option(help="Language of the reasons: nl or en.")] = "en",
) -> None:
    """Print a readable scorecard: each behaviour with its verdict, reason and evidence lines."""
    from attent.coach.engine import score

    if started_at is not None and started_at.tzinfo is None:
        raise typer.BadParameter("--started-at needs an offset, e.g. 2026-03-04T10:12:00+01:00")
    try:
        transcript = _read_transcript(file, started_at, timezone)
    except AttentError as error:
        console.print(f"[red]{error.detail}[/red]")
        raise typer.Exit(code=1) from None
    card = score(transcript)
    if as_json:
        sys.stdout.write(
            json.dumps(scorecard_json(card, transcript, language), indent=2, ensure_ascii=False) + "\n"
        )
        return
    console.print(f"[bold]Scorecard[/bold] — language {card.language}{' (mixed)' if card.mixed else ''}, "
                  f"{card.met} of {card.applicable} behaviours met")  # fmt: skip
    table = Table(show_lines=False)
    for column in ("behaviour", "verdict", "why", "evidence"):
        table.add_column(column)
    for v in card.verdicts:
        evidence = "\n".join(f"{i + 1}: {transcript.lines[i].text[:70]}" for i in v.lines[:3])
        table.add_row(v.behaviour, MARK[v.result], say_reason(v, language), evidence)
    console.print(table)
    if card.promises:
        promises = Table(title="Promises")
        for column in ("line", "kind", "due", "words"):
            promises.add_column(column)
        for p in card.promises:
            promises.add_row(str(p.line + 1), p.kind, p.due.isoformat(timespec="minutes"), p.words[:80])
        console.print(promises)


@app.command("eval")
def eval_command(
    directory: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="Corpus folder (nl/, en/).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    details: Annotated[bool, typer.Option(help="List every contact a behaviour got wrong.")] = False,
) -> None:
    """Precision, recall and F1 per behaviour and for promises; exits 1 when any gated F1 < 0.85."""
    report = evaluate(read_contact(path) for path in corpus_files(directory))
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), indent=2) + "\n")
    else:
        table = Table(title=f"Coach evaluation on {report.contacts} contacts in {directory}")
        for column in ("", "precision", "recall", "F1", "F1 met", "F1 missed"):
            table.add_column(column, justify="right" if column else "left")
        for name in report.per_class:
            f = report.behaviour(name)
            colour = "green" if f["f1"] >= GATE else "red"
            f1 = f"[{colour}]{f['f1']:.3f}[/{colour}]"
            table.add_row(name, f"{f['precision']:.3f}", f"{f['recall']:.3f}", f1,
                          f"{f['f1_met']:.3f}", f"{f['f1_missed']:.3f}")  # fmt: skip
        p = report.promises
        colour = "green" if p.f1 >= GATE else "red"
        table.add_row(
            "promises", f"{p.precision:.3f}", f"{p.recall:.3f}", f"[{colour}]{p.f1:.3f}[/{colour}]", "", ""
        )
        e = report.evidence
        table.add_row(
            "[dim]evidence lines (info)[/dim]", f"{e.precision:.3f}", f"{e.recall:.3f}", f"{e.f1:.3f}", "", ""
        )
        console.print(table)
        n = report.contacts or 1
        language, mixed = report.language_right / n, report.mixed_right / n
        console.print(f"Language accuracy {language:.3f}, mixed accuracy {mixed:.3f} "
                      f"(information).\n{F1_DEFINITION} Gate: {GATE}.")  # fmt: skip
        if details:
            for name, wrong in report.wrong.items():
                console.print(f"[bold]{name}[/bold] ({len(wrong)})", *wrong, sep="\n  ")
            console.print("[bold]promises[/bold]", *report.promise_misses, sep="\n  ")
    if not report.passed():
        raise typer.Exit(code=1)
