"""The record's agreements as survival spells: from signing until they ended, or until observation stopped.

What counts (docs/assessment.md says why):

- **start**: the first day the signing date may mean; an agreement without a signing date is left out;
- **ended**: the first status change that ends it in practice — ``terminated`` (how the UCDP importer records
  UCDP's ``ended``), ``denounced``, ``withdrawn`` or ``suspended``;
- **censored**: ``expired`` (it ran its course) or ``superseded`` (another agreement took its place) end the
  observation without a breakdown; an agreement with none of these is still in force when the record's
  observation stops, taken as the latest signing or status date among all agreements;
- **left out**: ``never_in_force``, and agreements UCDP codes as ended without a usable date (the importer
  keeps that in the notes), since counting them as lasting would be wrong and their end is unknown;
- **third_party**: the agreement names third parties or guarantors, or UCDP's ``pa_3rd`` names any (the
  importer keeps it in the notes, also for third parties without a UCDP id). UCDP does not say whether a
  third party mediated, witnessed or guaranteed;
- **pko**: the agreement provides for a peacekeeping operation (UCDP's ``pko`` provision).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, select

from servanda.analysis.survival import DAYS_PER_YEAR, Spell
from servanda.domain.records import Agreement, record_from_body
from servanda.domain.vocabulary import AgreementStatus
from servanda.store.schema import records

from .importers.ucdp import ENDED_NOTE, THIRD_PARTIES_NOTE

ENDING = frozenset(
    {
        AgreementStatus.TERMINATED,
        AgreementStatus.DENOUNCED,
        AgreementStatus.WITHDRAWN,
        AgreementStatus.SUSPENDED,
    }
)
CENSORING = frozenset({AgreementStatus.EXPIRED, AgreementStatus.SUPERSEDED})
COVARIATES = ("third_party", "pko")


@dataclass(frozen=True)
class AgreementSpells:
    """The spells, the day observation stopped, and the agreements left out with the reason for each."""

    spells: list[Spell]
    observed_until: date | None
    left_out: dict[str, str] = field(default_factory=dict)


def agreements(connection: Connection) -> list[Agreement]:
    rows = connection.execute(
        select(records.c.type, records.c.body).where(records.c.type == "agreement").order_by(records.c.id)
    )
    found = [record_from_body(rtype, json.loads(body)) for rtype, body in rows]
    return [a for a in found if isinstance(a, Agreement)]


def agreement_spells(connection: Connection) -> AgreementSpells:
    return spells_of(agreements(connection))


def spells_of(items: Iterable[Agreement]) -> AgreementSpells:
    """Pure: each agreement's spell (see the module's notes), or the reason it is left out."""
    items = list(items)
    days = [d for a in items for d in _days(a)]
    if not days:
        return AgreementSpells([], None, {a.id: "no signing date" for a in items})
    until = max(days)
    spells: list[Spell] = []
    left_out: dict[str, str] = {}
    for agreement in items:
        start = agreement.signed.earliest if agreement.signed is not None else None
        if start is None:
            left_out[agreement.id] = "no signing date"
            continue
        end, ended = until, False
        history = sorted(
            (c for c in agreement.status_history if c.date.earliest is not None),
            key=lambda c: c.date.earliest or start,
        )
        stop = next((c for c in history if c.status in ENDING | CENSORING), None)
        if any(c.status == AgreementStatus.NEVER_IN_FORCE for c in history):
            left_out[agreement.id] = "never in force"
            continue
        if stop is not None:
            end, ended = stop.date.earliest or until, stop.status in ENDING
        elif ENDED_NOTE in (agreement.notes or ""):
            left_out[agreement.id] = "UCDP codes it as ended but the date is missing or impossible"
            continue
        if end < start:
            left_out[agreement.id] = f"it ends ({end}) before it was signed ({start})"
            continue
        notes = agreement.notes or ""
        covariates = {
            "third_party": bool(
                agreement.third_parties or agreement.guarantors or THIRD_PARTIES_NOTE in notes
            ),
            "pko": "pko" in agreement.provisions,
        }
        spells.append(Spell(agreement.id, (end - start).days / DAYS_PER_YEAR, ended, covariates))
    return AgreementSpells(spells, until, left_out)


def _days(agreement: Agreement) -> list[date]:
    dates = [agreement.signed, *(c.date for c in agreement.status_history)]
    return [d for d in (x.earliest if x is not None else None for x in dates) if d is not None]
