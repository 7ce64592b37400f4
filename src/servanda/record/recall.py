"""Recall: what did an actor say, about what, and when — and what happened next.

One query service for the command line, the web pages and the API. An actor's record includes what was said
by those who spoke for it at the time: its heads and spokespeople while their ``head_of``/``speaks_for``
relation held, and anything said ``on_behalf_of`` it.

Full-text search matches stemmed terms (``servanda.domain.text``) through each database's own index —
SQLite FTS5, PostgreSQL GIN over a tsvector — written as ``doc IN (index subquery)`` so the planner can
combine it with the actor and date indexes. On PostgreSQL the GIN index also holds whom each statement
speaks for, and a second one each term with its recency bucket, so that a search narrowed by actor, or text
alone, is narrowed inside an index before table rows are read (migrations 0004-0006). Matches are then
ranked here, in Python, with BM25 term weighting over the stored terms, so that the same data gives the same
order on both databases.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Row,
    Select,
    String,
    and_,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    table,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from servanda.domain.text import TextQuery, highlight, parse_query
from servanda.errors import InvalidInput
from servanda.store.database import prepared
from servanda.store.schema import actors, assessments, links, statement_terms, statements

from .queries import (
    VERDICT_COLUMNS,
    AssessmentRow,
    Verdict,
    current_verdict_of,
    current_verdicts,
    day_bound,
    describe,
    speaker_docs_params,
    speaker_docs_shape,
    spoken_for,
)

CANDIDATES = 2000  # matches ranked per query when a search is narrowed by actor, dates or kind
RECENT_CANDIDATES = 200  # for text alone: the most recently recorded matches, then ranked here
# PostgreSQL's index ix_statement_terms_recent (migration 0006, which spells the same expression and number)
# holds each term of a statement as "term#B", B its doc // RECENCY_BUCKET: the posting list of "word#B" is
# the word's matches among those docs and nothing else. Text alone asks for a word's matches among the newest
# _FIRST_WINDOW docs or more first, then in windows further back, the first of them 4 buckets wide, and
# twice as wide every other window, up to _WIDEST_WINDOW buckets.
RECENCY_BUCKET = 10_000
_FIRST_WINDOW = 40_000
_WIDEST_WINDOW = 256
# PostgreSQL's GIN index ix_statement_terms_tsv is over this expression (migration 0006 spells the same): the
# terms, with "@actor" for the speaker, on whose behalf, and whom the statement speaks for (``voices``).
# Computed in the index, not stored in each row.
_TERMS_TSV: ColumnElement[Any] = literal_column(
    "(to_tsvector('simple', terms) || array_to_tsvector(array_remove(ARRAY["
    "'@' || actor_id, '@' || on_behalf_of], NULL) || "
    "coalesce(string_to_array('@' || replace(voices, ' ', ' @'), ' '), '{}')))"
)
_RECENT_TERMS: ColumnElement[Any] = literal_column(
    "array_to_tsvector(string_to_array("
    f"regexp_replace(terms, '(\\S+)', '\\1#' || (doc / {RECENCY_BUCKET})::text, 'g'), ' '))"
)
_AGO = re.compile(r"^(\d+)([dwmy])$")
# How far around "a week ago" etc. a window reaches: wide enough to catch what was said then, narrow enough
# to be "then". A day either side of a day, three of a week, a fortnight of a month, two months of a year.
_HALF_WIDTH = {"d": 1, "w": 3, "m": 15, "y": 60}
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30.4375, "y": 365.25}
_BM25_K1, _BM25_B, _AVERAGE_TERMS = 1.2, 0.75, 40.0


@dataclass(frozen=True, slots=True)
class RecallQuery:
    actor: str | None = None
    text: str | None = None
    kind: str | None = None
    topic: str | None = None
    counterparty: str | None = None
    verdict: str | None = None
    since: str | None = None
    until: str | None = None
    ago: str | None = None
    today: date | None = None
    spokespeople: bool = True
    limit: int = 50


@dataclass(slots=True)
class Hit:
    id: str
    kind: str
    actor_id: str
    actor_name: str | None
    date: str
    language: str
    text: str
    text_en: str | None
    summary: str | None
    verdict: str | None = None
    disputed: bool = False
    snippet: str | None = None
    score: float | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(slots=True)
class RecallResult:
    hits: list[Hit]
    window: tuple[str, str] | None = None
    query_terms: list[str] = field(default_factory=list)


def window_for(ago: str, today: date) -> tuple[date, date]:
    """The dates around ``ago`` (``1w``, ``3m``, ``1y``, ``5y``, ``10d``) before ``today``."""
    match = _AGO.match(ago.strip().lower())
    if not match:
        raise InvalidInput(f"--ago {ago!r}: use a number and a unit, such as 1w, 1m, 1y or 5y (d, w, m, y)")
    count, unit = int(match[1]), match[2]
    center = today - timedelta(days=round(count * _UNIT_DAYS[unit]))
    half = timedelta(days=_HALF_WIDTH[unit] * max(1, count if unit == "d" else 1))
    return center - half, center + half


def _tsquery_literal(lexemes: Sequence[str]) -> str:
    """A tsquery matching any of the lexemes, spelled as they are (no parsing, no stemming)."""
    quoted = ("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
    return " | ".join(quoted)


def _text_docs(
    dialect: str,
    best: int | None = None,
    within: CompoundSelect[Any] | None = None,
    voices: bool = False,
) -> Select[tuple[Any]]:
    """The docs of the statements matching the search in the parameter ``fts_query`` (SQLite) or
    ``ts_query`` (PostgreSQL).

    ``best``: only the most recently recorded that many (highest doc) — the fast path when nothing else
    narrows the search, and the same choice on both databases, since docs are the log's own numbers.
    ``within``: only docs that subquery also gives (an actor's); the two sets of docs are intersected inside
    the index query, so no statement row is read for a match that the actor did not make.
    PostgreSQL only, narrowing inside the GIN index before any table row is read (the exact conditions
    above still apply): ``voices``, statements said by, on behalf of, or through an office for an actor
    among the lexemes of the parameter ``voice_query``. (Text alone on PostgreSQL is ``_recent_statement``.)
    """
    matching: Select[tuple[Any]]
    if dialect == "sqlite":
        rowid: ColumnElement[Any] = literal_column("rowid")
        matching = (
            select(rowid)
            .select_from(table("statement_fts"))
            .where(literal_column("statement_fts").op("MATCH")(bindparam("fts_query")))
        )
        if within is not None:
            # "rowid + 0": a plain rowid IN (...) would be handed to FTS5, which would then run the whole
            # search once per listed doc
            matching = matching.where((rowid + 0).in_(within.scalar_subquery()))
        if best:
            matching = matching.order_by(rowid.desc()).limit(best)
        return matching
    tsquery = func.to_tsquery("simple", bindparam("ts_query"))
    # A GIN bitmap scan must read the table row of every match to learn its doc: thousands of pages for a
    # common word, 20-30 ms once they are out of shared_buffers. ANDing the word with the ``@actor`` lexeme
    # (which no search word can spell) makes the index itself intersect the two, so only their few common
    # rows are read. It is a condition of its own: inside one tsquery, GIN tested the whole tree on every
    # item of every lexeme; as two conditions the word's few items drive.
    matching = select(statement_terms.c.doc).where(_TERMS_TSV.op("@@")(tsquery))
    if voices:
        matching = matching.where(_TERMS_TSV.op("@@")(cast(bindparam("voice_query"), TSQUERY)))
    if within is not None:
        matching = matching.where(statement_terms.c.doc.in_(within.scalar_subquery()))
    if best:
        matching = matching.order_by(statement_terms.c.doc.desc()).limit(best)
    return matching


def _recency_windows(newest: int) -> list[list[int]]:
    """Recency buckets to search, newest first: the buckets holding the newest _FIRST_WINDOW docs, then
    windows of 4, 4, 8, 8, 16, ... buckets (at most _WIDEST_WINDOW), down to the oldest doc. One window of no
    buckets means "everything", for a record too small to need windows.

    A window costs a lookup in the index per bucket (a few pages, only when it is reached) and reads every
    match in it, of which only the newest are kept: narrow windows first, since a common word has its 200
    newest matches in 20,000-40,000 docs; wider ones after, since a rare word needs hundreds of thousands.
    Measured on a million statements against even windows of 100,000 docs (bench/README.md).
    """
    top, low = newest // RECENCY_BUCKET, max(0, newest - _FIRST_WINDOW) // RECENCY_BUCKET
    if low == 0:
        return [[]]
    windows = [list(range(top, low - 1, -1))]
    while low > 0:
        width = min(_WIDEST_WINDOW, 4 << (len(windows) // 2))
        high, low = low - 1, max(0, low - width)
        windows.append(list(range(high, low - 1, -1)))
    return windows


def _recent_tsquery(query: TextQuery, buckets: Sequence[int]) -> str:
    """The query's words within the buckets, for ``_RECENT_TERMS``: a match of the query in one of the
    buckets has every term of one option of each clause, each spelled with its bucket (a phrase's order is
    not known to that index: ``tsv`` checks it)."""

    def within(term: str) -> str:
        return "(" + _tsquery_literal([f"{term}#{bucket}" for bucket in buckets]) + ")"

    clauses = []
    for clause in query.clauses:
        options = ["(" + " & ".join(within(term) for term in option) + ")" for option in clause.alternatives]
        clauses.append("(" + " | ".join(options) + ")")
    return " & ".join(clauses)


def _recent_candidates_postgresql(connection: Connection, query: TextQuery) -> Sequence[Row[Any]]:
    """The RECENT_CANDIDATES highest docs matching the query, looked for among the newest docs first, as
    candidates (id, date_start, terms) in date order, read from ``statement_terms`` alone.

    The same docs as one search over everything: the windows are asked one after another, each for its
    newest matches, and the first that many rows are kept, so every match left out has a lower doc. A common
    word is answered from its few hundred newest rows, not from each of its thousands of matches; and the
    rows that told their doc also give what ranking needs, so no ``statements`` row is read for a candidate.
    The windows are the branches of one UNION ALL under a LIMIT: PostgreSQL runs the branches in order and
    stops at the limit, so a rare word costs one round trip however many windows it needs.
    """
    with prepared(connection):
        newest = connection.execute(_NEWEST_DOC).scalar()
        if newest is None:
            return []
        windows = _recency_windows(newest)
        phrase = any(clause.is_phrase for clause in query.clauses)
        parameters: dict[str, Any] = {"ts_query": query.to_tsquery()}
        for number, window in enumerate(windows):
            if window:
                parameters[f"recent_{number}"] = _recent_tsquery(query, window)
        statement = _recent_statement(
            tuple(bool(window) for window in windows), RECENT_CANDIDATES, phrase=phrase
        )
        # prepared: the text index is the only way to these rows, whatever the words
        return connection.execute(statement, parameters).all()


_NEWEST_DOC = select(func.max(statement_terms.c.doc))


@cache
def _recent_statement(bucketed: tuple[bool, ...], candidates: int, *, phrase: bool = False) -> Select[Any]:
    """Text alone on PostgreSQL, for windows of which ``bucketed`` says whether each names its buckets; built
    once per shape, with the words and buckets as parameters (``ts_query``, ``recent_N``). ``phrase``: the
    query holds a phrase, whose order only ``tsv`` knows."""
    word = _TERMS_TSV.op("@@")(func.to_tsquery("simple", bindparam("ts_query")))
    columns = (
        statement_terms.c.statement_id.label("id"),
        statement_terms.c.date_start,
        statement_terms.c.terms,
    )
    # "doc + 0": no plan can then walk the primary key backwards testing each row, which a generic plan,
    # knowing nothing of the words, could take for cheaper than the index
    newest_first = (statement_terms.c.doc + 0).desc()
    branches = []
    for number, narrowed in enumerate(bucketed):
        branch = select(*columns)
        if narrowed:
            branch = branch.where(_RECENT_TERMS.op("@@")(cast(bindparam(f"recent_{number}"), TSQUERY)))
        if phrase or not narrowed:
            branch = branch.where(word)
        branches.append(branch.order_by(newest_first).limit(candidates))
    everything = union_all(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    latest = select(everything).limit(candidates).subquery()
    return select(latest).order_by(latest.c.date_start.desc(), latest.c.id)


@lru_cache(maxsize=256)
def _candidates_statement(shape: _Shape) -> Select[Any]:
    """The candidates of a recall (id, first day, and the terms when searching), latest first: built once
    per shape, so that a query costs its execution, not the building of its SQL (0.8 ms a query)."""
    conditions: list[ColumnElement[bool]] = []
    if shape.kind:
        conditions.append(statements.c.kind == bindparam("kind"))
    for role, wanted in (("topic", shape.topic), ("counterparty", shape.counterparty)):
        if wanted:
            linked = select(links.c.owner_id).where(links.c.role == role, links.c.target == bindparam(role))
            conditions.append(statements.c.id.in_(linked.scalar_subquery()))
    if shape.window:
        conditions.append(
            and_(
                statements.c.date_end >= bindparam("window_low"),
                statements.c.date_start <= bindparam("window_high"),
            )
        )
    speakers = speaker_docs_shape(shape.spokespeople, shape.window) if shape.actor else None
    if shape.text and shape.actor and shape.dialect == "postgresql":
        # The GIN index gives the word's matches said by, on behalf of, or (through an office then) for the
        # actor — one "@actor" lexeme (``servanda.store.voices``): a few dozen rows, each then checked on its
        # own rather than against all of the actor's thousands of docs, which took longer to list than the
        # search itself.
        docs = _text_docs(shape.dialect, voices=True)
        conditions.append(statements.c.doc.in_(docs.scalar_subquery()))
        conditions.append(spoken_for(shape.spokespeople))
    elif shape.text:
        docs = _text_docs(shape.dialect, shape.best, speakers)
        conditions.append(statements.c.doc.in_(docs.scalar_subquery()))
    elif speakers is not None:
        conditions.append(statements.c.doc.in_(speakers.scalar_subquery()))
    candidates = select(statements.c.id, statements.c.date_start)
    if shape.text:
        candidates = select(statements.c.id, statements.c.date_start, statement_terms.c.terms).join(
            statement_terms, statement_terms.c.doc == statements.c.doc
        )
    return (
        candidates.where(*conditions)
        .order_by(statements.c.date_start.desc(), statements.c.id)
        .limit(shape.cap)
    )


def _parameters(
    shape: _Shape, query: RecallQuery, text_query: TextQuery, window: tuple[str, str] | None
) -> dict[str, Any]:
    """The values of ``_candidates_statement(shape)``'s parameters for this query."""
    values: dict[str, Any] = {}
    if shape.kind:
        values["kind"] = query.kind
    if shape.topic:
        values["topic"] = query.topic
    if shape.counterparty:
        values["counterparty"] = query.counterparty
    if window:
        values["window_low"], values["window_high"] = window
    if query.actor:
        values.update(speaker_docs_params(query.actor, window))
    if text_query:
        if shape.dialect == "sqlite":
            values["fts_query"] = text_query.to_fts5()
        else:
            values["ts_query"] = text_query.to_tsquery()
            if query.actor:
                values["voice_query"] = _tsquery_literal(["@" + query.actor])
    return values


def bm25(terms: Sequence[str], query: TextQuery) -> float:
    """BM25 term weighting of one statement's terms for the query (every term weighs the same)."""
    norm = _BM25_K1 * (1 - _BM25_B + _BM25_B * len(terms) / _AVERAGE_TERMS)
    score = 0.0
    for clause in query.clauses:
        # a phrase counts as often as its rarest term; plain loops, since text alone scores 200 candidates
        tf = 0
        for option in clause.alternatives:
            count = terms.count(option[0]) if len(option) == 1 else min(map(terms.count, option))
            if count > tf:
                tf = count
        if tf:
            score += tf * (_BM25_K1 + 1) / (tf + norm)
    return round(score, 6)


@dataclass(frozen=True, slots=True)
class _Shape:
    """What decides the SQL of a recall's candidates; the values are parameters (``_parameters``)."""

    dialect: str
    kind: bool
    topic: bool
    counterparty: bool
    window: bool
    actor: bool
    spokespeople: bool
    text: bool
    best: int | None  # text alone on SQLite: the most recently recorded that many matches
    cap: int


def recall(connection: Connection, query: RecallQuery, *, with_history: bool = False) -> RecallResult:
    text_query = parse_query(query.text) if query.text else TextQuery(())
    if query.text and not text_query:
        raise InvalidInput(f"the search {query.text!r} holds no words")
    window: tuple[str, str] | None = None
    if query.ago:
        start, stop = window_for(query.ago, query.today or date.today())
        window = (start.isoformat(), stop.isoformat())
    if query.since:
        window = (day_bound(query.since, end=False, name="--since"), window[1] if window else "9999-12-31")
    if query.until:
        window = (window[0] if window else "0001-01-01", day_bound(query.until, end=True, name="--until"))
    dialect = connection.dialect.name
    # Text alone may match a large part of the record: rank the most recently recorded matches. Narrowed by
    # anything else, the candidates are the latest by date. Either way both databases choose the same
    # candidates and rank them the same way.
    narrowed = query.kind or query.topic or query.counterparty or window or query.verdict or query.actor
    alone = bool(text_query) and not narrowed
    found: Sequence[Row[Any]]
    if alone and dialect == "postgresql":
        found = _recent_candidates_postgresql(connection, text_query)
    else:
        shape = _Shape(
            dialect,
            kind=bool(query.kind),
            topic=bool(query.topic),
            counterparty=bool(query.counterparty),
            window=window is not None,
            actor=bool(query.actor),
            spokespeople=query.spokespeople,
            text=bool(text_query),
            best=RECENT_CANDIDATES if alone else None,
            cap=CANDIDATES if text_query or query.verdict else query.limit,
        )
        found = connection.execute(
            _candidates_statement(shape), _parameters(shape, query, text_query, window)
        ).all()
    ids = [row.id for row in found]
    verdicts = current_verdicts(connection, ids) if query.verdict else {}
    if query.verdict:
        ids = [sid for sid in ids if sid in verdicts and verdicts[sid].verdict == query.verdict]
    scores: dict[str, float] = {}
    if text_query:
        scores = {row.id: bm25(row.terms.split(), text_query) for row in found}
        # newest first among equals: the candidates are in date order, and the sort is stable
        ids.sort(key=lambda sid: scores[sid], reverse=True)
    hits = _hits(connection, ids[: query.limit], verdicts if query.verdict else None)
    for hit in hits:
        if text_query:
            hit.score = scores[hit.id]
            hit.snippet = (
                highlight(hit.text, text_query, hit.language)
                or highlight(hit.text_en or "", text_query, "en")
                or highlight(hit.summary or "", text_query, "en")
            )
    if with_history:
        attach_history(connection, hits)
    return RecallResult(hits, window, sorted(text_query.terms()))


@cache
def _hits_statement(dialect: str) -> Select[Any]:
    """Whole statements by id, each beside every assessment of it (one round trip for both)."""
    # PostgreSQL: one array parameter, so that the query's text (and its prepared plan) is the same
    # whatever the number of ids
    by_id = (
        statements.c.id == any_(bindparam("ids", type_=ARRAY(String)))
        if dialect == "postgresql"
        else statements.c.id.in_(bindparam("ids", expanding=True))
    )
    return (
        select(
            statements.c.id,
            statements.c.kind,
            statements.c.actor_id,
            actors.c.name,
            statements.c.date_text,
            statements.c.language,
            statements.c.text,
            statements.c.text_en,
            statements.c.summary,
            *(column.label(f"assessment_{column.name}") for column in VERDICT_COLUMNS),
        )
        .outerjoin(actors, actors.c.id == statements.c.actor_id)
        .outerjoin(assessments, assessments.c.statement_id == statements.c.id)
        .where(by_id)
    )


def _hits(connection: Connection, ids: list[str], known: dict[str, Verdict] | None = None) -> list[Hit]:
    """Whole statements for the ids, in the order given, with their current verdicts (``known``, if the
    caller has them already)."""
    if not ids:
        return []
    by_id: dict[str, Hit] = {}
    assessed: list[AssessmentRow] = []
    with prepared(connection):
        rows = connection.execute(_hits_statement(connection.dialect.name), {"ids": ids}).all()
    for r in rows:
        if r.id not in by_id:
            by_id[r.id] = Hit(
                r.id, r.kind, r.actor_id, r.name, r.date_text, r.language, r.text, r.text_en, r.summary
            )
        if r.assessment_id is not None:
            assessed.append(AssessmentRow(*r[-len(VERDICT_COLUMNS) :]))
    verdicts = known if known is not None else current_verdict_of(assessed)
    for sid, hit in by_id.items():
        if current := verdicts.get(sid):
            hit.verdict, hit.disputed = current.verdict, current.disputed
    return [by_id[sid] for sid in ids]


def attach_history(connection: Connection, hits: list[Hit]) -> None:
    """What happened since each statement: its verdicts in order, and the records that decided them."""
    ids = [hit.id for hit in hits]
    if not ids:
        return
    rows = connection.execute(
        select(
            assessments.c.statement_id,
            assessments.c.id,
            assessments.c.verdict,
            assessments.c.as_of_text,
            assessments.c.disputed,
            assessments.c.rationale,
        )
        .where(assessments.c.statement_id.in_(ids))
        .order_by(assessments.c.as_of_start, assessments.c.seq)
    ).all()
    evidence = _evidence(connection, [row.id for row in rows])
    by_statement: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_statement.setdefault(row.statement_id, []).append(
            {
                "assessment": row.id,
                "as_of": row.as_of_text,
                "verdict": row.verdict,
                "disputed": bool(row.disputed),
                "rationale": row.rationale,
                "evidence": evidence.get(row.id, []),
            }
        )
    for hit in hits:
        hit.history = by_statement.get(hit.id, [])


def _evidence(connection: Connection, assessment_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The records each assessment cites as evidence, with a title and a date to show them by."""
    if not assessment_ids:
        return {}
    rows = connection.execute(
        select(links.c.owner_id, links.c.target)
        .where(links.c.owner_id.in_(list(assessment_ids)), links.c.role == "evidence")
        .order_by(links.c.owner_id, links.c.position)
    ).all()
    described = describe(connection, sorted({target for _owner, target in rows}))
    out: dict[str, list[dict[str, Any]]] = {}
    for owner, target in rows:
        out.setdefault(owner, []).append(described.get(target, {"id": target, "type": None}))
    return out
