"""Recall on SQLite and PostgreSQL: the same questions get the same answers on both."""

from __future__ import annotations

from datetime import date

import pytest

from servanda.domain.text import parse_query
from servanda.errors import InvalidInput
from servanda.record.bootstrap import RecordHandle
from servanda.record.integrity import verify
from servanda.record.recall import RecallQuery, recall
from servanda.record.replay import decode_entries, rebuild_projection
from servanda.record.timeline import contradictions, statement_timeline
from servanda.store.log_storage import SqlLogStorage
from tests import factories as f


def _record() -> list[object]:
    return [
        f.source(),
        f.actor("ru", name="Russian Federation"),
        f.actor("ua", name="Ukraine"),
        f.actor(
            "putin",
            kind="person",
            name="Vladimir Putin",
            relations=[{"type": "head_of", "target": "ru", "since": "2012-05-07"}],
        ),
        f.actor(
            "peskov",
            kind="person",
            name="Dmitry Peskov",
            relations=[{"type": "speaks_for", "target": "ru", "since": "2012-05-22", "until": "2030"}],
        ),
        f.assertion(
            "no-occupation",
            actor="putin",
            date="2022-02-24",
            language="ru",
            text="Наши планы не предусматривают оккупацию украинских территорий",
            text_en="Our plans do not include the occupation of Ukrainian territories",
            topics=["occupation"],
        ),
        f.assertion(
            "putin-2008", actor="putin", date="2008-03-01", text="Crimea is not a disputed territory"
        ),
        f.assertion(
            "peskov-talks",
            actor="peskov",
            date="2025-11-20",
            language="ru",
            text="Переговоры о прекращении огня продолжаются",
            text_en="Ceasefire negotiations continue",
        ),
        f.assertion(
            "ua-occupation",
            actor="ua",
            date="2023-01-10",
            language="uk",
            text="Окупація українських територій триває",
            text_en="The occupation continues",
        ),
        f.commitment(
            "ru-guarantees",
            actor="ru",
            date="1994-12-05",
            counterparties=["ua"],
            text="Russia will respect the security guarantees and the borders of Ukraine",
        ),
        f.assertion(
            "ru-guarantees-rev",
            actor="ru",
            date="2014-03-01",
            text="The guarantees of security were respected",
        ),
        f.event("annexation", date="2022-09-30", title="Annexation of four regions"),
        f.assessment(
            "no-occupation-false",
            "no-occupation",
            "false",
            "2022-09-30",
            evidence=["annexation"],
            disputed=True,
            disputed_by=["ru"],
        ),
        f.assessment(
            "ru-guarantees-broken", "ru-guarantees", "broken", "2014-03-18", evidence=["annexation"]
        ),
    ]


@pytest.fixture
def recorded(handle: RecordHandle) -> RecordHandle:
    handle.service.apply(_record(), "tester")  # type: ignore[arg-type]
    return handle


def ids(handle: RecordHandle, **query: object) -> list[str]:
    with handle.store.read() as connection:
        return [hit.id for hit in recall(connection, RecallQuery(**query)).hits]  # type: ignore[arg-type]


def test_a_state_includes_its_head_and_spokesman_while_in_office(recorded: RecordHandle) -> None:
    assert ids(recorded, actor="ru") == [
        "peskov-talks",
        "no-occupation",
        "ru-guarantees-rev",
        "ru-guarantees",
    ]
    assert ids(recorded, actor="ru", spokespeople=False) == ["ru-guarantees-rev", "ru-guarantees"]


def test_finds_russian_word_forms(recorded: RecordHandle) -> None:
    assert ids(recorded, text="оккупация") == ["no-occupation"]
    assert ids(recorded, text="переговоров") == ["peskov-talks"]


def test_finds_ukrainian_word_forms(recorded: RecordHandle) -> None:
    assert ids(recorded, text="окупації") == ["ua-occupation"]


