"""Assess a proposed agreement against the record: load the proposal, read the evidence, run the models.

``load_proposal(path)`` reads a proposal YAML file (errors name file, line and field, as for bundles);
``assess_proposal(source, proposal)`` resolves the counterpart and guarantors in the record, estimates each
counterpart term's probability of being kept with the credibility model, reads what the record's agreements
say about third parties and peacekeepers, and returns an ``AssessmentReport`` (``.to_dict()`` for JSON).
Nothing is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import Connection

from servanda.analysis.credibility import Coding, Estimate, Outcome, estimate
from servanda.analysis.survival import CoxResult, Curve, cox, curves_by
from servanda.domain.assessment.evaluate import Evaluation, SensitivityRow, TermCredibility, evaluate
from servanda.domain.assessment.proposal import CounterpartTerm, Proposal
from servanda.domain.records import Actor
from servanda.errors import BundleError, NotFound, Problem
from servanda.store.database import Store

from .agreement_spells import COVARIATES, AgreementSpells, agreement_spells
from .bootstrap import RecordHandle
from .bundles import _message, _path_text
from .located import nearest_line
from .located_yaml import LocatedError, load_located
from .outcomes import outcomes_for, pooled, record_outcomes
from .queries import get_record

GUARANTEE_COVARIATE = {"third_party": "third_party", "peacekeeping": "pko"}
"""Which covariate of the agreements' survival speaks to each kind of guarantee a proposal may name."""
COVARIATE_NAMES = {
    "third_party": ("no third party named", "third parties named (UCDP pa_3rd)"),
    "pko": ("no peacekeeping provision", "peacekeeping provision (UCDP pko)"),
}

ASSUMPTIONS = (
    "Every value, loss, probability of victory, cost and guarantee strength in the proposal is the analyst's "
    "judgement, not a fact from the record.",
    "A term's probability of being kept is the counterpart's record on commitments of the same kind (or "
    "strength, or all of them, as the term's basis says), pooled across all actors by empirical Bayes and "
    "discounted by age (see docs/credibility.md): the past is taken to speak to the future.",
    "Values are in the assessor's own units and add up across terms; the agreement is judged by its "
    "expected value, i.e. the assessor is taken as risk-neutral.",
    "A guarantee enforcing with probability e turns a breach into compliance with probability e; several "
    "guarantors act independently (servanda's stylization, not a result from the literature).",
    "The bargaining range is Fearon's (1995) with risk-neutral sides and war as a costly lottery; the "
    "commitment problem is Powell's (2006) equation 1, tested one period at a time, so a slow but persistent "
    "shift may be missed (Krainin 2015).",
    "The survival evidence is an association among past agreements, not the effect of adding a guarantor: "
    "UCDP does not say whether a third party mediated, witnessed or guaranteed, and conflicts that accept "
    "third parties or peacekeepers differ from others.",
)


@dataclass(frozen=True)
class LocatedProposal:
    """A proposal with where it came from, so that problems found against the record name file and line."""

    proposal: Proposal
    file: str | None = None
    field_lines: dict[str, int] = dataclasses.field(default_factory=dict)

    def problem(self, message: str, path: str) -> Problem:
        return Problem(message, self.file, nearest_line(self.field_lines, path), path)


@dataclass(frozen=True)
class TermEvidence:
    """The record entries behind one term's estimate: the outcomes in its group, newest first."""

    term: str
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True)
class GuaranteeEvidence:
    """What the record's agreements say about guarantees of one kind (``third_party`` or ``pko``)."""

    covariate: str
    curves: tuple[Curve, ...]
    statement: str


