"""The assessment of one proposal: its numbers, the sensitivity of the verdict to every input, the verdict.

Pure: the counterpart's credibility for each term comes in as ``TermCredibility`` (the record layer reads it
from the store), and everything else is the analyst's proposal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from . import bargaining as fearon
from . import commitment as powell
from .entry import (
    TermValue,
    break_even,
    combined_enforcement,
    expected_value,
    guaranteed,
    probability_above,
    required_enforcement,
)
from .proposal import Proposal

MONTE_CARLO_DRAWS = 20_000
MONTE_CARLO_SEED = 20_060_101
"""For several terms, P(worth entering) is estimated by drawing from the terms' posteriors; a fixed seed makes
the same proposal give the same number every time."""


@dataclass(frozen=True)
class TermCredibility:
    """The record's estimate that one counterpart term is kept: the posterior Beta(α, β) of the group chosen
    by the term's ``basis`` (e.g. ru × ceasefire), its mean and 90% interval, and the outcomes behind it."""

    term: str
    basis: str
    group: tuple[str, ...]
    mean: float
    low: float
    high: float
    alpha: float
    beta: float
    outcomes: int
    effective_n: float
    influential: tuple[tuple[str, float], ...] = ()
    alternatives: tuple[tuple[str, float, float, float], ...] = ()
    """The same term judged on the other bases: (basis, mean, low, high), for the reader to compare."""


@dataclass(frozen=True)
class SensitivityRow:
    """How the net value (agreement − alternative) moves when one input goes from its low to its high end."""

    input: str
    low_setting: float
    high_setting: float
    net_at_low: float
    net_at_high: float
    base: float
    flips: bool

    @property
    def swing(self) -> float:
        return abs(self.net_at_high - self.net_at_low)


@dataclass(frozen=True)
class RangeRow:
    label: str
    low: float
    high: float
    empty: bool


@dataclass(frozen=True)
class Evaluation:
    """Every number of an assessment, and the verdict in words (``headline`` first, then ``reasons``)."""

    terms: tuple[TermCredibility, ...]
    alternative: float
    expected_value: float
    net: float
    net_interval: tuple[float, float]
    break_even: float | None
    probability_worth: float | None
    probability_method: str
    enforcement_offered: float
    expected_value_guaranteed: float
    net_guaranteed: float
    required_enforcement: float | None
    required_enforcement_interval: tuple[float | None, float | None]
    worth_entering: bool
    bargaining: tuple[RangeRow, ...]
    bargaining_sensitivity: tuple[RangeRow, ...]
    private_information: fearon.PrivateInformation | None
    commitment: tuple[powell.Shift, ...]
    sensitivity: tuple[SensitivityRow, ...]
    headline: str
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _values(proposal: Proposal, credibility: Sequence[TermCredibility]) -> list[TermValue]:
    p = {c.term: c.mean for c in credibility}
    return [
        TermValue(p[t.id], t.value_if_kept.value, -t.loss_if_broken.value) for t in proposal.terms.counterpart
    ]


def _net(terms: Sequence[TermValue], alternative: float, enforcement: float) -> float:
    return expected_value(guaranteed(terms, enforcement)) - alternative


def _probability_worth(
    terms: Sequence[TermValue],
    credibility: Sequence[TermCredibility],
    alternative: float,
    enforcement: float,
) -> tuple[float | None, str]:
    """How sure the record lets one be that the agreement beats the alternative, given the posteriors."""
    if len(terms) == 1:
        t, c = terms[0], credibility[0]
        if t.kept == t.broken:
            return None, "compliance does not matter: the term is worth as much broken as kept"
        # with a guarantee p' = p + (1 − p)e clears p* iff p clears (p* − e)/(1 − e)
        threshold = break_even(terms, alternative)
        assert threshold is not None
        if enforcement < 1:
            threshold = (threshold - enforcement) / (1.0 - enforcement)
        if t.kept < t.broken:
            return 1.0 - probability_above(c.alpha, c.beta, threshold), "exact, from the Beta posterior"
        return probability_above(c.alpha, c.beta, threshold), "exact, from the Beta posterior"
    rng = np.random.default_rng(MONTE_CARLO_SEED)
    draws = np.column_stack([rng.beta(c.alpha, c.beta, MONTE_CARLO_DRAWS) for c in credibility])
    kept = np.array([t.kept for t in terms])
    broken = np.array([t.broken for t in terms])
    p = draws + (1.0 - draws) * enforcement
    values = (p * kept + (1.0 - p) * broken).sum(axis=1)
    share = float(np.mean(values > alternative))
    return share, f"Monte Carlo, {MONTE_CARLO_DRAWS:,} draws from the terms' posteriors taken as independent"


