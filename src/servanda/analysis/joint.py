"""Credibility by actor, strength and kind at once: a logistic model with pooled actor effects.

``estimate`` pools actors within one breakdown at a time: ``by="kind"`` judges an actor's ceasefires only by
its ceasefires and other actors' ceasefires. An actor with two ceasefires but forty other commitments should
borrow from both: from its own record in general, and from how ceasefires fare in general. This model does:

    logit P(kept) = μ + u_actor + β_strength + γ_kind,    u_actor ~ Normal(0, σ²)

* ``u_actor`` is pooled: σ, the spread between actors, is fitted by empirical Bayes (the Laplace
  approximation of the marginal likelihood, maximised over σ), so an actor with few outcomes is pulled
  towards the others, as in ``estimate``.
* ``β`` and ``γ`` get a weakly informative Normal(0, ``EFFECT_SD``²) prior on the logit scale, and ``μ`` a
  nearly flat one: there are only four strengths and a dozen kinds, too few to estimate a spread between them,
  and each is usually seen in many outcomes, so the prior matters only for rare ones. This is a modelling
  choice (reference notes §5, "logit p = μ + σ_a·z_actor + σ_t·z_type" [M]), not a citation.
* Outcomes are coded and decay-weighted as in ``estimate``: an outcome of value v (0, ½, 1) and weight w adds
  w·[v·η − log(1 + eᶯ)] to the log-likelihood; σ is fitted on weights rescaled per actor to Kish's effective
  sample size, for the reason ``effective_counts`` gives.

The fit is a Newton solve for the posterior mode. Its Hessian has one diagonal entry per actor plus a small
dense block for μ, β, γ, so every step, log-determinant and posterior variance goes through the Schur
complement of that block (size 1 + strengths + kinds) and costs time linear in the number of outcomes.
The posterior is approximated by a Normal on the logit scale around the mode (Laplace): the 90% interval is
its central 90% mapped through the logistic function, and the mean is E[logistic(η)] by Gauss–Hermite
quadrature. σ is plugged in, not integrated over; tests/unit/test_joint.py checks on simulated records that
the intervals still cover the truth about 90% of the time.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from servanda.analysis.credibility import (
    INFLUENTIAL,
    FloatArray,
    Outcome,
    OutcomeColumns,
    check_half_life,
    decay_weights,
)

EFFECT_SD = 1.5
"""Prior standard deviation of each strength's and each kind's effect on the logit scale: a factor of e^1.5
≈ 4.5 in the odds of keeping is plausible, one of e^4.5 ≈ 90 (three standard deviations) is not."""

INTERCEPT_SD = 10.0
"""Prior standard deviation of μ: nearly flat, it only keeps the solve well-posed."""

ACTOR_SD_BOUNDS = (0.01, 10.0)
"""Search range for σ on the logit scale: from "all actors alike" to "each actor is its own world"."""

Z90 = float(special.ndtri(0.95))
"""The central 90% of a Normal lies within ±1.645 standard deviations."""

QUADRATURE = np.polynomial.hermite_e.hermegauss(24)
"""Gauss–Hermite nodes and weights (probabilists'): E[f(η)] for Normal η, exact for smooth f to ~1e-10."""


@dataclass(frozen=True)
class JointEstimate:
    """P(kept) for one actor × strength × kind under the joint model.

    ``mean`` and ``low``–``high`` are the posterior mean and central 90% interval. ``kept``, ``total`` (=
    ``effective_n``) and ``count`` describe the actor's own decay-weighted outcomes of exactly this strength
    and kind — often few: the estimate also rests on the actor's other outcomes and on everyone's outcomes of
    this strength and kind. ``effects`` are the posterior modes of (actor, strength, kind) effects on the
    logit scale. ``influential`` names, when asked for, the actor's commitments that move ``mean`` most (the
    signed change mean with it − mean without it, by one Newton step; other actors' outcomes move it too, but
    each only a little, and are not ranked).
    """

    key: tuple[str, str, str]
    mean: float
    low: float
    high: float
    kept: float
    total: float
    effective_n: float
    count: int
    disputed: int
    effects: tuple[float, float, float]
    influential: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class JointFit:
    """The fitted population: intercept μ, the spread σ between actors, and each strength's and kind's effect
    (posterior modes, logit scale), with the number of outcomes it was fitted on."""

    intercept: float
    actor_sd: float
    strength_effects: dict[str, float]
    kind_effects: dict[str, float]
    outcomes: int


class _Cells:
    """The record aggregated to cells (actor, strength, kind): the likelihood depends only on each cell's
    Σw and Σw·v, so rows sharing a cell are solved for once."""

    def __init__(
        self,
        actors: Sequence[str],
        strengths: Sequence[str],
        kinds: Sequence[str],
        values: FloatArray,
        weights: FloatArray,
    ) -> None:
        self.actor_keys, actor_of_row = _codes(actors)
        self.strength_keys, strength_of_row = _codes(strengths)
        self.kind_keys, kind_of_row = _codes(kinds)
        self.A, self.S, self.K = len(self.actor_keys), len(self.strength_keys), len(self.kind_keys)
        flat = (actor_of_row * self.S + strength_of_row) * self.K + kind_of_row
        cells, self.cell_of_row = np.unique(flat, return_inverse=True)
        self.actor = cells // (self.S * self.K)
        self.strength = (cells // self.K) % self.S
        self.kind = cells % self.K
        self.cells = cells.size
        self.weight = _sum(self.cell_of_row, weights, self.cells)
        self.kept = _sum(self.cell_of_row, weights * values, self.cells)
        self.count = np.bincount(self.cell_of_row, minlength=self.cells)
        # Kish's effective sample size per actor, (Σw)²/Σw², for fitting σ (see effective_counts)
        w_sum = _sum(actor_of_row, weights, self.A)
        w_sq = _sum(actor_of_row, weights * weights, self.A)
        self.kish = (w_sum / w_sq)[self.actor]

    @property
    def q(self) -> int:
        """Number of population parameters: μ, one per strength, one per kind."""
        return 1 + self.S + self.K

    def population_columns(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """For each cell, the column of its strength and of its kind among (μ, β…, γ…)."""
        return 1 + self.strength, 1 + self.S + self.kind


def _sum(into: npt.NDArray[np.intp], amounts: FloatArray, size: int) -> FloatArray:
    """Sums of ``amounts`` by ``into`` (``np.bincount`` with weights, typed as the floats it returns)."""
    return np.bincount(into, weights=amounts, minlength=size).astype(np.float64, copy=False)


def _codes(keys: Sequence[str]) -> tuple[list[str], npt.NDArray[np.intp]]:
    distinct = sorted(dict.fromkeys(keys))
    lookup = {key: code for code, key in enumerate(distinct)}
    return distinct, np.fromiter(map(lookup.__getitem__, keys), dtype=np.intp, count=len(keys))


@dataclass
class _Mode:
    """The posterior mode at one σ, and the pieces of the Hessian there (see ``_solve``)."""

    u: FloatArray
    g: FloatArray
    objective: float
    d: FloatArray  # actor diagonal of the Hessian
    e: FloatArray  # B / d: actor × population coupling, scaled
    precision: FloatArray  # Schur complement of the actor block: posterior precision of (μ, β, γ)
    eta: FloatArray


class _Model:
    def __init__(self, cells: _Cells) -> None:
        self.c = cells
        self.prior_precision = np.full(cells.q, EFFECT_SD**-2)
        self.prior_precision[0] = INTERCEPT_SD**-2
        self.sc, self.kc = cells.population_columns()

    def _eta(self, u: FloatArray, g: FloatArray) -> FloatArray:
        eta: FloatArray = g[0] + g[self.sc] + g[self.kc] + u[self.c.actor]
        return eta

    def _objective(self, u: FloatArray, g: FloatArray, w: FloatArray, y: FloatArray, var: float) -> float:
        eta = self._eta(u, g)
        nll = float(np.sum(w * np.logaddexp(0.0, eta) - y * eta))
        return nll + 0.5 * float(u @ u) / var + 0.5 * float(g @ (self.prior_precision * g))

    def _population_sums(self, per_cell: FloatArray) -> FloatArray:
        """Σ over cells of ``per_cell`` into each population column (μ, each strength, each kind)."""
        c = self.c
        sums = (np.array([per_cell.sum()]), _sum(c.strength, per_cell, c.S), _sum(c.kind, per_cell, c.K))
        return np.concatenate(sums).astype(np.float64, copy=False)

    def _hessian(self, h: FloatArray, var: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Actor diagonal ``d``, coupling ``B`` (actors × q) and population block ``C`` (q × q)."""
        c = self.c
        d = _sum(c.actor, h, c.A) + 1.0 / var
        coupling = np.zeros((c.A, c.q))
        coupling[:, 0] = _sum(c.actor, h, c.A)
        coupling[:, 1 : 1 + c.S] = _sum(c.actor * c.S + c.strength, h, c.A * c.S).reshape(c.A, c.S)
        coupling[:, 1 + c.S :] = _sum(c.actor * c.K + c.kind, h, c.A * c.K).reshape(c.A, c.K)
        block = np.diag(self._population_sums(h) + self.prior_precision).astype(np.float64)
        block[0, 1:] = block[1:, 0] = self._population_sums(h)[1:]
        cross = _sum(c.strength * c.K + c.kind, h, c.S * c.K).reshape(c.S, c.K)
        block[1 : 1 + c.S, 1 + c.S :] = cross
        block[1 + c.S :, 1 : 1 + c.S] = cross.T
        return d, coupling, block

    def mode(self, w: FloatArray, y: FloatArray, var: float, start: _Mode | None = None) -> _Mode:
        """Newton's method with step halving; the objective is strictly convex, so it converges from anywhere
        (warm starts from the previous σ make each outer step a few iterations)."""
        c = self.c
        u = np.zeros(c.A) if start is None else start.u.copy()
        g = np.zeros(c.q) if start is None else start.g.copy()
        objective = self._objective(u, g, w, y, var)
        for _ in range(100):
            eta = self._eta(u, g)
            p = special.expit(eta)
            r = w * p - y
            h = w * p * (1.0 - p)
            grad_u = _sum(c.actor, r, c.A) + u / var
            grad_g = self._population_sums(r) + self.prior_precision * g
            d, coupling, block = self._hessian(h, var)
            e = coupling / d[:, None]
            schur = block - coupling.T @ e
            step_g = np.linalg.solve(schur, -grad_g + e.T @ grad_u)
            step_u = (-grad_u - coupling @ step_g) / d
            scale = 1.0
            while True:
                candidate = self._objective(u + scale * step_u, g + scale * step_g, w, y, var)
                if candidate <= objective + 1e-12 * abs(objective) or scale < 1e-8:
                    break
                scale /= 2
            u, g = u + scale * step_u, g + scale * step_g
            done = scale * max(np.abs(step_u).max(initial=0.0), np.abs(step_g).max()) < 1e-9
            objective = candidate
            if done:
                break
        eta = self._eta(u, g)
        p = special.expit(eta)
        d, coupling, block = self._hessian(w * p * (1.0 - p), var)
        e = coupling / d[:, None]
        return _Mode(u, g, objective, d, e, block - coupling.T @ e, eta)

    def fit_sd(self) -> tuple[float, _Mode | None]:
        """σ maximising the Laplace approximation of the marginal likelihood, on Kish-rescaled weights:
        log p(y | σ) ≈ −objective(mode) − A·ln σ − ½ ln det H (constants dropped)."""
        c = self.c
        w, y = c.weight * c.kish, c.kept * c.kish
        last: list[_Mode] = []

        def negative_log_marginal(log_sd: float) -> float:
            var = float(np.exp(2 * log_sd))
            found = self.mode(w, y, var, last[-1] if last else None)
            last.append(found)
            _, logdet = np.linalg.slogdet(found.precision)  # positive definite: the sign is +1
            logdet_h = float(np.sum(np.log(found.d))) + logdet
            return float(found.objective + c.A * log_sd + 0.5 * logdet_h)

        low, high = np.log(ACTOR_SD_BOUNDS)
        result = optimize.minimize_scalar(
            negative_log_marginal, bounds=(low, high), method="bounded", options={"xatol": 1e-3}
        )
        return float(np.exp(result.x)), (last[-1] if last else None)


def _columns(outcomes: Sequence[Outcome] | OutcomeColumns) -> OutcomeColumns:
    return outcomes if isinstance(outcomes, OutcomeColumns) else OutcomeColumns.of(outcomes)


def estimate_joint(
    outcomes: Sequence[Outcome] | OutcomeColumns,
    *,
    as_of: date | None = None,
    half_life_years: float | None = 10.0,
    explain: Collection[str] = (),
) -> tuple[JointFit, list[JointEstimate]]:
    """Fit the joint model and estimate every actor × strength × kind that has outcomes, sorted by key.

    ``as_of`` and ``half_life_years`` mean what they mean for ``estimate``. For the actors in ``explain``,
    each estimate also names its most influential commitments (ranking them costs a pass over the actor's
    outcomes per estimate, so it is done only where asked).
    """
    check_half_life(half_life_years)
    columns = _columns(outcomes)
    values = np.asarray(columns.value, dtype=np.float64).ravel()
    decided = np.asarray(columns.decided, dtype=np.int64).ravel()
    if columns.strength is None or columns.kind is None:
        raise ValueError("the joint model needs the strength and kind columns")
    if values.size == 0:
        raise ValueError("no outcomes to fit")
    cutoff = as_of.toordinal() if as_of is not None else int(decided.max())
    rows = np.flatnonzero(decided <= cutoff)
    if rows.size == 0:
        raise ValueError("no outcomes decided by the date asked about")
    picked = rows.tolist()
    weights = decay_weights((cutoff - decided[rows]).astype(np.float64), half_life_years)
    cells = _Cells(
        [columns.actor[i] for i in picked],
        [columns.strength[i] for i in picked],
        [columns.kind[i] or "unspecified" for i in picked],
        values[rows],
        weights,
    )
    model = _Model(cells)
    sd, fitted = model.fit_sd()
    raw = half_life_years is None  # without decay the Kish weights are the weights: the last mode is final
    found = fitted if raw and fitted is not None else model.mode(cells.weight, cells.kept, sd**2, fitted)
    fit = JointFit(
        intercept=float(found.g[0]),
        actor_sd=sd,
        strength_effects=dict(zip(cells.strength_keys, found.g[1 : 1 + cells.S].tolist(), strict=True)),
        kind_effects=dict(zip(cells.kind_keys, found.g[1 + cells.S :].tolist(), strict=True)),
        outcomes=int(rows.size),
    )
    disputed = (
        np.zeros(rows.size, dtype=bool)
        if columns.disputed is None
        else np.asarray(columns.disputed, dtype=bool)[rows]
    )
    return fit, _estimates(
        model, found, disputed, values[rows], weights, [columns.statement[i] for i in picked], explain
    )


def _cell_variance(model: _Model, found: _Mode) -> FloatArray:
    """Var(η) of every cell: 1/d_a + zᵀ P⁻¹ z with z = x_population − e_a (the Schur-complement form)."""
    c = model.c
    z = -found.e[c.actor]
    rows = np.arange(c.cells)
    z[rows, 0] += 1.0
    z[rows, model.sc] += 1.0
    z[rows, model.kc] += 1.0
    covariance = np.linalg.inv(found.precision)
    variance: FloatArray = 1.0 / found.d[c.actor] + np.einsum("ij,jk,ik->i", z, covariance, z)
    return variance


def _estimates(
    model: _Model,
    found: _Mode,
    disputed: npt.NDArray[np.bool_],
    values: FloatArray,
    weights: FloatArray,
    statements: list[str],
    explain: Collection[str],
) -> list[JointEstimate]:
    c = model.c
    sd = np.sqrt(_cell_variance(model, found))
    nodes, node_weights = QUADRATURE
    mean = special.expit(found.eta[:, None] + sd[:, None] * nodes) @ node_weights / np.sqrt(2 * np.pi)
    low, high = special.expit(found.eta - Z90 * sd), special.expit(found.eta + Z90 * sd)
    disputes = np.bincount(c.cell_of_row[disputed], minlength=c.cells)
    movers = _influence(model, found, values, weights, statements, explain)
    u, g = found.u.tolist(), found.g.tolist()
    return [
        JointEstimate(
            key=(c.actor_keys[a], c.strength_keys[s], c.kind_keys[k]),
            mean=m,
            low=lo,
            high=hi,
            kept=kept,
            total=total,
            effective_n=total,
            count=n,
            disputed=d,
            effects=(u[a], g[1 + s], g[1 + c.S + k]),
            influential=movers.get(cell, ()),
        )
        for cell, (a, s, k, m, lo, hi, kept, total, n, d) in enumerate(
            zip(
                c.actor.tolist(),
                c.strength.tolist(),
                c.kind.tolist(),
                mean.tolist(),
                low.tolist(),
                high.tolist(),
                c.kept.tolist(),
                c.weight.tolist(),
                c.count.tolist(),
                disputes.tolist(),
                strict=True,
            )
        )
    ]


def _influence(
    model: _Model,
    found: _Mode,
    values: FloatArray,
    weights: FloatArray,
    statements: list[str],
    explain: Collection[str],
) -> dict[int, tuple[tuple[str, float], ...]]:
    """For each cell of the actors in ``explain``: the actor's rows that move its mean most.

    Removing row i (in cell j) shifts the mode by one Newton step −H⁻¹xᵢ·wᵢ(vᵢ − pⱼ), so cell c's logit by
    −Cov(η_c, η_j)·wᵢ(vᵢ − pⱼ) and its mean by about p_c(1 − p_c) times that. Within one actor,
    Cov(η_c, η_j) = 1/d_a + z_cᵀ P⁻¹ z_j.
    """
    c = model.c
    wanted = {c.actor_keys.index(actor) for actor in explain if actor in c.actor_keys}
    if not wanted:
        return {}
    covariance = np.linalg.inv(found.precision)
    p = special.expit(found.eta)
    out: dict[int, tuple[tuple[str, float], ...]] = {}
    for actor in sorted(wanted):
        cells = np.flatnonzero(c.actor == actor)
        z = -np.repeat(found.e[actor][None, :], cells.size, axis=0)
        z[np.arange(cells.size), 0] += 1.0
        z[np.arange(cells.size), model.sc[cells]] += 1.0
        z[np.arange(cells.size), model.kc[cells]] += 1.0
        between = 1.0 / found.d[actor] + z @ covariance @ z.T  # Cov(η_c, η_j) for this actor's cells
        rows = np.flatnonzero(np.isin(c.cell_of_row, cells))
        column = np.searchsorted(cells, c.cell_of_row[rows])
        pull = weights[rows] * (values[rows] - p[c.cell_of_row[rows]])
        for position, cell in enumerate(cells.tolist()):
            change = p[cell] * (1.0 - p[cell]) * between[position, column] * pull
            order = np.argsort(-np.abs(change), kind="stable")[:INFLUENTIAL]
            out[cell] = tuple((statements[int(rows[i])], float(change[i])) for i in order)
    return out
