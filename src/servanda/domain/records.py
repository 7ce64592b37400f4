"""The concepts of the record as validated, immutable types.

Every record has a readable slug ``id`` that is unique across the whole record (``ru``, ``putin``,
``budapest-memorandum-1994``), so that ``show ID`` needs no type and links never dangle between types.
References between records are by id; which ids must exist, and of which type, is declared by
``references()`` so that the write path can check them against the store and the batch together.

These types do no I/O. They refuse unknown fields so that a misspelt field in a bundle is an error, not a
silently dropped fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from .dates import FuzzyDate
from .vocabulary import (
    ActorKind,
    AgreementStatus,
    RelationType,
    StatementKind,
    Strength,
    Verification,
    verdict_fits,
)

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$"
_SLUG = re.compile(SLUG_PATTERN)
DATE_PATTERN = r"^(\d{4}(-\d{2}(-\d{2})?)?|\.\.)(/(\d{4}(-\d{2}(-\d{2})?)?|\.\.))?$"


def _check_slug(value: Any) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits and '-', '.', '_' "
            "(for example 'budapest-memorandum-1994')"
        )
    return value


def _parse_date(value: Any) -> FuzzyDate:
    # YAML readers turn a bare year into an int; a year is a valid date of year precision.
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:04d}"
    return FuzzyDate.parse(value)


Slug = Annotated[
    str,
    PlainValidator(_check_slug),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN}),
]
Date = Annotated[
    FuzzyDate,
    PlainValidator(_parse_date),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DATE_PATTERN,
            "description": "YYYY, YYYY-MM, YYYY-MM-DD, or an interval A/B ('..' for an open end)",
        }
    ),
]
Text = Annotated[str, Field(min_length=1)]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Url = Annotated[str, Field(pattern=r"^(https?|ftp)://\S+$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Record(_Model):
    """Fields every record has."""

    TYPE: ClassVar[str] = "record"
    SECTION: ClassVar[str] = "records"

    id: Slug
    notes: str | None = None
    verification: Verification | None = None

    def references(self) -> Iterator[tuple[str, tuple[str, ...], str]]:
        """Yield (field path, allowed record types, id) for every id this record points at."""
        yield from ()

    def body(self) -> dict[str, Any]:
        """The record as plain JSON data: what goes into the log (defaults left out)."""
        return self.model_dump(mode="json", exclude_defaults=True)

    def sort_date(self) -> str:
        return ""


def _refs(path: str, types: tuple[str, ...], ids: list[str]) -> Iterator[tuple[str, tuple[str, ...], str]]:
    for index, value in enumerate(ids):
        yield f"{path}[{index}]", types, value


# --- actors -------------------------------------------------------------------------------------------------


class Relation(_Model):
    """A time-bounded tie: ``putin head_of ru`` from 2000-05-07 to 2008-05-07."""

    type: RelationType
    target: Slug
    since: Date | None = None
    until: Date | None = None
    title: str | None = None
    sources: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Relation:
        start = self.since.earliest if self.since else None
        end = self.until.latest if self.until else None
        if start and end and end < start:
            raise ValueError("until: the relation ends before it starts")
        return self


class Actor(Record):
    """A person, state, government, legislature, court, ministry, military unit or organisation."""

    TYPE: ClassVar[str] = "actor"
    SECTION: ClassVar[str] = "actors"

    kind: ActorKind
    name: Text
    names: dict[LanguageCode, Text] = Field(default_factory=dict)
    description: str | None = None
    external_ids: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], Text] = Field(
        default_factory=dict
    )
    relations: list[Relation] = Field(default_factory=list)
    sources: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _wikidata_shape(self) -> Actor:
        qid = self.external_ids.get("wikidata")
        if qid is not None and not re.fullmatch(r"Q[1-9]\d*", qid):
            raise ValueError(f"external_ids.wikidata: {qid!r} is not a Wikidata id such as Q159")
        return self

    def references(self) -> Iterator[tuple[str, tuple[str, ...], str]]:
        for index, relation in enumerate(self.relations):
            yield f"relations[{index}].target", ("actor",), relation.target
            yield from _refs(f"relations[{index}].sources", ("source",), relation.sources)
        yield from _refs("sources", ("source",), self.sources)


# --- sources ------------------------------------------------------------------------------------------------


class Source(Record):
    """Where something is documented. ``partisan`` names the side a source speaks for, when it does."""

    TYPE: ClassVar[str] = "source"
    SECTION: ClassVar[str] = "sources"

    url: Url | None = None
    title: Text
    publisher: str | None = None
    date: Date | None = None
    language: LanguageCode | None = None
    partisan: str | None = None
    original: str | None = None
    archived_url: Url | None = None

    def sort_date(self) -> str:
        return self.date.sort_key() if self.date else ""


class Capture(Record):
    """A captured copy of a source, stored by its SHA-256 beside the database; the log holds only the hash."""

    TYPE: ClassVar[str] = "capture"
    SECTION: ClassVar[str] = "captures"

    source: Slug
    sha256: Sha256Hex
    size: Annotated[int, Field(ge=0)]
    media_type: str | None = None
    filename: str | None = None

    @model_validator(mode="after")
    def _id_is_hash(self) -> Capture:
        if self.id != f"sha256-{self.sha256}":
            raise ValueError("id: a capture's id is 'sha256-' followed by its hash")
        return self

    def references(self) -> Iterator[tuple[str, tuple[str, ...], str]]:
        yield "source", ("source",), self.source


# --- statements ---------------------------------------------------------------------------------------------


class CommitmentTerms(_Model):
    """What was promised: the obligation, its conditions and deadline, and what would count as kept."""

    obligation: Text
    strength: Strength
    category: Slug | None = None
    conditions: str | None = None
    deadline: Date | None = None
    kept_if: str | None = None
    agreement: Slug | None = None


class Statement(Record):
    """Something an actor said, signed or enacted, quoted from a source: a commitment or an assertion."""

    TYPE: ClassVar[str] = "statement"
    SECTION: ClassVar[str] = "statements"

    kind: StatementKind
    actor: Slug
    date: Date
    text: Text
    language: LanguageCode = "en"
    text_en: str | None = None
    summary: str | None = None
    locator: str | None = None
    sources: Annotated[list[Slug], Field(min_length=1)]
    on_behalf_of: Slug | None = None
    counterparties: list[Slug] = Field(default_factory=list)
    topics: list[Slug] = Field(default_factory=list)
    about: list[Slug] = Field(default_factory=list)
    commitment: CommitmentTerms | None = None

    @model_validator(mode="after")
    def _terms_match_kind(self) -> Statement:
        if self.kind is StatementKind.COMMITMENT and self.commitment is None:
            raise ValueError("commitment: a commitment needs its terms (obligation, strength, ...)")
        if self.kind is StatementKind.ASSERTION and self.commitment is not None:
            raise ValueError("commitment: an assertion has no commitment terms")
        if self.language != "en" and not self.text_en:
            raise ValueError("text_en: a statement in another language needs an English rendering")
        return self

    @property
    def english(self) -> str:
        return self.text_en or self.text

    def sort_date(self) -> str:
        return self.date.sort_key()

    def references(self) -> Iterator[tuple[str, tuple[str, ...], str]]:
        yield "actor", ("actor",), self.actor
        if self.on_behalf_of:
            yield "on_behalf_of", ("actor",), self.on_behalf_of
        yield from _refs("sources", ("source",), self.sources)
        yield from _refs("counterparties", ("actor",), self.counterparties)
        yield from _refs("about", ("event", "agreement", "statement"), self.about)
        if self.commitment and self.commitment.agreement:
            yield "commitment.agreement", ("agreement",), self.commitment.agreement


# --- agreements ---------------------------------------------------------------------------------------------


class Signature(_Model):
    party: Slug
    date: Date | None = None
    signatory: Slug | None = None


class Ratification(_Model):
    """An institution's act that bound a party: a Duma vote, a Rada law, a Senate resolution."""

    party: Slug
    institution: Slug
    date: Date
    act: str | None = None
    sources: list[Slug] = Field(default_factory=list)


