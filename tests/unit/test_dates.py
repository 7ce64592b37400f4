"""Dates keep the precision they were written with."""

from __future__ import annotations

from datetime import date

import pytest

from servanda.domain.dates import FuzzyDate


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest"),
    [
        ("2019", "year", date(2019, 1, 1), date(2019, 12, 31)),
        ("2014-02", "month", date(2014, 2, 1), date(2014, 2, 28)),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
        ("2014-03-18", "day", date(2014, 3, 18), date(2014, 3, 18)),
        ("2021-11/2022-02", "interval", date(2021, 11, 1), date(2022, 2, 28)),
        ("2022-02-24/..", "interval", date(2022, 2, 24), None),
        ("../1991", "interval", None, date(1991, 12, 31)),
    ],
)
def test_parses_each_precision(text: str, precision: str, earliest: date | None, latest: date | None) -> None:
    parsed = FuzzyDate.parse(text)
    assert parsed.precision == precision
    assert parsed.earliest == earliest
    assert parsed.latest == latest
    assert str(parsed) == text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("yesterday", "is not a date"),
        ("2014-13", "month 13 does not exist"),
        ("2023-02-29", "has no day 29"),
        ("2014-3-18", "is not a date"),
        ("2022/2021", "ends before it starts"),
        ("../..", "needs at least one end"),
        ("0000", "year 0000"),
    ],
)
def test_refuses_what_is_not_a_date_with_a_reason(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        FuzzyDate.parse(text)


def test_sorts_by_the_first_day_it_could_mean() -> None:
    dates = [FuzzyDate.parse(t) for t in ["2014-03-18", "2014", "2013-12", "2014-03"]]
    assert [str(d) for d in sorted(dates, key=FuzzyDate.sort_key)] == [
        "2013-12",
        "2014",
        "2014-03",
        "2014-03-18",
    ]
