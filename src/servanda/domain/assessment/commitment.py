"""Whether an agreement can enforce itself: Powell's commitment problem and the self-enforcement models.

Powell (2006), "War as a commitment problem", International Organization 60(1): 169–203 [S in the project's
reference notes]. A flow of 1 per period, discounted by δ, is worth B = 1/(1 − δ). Fighting destroys a share
d of the flow; a side that fights at t locks in its probability of winning times what survives:
M(t) = (1 − d)·p(t)/(1 − δ). The rising side's lock-in grows; the declining side fights now iff the shift
in power exceeds the bargaining surplus (equation 1, p. 182):

    δ·M₁(t + 1) − M₁(t) > B − M₁(t) − M₂(t)

— no agreement the rising side makes now can promise the declining side as much as fighting would give it.
The guarantee that restores one is servanda's stylization ([M]): a third party that can take g from the
rising side (in present value, after the shift) lowers what it can lock in, and peace holds again when
g ≥ [δ·M₁(t + 1) + M₂(t) − B]/δ.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Shift:
    """One step of a power path, seen from period t: the rising side's probability goes from ``p_now`` to
    ``p_next``. ``shift`` is δ·M₁(t + 1) − M₁(t), ``surplus`` B − M₁(t) − M₂(t), ``declining_lock_in``
    M₂(t), ``best_peace`` B − δ·M₁(t + 1) (the most the declining side can be promised), ``war`` whether the
    shift exceeds the surplus, ``guarantee`` the smallest g that restores peace (0 when none is needed) and
    ``guarantee_per_period`` that g as a share of the flow, g·(1 − δ)."""

    period: int
    p_now: float
    p_next: float
    shift: float
    surplus: float
    declining_lock_in: float
    best_peace: float
    war: bool
    guarantee: float
    guarantee_per_period: float


def _check(destruction: float, delta: float) -> None:
    if not 0 < delta < 1:
        raise ValueError("the discount factor must lie strictly between 0 and 1")
    if not 0 <= destruction <= 1:
        raise ValueError("the share destroyed by war must lie between 0 and 1")


def lock_in(p: float, destruction: float, delta: float) -> float:
    """M = (1 − d)·p/(1 − δ): what a side winning with probability p locks in by fighting."""
    return (1.0 - destruction) * p / (1.0 - delta)


def shift_test(p_now: float, p_next: float, destruction: float, delta: float, period: int = 0) -> Shift:
    """Equation 1 for one period: is the shift from ``p_now`` to ``p_next`` larger than the surplus?"""
    _check(destruction, delta)
    whole = 1.0 / (1.0 - delta)
    m1_now, m1_next = lock_in(p_now, destruction, delta), lock_in(p_next, destruction, delta)
    m2_now = lock_in(1.0 - p_now, destruction, delta)
    shift = delta * m1_next - m1_now
    surplus = whole - m1_now - m2_now
    guarantee = max(0.0, (delta * m1_next + m2_now - whole) / delta)
    return Shift(
        period=period,
        p_now=p_now,
        p_next=p_next,
        shift=shift,
        surplus=surplus,
        declining_lock_in=m2_now,
        best_peace=whole - delta * m1_next,
        war=shift > surplus,
        guarantee=guarantee,
        guarantee_per_period=guarantee * (1.0 - delta),
    )


def power_path(path: Sequence[float], destruction: float, delta: float) -> list[Shift]:
    """Equation 1 at every step of a path of the rising side's probability of winning.

    A slow but persistent shift can also end in war (Krainin 2015, per the notes); each step is tested on its
    own here, so a path of many small steps is flagged only where one step is large.
    """
    if len(path) < 2:
        raise ValueError("a power path needs at least two points: now and later")
    return [shift_test(a, b, destruction, delta, t) for t, (a, b) in enumerate(itertools.pairwise(path))]


def preventive_war_condition(p: float, rise: float, destruction: float, delta: float) -> bool:
    """Powell's preventive war (p. 183): war iff (1 − d)·[δ(p + Δ) − p] > d."""
    _check(destruction, delta)
    return (1.0 - destruction) * (delta * (p + rise) - p) > destruction


# --- repeated-game self-enforcement and reputation (the reference notes' section 5, all [M]) ---------------


def grim_trigger_threshold(temptation: float, reward: float, punishment: float, fine: float = 0.0) -> float:
    """The least discount factor at which cooperation enforces itself under grim trigger:
    δ ≥ (T − F − R)/(T − F − P), with F a one-time penalty on the side that defects."""
    return (temptation - fine - reward) / (temptation - fine - punishment)


def minimum_penalty(gain: float, delta: float, value_loss: float) -> float:
    """F* = max(0, G − δ·Δv/(1 − δ)): the one-time penalty that makes a one-shot gain G from breach
    unprofitable when breach also costs Δv per period from the next one on."""
    return max(0.0, gain - delta * value_loss / (1.0 - delta))


def reputation_update(prior: float, strategic_keep: float, kept: bool) -> float:
    """Belief that the actor is the committed type after one observation: μ' = μ/(μ + (1 − μ)σ) on a kept
    commitment (σ: chance a strategic type keeps); a breach reveals the strategic type (μ' = 0)."""
    if not kept:
        return 0.0
    return prior / (prior + (1.0 - prior) * strategic_keep)