class StatusChange(_Model):
    status: AgreementStatus
    date: Date
    by: Slug | None = None
    note: str | None = None
    sources: list[Slug] = Field(default_factory=list)


class ThirdParty(_Model):
    """A state or organisation that took part in an agreement without being a party to it."""

    actor: Slug
    role: Slug = (
        "third_party"  # mediator, facilitator, witness, observer, guarantor, or unspecified third_party
    )


class Agreement(Record):
    """A multi-party instrument; its provisions are commitments (statements) that name it."""

    TYPE: ClassVar[str] = "agreement"
    SECTION: ClassVar[str] = "agreements"

    title: Text
    kind: Slug
    parties: Annotated[list[Slug], Field(min_length=1)]
    summary: str | None = None
    signed: Date | None = None
    place: str | None = None
    signatures: list[Signature] = Field(default_factory=list)
    ratifications: list[Ratification] = Field(default_factory=list)
    entry_into_force: Date | None = None
    status_history: list[StatusChange] = Field(default_factory=list)
    guarantors: list[Slug] = Field(default_factory=list)
    external_ids: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], Text] = Field(
        default_factory=dict
    )
    third_parties: list[ThirdParty] = Field(default_factory=list)
    provisions: list[Slug] = Field(default_factory=list)
    sources: list[Slug] = Field(default_factory=list)

    def sort_date(self) -> str:
        return self.signed.sort_key() if self.signed else ""

    @property
    def status(self) -> AgreementStatus | None:
        """The latest status by date (ties keep the order written)."""
        if not self.status_history:
            return None
        return sorted(self.status_history, key=lambda change: change.date.sort_key())[-1].status

    def references(self) -> Iterator[tuple[str, tuple[str, ...], str]]:
        yield from _refs("parties", ("actor",), self.parties)
        yield from _refs("guarantors", ("actor",), self.guarantors)
        yield from _refs("sources", ("source",), self.sources)
        for index, third in enumerate(self.third_parties):
            yield f"third_parties[{index}].actor", ("actor",), third.actor
        for index, signature in enumerate(self.signatures):
            yield f"signatures[{index}].party", ("actor",), signature.party
            if signature.signatory:
                yield f"signatures[{index}].signatory", ("actor",), signature.signatory
        for index, ratification in enumerate(self.ratifications):
            yield f"ratifications[{index}].party", ("actor",), ratification.party
            yield f"ratifications[{index}].institution", ("actor",), ratification.institution
            yield from _refs(f"ratifications[{index}].sources", ("source",), ratification.sources)
        for index, change in enumerate(self.status_history):
            if change.by:
                yield f"status_history[{index}].by", ("actor",), change.by
            yield from _refs(f"status_history[{index}].sources", ("source",), change.sources)