def _sensitivity(
    proposal: Proposal, credibility: Sequence[TermCredibility], base_enforcement: float
) -> list[SensitivityRow]:
    terms = _values(proposal, credibility)
    alternative = proposal.alternative.value
    base = _net(terms, alternative, base_enforcement)
    rows: list[SensitivityRow] = []

    def add(label: str, low: float, high: float, at: Callable[[float], float]) -> None:
        net_low, net_high = at(low), at(high)
        flips = (net_low > 0) != (base > 0) or (net_high > 0) != (base > 0)
        rows.append(SensitivityRow(label, low, high, net_low, net_high, base, flips))

    def with_p(index: int) -> Callable[[float], float]:
        return lambda p: _net(
            [replace(t, p=p) if i == index else t for i, t in enumerate(terms)], alternative, base_enforcement
        )

    def with_kept(index: int) -> Callable[[float], float]:
        return lambda v: _net(
            [replace(t, kept=v) if i == index else t for i, t in enumerate(terms)],
            alternative,
            base_enforcement,
        )

    def with_loss(index: int) -> Callable[[float], float]:
        return lambda v: _net(
            [replace(t, broken=-v) if i == index else t for i, t in enumerate(terms)],
            alternative,
            base_enforcement,
        )

    by_term = {c.term: c for c in credibility}
    if len(terms) > 1:
        add(
            "compliance of every term together, across the 90% intervals (0 = all at low end, 1 = all high)",
            0.0,
            1.0,
            lambda s: _net(
                [
                    replace(t, p=c.low + s * (c.high - c.low))
                    for t, c in zip(terms, (by_term[x.id] for x in proposal.terms.counterpart), strict=True)
                ],
                alternative,
                base_enforcement,
            ),
        )
    for index, term in enumerate(proposal.terms.counterpart):
        c = by_term[term.id]
        add(f"P({term.id} kept), 90% interval", c.low, c.high, with_p(index))
        if term.value_if_kept.has_range:
            assert term.value_if_kept.low is not None and term.value_if_kept.high is not None
            add(f"value if {term.id} kept", term.value_if_kept.low, term.value_if_kept.high, with_kept(index))
        if term.loss_if_broken.has_range:
            assert term.loss_if_broken.low is not None and term.loss_if_broken.high is not None
            add(
                f"loss if {term.id} broken",
                term.loss_if_broken.low,
                term.loss_if_broken.high,
                with_loss(index),
            )
    if proposal.alternative.has_range:
        assert proposal.alternative.low is not None and proposal.alternative.high is not None
        add(
            "value of the alternative (no agreement)",
            proposal.alternative.low,
            proposal.alternative.high,
            lambda a: _net(terms, a, base_enforcement),
        )
    for index, guarantor in enumerate(proposal.guarantors):
        if guarantor.enforcement.has_range:
            assert guarantor.enforcement.low is not None and guarantor.enforcement.high is not None
            others = [g.enforcement.value for i, g in enumerate(proposal.guarantors) if i != index]

            def with_guarantor(e: float, others: list[float] = others) -> float:
                return _net(terms, alternative, combined_enforcement([*others, e]))

            add(
                f"enforcement by {guarantor.actor}",
                guarantor.enforcement.low,
                guarantor.enforcement.high,
                with_guarantor,
            )
    rows.sort(key=lambda r: -r.swing)
    return rows


