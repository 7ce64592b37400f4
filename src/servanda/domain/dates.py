"""Dates with their precision, in the EDTF-style notation the record is written in.

The real record is imprecise: a treaty is signed on a day, a policy announced in a month, an occupation lasted
from one day to another, and a source may only say "2019". ``FuzzyDate`` keeps exactly what was known, and
answers the two questions queries need: the earliest and the latest day it could mean.

Accepted forms: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, and an interval ``A/B`` of any two of those, where an
open end is written ``..`` (``2022-02-24/..`` is ongoing).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

Precision = Literal["year", "month", "day"]

_SINGLE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")


@dataclass(frozen=True, slots=True, order=False)
class _Point:
    year: int
    month: int | None
    day: int | None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


def _parse_point(text: str, whole: str) -> _Point:
    match = _SINGLE.match(text)
    if not match:
        raise ValueError(
            f"{whole!r} is not a date: use YYYY, YYYY-MM, YYYY-MM-DD or an interval A/B (open end '..')"
        )
    year = int(match["y"])
    month = int(match["m"]) if match["m"] else None
    day = int(match["d"]) if match["d"] else None
    if year < 1:
        raise ValueError(f"{whole!r} is not a date: year 0000 does not exist")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{whole!r} is not a date: month {month} does not exist")
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(f"{whole!r} is not a date: {year:04d}-{month:02d} has no day {day}")
    return _Point(year, month, day)


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """A day, a month, a year, or an interval between two of them (either end may be open)."""

    start: _Point | None
    end: _Point | None
    interval: bool

    @classmethod
    def parse(cls, value: str | date | FuzzyDate) -> FuzzyDate:
        if isinstance(value, FuzzyDate):
            return value
        if isinstance(value, date):
            return cls(_Point(value.year, value.month, value.day), None, False)
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a date: expected text such as 2014-03-18")
        text = value.strip()
        if "/" not in text:
            return cls(_parse_point(text, value), None, False)
        left, _, right = text.partition("/")
        start = None if left == ".." else _parse_point(left, value)
        end = None if right == ".." else _parse_point(right, value)
        if start is None and end is None:
            raise ValueError(f"{value!r} is not a date: an interval needs at least one end")
        if start is not None and end is not None and start.earliest() > end.latest():
            raise ValueError(f"{value!r} is not a date: the interval ends before it starts")
        return cls(start, end, True)

    @property
    def precision(self) -> Precision | Literal["interval"]:
        if self.interval:
            return "interval"
        assert self.start is not None
        return self.start.precision

    @property
    def earliest(self) -> date | None:
        """First day this date could mean; None for an interval open at the start."""
        return self.start.earliest() if self.start is not None else None

    @property
    def latest(self) -> date | None:
        """Last day this date could mean; None for an interval still open at the end."""
        if not self.interval:
            assert self.start is not None
            return self.start.latest()
        return self.end.latest() if self.end is not None else None

    def sort_key(self) -> str:
        """ISO text of the earliest day, so that dates sort by when they began."""
        earliest = self.earliest
        return earliest.isoformat() if earliest else "0000-00-00"

    def __str__(self) -> str:
        if not self.interval:
            return str(self.start)
        left = str(self.start) if self.start is not None else ".."
        right = str(self.end) if self.end is not None else ".."
        return f"{left}/{right}"

    def __repr__(self) -> str:
        return f"FuzzyDate({str(self)!r})"