# --- events -------------------------------------------------------------------------------------------------


class Responsibility(_Model):
    """Who a finding holds responsible, in what role, and who made the finding."""

    actor: Slug
    role: str | None = None
    found_by: list[Slug] = Field(default_factory=list)
    sources: list[Slug] = Field(default_factory=list)
    verification: Verification | None = None
    notes: str | None = None


class Figure(_Model):
    """One figure as one source gives it; conflicting figures stay separate entries."""

    measure: Text
    value: Text
    according_to: Slug | None = None
    sources: Annotated[list[Slug], Field(min_length=1)]
    notes: str | None = None


class Event(Record):
    """A documented occurrence: an invasion, an annexation, a massacre, a strike, a vote."""

    TYPE: ClassVar[str] = "event"
    SECTION: ClassVar[str] = "events"

    title: Text
    kind: Slug
    date: Date
    place: str | None = None
    summary: str | None = None
    responsible: list[Responsibility] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    sources: Annotated[list[Slug], Field(min_length=1)]

    def sort_date(self) -> str:
        return self.date.sort_key()

    def references(self) -> Iterator[tuple[str, tuple[str, ...], str]]:
        yield from _refs("sources", ("source",), self.sources)
        for index, item in enumerate(self.responsible):
            yield f"responsible[{index}].actor", ("actor",), item.actor
            yield from _refs(f"responsible[{index}].found_by", ("actor",), item.found_by)
            yield from _refs(f"responsible[{index}].sources", ("source",), item.sources)
        for index, figure in enumerate(self.figures):
            if figure.according_to:
                yield f"figures[{index}].according_to", ("actor",), figure.according_to
            yield from _refs(f"figures[{index}].sources", ("source",), figure.sources)


# --- assessments --------------------------------------------------------------------------------------------


class Assessment(Record):
    """A dated verdict on a statement. Never overwritten: a later assessment supersedes an earlier one."""

    TYPE: ClassVar[str] = "assessment"
    SECTION: ClassVar[str] = "assessments"

    statement: Slug
    verdict: str
    as_of: Date
    rationale: Text
    evidence: list[Slug] = Field(default_factory=list)
    sources: Annotated[list[Slug], Field(min_length=1)]
    author: str | None = None
    supersedes: Slug | None = None
    disputed: bool = False
    disputed_by: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dispute_named(self) -> Assessment:
        from .vocabulary import ALL_VERDICTS

        if self.verdict not in ALL_VERDICTS:
            raise ValueError(
                f"verdict: {self.verdict!r} is on no scale; commitments use "
                "pending, in_progress, kept, partially_kept, broken, withdrawn, superseded, unassessable; "
                "assertions use accurate, misleading, false, unproven, retracted"
            )
        if self.disputed and not self.disputed_by:
            raise ValueError("disputed_by: a disputed verdict must name who disputes it")
        if self.disputed_by and not self.disputed:
            raise ValueError("disputed: disputed_by is set, so disputed must be true")
        return self

    def fits(self, kind: StatementKind | str) -> bool:
        return verdict_fits(kind, self.verdict)

    def sort_date(self) -> str:
        return self.as_of.sort_key()

    def references(self) -> Iterator[tuple[str, tuple[str, ...], str]]:
        yield "statement", ("statement",), self.statement
        yield from _refs("evidence", ("event", "statement", "agreement", "source", "capture"), self.evidence)
        yield from _refs("sources", ("source",), self.sources)
        yield from _refs("disputed_by", ("actor",), self.disputed_by)
        if self.supersedes:
            yield "supersedes", ("assessment",), self.supersedes


RECORD_TYPES: dict[str, type[Record]] = {
    cls.TYPE: cls for cls in (Actor, Source, Capture, Agreement, Statement, Event, Assessment)
}
SECTIONS: dict[str, type[Record]] = {cls.SECTION: cls for cls in RECORD_TYPES.values()}
# The order in which a bundle's sections are applied and exported: what is referred to comes first.
TYPE_ORDER: tuple[str, ...] = ("source", "actor", "capture", "agreement", "event", "statement", "assessment")

RecordType = Literal["actor", "source", "capture", "agreement", "statement", "event", "assessment"]


def record_from_body(record_type: str, body: dict[str, Any]) -> Record:
    """Rebuild a record from the body stored in the log."""
    return RECORD_TYPES[record_type].model_validate(body)
