"""The one write path, on SQLite and PostgreSQL: validate, append, project — all or nothing."""

from __future__ import annotations

import pytest

from servanda.errors import BundleError
from servanda.record import queries
from servanda.record.bootstrap import RecordHandle
from servanda.record.located import Located
from servanda.record.replay import decode_entries, rebuild_projection
from servanda.store.log_storage import SqlLogStorage
from tests import factories as f
from tests.integration.helpers import bodies, log_size, projection_dump


def test_appends_one_entry_per_record_and_projects_them(handle: RecordHandle) -> None:
    result = handle.service.apply(f.small_record(), "tester")
    assert result.appended == len(f.small_record())
    assert log_size(handle) == len(f.small_record())
    with handle.store.read() as connection:
        rows = queries.list_statements(connection)
    assert {row["id"]: row["verdict"] for row in rows} == {"c1": "broken", "a1": "false"}


def test_importing_the_same_records_twice_appends_nothing(handle: RecordHandle) -> None:
    handle.service.apply(f.small_record(), "tester")
    again = handle.service.apply(f.small_record(), "tester")
    assert again.appended == 0
    assert again.unchanged == len(f.small_record())
    assert log_size(handle) == len(f.small_record())


def test_a_correction_becomes_a_new_entry_and_keeps_the_history(handle: RecordHandle) -> None:
    handle.service.apply(f.small_record(), "tester")
    corrected = f.commitment("c1", counterparties=["ua"], text="we promise, corrected")
    result = handle.service.put(corrected, "editor", reason="quote checked against the UN text")
    assert result.appended == 1
    with handle.store.read() as connection:
        entries = queries.history(connection, "c1")
        record, _ = queries.get_record(connection, "c1")
    assert [e.author for e in entries] == ["tester", "editor"]
    assert entries[-1].body["reason"] == "quote checked against the UN text"
    assert entries[0].body["record"]["text"] == "we promise c1"
    assert record.text == "we promise, corrected"  # type: ignore[attr-defined]


def test_a_later_assessment_supersedes_without_erasing_the_earlier(handle: RecordHandle) -> None:
    handle.service.apply(f.small_record(), "tester")
    handle.service.put(f.assessment("c1-kept", "c1", "kept", "2010", rationale="still respected then"), "t")
    with handle.store.read() as connection:
        verdict = queries.current_verdicts(connection, ["c1"])["c1"]
        history = queries.assessment_history(connection, "c1")
    assert verdict.verdict == "broken"  # 2014 is later than 2010
    assert [a.verdict for a in history] == ["kept", "broken"]


def test_explicit_supersedes_wins_over_dates(handle: RecordHandle) -> None:
    handle.service.apply(f.small_record(), "tester")
    handle.service.put(
        f.assessment("c1-partial", "c1", "partially_kept", "2014-03-18", supersedes="c1-broken"), "t"
    )
    with handle.store.read() as connection:
        assert queries.current_verdicts(connection, ["c1"])["c1"].verdict == "partially_kept"


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (f.commitment("c9", actor="nobody"), "actor", "'nobody' is not in the record"),
        (f.commitment("c9", sources=["missing-source"]), "sources[0]", "not in the record"),
        (f.commitment("c9", actor="src-un"), "actor", "is a source, not an actor"),
        (f.assessment("x", "c1", "false", "2015"), "verdict", "not a verdict for a commitment"),
        (f.assessment("x", "a1", "broken", "2023"), "verdict", "not a verdict for an assertion"),
        (f.assessment("x", "c1", "broken", "1990"), "as_of", "before c1 was made"),
        (f.source("ru"), "id", "already names an actor"),
        (
            f.assessment("x", "a1", "accurate", "2023", supersedes="c1-broken"),
            "supersedes",
            "rates c1, not a1",
        ),
        (
            f.assessment("x", "a1", "accurate", "2023", supersedes="x"),
            "supersedes",
            "cannot supersede itself",
        ),
    ],
)
def test_bad_records_are_refused_and_change_nothing(
    handle: RecordHandle, bad: object, field: str, words: str
) -> None:
    handle.service.apply(f.small_record(), "tester")
    before = projection_dump(handle)
    size = log_size(handle)
    with pytest.raises(BundleError) as caught:
        handle.service.apply([f.actor("gb"), bad], "tester")  # type: ignore[list-item]
    problem = caught.value.problems[0]
    assert problem.field == field
    assert words in problem.message
    assert log_size(handle) == size
    assert projection_dump(handle) == before