def test_finds_english_word_forms_in_every_language_by_their_rendering(recorded: RecordHandle) -> None:
    assert ids(recorded, text="occupations") == ["ua-occupation", "no-occupation"]
    assert ids(recorded, actor="ru", text="negotiating") == ["peskov-talks"]


def test_ranks_by_how_much_of_the_text_is_about_the_words(recorded: RecordHandle) -> None:
    assert ids(recorded, text="guarantees security") == ["ru-guarantees-rev", "ru-guarantees"]


def test_a_quoted_phrase_must_appear_in_that_order(recorded: RecordHandle) -> None:
    assert ids(recorded, text='"security guarantees"') == ["ru-guarantees"]
    assert ids(recorded, text='"guarantees of security"') == ["ru-guarantees-rev"]


def test_snippets_highlight_the_words_found(recorded: RecordHandle) -> None:
    with recorded.store.read() as connection:
        [hit] = recall(connection, RecallQuery(text="оккупацией")).hits
    assert hit.snippet == "Наши планы не предусматривают [оккупацию] украинских территорий"


def test_a_window_ago_finds_what_was_said_then(recorded: RecordHandle) -> None:
    today = date(2025, 11, 27)
    assert ids(recorded, actor="ru", ago="1w", today=today) == ["peskov-talks"]
    assert ids(recorded, actor="putin", ago="4y", today=date(2026, 2, 20)) == ["no-occupation"]
    assert ids(recorded, actor="ru", ago="1m", today=today) == []


def test_filters_combine(recorded: RecordHandle) -> None:
    assert ids(recorded, kind="commitment") == ["ru-guarantees"]
    assert ids(recorded, counterparty="ua") == ["ru-guarantees"]
    assert ids(recorded, topic="occupation") == ["no-occupation"]
    assert ids(recorded, verdict="false") == ["no-occupation"]
    assert ids(recorded, since="2014", until="2022-12") == ["no-occupation", "ru-guarantees-rev"]


def test_what_happened_since_comes_with_each_statement(recorded: RecordHandle) -> None:
    with recorded.store.read() as connection:
        [hit] = recall(connection, RecallQuery(text="occupation", actor="putin"), with_history=True).hits
    [step] = hit.history
    assert (step["verdict"], step["disputed"]) == ("false", True)
    assert step["evidence"][0]["id"] == "annexation" and step["evidence"][0]["type"] == "event"


def test_search_follows_corrections_and_rebuilds(recorded: RecordHandle) -> None:
    recorded.service.put(
        f.assertion("putin-2008", actor="putin", date="2008-03-01", text="Sevastopol is ours"), "t"
    )
    assert ids(recorded, text="crimea") == []
    assert ids(recorded, text="sevastopol") == ["putin-2008"]
    with recorded.store.write() as connection:
        rebuild_projection(connection, decode_entries(SqlLogStorage(connection).iter_entry_data()))
    assert ids(recorded, text="sevastopol") == ["putin-2008"]
    assert ids(recorded, text="оккупация") == ["no-occupation"]


def test_search_syntax_from_users_is_inert(recorded: RecordHandle) -> None:
    assert ids(recorded, text="occupation OR \"NEAR( ) * ' ; --") == []
    with pytest.raises(InvalidInput, match="holds no words"):
        ids(recorded, text='" ( ) *')
    with pytest.raises(InvalidInput, match="--ago"):
        ids(recorded, ago="yesterday")


def test_a_statement_timeline_runs_from_words_to_verdict(recorded: RecordHandle) -> None:
    with recorded.store.read() as connection:
        _statement, items = statement_timeline(connection, "no-occupation")
    assert [(i.kind, i.id) for i in items] == [
        ("said", "no-occupation"),
        ("event", "annexation"),
        ("verdict", "no-occupation-false"),
    ]


