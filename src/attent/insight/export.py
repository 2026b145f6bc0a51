"""CSV export of a report, for Excel as Dutch offices have it: UTF-8 with a byte-order mark (so Excel
reads the accents right), `;` between fields (Dutch Excel uses the comma for decimals), and decimals
written the reader's way (0,75 in Dutch, 0.75 in English). Column names are the API's field names."""

import csv
import io

from attent.insight.schemas import Line, Report

BOM = "\ufeff"


def _cell(value: object, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and language == "nl":
        return repr(value).replace(".", ",")
    return str(value)


def to_csv(report: Report, *, language: str) -> str:
    """The report's lines and its total (last, keyed 'total') as one CSV text."""
    names = list(report.total.values)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([report.group_by, "label", *names])
    rows: list[tuple[str, Line]] = [(line.key or "", line) for line in report.lines]
    rows.append(("total", report.total))
    for key, line in rows:
        writer.writerow([key, line.label or "", *(_cell(line.values[n], language) for n in names)])
    return BOM + buffer.getvalue()


def filename(report: Report) -> str:
    """attent-fcr-2026-11-01-2026-11-30.csv"""
    return f"attent-{report.measure}-{report.since.isoformat()}-{report.until.isoformat()}.csv"
