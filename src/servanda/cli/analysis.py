"""Commands that weigh the record: ``credibility``, ``backtest``, ``institutions``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from servanda.analysis.backtest import backtest
from servanda.analysis.credibility import Coding, Outcome, estimate, estimate_history
from servanda.analysis.joint import JointFit, estimate_joint
from servanda.errors import InvalidInput
from servanda.plots import calibration_plot, credibility_plot, plot_format
from servanda.record.institutions import institutions
from servanda.record.outcomes import outcomes_for, parse_as_of, pooled, record_outcomes
from servanda.record.queries import get_record

from .common import console, err_console, handled, print_json, reading, shorten, state

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]
HalfLife = Annotated[
    float,
    typer.Option("--half-life", help="Years after which an outcome weighs half as much (0: no discounting)."),
]
Withdrawn = Annotated[
    str, typer.Option(help="How a withdrawn commitment counts: 'broken' (default) or 'exclude'.")
]
Disputed = Annotated[str, typer.Option(help="Disputed verdicts: 'include' (default, flagged) or 'exclude'.")]
PlotFile = Annotated[
    Path | None, typer.Option("--plot", metavar="FILE", help="Also draw a chart into FILE (.png or .svg).")
]


def _coding(withdrawn: str, disputed: str) -> Coding:
    if withdrawn not in ("broken", "exclude"):
        raise InvalidInput("--withdrawn: use 'broken' or 'exclude'")
    if disputed not in ("include", "exclude"):
        raise InvalidInput("--disputed: use 'include' or 'exclude'")
    return Coding(withdrawn=withdrawn, disputed=disputed)  # type: ignore[arg-type]


def _coding_text(coding: Coding, half_life: float | None) -> str:
    decay = f"outcomes {half_life:g} years old weigh half" if half_life else "no discounting of old outcomes"
    return f"coding: {coding.describe()}; {decay}"


def credibility(
    ctx: typer.Context,
    actor: Annotated[str, typer.Argument(metavar="ACTOR", help="The actor's id, e.g. ru or putin.")],
    by: Annotated[
        str,
        typer.Option(
            help="Break the estimate down: 'actor' (one line), 'strength', 'kind', or 'strength,kind' (the "
            "joint model: each strength × kind, borrowing from the actor's whole record and from everyone's "
            "record of that strength and kind)."
        ),
    ] = "actor",
    as_of: Annotated[
        str | None, typer.Option(help="What the record knew on this date (default: now).")
    ] = None,
    half_life: HalfLife = 10.0,
    withdrawn: Withdrawn = "broken",
    disputed: Disputed = "include",
    as_json: JsonFlag = False,
    plot: PlotFile = None,
) -> None:
    """What the actor's word is worth: the probability its next commitment is kept, with a 90% interval,
    pooled across every actor in the record and explained by the commitments that move it most."""
    cli = state(ctx)
    joint = by.replace(" ", "") in JOINT
    if by not in ("actor", "strength", "kind") and not joint:
        raise typer.BadParameter("use actor, strength, kind or strength,kind", param_hint="--by")
    with handled():
        coding = _coding(withdrawn, disputed)
        if plot is not None:
            plot_format(plot)
        handle = cli.open()
        with handle.store.read() as connection:
            get_record(connection, actor)
            records = record_outcomes(connection, coding)
        mine = outcomes_for(records, actor)
        own = {m.statement for m in mine}
        others = [o for o in pooled(records) if o.statement not in own]
        when = parse_as_of(as_of)
        model: JointFit | None = None
        if joint:
            model, results = _joint(actor, [*others, *mine], when, half_life or None)
        else:
            by_value: Literal["actor", "strength", "kind"] = by  # type: ignore[assignment]
            results = [
                e
                for e in estimate(
                    [*others, *mine], by=by_value, as_of=when, half_life_years=half_life or None
                )
                if e.key[0] == actor
            ]
        if plot is not None:
            _plot_history(plot, actor, [*others, *mine], when, half_life or None, coding)
    out: dict[str, Any] = {
        "actor": actor,
        "as_of": as_of,
        "half_life_years": half_life or None,
        "coding": {"withdrawn": coding.withdrawn, "disputed": coding.disputed},
        "estimates": [_estimate_dict(e) for e in results],
    }
    if model is not None:
        out["model"] = dataclasses.asdict(model)
    if as_json:
        print_json(out)
        return
    if not results:
        console.print(f"no assessed commitments of {actor} in the record{' by ' + as_of if as_of else ''}")
        console.print(_coding_text(coding, half_life or None), style="dim")
        return
    table = Table(title=f"credibility of {actor}" + (f" as of {as_of}" if as_of else ""))
    for column in (
        "group",
        "P(kept)",
        "90% interval",
        "outcomes (weighted)",
        "kept / total",
        "moves it most",
    ):
        table.add_column(column)
    for e in results:
        movers = "; ".join(f"{sid} ({delta:+.2f})" for sid, delta in e.influential)
        table.add_row(
            " × ".join(e.key[1:]) or actor,
            f"{e.mean:.2f}",
            f"{e.low:.2f} – {e.high:.2f}",
            f"{e.effective_n:.1f}",
            f"{e.kept:.1f} / {e.total:.1f}",
            shorten(movers, 60),
        )
    console.print(table)
    console.print(_coding_text(coding, half_life or None), style="dim")
    if model is None:
        pooling = "pooled across all actors in the record (empirical-Bayes Beta prior)"
    else:
        pooling = (
            f"joint model: logit P(kept) = actor + strength + kind, actors spread σ = {model.actor_sd:.2f} "
            "(empirical Bayes); the outcomes columns are this strength × kind only"
        )
    console.print(f"{pooling}; see docs/credibility.md", style="dim")


JOINT = {"strength,kind", "kind,strength"}


def _joint(
    actor: str, outcomes: list[Outcome], when: Any, half_life: float | None
) -> tuple[JointFit | None, list[Any]]:
    """The joint model's estimates for ``actor``'s strength × kind (none when nothing is decided yet)."""
    if not any(when is None or o.decided <= when for o in outcomes):
        return None, []
    model, found = estimate_joint(outcomes, as_of=when, half_life_years=half_life, explain={actor})
    return model, [e for e in found if e.key[0] == actor]


def _plot_history(
    path: Path, actor: str, outcomes: list[Any], when: Any, half_life: float | None, coding: Coding
) -> None:
    history = estimate_history(outcomes, actor, until=when, half_life_years=half_life)
    if not history:
        raise InvalidInput(f"--plot: {actor} has no assessed commitments to draw")
    credibility_plot(
        path,
        actor=actor,
        dates=[day for day, _ in history],
        mean=[e.mean for _, e in history],
        low=[e.low for _, e in history],
        high=[e.high for _, e in history],
        outcomes=[
            (o.decided, o.value) for o in outcomes if o.actor == actor and (when is None or o.decided <= when)
        ],
        description=_coding_text(coding, half_life) + "; by actor, pooled across all actors",
    )
    err_console.print(f"plot written to {path}", style="dim")


def _estimate_dict(e: Any) -> dict[str, Any]:
    return {
        "key": list(e.key),
        "mean": e.mean,
        "low": e.low,
        "high": e.high,
        "kept": e.kept,
        "total": e.total,
        "effective_n": e.effective_n,
        **({"prior": list(e.prior)} if hasattr(e, "prior") else {"effects": list(e.effects)}),
        "influential": [{"statement": sid, "change": delta} for sid, delta in e.influential],
    }


def backtest_command(
    ctx: typer.Context,
    half_life: HalfLife = 10.0,
    withdrawn: Withdrawn = "broken",
    disputed: Disputed = "include",
    as_json: JsonFlag = False,
    plot: PlotFile = None,
) -> None:
    """Would the model have foreseen the record? Each outcome predicted from what was known the day before,
    scored (Brier) against the base rate and each actor's raw frequency, with a calibration table."""
    cli = state(ctx)
    with handled():
        coding = _coding(withdrawn, disputed)
        if plot is not None:
            plot_format(plot)
        handle = cli.open()
        with handle.store.read() as connection:
            outcomes = pooled(record_outcomes(connection, coding))
        report = backtest(outcomes, half_life_years=half_life or None)
        if plot is not None:
            calibration_plot(
                plot,
                bins=[(b.low, b.high, b.count, b.mean_forecast, b.observed) for b in report.calibration],
                n=report.n,
                description=_coding_text(coding, half_life or None),
            )
            err_console.print(f"plot written to {plot}", style="dim")
    data = dataclasses.asdict(report)
    if as_json:
        print_json(data)
        return
    console.print(
        f"[bold]backtest[/] over {report.n} outcomes, rolling origin (each predicted from the day before)",
        markup=True,
    )
    table = Table("forecast", "Brier score", "skill of the model against it")
    table.add_row("servanda model", f"{report.brier_model:.4f}", "")
    table.add_row("base rate", f"{report.brier_base_rate:.4f}", f"{report.skill_vs_base_rate:+.3f}")
    table.add_row(
        "actor's raw frequency", f"{report.brier_raw_frequency:.4f}", f"{report.skill_vs_raw_frequency:+.3f}"
    )
    console.print(table)
    calibration = Table("forecast bin", "outcomes", "mean forecast", "observed", title="calibration")
    for b in report.calibration:
        calibration.add_row(
            f"{b.low:.1f}–{b.high:.1f}", str(b.count), f"{b.mean_forecast:.2f}", f"{b.observed:.2f}"
        )
    console.print(calibration)
    console.print(_coding_text(coding, half_life or None), style="dim")


def institutions_command(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Which institutions ever bound their state: what each legislature or court ratified, how much of it was
    kept, and what it later reversed — set beside the same figures for other states' institutions."""
    with reading(ctx) as connection:
        found = institutions(connection)
    if as_json:
        print_json([record.as_dict() for record in found])
        return
    table = Table("institution", "state", "ratified", "commitments backed", "kept share", "reversals")
    for record in found:
        share = "—" if record.kept_share is None else f"{record.kept_share:.2f}"
        table.add_row(
            record.name,
            record.state or "?",
            str(len(record.ratified)),
            f"{record.commitments} ({record.kept:g} kept, {record.broken} broken, {record.undecided} open)",
            share,
            str(len(record.reversals)),
        )
    console.print(table)
    for record in found:
        for act in record.reversals:
            lag = (
                f"{act['days_after_request']} days after {act['executive_request']['actor']} asked"
                if act["executive_request"]
                else "the executive's request is not recorded"
            )
            console.print(f"  {act['date']}  {record.name}: {act['title']} — {lag}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("credibility")(credibility)
    app.command("backtest")(backtest_command)
    app.command("institutions")(institutions_command)