def test_contradictions_set_each_statement_beside_its_evidence(recorded: RecordHandle) -> None:
    with recorded.store.read() as connection:
        found = contradictions(connection, "ru")
    assert [(hit.id, hit.verdict) for hit in found] == [
        ("ru-guarantees", "broken"),
        ("no-occupation", "false"),
    ]
    assert found[1].history[0]["evidence"][0]["title"] == "Annexation of four regions"


def test_windows_find_statements_dated_loosely_or_over_years(handle: RecordHandle) -> None:
    handle.service.apply(
        [
            f.source(),
            f.actor("ru"),
            f.actor("putin", kind="person", relations=[{"type": "head_of", "target": "ru", "since": "2000"}]),
            f.assertion("in-a-year", actor="putin", date="2010", text="said some day in 2010"),
            f.assertion("over-years", actor="putin", date="2005/2015", text="said again and again"),
            f.assertion("ongoing", actor="ru", date="2008/..", text="still being said"),
            f.assertion("before", actor="putin", date="2009-12-31", text="said the year before"),
        ],
        "tester",
    )
    assert ids(handle, actor="ru", since="2010-03", until="2010-03") == ["in-a-year", "ongoing", "over-years"]
    assert ids(handle, actor="ru", ago="1m", today=date(2010, 4, 15)) == [
        "in-a-year",
        "ongoing",
        "over-years",
    ]


