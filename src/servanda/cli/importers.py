"""Commands that import outside datasets: ``import-ucdp``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from servanda.record.importers.ucdp import UcdpReport, import_ucdp

from .common import console, handled, print_json, progress_bar, state


def import_ucdp_command(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="The UCDP Peace Agreement Dataset CSV (data/ucdp/ucdp-peace-agreements-221.csv)."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the import report as JSON.")] = False,
) -> None:
    """Import the UCDP Peace Agreement Dataset: agreements, their UCDP actors, dated ends; all or nothing.

    Minsk I and II (UCDP 1536, 1537) are linked to the starter records, never duplicated. Rows that cannot be
    mapped are reported with their line and reason; an unreadable file changes nothing (exit 2).
    """
    cli = state(ctx)
    with handled():
        handle = cli.open(create=True)
        with progress_bar(not as_json) as progress:
            report = import_ucdp(handle.service, file, cli.author, progress=progress)
    if as_json:
        print_json(report.as_dict())
        return
    _print(report)


def _print(report: UcdpReport) -> None:
    counts = report.counts()
    console.print(
        f"imported {report.file}: {counts['rows']} rows, {counts['agreements']} agreements, "
        f"{counts['actors']} actors, {counts['linked']} linked, {counts['skipped']} skipped; "
        f"{counts['appended']} entries appended, {counts['unchanged']} records already as given",
        markup=False,
    )
    console.print(f"source: {report.as_dict()['source']['id']} ({report.source})", markup=False)
    if report.unclear_roles:
        console.print(
            f"{report.unclear_roles} actor roles are unclear (no side of a dyad, named in no third-party "
            "text): recorded as parties and listed in each agreement's notes",
            markup=False,
        )
    for link in report.linked:
        console.print(
            f"linked   line {link.line}: UCDP {link.paid} -> {link.agreement} ({link.how})", markup=False
        )
    for note in report.skipped:
        console.print(f"skipped  line {note.line}: UCDP {note.paid or '?'}: {note.message}", markup=False)
    for note in report.warnings:
        console.print(f"warning  line {note.line}: UCDP {note.paid}: {note.message}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("import-ucdp")(import_ucdp_command)