def _bargaining(
    proposal: Proposal,
) -> tuple[list[RangeRow], list[RangeRow], fearon.PrivateInformation | None]:
    b = proposal.bargaining
    if b is None:
        return [], [], None
    p, ca, cb = b.p_victory.value, b.cost_self.value, b.cost_counterpart.value
    rows = []
    r = fearon.bargaining_range(p, ca, cb)
    rows.append(RangeRow("bargaining range (p − c_self, p + c_counterpart)", r.low, r.high, r.empty))
    if b.counterpart_p_victory is not None:
        r = fearon.optimistic_range(p, b.counterpart_p_victory, ca, cb)
        rows.append(RangeRow("with each side's own estimate of its chances", r.low, r.high, r.empty))
    if b.p_victory_striking_first is not None and b.p_victory_struck_first is not None:
        r = fearon.first_strike_range(b.p_victory_striking_first, b.p_victory_struck_first, ca, cb)
        rows.append(RangeRow("with an advantage to striking first", r.low, r.high, r.empty))
    sensitivity = []
    for name, uncertain in (
        ("p_victory", b.p_victory),
        ("cost_self", b.cost_self),
        ("cost_counterpart", b.cost_counterpart),
    ):
        if uncertain.has_range:
            for end in ("low", "high"):
                setting = getattr(uncertain, end)
                args = {"p_victory": p, "cost_self": ca, "cost_counterpart": cb, name: setting}
                r = fearon.bargaining_range(args["p_victory"], args["cost_self"], args["cost_counterpart"])
                sensitivity.append(RangeRow(f"{name} = {setting:g} ({end} end)", r.low, r.high, r.empty))
    private = None
    if b.cost_counterpart.has_range and b.cost_counterpart.high is not None and b.cost_counterpart.high > 0:
        # the counterpart's cost is uncertain: Fearon's private-information model with c_B ~ U[0, c̄],
        # c̄ the high end of the analyst's range
        private = fearon.private_information(p, ca, b.cost_counterpart.high)
    return rows, sensitivity, private


def evaluate(proposal: Proposal, credibility: Sequence[TermCredibility]) -> Evaluation:
    """Assess ``proposal`` given the record's estimate for each of its counterpart terms (in any order)."""
    by_term = {c.term: c for c in credibility}
    missing = [t.id for t in proposal.terms.counterpart if t.id not in by_term]
    if missing:
        raise ValueError(f"no credibility estimate for term(s) {', '.join(missing)}")
    ordered = tuple(by_term[t.id] for t in proposal.terms.counterpart)
    terms = _values(proposal, ordered)
    alternative = proposal.alternative.value
    ev = expected_value(terms)
    low_terms = [replace(t, p=c.low) for t, c in zip(terms, ordered, strict=True)]
    high_terms = [replace(t, p=c.high) for t, c in zip(terms, ordered, strict=True)]
    offered = combined_enforcement([g.enforcement.value for g in proposal.guarantors])
    ev_guaranteed = expected_value(guaranteed(terms, offered))
    required = required_enforcement(terms, alternative)
    probability, method = _probability_worth(terms, ordered, alternative, offered)
    ranges, range_sensitivity, private = _bargaining(proposal)
    shifts: list[powell.Shift] = []
    if proposal.commitment_problem is not None:
        cp = proposal.commitment_problem
        shifts = powell.power_path(cp.power_path, cp.destruction, cp.discount)
    sensitivity = _sensitivity(proposal, ordered, offered)
    net_guaranteed = ev_guaranteed - alternative
    evaluation = Evaluation(
        terms=ordered,
        alternative=alternative,
        expected_value=ev,
        net=ev - alternative,
        net_interval=(expected_value(low_terms) - alternative, expected_value(high_terms) - alternative),
        break_even=break_even(terms, alternative),
        probability_worth=probability,
        probability_method=method,
        enforcement_offered=offered,
        expected_value_guaranteed=ev_guaranteed,
        net_guaranteed=net_guaranteed,
        required_enforcement=required,
        required_enforcement_interval=(
            required_enforcement(low_terms, alternative),
            required_enforcement(high_terms, alternative),
        ),
        worth_entering=net_guaranteed > 0 and not any(s.war for s in shifts),
        bargaining=tuple(ranges),
        bargaining_sensitivity=tuple(range_sensitivity),
        private_information=private,
        commitment=tuple(shifts),
        sensitivity=tuple(sensitivity),
        headline="",
    )
    headline, reasons = verdict(proposal, evaluation)
    return replace(evaluation, headline=headline, reasons=tuple(reasons))