@dataclass(frozen=True)
class AssessmentReport:
    proposal: Proposal
    file: str | None
    as_of: date | None
    coding: str
    evaluation: Evaluation
    evidence: tuple[TermEvidence, ...]
    spells: AgreementSpells
    cox: CoxResult
    guarantees: tuple[GuaranteeEvidence, ...]
    assumptions: tuple[str, ...] = ASSUMPTIONS

    def to_dict(self) -> dict[str, Any]:
        e = self.evaluation
        return {
            "verdict": e.headline,
            "worth_entering": e.worth_entering,
            "reasons": list(e.reasons),
            "proposal": {
                "file": self.file,
                "title": self.proposal.title,
                "counterpart": self.proposal.counterpart,
                "assessor": self.proposal.assessor,
                "inputs": self.proposal.model_dump(mode="json"),
                "inputs_are": "the analyst's judgement, not facts from the record",
            },
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "coding": self.coding,
            "numbers": _plain(dataclasses.replace(e, headline="", reasons=())),
            "evidence": [
                {
                    "term": t.term,
                    "outcomes": [
                        {
                            "statement": o.statement,
                            "value": o.value,
                            "decided": o.decided.isoformat(),
                            "strength": o.strength,
                            "kind": o.kind,
                            "disputed": o.disputed,
                        }
                        for o in t.outcomes
                    ],
                }
                for t in self.evidence
            ],
            "agreements": {
                "analysed": len(self.spells.spells),
                "ended": sum(s.ended for s in self.spells.spells),
                "observed_until": self.spells.observed_until.isoformat()
                if self.spells.observed_until
                else None,
                "left_out": self.spells.left_out,
                "cox": _plain(self.cox),
                "guarantees": [
                    {
                        "covariate": g.covariate,
                        "statement": g.statement,
                        "curves": [_curve_summary(c) for c in g.curves],
                    }
                    for g in self.guarantees
                ],
            },
            "assumptions": list(self.assumptions),
        }


def _curve_summary(curve: Curve) -> dict[str, Any]:
    return {
        "label": curve.label,
        "n": curve.n,
        "ended": curve.events,
        "median_years": curve.median_years,
        "still_in_force_after_years": {f"{years:g}": share for years, share in curve.at_years},
    }


def _plain(value: Any) -> Any:
    """A dataclass tree as JSON-ready dicts and lists (tuples become lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, SensitivityRow):
            out["swing"] = value.swing
        return out
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


# --- loading ------------------------------------------------------------------------------------------------


def load_proposal(path: Path) -> LocatedProposal:
    """Read a proposal YAML (or JSON) file; a BundleError names file, line and field of every problem."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BundleError([Problem(f"cannot read the file: {exc.strerror or exc}", name)]) from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BundleError([Problem("is not UTF-8 text; save the file as UTF-8", name, line)]) from None
    return parse_proposal(text, name)


def parse_proposal(text: str, name: str = "<proposal>") -> LocatedProposal:
    try:
        value, lines = load_located(text, name)
    except LocatedError as exc:
        raise BundleError([exc.problem]) from None
    field_lines = {_path_text(path): line for path, line in lines.items() if path}
    return proposal_from_data(value, name, field_lines)


def proposal_from_data(
    value: Any, name: str = "<proposal>", field_lines: dict[str, int] | None = None
) -> LocatedProposal:
    """A proposal from plain data (parsed YAML, or JSON sent to the web API); a BundleError names every
    problem's field, and its line where ``field_lines`` knows it (data sent as JSON has no lines)."""
    if not isinstance(value, dict):
        line = 1 if field_lines is not None else None
        raise BundleError(
            [Problem("a proposal is a mapping of fields (title:, counterpart:, terms:, ...)", name, line)]
        )
    lines = field_lines or {}
    try:
        proposal = Proposal.model_validate(value)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            path = _path_text(part for part in error["loc"] if not _is_union_tag(part))
            message = _message(error).replace(
                "unknown field (check its spelling in docs/bundles.md)",
                "unknown field (check its spelling in docs/assessment.md)",
            )
            line = (nearest_line(lines, path) or 1) if field_lines is not None else None
            problems.append(Problem(message, name, line, path or None))
        raise BundleError(problems) from None
    return LocatedProposal(proposal, name, lines)