def test_text_alone_takes_the_most_recently_recorded_matches(
    recorded: RecordHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL text alone looks among the newest docs first (a window that holds enough matches),
    # then among all: either way the same matches as one search over everything, on both databases.
    from servanda.record import recall as recall_module

    monkeypatch.setattr(recall_module, "RECENT_CANDIDATES", 1)
    monkeypatch.setattr(recall_module, "_FIRST_WINDOW", 1)
    assert ids(recorded, text="occupation") == ["ua-occupation"]
    monkeypatch.setattr(recall_module, "RECENT_CANDIDATES", 2)
    assert ids(recorded, text="occupation") == ["ua-occupation", "no-occupation"]


def test_an_office_recorded_later_brings_what_was_said_in_it_to_the_state(handle: RecordHandle) -> None:
    # Whom a statement speaks for is kept with it (``statement_terms.voices``) and must follow every later
    # correction of its author's offices, in the same write.
    lavrov = {"id": "lavrov", "kind": "person", "name": "Sergey Lavrov"}
    handle.service.apply(
        [
            f.source(),
            f.actor("ru"),
            f.actor(**lavrov),
            f.assertion("talks", actor="lavrov", date="2015-06-01", text="The talks are over"),
            f.assertion("later", actor="lavrov", date="2024-06-01", text="The talks may resume"),
        ],
        "tester",
    )
    assert ids(handle, actor="ru", text="talks") == []
    office = {"type": "speaks_for", "target": "ru", "since": "2004-03-09"}
    handle.service.apply([f.actor(**lavrov, relations=[office])], "tester")
    assert ids(handle, actor="ru", text="talks") == ["later", "talks"]
    assert ids(handle, actor="ru") == ["later", "talks"]
    handle.service.apply([f.actor(**lavrov, relations=[{**office, "until": "2020"}])], "tester")
    assert ids(handle, actor="ru", text="talks") == ["talks"]
    # a statement written after the office, and one moved into it by a correction
    handle.service.apply(
        [
            f.assertion("new", actor="lavrov", date="2016-01-01", text="Talks again"),
            f.assertion("later", actor="lavrov", date="2019-06-01", text="The talks may resume"),
        ],
        "tester",
    )
    assert sorted(ids(handle, actor="ru", text="talks")) == ["later", "new", "talks"]
    with handle.store.read() as connection:
        assert verify(connection, SqlLogStorage(connection), []).ok


def test_a_store_made_before_voices_gains_them_on_upgrade(recorded: RecordHandle) -> None:
    from alembic import command

    from servanda.store import migrate

    with recorded.store.write() as connection:
        command.downgrade(migrate._config(connection), "0004")
        command.upgrade(migrate._config(connection), "head")
    assert ids(recorded, actor="ru", text="ceasefire") == ["peskov-talks"]
    assert ids(recorded, actor="ru", text="occupation") == ["no-occupation"]
    with recorded.store.read() as connection:
        assert verify(connection, SqlLogStorage(connection), []).ok


@pytest.mark.parametrize("windows", [[[0]], [[1], [0]], [[0], [1]], [[7], [3, 2], [1, 0]]])
def test_text_alone_asks_recency_windows_in_turn(
    recorded: RecordHandle, monkeypatch: pytest.MonkeyPatch, windows: list[list[int]]
) -> None:
    # With fewer than 50,000 docs every statement is in bucket 0: however the windows are cut, the newest
    # matches are the same (on PostgreSQL, windows are the branches of one query).
    from servanda.record import recall as recall_module

    monkeypatch.setattr(recall_module, "_recency_windows", lambda newest: windows)
    assert ids(recorded, text="occupation") == ["ua-occupation", "no-occupation"]
    # two words, a phrase (its order is not in the recency index, which must not let the other through), and
    # a Cyrillic word of unknown language (a Russian or a Ukrainian stem)
    assert ids(recorded, text="security guarantees") == ["ru-guarantees-rev", "ru-guarantees"]
    assert ids(recorded, text='"security guarantees"') == ["ru-guarantees"]
    assert ids(recorded, text="окупації") == ["ua-occupation"]
    monkeypatch.setattr(recall_module, "RECENT_CANDIDATES", 1)
    assert ids(recorded, text="occupation") == ["ua-occupation"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_searches_on_postgresql_read_the_expression_indexes(recorded: RecordHandle) -> None:
    # PostgreSQL uses an expression index only for a query that spells its expression: recall's must be the
    # ones migration 0006 indexed, or every search would read the whole table.
    from servanda.record import recall as recall_module

    with recorded.store.read() as connection:
        statement = recall_module._recent_statement((True,), 200)
        compiled = statement.compile(dialect=connection.dialect)
        parameters = {
            **compiled.params,
            "ts_query": "'occup'",
            "recent_0": recall_module._recent_tsquery(parse_query("occupation"), [0]),
        }
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a handful of rows: else any plan goes
        plan = connection.exec_driver_sql("EXPLAIN " + str(compiled), parameters).scalars().all()
        assert any("ix_statement_terms_recent" in line for line in plan), plan
        rows = connection.execute(statement, parameters).all()
        # and a word by an actor, through the tsvector's index
        by_actor = recall_module._text_docs("postgresql", voices=True).compile(dialect=connection.dialect)
        plan = (
            connection.exec_driver_sql(
                "EXPLAIN " + str(by_actor), {**by_actor.params, "ts_query": "'occup'", "voice_query": "'@ru'"}
            )
            .scalars()
            .all()
        )
        assert any("ix_statement_terms_tsv" in line for line in plan), plan
    assert [row.id for row in rows] == ["ua-occupation", "no-occupation"]


def test_recency_windows_reach_back_to_the_first_doc() -> None:
    from servanda.record.recall import _recency_windows

    assert _recency_windows(10) == [[]]
    assert _recency_windows(39_999) == [[]]
    # the newest 40,000 docs or more, then 4, 4, 8, 8, ... buckets of 10,000 docs
    assert _recency_windows(1_000_020) == [
        list(range(100, 95, -1)),
        list(range(95, 91, -1)),
        list(range(91, 83, -1)),
        list(range(83, 75, -1)),
        list(range(75, 59, -1)),
        list(range(59, 43, -1)),
        list(range(43, 11, -1)),
        list(range(11, -1, -1)),
    ]
    windows = _recency_windows(3_000_000)
    assert sorted(b for window in windows for b in window) == list(range(301))
    assert [len(window) for window in windows] == [5, 4, 8, 8, 16, 16, 32, 32, 64, 64, 52]
    widest = _recency_windows(100_000_000)
    assert len(widest) < 60 and max(len(window) for window in widest) == 256
