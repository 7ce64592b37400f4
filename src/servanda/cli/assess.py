"""``servanda assess PROPOSAL.yaml``: is a proposed agreement worth entering, and what guarantee would make it
credible? The verdict first, then the reasons, the numbers, the evidence and the assumptions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from servanda.record.proposals import AssessmentReport, assess_proposal, load_proposal
from servanda.render.assessment import report_format, write_report

from .common import console, err_console, handled, print_json, state


def assess(
    ctx: typer.Context,
    proposal: Annotated[Path, typer.Argument(metavar="PROPOSAL", help="The proposal's YAML file.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", metavar="FILE", help="Also write the full report to FILE (.md or .html)."),
    ] = None,
) -> None:
    """Assess a proposed agreement against the record: each term's chance of being kept, the expected value
    against the alternative, the guarantee needed, the bargaining range and the commitment problem."""
    cli = state(ctx)
    with handled():
        if report is not None:
            report_format(report)
        located = load_proposal(proposal)
        result = assess_proposal(cli.open(), located)
        if report is not None:
            write_report(result, report)
            err_console.print(f"report written to {report}", style="dim")
    if as_json:
        print_json(result.to_dict())
        return
    _print(result)


def _print(result: AssessmentReport) -> None:
    e, p = result.evaluation, result.proposal
    console.print(f"[bold]{'✔' if e.worth_entering else '✘'} {e.headline}[/]", markup=True)
    console.print()
    for reason in e.reasons:
        console.print(f"• {reason}", markup=False)
    terms = Table(title=f"{p.counterpart}'s terms, from the record")
    for column in ("term", "kind × strength", "P(kept)", "90% interval", "estimated from", "outcomes"):
        terms.add_column(column)
    for term, c in zip(p.terms.counterpart, e.terms, strict=True):
        terms.add_row(
            term.id,
            f"{term.kind} × {term.strength.value}",
            f"{c.mean:.2f}",
            f"{c.low:.2f} – {c.high:.2f}",
            " × ".join(c.group),
            f"{c.outcomes} ({c.effective_n:.1f} weighted)",
        )
    console.print(terms)
    if e.sensitivity:
        tornado = Table(title="sensitivity: net value over the alternative as each input moves")
        for column in ("input", "low → high", "net at low", "net at high", "verdict changes"):
            tornado.add_column(column)
        for s in e.sensitivity:
            tornado.add_row(
                s.input,
                f"{s.low_setting:.3g} → {s.high_setting:.3g}",
                f"{s.net_at_low:+.2f}",
                f"{s.net_at_high:+.2f}",
                "yes" if s.flips else "no",
            )
        console.print(tornado)
    for evidence in result.guarantees:
        console.print(evidence.statement, markup=False)
    console.print("analyst's inputs are judgements, not facts; assumptions:", style="dim")
    for assumption in result.assumptions:
        console.print(f"  - {assumption}", style="dim", markup=False)
    console.print(f"coding: {result.coding}", style="dim", markup=False)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
