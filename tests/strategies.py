"""Hypothesis strategies shared by the ledger tests."""

from __future__ import annotations

from hypothesis import strategies as st

MAX_LEAVES = 3000
"""Largest tree the property tests draw; big enough for twelve levels, small enough to stay fast."""

sizes = st.integers(min_value=1, max_value=MAX_LEAVES)


@st.composite
def size_and_index(draw: st.DrawFn, max_size: int = MAX_LEAVES) -> tuple[int, int]:
    """A tree size and a leaf index inside it."""
    size = draw(st.integers(min_value=1, max_value=max_size))
    return size, draw(st.integers(min_value=0, max_value=size - 1))


@st.composite
def old_and_new_size(draw: st.DrawFn, max_size: int = MAX_LEAVES) -> tuple[int, int]:
    """Two sizes with 1 <= old <= new."""
    new = draw(st.integers(min_value=1, max_value=max_size))
    return draw(st.integers(min_value=1, max_value=new)), new


@st.composite
def batches(draw: st.DrawFn, max_size: int = 400) -> list[list[bytes]]:
    """Entries split into append batches of random lengths (some empty)."""
    return draw(st.lists(st.lists(st.binary(max_size=40), max_size=60), max_size=max_size // 60 + 2))


hostile_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.lists(st.one_of(st.none(), st.binary(max_size=40), st.integers()), max_size=4),
)
"""Values of every wrong type and shape, for verifiers that must only ever raise ProofError."""
