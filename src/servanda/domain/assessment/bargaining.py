"""Fearon (1995), "Rationalist explanations for war", International Organization 49(3): 379–414.

The issue is a share x ∈ [0, 1]; side A (here: the party assessing) wants all of it. Fighting is a lottery
that A wins with probability p at costs c_A and c_B (as shares of the issue). Both sides are risk-neutral.
The page references and tests come from the project's reference notes ([S]: from a secondary source citing
the pages, derived again independently); the guarantee cap is servanda's stylization ([M]).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    """Shares x of the issue to A that both sides prefer to fighting: (low, high), empty if low ≥ high."""

    low: float
    high: float

    @property
    def empty(self) -> bool:
        return self.low >= self.high

    @property
    def width(self) -> float:
        return max(0.0, self.high - self.low)


def bargaining_range(p: float, cost_a: float, cost_b: float) -> Range:
    """(p − c_A, p + c_B) [p. 387]: A prefers any x above its war value, B any x below 1 − its war value."""
    return Range(p - cost_a, p + cost_b)


def optimistic_range(p_a: float, r_b: float, cost_a: float, cost_b: float) -> Range:
    """The range when each side judges its chances itself [p. 391]: A expects to win with p_a, B with r_b.

    It is (p_a − c_A, 1 − r_b + c_B), empty (no deal) iff p_a + r_b > 1 + c_A + c_B: mutual optimism.
    """
    return Range(p_a - cost_a, 1.0 - r_b + cost_b)


def first_strike_range(p_first: float, p_second: float, cost_a: float, cost_b: float) -> Range:
    """With an advantage to striking first [p. 403]: (p_f − c_A, p_s + c_B), empty iff p_f − p_s > c_A + c_B.

    ``p_first``: A's chance of winning if A strikes first; ``p_second``: if B does.
    """
    return Range(p_first - cost_a, p_second + cost_b)


@dataclass(frozen=True)
class PrivateInformation:
    """A's optimal demand when B's cost is private, uniform on [0, c̄] (Claim 2, pp. 410–11; the uniform
    distribution is an assumption), and what it risks."""

    demand: float
    p_war: float
    expected_utility: float


def private_information(p: float, cost_a: float, cost_b_max: float) -> PrivateInformation:
    """x* = p + (c̄ − c_A)/2, P(war) = (c̄ − c_A)/(2c̄), E[u_A] = P(war)·(p − c_A) + (1 − P(war))·x*.

    Valid for 0 ≤ c_A ≤ c̄ (the interior solution); outside it the demand is clipped to the support.
    """
    if cost_b_max <= 0:
        raise ValueError("the upper bound of B's cost must be positive")
    demand = p + max(0.0, cost_b_max - cost_a) / 2.0
    p_war = min(1.0, max(0.0, (demand - p) / cost_b_max))
    return PrivateInformation(demand, p_war, p_war * (p - cost_a) + (1.0 - p_war) * demand)


@dataclass(frozen=True)
class PreventiveWar:
    """Fearon's preventive war (pp. 405–6): A rises from p1 to p2 for good and then makes the offers.

    Values are present values of a flow of 1 per period, discounted by δ, for B, the declining side.
    ``war`` is whether B attacks now; ``cap`` the share x̄ of A after the shift that would keep B at peace,
    and ``penalty`` the present-value penalty a guarantor must be able to impose on A for that cap to hold
    (A's war value per period is p2 − (1 − δ)·c_A) — servanda's stylization, [M] in the notes.
    """

    war_value: float
    best_peace: float
    war: bool
    cap: float
    penalty: float


def preventive_war(p1: float, p2: float, cost_a: float, cost_b: float, delta: float) -> PreventiveWar:
    """B attacks now iff δ·p2 − p1 > c_B·(1 − δ)² (given p2 + c_B(1 − δ) ≤ 1); its war value is
    (1 − p1)/(1 − δ) − c_B and its best peace 1 + δ·(1 − p2 − c_B(1 − δ))/(1 − δ)."""
    if not 0 < delta < 1:
        raise ValueError("the discount factor must lie strictly between 0 and 1")
    war_value = (1.0 - p1) / (1.0 - delta) - cost_b
    best_peace = 1.0 + delta * (1.0 - p2 - cost_b * (1.0 - delta)) / (1.0 - delta)
    # the cap x̄ on A's later share that gives B its war value: 1 + δ(1 − x̄)/(1 − δ) = war value
    cap = 1.0 - (war_value - 1.0) * (1.0 - delta) / delta
    penalty = max(0.0, (p2 - (1.0 - delta) * cost_a - cap) / (1.0 - delta))
    return PreventiveWar(war_value, best_peace, delta * p2 - p1 > cost_b * (1.0 - delta) ** 2, cap, penalty)