def _is_union_tag(part: Any) -> bool:
    # pydantic names the branch of a union in the error location ("float", "function-after[...]"); the user
    # wrote a field, not a branch
    return isinstance(part, str) and ("[" in part or part in {"float", "int", "str"})


# --- assessing ----------------------------------------------------------------------------------------------

BY: dict[str, Literal["actor", "strength", "kind"]] = {
    "kind": "kind",
    "strength": "strength",
    "actor": "actor",
}


def assess_proposal(source: RecordHandle | Store, proposal: Proposal | LocatedProposal) -> AssessmentReport:
    """Assess ``proposal`` against the record held by ``source``; raises BundleError (naming file, line and
    field) when the proposal names an actor the record lacks or a term the record has no outcomes for."""
    located = proposal if isinstance(proposal, LocatedProposal) else LocatedProposal(proposal)
    store = source.store if isinstance(source, RecordHandle) else source
    with store.read() as connection:
        _check_actors(connection, located)
        records = record_outcomes(connection, Coding())
        spells = agreement_spells(connection)
    p = located.proposal
    actor = p.counterpart
    mine = outcomes_for(records, actor)
    mine_ids = {o.statement for o in mine}
    outcomes = [*(o for o in pooled(records) if o.statement not in mine_ids), *mine]
    as_of = p.as_of.latest if p.as_of is not None else None
    half_life = p.half_life or None
    estimates = {
        basis: {
            e.key: e
            for e in estimate(outcomes, by=by, as_of=as_of, half_life_years=half_life)
            if e.key[0] == actor
        }
        for basis, by in BY.items()
    }
    problems: list[Problem] = []
    credibility: list[TermCredibility] = []
    evidence: list[TermEvidence] = []
    for index, term in enumerate(p.terms.counterpart):
        key = _key(actor, term, term.basis)
        found = estimates[term.basis].get(key)
        if found is None:
            problems.append(
                located.problem(
                    _no_record(actor, term, estimates),
                    f"terms.counterpart[{index}].{term.basis if term.basis != 'actor' else 'basis'}",
                )
            )
            continue
        credibility.append(_credibility(term, found, estimates, actor))
        evidence.append(
            TermEvidence(
                term.id,
                tuple(
                    sorted(
                        (o for o in mine if (as_of is None or o.decided <= as_of) and _in_group(o, term)),
                        key=lambda o: o.decided,
                        reverse=True,
                    )
                ),
            )
        )
    if problems:
        raise BundleError(problems)
    evaluation = evaluate(p, credibility)
    cox_result = cox(spells.spells, COVARIATES)
    return AssessmentReport(
        proposal=p,
        file=located.file,
        as_of=as_of,
        coding=Coding().describe()
        + (f"; outcomes {half_life:g} years old weigh half" if half_life else "; no discounting"),
        evaluation=evaluation,
        evidence=tuple(evidence),
        spells=spells,
        cox=cox_result,
        guarantees=tuple(_guarantee_evidence(p, spells, cox_result)),
    )


def _check_actors(connection: Connection, located: LocatedProposal) -> None:
    p = located.proposal
    wanted = [("counterpart", p.counterpart)]
    if p.assessor:
        wanted.append(("assessor", p.assessor))
    wanted += [(f"guarantors[{i}].actor", g.actor) for i, g in enumerate(p.guarantors)]
    problems = []
    for path, actor_id in wanted:
        try:
            record, _ = get_record(connection, actor_id)
        except NotFound:
            problems.append(
                located.problem(
                    f"the record holds no actor {actor_id!r}: add it first, or check the id", path
                )
            )
            continue
        if not isinstance(record, Actor):
            problems.append(
                located.problem(f"{actor_id!r} is a {record.TYPE} in the record, not an actor", path)
            )
    if problems:
        raise BundleError(problems)


def _key(actor: str, term: CounterpartTerm, basis: str) -> tuple[str, ...]:
    if basis == "kind":
        return (actor, term.kind)
    if basis == "strength":
        return (actor, term.strength.value)
    return (actor,)


