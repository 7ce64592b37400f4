"""A proposed agreement as an analyst describes it for assessment (the YAML format of docs/assessment.md).

Every number here is the analyst's input — a judgement, not a fact from the record — and the report labels
it so. What the record supplies is the counterpart's track record, from which each term's probability of
being kept is estimated; the proposal names only the kind and strength of each term.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from servanda.domain.records import Date, Slug, Text
from servanda.domain.vocabulary import Strength

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Uncertain(_Model):
    """A number the analyst is unsure of: its best value and, optionally, the range it may lie in.

    Written as a plain number (``1.5``) when there is no range, or as ``{value: 1.5, low: 1, high: 2.5}``;
    the sensitivity table moves each input across its range.
    """

    value: float
    low: float | None = None
    high: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_number(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"value": data}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Uncertain:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high, or neither")
        if self.low is not None and self.high is not None and not self.low <= self.value <= self.high:
            raise ValueError(f"value {self.value:g} must lie between low {self.low:g} and high {self.high:g}")
        return self

    @property
    def has_range(self) -> bool:
        return self.low is not None and self.high is not None and self.low < self.high


class UncertainProbability(Uncertain):
    """An uncertain input that is a probability: every bound lies in [0, 1]."""

    @model_validator(mode="after")
    def _in_unit_interval(self) -> UncertainProbability:
        for name in ("value", "low", "high"):
            number = getattr(self, name)
            if number is not None and not 0.0 <= number <= 1.0:
                raise ValueError(f"{name} {number:g} is a probability and must lie between 0 and 1")
        return self


Basis = Literal["kind", "strength", "actor"]


class CounterpartTerm(_Model):
    """A term the counterpart commits to, and what it is worth to the party assessing.

    ``value_if_kept``: the term's value if kept; ``loss_if_broken``: what the assessor loses if it is broken
    after the assessor has conceded its own terms (so the value if broken is −loss). ``basis`` chooses which
    part of the counterpart's record estimates the probability that it is kept: its commitments of the same
    ``kind`` (default), of the same ``strength``, or all of them (``actor``).
    """

    id: Slug
    text: Text
    kind: Slug
    strength: Strength
    value_if_kept: Uncertain
    loss_if_broken: Uncertain
    basis: Basis = "kind"


class OwnTerm(_Model):
    """A term the party assessing commits to. Its cost is already counted in the counterpart terms' values
    ("after it has conceded its own terms"); it is listed so the report shows the whole bargain."""

    id: Slug
    text: Text
    kind: Slug | None = None
    strength: Strength | None = None


class Terms(_Model):
    counterpart: Annotated[list[CounterpartTerm], Field(min_length=1)]
    own: list[OwnTerm] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Terms:
        seen: set[str] = set()
        for term_id in [*(t.id for t in self.counterpart), *(t.id for t in self.own)]:
            if term_id in seen:
                raise ValueError(f"term id {term_id!r} is used twice")
            seen.add(term_id)
        return self


GuaranteeKind = Literal["third_party", "peacekeeping"]


class Guarantor(_Model):
    """An outside guarantor and the strength of its guarantee: the probability that it enforces a term the
    counterpart would otherwise break (servanda's stylization; see docs/assessment.md). ``kind`` says which
    evidence from the record's agreements applies: a third party to the agreement, or a peacekeeping force."""

    actor: Slug
    enforcement: UncertainProbability
    kind: GuaranteeKind = "third_party"
    note: str | None = None


class Bargaining(_Model):
    """Fearon's bargaining model, from the assessor's side (A): its probability of prevailing by fighting,
    the costs of fighting to each side as shares of the issue, and optionally the counterpart's own estimate
    of its chances (mutual optimism) or the chances when either side strikes first."""

    p_victory: UncertainProbability
    cost_self: Uncertain
    cost_counterpart: Uncertain
    counterpart_p_victory: Probability | None = None
    p_victory_striking_first: Probability | None = None
    p_victory_struck_first: Probability | None = None

    @model_validator(mode="after")
    def _first_strike_pair(self) -> Bargaining:
        if (self.p_victory_striking_first is None) != (self.p_victory_struck_first is None):
            raise ValueError("give both p_victory_striking_first and p_victory_struck_first, or neither")
        return self


class CommitmentProblem(_Model):
    """Powell's commitment problem: the rising side's probability of winning now and after each expected
    shift (``power_path``), the share of the flow war destroys, and the discount factor per period."""

    rising: Literal["counterpart", "self"] = "counterpart"
    power_path: Annotated[list[Probability], Field(min_length=2)]
    destruction: Annotated[float, Field(ge=0.0, le=1.0)]
    discount: Annotated[float, Field(gt=0.0, lt=1.0)]
    period: Text = "year"


class Proposal(_Model):
    """A proposed agreement to assess, with the analyst's valuation of it."""

    title: Text
    counterpart: Slug
    assessor: Slug | None = None
    summary: str | None = None
    inputs_note: str | None = None
    as_of: Date | None = None
    half_life: Annotated[float, Field(ge=0.0)] = 10.0
    terms: Terms
    alternative: Uncertain
    guarantors: list[Guarantor] = Field(default_factory=list)
    bargaining: Bargaining | None = None
    commitment_problem: CommitmentProblem | None = None