def test_a_batch_that_gives_one_id_two_contents_is_refused(handle: RecordHandle) -> None:
    with pytest.raises(BundleError, match="given twice with different content"):
        handle.service.apply(
            [Located(f.source(), "a.yaml", 3), Located(f.source(title="other"), "b.yaml", 7)], "tester"
        )
    assert log_size(handle) == 0


def test_a_batch_may_refer_to_records_it_adds_in_any_order(handle: RecordHandle) -> None:
    records = list(reversed(f.small_record()))
    handle.service.apply(records, "tester")
    with handle.store.read() as connection:
        kinds = [e.kind for e in decode_entries(SqlLogStorage(connection).iter_entry_data())]
    # what is referred to is appended first, so replaying the log never meets a dangling id
    assert kinds.index("source.put") < kinds.index("actor.put") < kinds.index("statement.put")
    assert kinds[-1] == "assessment.put"


def test_rebuilt_projection_equals_the_live_one(handle: RecordHandle) -> None:
    handle.service.apply(f.small_record(), "tester")
    handle.service.put(f.commitment("c1", text="corrected"), "editor")
    live = projection_dump(handle)
    with handle.store.write() as connection:
        count = rebuild_projection(connection, decode_entries(SqlLogStorage(connection).iter_entry_data()))
    assert count == len(f.small_record())
    assert projection_dump(handle) == live


def test_statements_of_a_state_include_those_of_its_head_while_in_office(handle: RecordHandle) -> None:
    handle.service.apply(f.small_record(), "tester")
    handle.service.put(
        f.assertion("a0", actor="putin", date="2008-01-01"), "tester"
    )  # before 2012: not for ru
    with handle.store.read() as connection:
        ids = [row["id"] for row in queries.statements_for_actor(connection, "ru")]
    assert ids == ["c1", "a1"]


def test_filters_by_actor_kind_verdict_and_dates(handle: RecordHandle) -> None:
    handle.service.apply(f.small_record(), "tester")
    with handle.store.read() as connection:

        def ids(**filters: str) -> list[str]:
            return [row["id"] for row in queries.list_statements(connection, **filters)]  # type: ignore[arg-type]

        assert ids(actor="putin") == ["a1"]
        assert ids(kind="commitment") == ["c1"]
        assert ids(verdict="false") == ["a1"]
        assert ids(since="2000") == ["a1"]
        assert ids(until="1994-12") == ["c1"]


def test_records_hold_the_same_bodies_they_were_given(handle: RecordHandle) -> None:
    handle.service.apply(f.small_record(), "tester")
    assert bodies(handle) == {record.id: record.body() for record in f.small_record()}


def test_every_reference_is_found_both_ways(handle: RecordHandle) -> None:
    handle.service.apply(f.small_record(), "tester")
    with handle.store.read() as connection:
        to_ru = queries.referenced_by(connection, "ru")
        to_c1 = queries.referenced_by(connection, "c1")
        to_ev1 = queries.referenced_by(connection, "ev1")
    assert ("c1", "statement", "actor") in to_ru
    assert ("putin", "actor", "relations.target") in to_ru
    assert ("a1-false", "assessment", "disputed_by") in to_ru
    assert to_c1 == [("c1-broken", "assessment", "statement")]
    assert to_ev1 == [("c1-broken", "assessment", "evidence")]