def _in_group(outcome: Outcome, term: CounterpartTerm) -> bool:
    if term.basis == "kind":
        return (outcome.kind or "unspecified") == term.kind
    if term.basis == "strength":
        return outcome.strength == term.strength.value
    return True


def _no_record(
    actor: str, term: CounterpartTerm, estimates: dict[str, dict[tuple[str, ...], Estimate]]
) -> str:
    if not estimates["actor"]:
        return (
            f"the record holds no assessed commitments of {actor}, so there is nothing to estimate the term "
            f"{term.id!r} from; servanda does not invent a probability"
        )
    held = sorted(key[1] for key in estimates[term.basis])
    what = term.kind if term.basis == "kind" else term.strength.value
    return (
        f"the record holds no assessed commitments of {actor} of {term.basis} {what!r}, so there is "
        f"nothing to estimate the term {term.id!r} from (servanda does not invent a probability). "
        "The record has "
        f"{actor}'s outcomes of {term.basis} {', '.join(held)}; use one of those, or set basis: strength or "
        "basis: actor for this term"
    )


def _credibility(
    term: CounterpartTerm, found: Estimate, estimates: dict[str, dict[tuple[str, ...], Estimate]], actor: str
) -> TermCredibility:
    alpha = found.prior[0] + found.kept
    beta = found.prior[1] + found.total - found.kept
    alternatives = tuple(
        (basis, e.mean, e.low, e.high)
        for basis in BY
        if basis != term.basis and (e := estimates[basis].get(_key(actor, term, basis))) is not None
    )
    return TermCredibility(
        term=term.id,
        basis=term.basis,
        group=found.key,
        mean=found.mean,
        low=found.low,
        high=found.high,
        alpha=alpha,
        beta=beta,
        outcomes=found.count,
        effective_n=found.effective_n,
        influential=found.influential,
        alternatives=alternatives,
    )


def _guarantee_evidence(p: Proposal, spells: AgreementSpells, result: CoxResult) -> list[GuaranteeEvidence]:
    """The evidence on the kinds of guarantee the proposal names (both kinds when it names none)."""
    named = {GUARANTEE_COVARIATE[g.kind] for g in p.guarantors} or set(COVARIATES)
    out = []
    for covariate in COVARIATES:
        if covariate not in named:
            continue
        curves = (
            tuple(curves_by(spells.spells, covariate, COVARIATE_NAMES[covariate])) if spells.spells else ()
        )
        out.append(GuaranteeEvidence(covariate, curves, _statement(covariate, curves, result)))
    return out


def _statement(covariate: str, curves: Sequence[Curve], result: CoxResult) -> str:
    if not curves:
        return "The record holds no dated agreements to learn from."
    without, with_ = COVARIATE_NAMES[covariate]
    parts = []
    for curve in curves:
        at = dict(curve.at_years)
        parts.append(
            f"{curve.label}: {curve.n} agreements, {curve.events} ended; {at[2.0]:.0%} still in force "
            f"after two years, {at[5.0]:.0%} after five"
        )
    text = "Among the record's agreements — " + "; ".join(parts) + "."
    ratio = next((r for r in result.ratios if r.covariate == covariate), None)
    if ratio is not None:
        direction = "more" if ratio.ratio > 1 else "less"
        adjusted = " and ".join(c for c in result.covariates if c != covariate) or "nothing else"
        certain = (
            "the 95% interval excludes 1"
            if ratio.low > 1 or ratio.high < 1
            else "but the 95% interval includes 1: the data cannot tell whether they make a difference"
        )
        text += (
            f" A Cox model ({result.n} agreements, {result.events} ended, adjusted for "
            f"{adjusted}) gives a hazard ratio of {ratio.ratio:.2f} "
            f"(95% interval {ratio.low:.2f}–{ratio.high:.2f}) for {with_} against {without}: "
            f"such agreements ended {direction} readily, {certain}."
        )
    elif result.skipped:
        text += f" No Cox model was fitted: {result.skipped}."
    return text
