"""The domain types refuse what the record must not hold, with the field named."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from servanda.domain.records import Actor, Assessment, Capture, Relation, Statement
from tests import factories as f


def _error(cls: Any, **data: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        cls.model_validate(data)
    return str(caught.value)


def test_unknown_fields_are_errors_not_silently_dropped() -> None:
    assert "extra" in _error(Actor, id="ru", kind="state", name="Russia", nmae="typo")


@pytest.mark.parametrize("bad", ["Ru", "has space", "-lead", "trail-", "", "ü"])
def test_ids_are_readable_slugs(bad: str) -> None:
    assert "not a valid id" in _error(Actor, id=bad, kind="state", name="x")


def test_a_commitment_needs_its_terms_and_an_assertion_has_none() -> None:
    base = {"id": "s", "actor": "ru", "date": "2014", "text": "t", "sources": ["x"]}
    assert "needs its terms" in _error(Statement, kind="commitment", **base)
    terms = {"obligation": "o", "strength": "remark"}
    assert "has no commitment terms" in _error(Statement, kind="assertion", commitment=terms, **base)


def test_a_statement_in_another_language_needs_an_english_rendering() -> None:
    error = _error(
        Statement, id="s", kind="assertion", actor="ru", date="2022", text="Нет", language="ru", sources=["x"]
    )
    assert "text_en" in error


def test_facts_are_sourced() -> None:
    assert "sources" in _error(
        Statement, id="s", kind="assertion", actor="ru", date="2022", text="t", sources=[]
    )


def test_verdicts_come_from_the_scales() -> None:
    error = _error(
        Assessment, id="a", statement="s", verdict="pants_on_fire", as_of="2020", rationale="r", sources=["x"]
    )
    assert "is on no scale" in error


def test_a_disputed_verdict_names_who_disputes_it() -> None:
    base = {
        "id": "a",
        "statement": "s",
        "verdict": "broken",
        "as_of": "2020",
        "rationale": "r",
        "sources": ["x"],
    }
    assert "must name who disputes it" in _error(Assessment, disputed=True, **base)
    assert "disputed must be true" in _error(Assessment, disputed_by=["ru"], **base)


def test_a_relation_cannot_end_before_it_starts() -> None:
    assert "ends before it starts" in _error(
        Relation, type="head_of", target="ru", since="2012", until="2008"
    )


def test_wikidata_ids_have_their_shape() -> None:
    assert "not a Wikidata id" in _error(
        Actor, id="ru", kind="state", name="R", external_ids={"wikidata": "159"}
    )


def test_a_capture_is_named_by_its_hash() -> None:
    digest = "a" * 64
    assert "sha256-" in _error(Capture, id="other", source="s", sha256=digest, size=1)
    assert Capture(id=f"sha256-{digest}", source="s", sha256=digest, size=1).sha256 == digest


def test_bodies_round_trip_through_the_log_form() -> None:
    for record in f.small_record():
        assert type(record).model_validate(record.body()) == record


def test_a_bare_year_from_yaml_is_a_year() -> None:
    statement = Statement.model_validate(
        {"id": "s", "kind": "assertion", "actor": "ru", "date": 2019, "text": "t", "sources": ["x"]}
    )
    assert str(statement.date) == "2019"