def verdict(proposal: Proposal, e: Evaluation) -> tuple[str, list[str]]:
    """The verdict in one sentence, then the reasons behind it, each a sentence with its numbers."""
    reasons: list[str] = []
    kept_total = sum(t.value_if_kept.value for t in proposal.terms.counterpart)
    required = e.required_enforcement
    if required is None:
        headline = (
            "Not worth entering, with or without a guarantee: even if every term were kept the agreement is "
            f"worth {kept_total:.2f}, no more than the alternative's {e.alternative:.2f}."
        )
    elif required == 0:
        headline = (
            "Worth entering on the record's estimate of compliance: an expected gain of "
            f"{e.net:+.2f} over the alternative, without a guarantee."
        )
        if e.net_interval[0] < 0:
            headline += (
                f" But not across the whole 90% interval of compliance: at its low end the agreement "
                f"loses {e.net_interval[0]:.2f}."
            )
    elif e.enforcement_offered >= required:
        headline = (
            "Worth entering only with the guarantee: it needs one enforcing at least "
            f"{required:.2f}, and the guarantors named offer {e.enforcement_offered:.2f} "
            f"(expected gain {e.net_guaranteed:+.2f})."
        )
    else:
        headline = f"Not worth entering without a guarantee enforcing at least {required:.2f}"
        headline += (
            f"; the guarantors named offer only {e.enforcement_offered:.2f}."
            if proposal.guarantors
            else "; none is named."
        )
    war = [s for s in e.commitment if s.war]
    if war:
        worst = max(war, key=lambda s: s.guarantee)
        assert proposal.commitment_problem is not None
        who = (
            "the counterpart" if proposal.commitment_problem.rising == "counterpart" else "the assessing side"
        )
        headline += (
            " And no agreement is self-enforcing given the expected shift in power towards "
            f"{who}: a guarantor would have to be able to take at least {worst.guarantee:.2f} "
            "(present value; "
            f"{worst.guarantee_per_period:.2f} of the flow per {proposal.commitment_problem.period}) from it."
        )
    empty = [r for r in e.bargaining if r.empty]
    if empty:
        headline += (
            " There is no bargaining range ("
            + "; ".join(r.label for r in empty)
            + "): no share of the issue is preferred to fighting by both sides."
        )

    if e.break_even is not None:
        reasons.append(
            f"The agreement breaks even when each counterpart term is kept with probability "
            f"{e.break_even:.2f}; the record's estimates are "
            + ", ".join(f"{c.term} {c.mean:.2f} (90% interval {c.low:.2f}–{c.high:.2f})" for c in e.terms)
            + "."
        )
    reasons.append(
        f"Expected value {e.expected_value:.2f} against {e.alternative:.2f} for the alternative: a net "
        f"{e.net:+.2f} without a guarantee ({e.net_interval[0]:+.2f} to {e.net_interval[1]:+.2f} across the "
        "90% intervals of compliance)."
    )
    if proposal.guarantors:
        reasons.append(
            f"With the guarantors named (enforcing together {e.enforcement_offered:.2f}): expected value "
            f"{e.expected_value_guaranteed:.2f}, net {e.net_guaranteed:+.2f}."
        )
    low_req, high_req = e.required_enforcement_interval
    if required is not None and required > 0:
        span = (
            f" (from {_fmt(high_req)} at the high end of the compliance intervals to "
            f"{_fmt(low_req)} at the low end)"
            if low_req != high_req
            else ""
        )
        reasons.append(f"The smallest guarantee that makes it worth entering enforces {required:.2f}{span}.")
    if e.probability_worth is not None:
        reasons.append(
            f"Given the uncertainty in the record, the probability that the agreement "
            f"{'with the guarantee ' if proposal.guarantors else ''}beats the alternative is "
            f"{e.probability_worth:.2f} ({e.probability_method})."
        )
    flips = [r.input for r in e.sensitivity if r.flips]
    if flips:
        reasons.append("The verdict changes within the range of: " + "; ".join(flips) + ".")
    elif e.sensitivity:
        reasons.append("The verdict holds across the whole range of every uncertain input.")
    for s in war:
        reasons.append(
            f"Period {s.period}: the rising side's chances go from {s.p_now:.2f} to {s.p_next:.2f}; "
            f"the shift ({s.shift:.2f}) exceeds the bargaining surplus ({s.surplus:.2f}), so the declining "
            f"side gains more by fighting ({s.declining_lock_in:.2f}) than any promise can give it "
            f"({s.best_peace:.2f})."
        )
    if e.commitment and not war:
        reasons.append(
            "No expected shift in power is larger than the bargaining surplus: a deal can enforce itself."
        )
    for r in e.bargaining:
        reasons.append(
            f"Fearon {r.label}: "
            + ("empty." if r.empty else f"shares {r.low:.2f} to {r.high:.2f} for the assessor.")
        )
    return headline, reasons


def _fmt(value: float | None) -> str:
    return "no guarantee suffices" if value is None else f"{value:.2f}"
