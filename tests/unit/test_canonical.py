"""Entries are hashed as RFC 8785 canonical JSON; the fast path must equal the reference implementation."""

from __future__ import annotations

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from servanda.ledger.canonical import canonical_json

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53 - 1), 2**53 - 1) | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=20,
)


@given(_json)
def test_canonical_json_equals_rfc8785(value: object) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@given(st.dictionaries(_text, st.floats(allow_nan=False, allow_infinity=False), max_size=4))
def test_floats_take_the_general_path(value: dict[str, float]) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


def test_keys_sort_by_utf16_code_units() -> None:
    value = {"\U0001f600": 1, "\ufb01": 2, "a": 3}
    assert canonical_json(value) == rfc8785.dumps(value)
