"""Whether an agreement is worth entering, given how likely each of the counterpart's terms is to be kept.

The entry rule of the reference notes (a stylization, marked [M] there): a term kept is worth ``U_kept`` to
the party assessing, broken after that party has conceded its own terms ``U_broken``, and no agreement
``U_none``. With compliance probability p the agreement is worth ``p·U_kept + (1 − p)·U_broken``, so it is
worth entering iff p > p* = (U_none − U_broken) / (U_kept − U_broken).

Several terms add up (expected values are linear, so no independence is assumed for the expectation):
EV = Σ_i [p_i·kept_i + (1 − p_i)·broken_i], and the break-even p* is the one compliance probability that,
shared by every term, makes EV equal the alternative.

A guarantee (servanda's own stylization, stated in every output): a guarantor that enforces with probability
e turns a breach that would have happened into compliance with probability e, so a term's probability of
being kept becomes p + (1 − p)·e. Guarantors act independently: together they enforce 1 − Π(1 − e_g).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import special


@dataclass(frozen=True)
class TermValue:
    """One counterpart term: its probability of being kept and its value to the assessor either way."""

    p: float
    kept: float
    broken: float


def expected_value(terms: Sequence[TermValue]) -> float:
    """Σ p·kept + (1 − p)·broken: what the agreement is worth on average to the party assessing."""
    return sum(t.p * t.kept + (1.0 - t.p) * t.broken for t in terms)


def break_even(terms: Sequence[TermValue], alternative: float) -> float | None:
    """The compliance probability p* at which the agreement is worth exactly the alternative.

    None when every term is worth as much broken as kept (compliance does not matter). p* may lie outside
    [0, 1]: above 1 means not even certain compliance makes the agreement worth it, below 0 that even
    certain breach does.
    """
    kept = sum(t.kept for t in terms)
    broken = sum(t.broken for t in terms)
    if kept == broken:
        return None
    return (alternative - broken) / (kept - broken)


def combined_enforcement(enforcements: Sequence[float]) -> float:
    """1 − Π(1 − e_g): the chance that at least one of several independent guarantors enforces."""
    missed = 1.0
    for e in enforcements:
        missed *= 1.0 - e
    return 1.0 - missed


def guaranteed(terms: Sequence[TermValue], enforcement: float) -> list[TermValue]:
    """The terms with a guarantee of strength ``enforcement``: p becomes p + (1 − p)·e."""
    return [TermValue(t.p + (1.0 - t.p) * enforcement, t.kept, t.broken) for t in terms]


def required_enforcement(terms: Sequence[TermValue], alternative: float) -> float | None:
    """The smallest enforcement probability e* a guarantor must offer for EV to reach the alternative.

    EV(e) = Σ kept − (1 − e)·Σ (1 − p)(kept − broken),
    so e* = 1 − (Σ kept − U_none) / Σ (1 − p)(kept − broken).
    0 when the agreement is already worth entering without a guarantee; None when no guarantee can make it
    worth entering (not even certain compliance beats the alternative).
    """
    kept = sum(t.kept for t in terms)
    if kept <= alternative:
        return None
    at_risk = sum((1.0 - t.p) * (t.kept - t.broken) for t in terms)
    if at_risk <= 0 or expected_value(terms) >= alternative:
        return 0.0
    return max(0.0, 1.0 - (kept - alternative) / at_risk)


def probability_above(alpha: float, beta: float, threshold: float) -> float:
    """P(p > threshold) for p ~ Beta(α, β): how sure the record lets one be that p clears the break-even."""
    if threshold <= 0:
        return 1.0
    if threshold >= 1:
        return 0.0
    return float(1.0 - special.betainc(alpha, beta, threshold))


def predictive_at_least(alpha: float, beta: float, k: int, n: int) -> float:
    """P(at least k of the next n commitments kept) under the Beta-Binomial predictive of Beta(α, β)."""
    total = 0.0
    for j in range(k, n + 1):
        log_p = (
            special.gammaln(n + 1)
            - special.gammaln(j + 1)
            - special.gammaln(n - j + 1)
            + special.betaln(alpha + j, beta + n - j)
            - special.betaln(alpha, beta)
        )
        total += math.exp(float(log_p))
    return total
