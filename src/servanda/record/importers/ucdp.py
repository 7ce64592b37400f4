"""The UCDP Peace Agreement Dataset (v22.1) as records: agreements, the UCDP actors that made them, and the
dataset itself as their source.

Three steps, only the first and last of which do I/O:

1. ``read_ucdp(path)`` reads the CSV file (UTF-8, quoted cells that span lines, column names with stray
   spaces) into rows that remember their line; a file that cannot be read as that dataset raises
   ``BundleError`` naming the file, line and column.
2. ``map_rows(rows, existing)`` is the pure mapping: it turns rows into records and a report of what it
   linked, skipped (with line and reason) and noticed. ``existing`` is what the store already holds that the
   mapping must respect: the agreements that carry a UCDP id (the starter record's Minsk I and II) and
   whether the dataset's source record is there.
3. ``import_ucdp(store, service, path, author)`` runs the two and hands every record to
   ``RecordService.apply`` in one call: all of it lands or none of it does, and a second import of the same
   file appends nothing.

How an agreement's end is recorded (``docs/ucdp.md`` says why): UCDP's ``ended``/``duration``/``c_duration``
become one ``terminated`` status change on the agreement, dated ``duration``, with UCDP's account as its
note, attributed to no one (``by`` is left empty). No commitment and no verdict is made for any party: the
dataset rarely says which side broke an agreement, and a verdict is a finding the dataset does not make.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, select

from servanda.domain.dates import FuzzyDate
from servanda.domain.records import (
    Actor,
    Agreement,
    Record,
    Source,
    StatusChange,
    ThirdParty,
    record_from_body,
)
from servanda.domain.vocabulary import ActorKind, AgreementStatus
from servanda.errors import BundleError, Problem
from servanda.store.schema import external_ids, records

from ..located import Located
from ..service import RecordService

SOURCE_ID = "ucdp-peace-agreements-221"
AGREEMENT_PREFIX = "ucdp-pa-"
ACTOR_PREFIX = "ucdp-actor-"
REASON = "UCDP Peace Agreement Dataset v22.1 (servanda import-ucdp)"

# UCDP agreements that the starter record already holds under its own ids: linked, never duplicated.
LINKS: dict[str, str] = {"1536": "minsk-protocol-2014", "1537": "minsk-ii-2015"}

# The provision flags, in the dataset's column order, with our reading of each (the UCDP codebook rules).
PROVISIONS: dict[str, str] = {
    "cease": "ceasefire",
    "intarmy": "integration into the army",
    "ddr": "disarmament, demobilisation and reintegration",
    "withd": "withdrawal of foreign forces",
    "mil_prov": "any military provision",
    "pp": "rebels may form a political party",
    "intgov": "integration into the government",
    "intciv": "integration into the civil service",
    "elections": "elections",
    "interim": "interim government",
    "natalks": "national talks",
    "shagov": "power-sharing in government",
    "pol_prov": "any political provision",
    "aut": "autonomy",
    "fed": "federalism",
    "ind": "independence",
    "ref": "referendum",
    "shaloc": "local power-sharing",
    "regdev": "regional development",
    "cul": "cultural freedoms",
    "demarcation": "border demarcation",
    "locgov": "local government",
    "terr_prov": "any territorial provision",
    "amn": "amnesty",
    "pris": "release of prisoners",
    "recon": "reconciliation",
    "return": "return of refugees",
    "justice_prov": "any justice provision",
    "reaffirm": "reaffirms earlier agreements",
    "outlin": "outlines future negotiations",
    "pko": "peacekeeping operation",
    "gender": "gender provisions",
    "co_impl": "commission to oversee implementation",
}

# Labels in an agreement's notes that analyses read back (record/agreement_spells.py): whether UCDP names
# third parties at all (pa_3rd, with or without a UCDP id), and whether it codes the agreement as ended.
THIRD_PARTIES_NOTE = "Third parties (UCDP pa_3rd)"
ENDED_NOTE = "UCDP codes it as ended"

# pa_type: UCDP's own classification of the agreement.
KINDS: dict[str, str] = {
    "1": "full_peace_agreement",
    "2": "partial_peace_agreement",
    "3": "peace_process_agreement",
}
DEFAULT_KIND = "peace_agreement"

REQUIRED_COLUMNS: tuple[str, ...] = (
    "paid",
    "pa_name",
    "pa_date",
    "pa_comment",
    "pa_type",
    "actor_id",
    "actor_name",
    "dyad_name",
    "pa_sign",
    "pa_3rd",
    "c_3rd",
    "ended",
    "duration",
    "c_duration",
    *PROVISIONS,
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("c_sign", "linktofulltextagreement", "version")

# Short names under which pa_3rd and c_3rd mention actors that UCDP names in full.
_ALIASES: dict[str, tuple[str, ...]] = {
    "United Nations": ("UN", "U.N.", "Secretary-General"),
    "United States of America": ("USA", "US", "U.S.", "United States", "American"),
    "United Kingdom": ("UK", "Britain", "British", "United Kingdom of Great Britain"),
    "Russia (Soviet Union)": ("Russia", "USSR", "Soviet Union", "Russian Federation"),
    "OSCE": ("CSCE", "Organisation of Security and Cooperation in Europe"),
    "Italy": ("Italian",),
    "France": ("French",),
    "Germany": ("German",),
    "Norway": ("Norwegian",),
    "Netherlands": ("Dutch",),
    "Arab League": ("League of Arab States",),
    "African Union": ("AU",),
    "European Union": ("EU",),
    "OAU": ("Organisation of African Unity", "Organization of African Unity"),
    "DR Congo (Zaire)": ("DR Congo", "DRC", "Zaire", "Democratic Republic of Congo"),
    "Cambodia (Kampuchea)": ("Cambodia", "Kampuchea"),
    "Serbia (Yugoslavia)": ("Serbia", "Yugoslavia"),
    "Ivory Coast": ("Côte d'Ivoire", "Côte d’Ivoire", "Cote d'Ivoire", "Cote dIvoire"),
}


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One CSV row: the line it starts on and its cells by (stripped) column name."""

    line: int
    cells: dict[str, str]
    width_problem: str | None = None

    def get(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()


def read_ucdp(path: Path) -> list[Row]:
    """The rows of a UCDP Peace Agreement Dataset CSV file, or a BundleError saying why it cannot be read."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BundleError([Problem(f"cannot read the file: {exc.strerror or exc}", name)]) from None
    return parse_ucdp(data, name)


def parse_ucdp(data: bytes, name: str = "<ucdp>") -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BundleError(
            [Problem(f"not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})", name, line)]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise BundleError([Problem("the file is empty: no header row", name, 1)])
        columns = [column.strip() for column in header]
        problems = [
            Problem(
                f"missing required column {column!r}: is this the UCDP Peace Agreement Dataset?",
                name,
                1,
                column,
            )
            for column in REQUIRED_COLUMNS
            if column not in columns
        ]
        counts = Counter(column for column in columns if column)
        problems += [
            Problem(f"column {column!r} appears {n} times", name, 1, column)
            for column, n in counts.items()
            if n > 1
        ]
        if problems:
            raise BundleError(problems)
        rows: list[Row] = []
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            width = None
            if len(cells) != len(columns):
                width = f"the row has {len(cells)} cells where the header has {len(columns)}"
            rows.append(Row(start, dict(zip(columns, cells, strict=False)), width))
    except csv.Error as exc:
        raise BundleError([Problem(f"not a readable CSV file: {exc}", name, reader.line_num or 1)]) from None
    return rows


# --- the report ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowNote:
    """A row, by line and UCDP id, and what happened to it or what is odd about it."""

    line: int
    paid: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "paid": self.paid, "message": self.message}


@dataclass(frozen=True)
class Link:
    """A UCDP agreement the record already holds under another id."""

    line: int
    paid: str
    agreement: str
    how: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "paid": self.paid, "agreement": self.agreement, "how": self.how}


@dataclass
class UcdpReport:
    """What an import did: counts, the agreements it linked, and the rows it skipped and why."""

    file: str
    rows: int = 0
    agreements: int = 0
    actors: int = 0
    unclear_roles: int = 0
    source: str = ""
    linked: list[Link] = field(default_factory=list)
    skipped: list[RowNote] = field(default_factory=list)
    warnings: list[RowNote] = field(default_factory=list)
    appended: int = 0
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "agreements": self.agreements,
            "actors": self.actors,
            "unclear_roles": self.unclear_roles,
            "linked": len(self.linked),
            "skipped": len(self.skipped),
            "warnings": len(self.warnings),
            "appended": self.appended,
            "unchanged": self.unchanged,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "source": {"id": SOURCE_ID, "status": self.source},
            "counts": self.counts(),
            "linked": [link.as_dict() for link in self.linked],
            "skipped": [note.as_dict() for note in self.skipped],
            "warnings": [note.as_dict() for note in self.warnings],
        }


# --- mapping ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Existing:
    """What the store already holds that the mapping must respect."""

    agreements: dict[str, Agreement] = field(default_factory=dict)
    has_source: bool = False


@dataclass
class Mapped:
    items: list[Located]
    report: UcdpReport


class _Skip(Exception):
    pass


def dataset_source() -> Source:
    return Source(
        id=SOURCE_ID,
        title="UCDP Peace Agreement Dataset v22.1",
        publisher="Uppsala Conflict Data Program (UCDP), Uppsala University",
        url="https://ucdp.uu.se/downloads/",
        language="en",
        notes=(
            "Cite as: Pettersson, Therése, Shawn Davies, Amber Deniz, Garoun Engström, Nanar Hawach, "
            'Stina Högbladh, Margareta Sollenberg & Magnus Öberg (2021) "Organized violence 1989–2020, '
            'with a special emphasis on Syria", Journal of Peace Research 58(4). Licence CC BY 4.0. '
            "Imported by `servanda import-ucdp` from the unmodified CSV in data/ucdp/ (see docs/ucdp.md)."
        ),
    )


def map_rows(rows: Sequence[Row], existing: Existing, file: str = "<ucdp>") -> Mapped:
    """Turn dataset rows into records (pure: no I/O) and report what was linked, skipped and noticed."""
    report = UcdpReport(file=file, rows=len(rows))
    known = _known_actor_names(rows)
    by_paid: dict[str, Agreement] = {}
    for agreement in existing.agreements.values():
        paid = agreement.external_ids.get("ucdp_paid")
        if paid and not agreement.id.startswith(AGREEMENT_PREFIX):
            by_paid.setdefault(paid, agreement)
    items: list[Located] = []
    actors: dict[str, tuple[Actor, int]] = {}
    seen: dict[str, int] = {}
    for row in rows:
        paid = row.get("paid")
        try:
            if row.width_problem:
                raise _Skip(row.width_problem)
            if not re.fullmatch(r"[1-9]\d*", paid):
                raise _Skip(f"paid {paid!r} is not a UCDP agreement id" if paid else "paid is empty")
            if paid in seen:
                raise _Skip(f"paid {paid} was already given on line {seen[paid]}")
            seen[paid] = row.line
            if paid in LINKS or paid in by_paid:
                item = _link(row, paid, existing, by_paid, report)
                if item is not None:
                    items.append(item)
                continue
            agreement, row_actors, warnings, unclear = _agreement(row, paid, known)
        except _Skip as exc:
            report.skipped.append(RowNote(row.line, paid, str(exc)))
            continue
        report.warnings.extend(RowNote(row.line, paid, message) for message in warnings)
        for actor in row_actors:
            if actor.id not in actors:
                actors[actor.id] = (actor, row.line)
            elif actors[actor.id][0].name != actor.name:
                report.warnings.append(
                    RowNote(
                        row.line,
                        paid,
                        f"UCDP actor {actor.external_ids['ucdp_actor']} is named {actor.name!r} here and "
                        f"{actors[actor.id][0].name!r} on line {actors[actor.id][1]}; the first name is kept",
                    )
                )
        items.append(Located(agreement, file, row.line))
        report.agreements += 1
        report.unclear_roles += unclear
    report.actors = len(actors)
    head: list[Located] = []
    if existing.has_source:
        report.source = "existing"
    else:
        report.source = "added"
        head.append(Located(dataset_source(), file, 1))
    head += [Located(actor, file, line) for actor, line in actors.values()]
    return Mapped(head + items, report)


def _link(
    row: Row, paid: str, existing: Existing, by_paid: dict[str, Agreement], report: UcdpReport
) -> Located | None:
    """A row the record already holds: link it to that agreement and never write a duplicate."""
    target_id = LINKS.get(paid) or by_paid[paid].id
    target = existing.agreements.get(target_id)
    if target is None:
        raise _Skip(
            f"this is the starter record's {target_id}, which is not in the store: import "
            "data/starter first; no duplicate is made"
        )
    current = target.external_ids.get("ucdp_paid")
    if current == paid:
        report.linked.append(Link(row.line, paid, target_id, "already carries external_ids.ucdp_paid"))
        return None
    if current is not None:
        raise _Skip(f"{target_id} carries ucdp_paid {current}, not {paid}; left as it is")
    linked = target.model_copy(update={"external_ids": {**target.external_ids, "ucdp_paid": paid}})
    report.linked.append(
        Link(row.line, paid, target_id, "external_ids.ucdp_paid added; nothing else changed")
    )
    return Located(Agreement.model_validate(linked.model_dump()), report.file, row.line)


def _agreement(row: Row, paid: str, known: dict[str, str]) -> tuple[Agreement, list[Actor], list[str], int]:
    warnings: list[str] = []
    title = row.get("pa_name")
    if not title:
        raise _Skip("pa_name is empty: the agreement has no name")
    signed = _date(row, "pa_date", required=True)
    assert signed is not None
    ended = row.get("ended")
    if ended not in ("", "True", "False"):
        raise _Skip(f"ended is {ended!r}, not True, False or empty")
    flags = []
    for column in PROVISIONS:
        value = row.get(column)
        if value not in ("0", "1"):
            raise _Skip(f"provision flag {column} is {value!r}, not 0 or 1")
        if value == "1":
            flags.append(column)
    pairs = _actor_pairs(row, known)
    parties, third = _roles(row, pairs)
    if not parties:
        raise _Skip("no party: every actor UCDP lists is a third party")
    actors = [
        Actor(
            id=f"{ACTOR_PREFIX}{ucdp_id}",
            kind=ActorKind.GOVERNMENT if name.startswith("Government of ") else ActorKind.ORGANISATION,
            name=name,
            external_ids={"ucdp_actor": ucdp_id},
            sources=[SOURCE_ID],
        )
        for ucdp_id, name in pairs
    ]
    status: list[StatusChange] = []
    end_text = row.get("c_duration")
    account_kept = False
    if ended == "True":
        end = _date(row, "duration", required=False)
        if end is None:
            warnings.append(
                "UCDP codes it as ended but gives no date (duration is empty): no status recorded"
            )
        elif (end.latest and signed.earliest and end.latest < signed.earliest) or end.latest is None:
            warnings.append(
                f"duration {end} is before pa_date {signed}: the end is not recorded as a status; "
                "UCDP's account is kept in the notes"
            )
        else:
            status.append(
                StatusChange(
                    status=AgreementStatus.TERMINATED,
                    date=end,
                    note=end_text
                    or "UCDP codes the agreement as ended and gives no account of how (c_duration).",
                    sources=[SOURCE_ID],
                )
            )
            account_kept = True
    elif row.get("duration"):
        warnings.append(
            f"duration {row.get('duration')!r} is given but ended is {ended or 'empty'}: not recorded"
        )
    unclear = _unclear(row, parties)
    notes = _notes(row, paid, third, unclear, ended, "" if account_kept else end_text)
    try:
        agreement = Agreement(
            id=f"{AGREEMENT_PREFIX}{paid}",
            title=title,
            kind=KINDS.get(row.get("pa_type"), DEFAULT_KIND),
            parties=[f"{ACTOR_PREFIX}{ucdp_id}" for ucdp_id, _ in parties],
            third_parties=[ThirdParty(actor=f"{ACTOR_PREFIX}{ucdp_id}") for ucdp_id, _ in third],
            provisions=list(flags),
            summary=row.get("pa_comment") or None,
            signed=signed,
            status_history=status,
            external_ids={"ucdp_paid": paid},
            sources=[SOURCE_ID],
            notes=notes,
        )
    except ValidationError as exc:  # pragma: no cover - every field is checked above
        raise _Skip(f"not a valid agreement: {exc.errors()[0]['msg']}") from None
    return agreement, actors, warnings, len(unclear)


def _notes(
    row: Row,
    paid: str,
    third: list[tuple[str, str]],
    unclear: list[str],
    ended: str,
    end_text: str,
) -> str:
    """The facts the Agreement type has no field for, in a fixed, documented order (docs/ucdp.md)."""
    parts = [f"UCDP Peace Agreement Dataset v22.1, paid {paid}."]
    if third:
        parts.append(
            "Third parties (mediators, facilitators, witnesses or guarantors: UCDP does not say which): "
            + ", ".join(name for _, name in third)
            + "."
        )
    if unclear:
        parts.append(
            "Recorded as parties although they are no side of UCDP's dyads for this agreement and the "
            "importer found them in no third-party text (their role is unclear): " + ", ".join(unclear) + "."
        )
    for column, label in (
        ("pa_sign", "Signatories (UCDP pa_sign)"),
        ("c_sign", "On the signing (UCDP c_sign)"),
        ("pa_3rd", THIRD_PARTIES_NOTE),
        ("c_3rd", "On the third parties (UCDP c_3rd)"),
    ):
        value = row.get(column)
        if value:
            parts.append(f"{label}: {value}")
    if ended == "True" and end_text:
        parts.append(f"{ENDED_NOTE}; how (UCDP c_duration): {end_text}")
    elif ended == "True" and not row.get("duration"):
        parts.append(f"{ENDED_NOTE} but gives no date.")
    elif end_text:
        parts.append(f"How it fared; UCDP does not code it as ended (UCDP c_duration): {end_text}")
    link = row.get("linktofulltextagreement")
    if link:
        parts.append(f"Full text (UCDP): {link}")
    return "\n\n".join(parts)


def _date(row: Row, column: str, *, required: bool) -> FuzzyDate | None:
    value = row.get(column)
    if not value:
        if required:
            raise _Skip(f"{column} is empty: the agreement has no date")
        return None
    try:
        return FuzzyDate.parse(value)
    except ValueError:
        raise _Skip(f"{column} {value!r} is not a date") from None


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")] if text.strip() else []


def _known_actor_names(rows: Iterable[Row]) -> dict[str, str]:
    """Each UCDP actor id's name, from the rows where ids and names line up one to one."""
    names: dict[str, Counter[str]] = {}
    for row in rows:
        ids, parts = _split(row.get("actor_id")), _split(row.get("actor_name"))
        if len(ids) == len(parts):
            for ucdp_id, name in zip(ids, parts, strict=True):
                names.setdefault(ucdp_id, Counter())[name] += 1
    return {ucdp_id: counter.most_common(1)[0][0] for ucdp_id, counter in names.items()}


def _actor_pairs(row: Row, known: dict[str, str]) -> list[tuple[str, str]]:
    """(UCDP id, name) for each actor of a row.

    ``actor_name`` is a comma list, but some names hold commas themselves ("Military faction (forces of
    Honasan, Abenina & Zumel)"). When there are more pieces than ids, the pieces are joined so that brackets
    balance and as many ids as possible get the name they have elsewhere in the file; if that does not give
    one answer, the row is skipped rather than guessed.
    """
    ids, parts = _split(row.get("actor_id")), _split(row.get("actor_name"))
    if not ids:
        raise _Skip("actor_id is empty: UCDP names no actor for this agreement")
    bad = [ucdp_id for ucdp_id in ids if not ucdp_id.isdigit()]
    if bad:
        raise _Skip(f"actor_id {bad[0]!r} is not a UCDP actor id")
    extra = len(parts) - len(ids)
    if extra < 0 or any(not part for part in parts):
        raise _Skip(f"actor_name has {len(parts)} names for {len(ids)} actor_id values")
    if extra == 0:
        return _once(list(zip(ids, parts, strict=True)))
    scored: list[tuple[int, list[str]]] = []
    for cuts in itertools.combinations(range(1, len(parts)), len(ids) - 1):
        bounds = (0, *cuts, len(parts))
        names = [", ".join(parts[a:b]) for a, b in itertools.pairwise(bounds)]
        if any(name.count("(") != name.count(")") for name in names):
            continue
        scored.append((sum(known.get(i) == n for i, n in zip(ids, names, strict=True)), names))
    scored.sort(key=lambda item: -item[0])
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        raise _Skip(
            f"actor_name has {len(parts)} comma-separated pieces for {len(ids)} actor_id values, and they "
            "cannot be matched up without guessing"
        )
    return _once(list(zip(ids, scored[0][1], strict=True)))


def _once(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop an actor listed twice under the same name; one listed under two names cannot be mapped."""
    names: dict[str, str] = {}
    for ucdp_id, name in pairs:
        if names.setdefault(ucdp_id, name) != name:
            raise _Skip(f"actor_id {ucdp_id} is listed twice, as {names[ucdp_id]!r} and {name!r}")
    return list(names.items())


def _mentions(name: str, text: str) -> bool:
    """``name`` as a word, or as the start of its adjective ("Kenya" in "Kenyan president")."""
    return bool(re.search(r"(?<![\w-])" + re.escape(name) + r"(?:n|an|ian|ese)?(?![\w-])", text))


def _named_in(name: str, text: str) -> bool:
    """Whether a UCDP actor name is mentioned in free text, under its full or a common short name."""
    if not text:
        return False
    bare = name.removeprefix("Government of ").strip()
    candidates = {name, bare, re.sub(r"\s*\(.*?\)\s*", " ", bare).strip(), *_ALIASES.get(bare, ())}
    return any(candidate and _mentions(candidate, text) for candidate in candidates)


def _in_dyad(name: str, dyads: str) -> bool:
    return bool(re.search(r"(?:^|,|\s-\s)\s*" + re.escape(name) + r"\s*(?=$|,|\s-\s)", dyads))


def _roles(row: Row, pairs: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Split a row's actors into parties and third parties.

    A party is an actor that is a side of one of the row's dyads (``dyad_name``: the warring parties), or
    that is no such side and is not named as a third party either (a non-warring signatory). A third party is
    an actor outside the dyads that ``pa_3rd`` or ``c_3rd`` names.
    """
    dyads = row.get("dyad_name")
    third_text = row.get("pa_3rd") + "\n" + row.get("c_3rd")
    parties, third = [], []
    for ucdp_id, name in pairs:
        if not _in_dyad(name, dyads) and _named_in(name, third_text):
            third.append((ucdp_id, name))
        else:
            parties.append((ucdp_id, name))
    return parties, third


def _unclear(row: Row, parties: list[tuple[str, str]]) -> list[str]:
    """The parties that are no side of the row's dyads: signatories whose role UCDP does not spell out."""
    return [name for _, name in parties if not _in_dyad(name, row.get("dyad_name"))]


# --- the import ---------------------------------------------------------------------------------------------


def load_existing(connection: Connection) -> Existing:
    """The agreements that carry a UCDP id or that UCDP rows link to, and whether the source is there."""
    owners = {
        owner
        for (owner,) in connection.execute(
            select(external_ids.c.owner_id).where(external_ids.c.scheme == "ucdp_paid")
        )
        if not owner.startswith(AGREEMENT_PREFIX)
    }
    wanted = sorted(owners | set(LINKS.values()) | {SOURCE_ID})
    found: dict[str, Agreement] = {}
    has_source = False
    rows = connection.execute(
        select(records.c.id, records.c.type, records.c.body).where(records.c.id.in_(wanted))
    )
    for rid, rtype, body in rows:
        if rid == SOURCE_ID:
            has_source = True
        elif rtype == "agreement":
            record = _decode(rtype, body)
            if isinstance(record, Agreement):
                found[rid] = record
    return Existing(found, has_source)


def _decode(rtype: str, body: str) -> Record:
    return record_from_body(rtype, json.loads(body))


def import_ucdp(
    service: RecordService,
    path: Path,
    author: str,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> UcdpReport:
    """Read, map and write the dataset in one ``RecordService.apply`` call; return what happened.

    An unreadable file raises ``BundleError`` before the store is touched; a write that fails changes nothing.
    """
    rows = read_ucdp(path)
    with service.store.read() as connection:
        existing = load_existing(connection)
    mapped = map_rows(rows, existing, str(path))
    result = service.apply(mapped.items, author, reason=REASON, progress=progress)
    mapped.report.appended = result.appended
    mapped.report.unchanged = result.unchanged
    return mapped.report
