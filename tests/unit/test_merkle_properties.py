"""Property tests: the tree agrees with the RFC text, proofs verify, and every tampering is caught."""

from __future__ import annotations

import functools
import hashlib
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servanda.ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    MerkleTree,
    ProofError,
    consistency_plan,
    frontier_nodes,
    hash_range_from,
    inclusion_plan,
    leaf_hash,
    needed_nodes,
    new_nodes,
    node_from_key,
    node_key,
    perfect_subtrees,
    proof_from_nodes,
    verify_consistency,
    verify_inclusion,
)
from tests import reference_merkle as ref
from tests.strategies import MAX_LEAVES, batches, hostile_values, old_and_new_size, size_and_index

# Proof checks are cheap but the reference is quadratic-ish; keep the file well under 30 s on 2 cores.
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def big() -> tuple[list[bytes], list[bytes], MerkleTree]:
    """One tree of MAX_LEAVES deterministic entries, shared by every test: sizes are drawn inside it."""
    data = [hashlib.sha256(i.to_bytes(4, "big")).digest() * (1 + i % 3) for i in range(MAX_LEAVES)]
    tree = MerkleTree()
    tree.extend(data)
    return data, [ref.ref_leaf_hash(d) for d in data], tree


def flip_bit(h: bytes, bit: int) -> bytes:
    b = bytearray(h)
    b[(bit // 8) % len(b)] ^= 1 << (bit % 8)
    return bytes(b)


# -- hashing and roots ----------------------------------------------------------------------------------


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert MerkleTree().root() == EMPTY_ROOT == hashlib.sha256(b"").digest()


@FAST
@given(size=st.integers(min_value=0, max_value=MAX_LEAVES))
def test_root_equals_recursive_reference(size: int) -> None:
    _, hashes, tree = big()
    assert tree.root(size) == ref.mth(hashes[:size])


@FAST
@given(parts=batches())
def test_append_extend_and_leaf_hash_paths_build_the_same_tree(parts: list[list[bytes]]) -> None:
    one, bulk, hashed = MerkleTree(), MerkleTree(), MerkleTree()
    flat = [d for part in parts for d in part]
    for d in flat:
        assert one.append(d) == one.size - 1
    for part in parts:
        assert bulk.extend(part) == bulk.size
        hashed.extend_leaf_hashes(leaf_hash(d) for d in part)
    assert one.size == bulk.size == hashed.size == len(flat)
    assert one.root() == bulk.root() == hashed.root() == ref.mth([ref.ref_leaf_hash(d) for d in flat])
    for level in range(max(1, len(flat)).bit_length()):
        assert one.nodes_at(level) == bulk.nodes_at(level) == hashed.nodes_at(level)


# -- plans -----------------------------------------------------------------------------------------------


@FAST
@given(start=st.integers(min_value=0, max_value=10_000), width=st.integers(min_value=0, max_value=10_000))
def test_perfect_subtrees_tile_the_range_with_aligned_nodes(start: int, width: int) -> None:
    pos = start
    for level, index in perfect_subtrees(start, start + width):
        assert index << level == pos
        pos += 1 << level
    assert pos == start + width


@FAST
@given(size=st.integers(min_value=0, max_value=2**40))
def test_frontier_nodes_are_one_per_set_bit_largest_first(size: int) -> None:
    levels = [level for level, _ in frontier_nodes(size)]
    assert levels == sorted(levels, reverse=True)
    assert sum(1 << level for level in levels) == size


@FAST
@given(level=st.integers(min_value=0, max_value=48), index=st.integers(min_value=0, max_value=2**48 - 1))
def test_node_key_round_trips_and_fits_a_signed_bigint(level: int, index: int) -> None:
    key = node_key(level, index)
    assert node_from_key(key) == (level, index)
    assert 0 <= key < 2**63


def test_node_key_orders_by_level_then_index() -> None:
    assert node_key(0, 2**48 - 1) < node_key(1, 0) < node_key(1, 1)


@pytest.mark.parametrize(("level", "index"), [(-1, 0), (49, 0), (0, -1), (0, 2**48)])
def test_node_key_rejects_nodes_it_cannot_encode(level: int, index: int) -> None:
    with pytest.raises(ValueError):
        node_key(level, index)


@FAST
@given(si=size_and_index())
def test_plan_proof_from_only_the_needed_nodes_equals_fast_path_and_reference(si: tuple[int, int]) -> None:
    size, index = si
    _, hashes, tree = big()
    plan = inclusion_plan(index, size)
    # What a durable log would do: fetch exactly the needed nodes, in one query, into a dict.
    fetched = {n: tree.node(*n) for n in needed_nodes(plan)}
    from_nodes = proof_from_nodes(plan, fetched)
    assert from_nodes == tree.inclusion_proof(index, size) == tree.inclusion_proof_planned(index, size)
    assert from_nodes == ref.path(index, hashes[:size])


@FAST
@given(sizes=old_and_new_size())
def test_consistency_plan_from_needed_nodes_equals_reference(sizes: tuple[int, int]) -> None:
    old, new = sizes
    _, hashes, tree = big()
    plan = consistency_plan(old, new)
    fetched = {n: tree.node(*n) for n in needed_nodes(plan)}
    assert proof_from_nodes(plan, fetched) == tree.consistency_proof(old, new) == ref.proof(old, hashes[:new])


def test_hash_range_from_reports_a_missing_node_as_key_error() -> None:
    with pytest.raises(KeyError):
        hash_range_from({}, 0, 3)


def test_hash_range_from_refuses_an_unaligned_range() -> None:
    with pytest.raises(ValueError):
        hash_range_from({}, 1, 3)


# -- inclusion -------------------------------------------------------------------------------------------


@FAST
@given(si=size_and_index(), bit=st.integers(min_value=0, max_value=255), data=st.data())
def test_inclusion_proof_verifies_and_every_mutation_is_rejected(
    si: tuple[int, int], bit: int, data: st.DataObject
) -> None:
    size, index = si
    _, hashes, tree = big()
    leaf, root = hashes[index], tree.root(size)
    proof = tree.inclusion_proof(index, size)
    verify_inclusion(leaf, index, size, proof, root)

    mutants: list[tuple[bytes, int, int, list[bytes], bytes]] = [
        (flip_bit(leaf, bit), index, size, proof, root),
        (leaf, index, size, proof, flip_bit(root, bit)),
        (leaf, index, size, [*proof, os.urandom(32)], root),
        (leaf, index, size, [os.urandom(32), *proof], root),
    ]
    if proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        mutants.append((leaf, index, size, [*proof[:at], flip_bit(proof[at], bit), *proof[at + 1 :]], root))
        mutants.append((leaf, index, size, proof[:at] + proof[at + 1 :], root))
    if size > 1:
        other = data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index))
        mutants.append((leaf, other, size, proof, root))
        mutants.append((hashes[other], other, size, proof, root))
    other_size = data.draw(st.integers(min_value=index + 1, max_value=MAX_LEAVES).filter(lambda n: n != size))
    # With the root of the other size. (With the *same* root a size of the same shape, say 257 for 258,
    # verifies: RFC proofs bind the size only through the root, which a checkpoint signs with its size.)
    mutants.append((leaf, index, other_size, proof, tree.root(other_size)))
    for m in mutants:
        with pytest.raises(ProofError):
            verify_inclusion(*m)


def test_rejects_proof_with_flipped_bit() -> None:
    _, hashes, tree = big()
    proof = tree.inclusion_proof(5, 11)
    proof[1] = flip_bit(proof[1], 3)
    with pytest.raises(ProofError):
        verify_inclusion(hashes[5], 5, 11, proof, tree.root(11))


@pytest.mark.parametrize(("index", "size"), [(-1, 5), (5, 5), (0, 0), (0, MAX_LEAVES + 1), (0, -1)])
def test_refuses_to_generate_inclusion_proof_for_a_leaf_it_does_not_have(index: int, size: int) -> None:
    with pytest.raises(ProofError):
        big()[2].inclusion_proof(index, size)


# -- consistency -----------------------------------------------------------------------------------------


@FAST
@given(sizes=old_and_new_size(), bit=st.integers(min_value=0, max_value=255), data=st.data())
def test_consistency_proof_verifies_and_every_mutation_is_rejected(
    sizes: tuple[int, int], bit: int, data: st.DataObject
) -> None:
    old, new = sizes
    _, _, tree = big()
    r1, r2 = tree.root(old), tree.root(new)
    proof = tree.consistency_proof(old, new)
    verify_consistency(old, new, r1, r2, proof)

    mutants: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        (old, new, flip_bit(r1, bit), r2, proof),
        (old, new, r1, flip_bit(r2, bit), proof),
        (old, new, r1, r2, [*proof, os.urandom(32)]),
        (old, new, r1, r2, [os.urandom(32), *proof]),
    ]
    if old != new:
        mutants.append((old, new, r2, r1, proof))
    if proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        mutants.append((old, new, r1, r2, [*proof[:at], flip_bit(proof[at], bit), *proof[at + 1 :]]))
        mutants.append((old, new, r1, r2, proof[:at] + proof[at + 1 :]))
    other_old = data.draw(st.integers(min_value=1, max_value=new).filter(lambda n: n != old))
    if other_old != old:
        mutants.append((other_old, new, tree.root(other_old), r2, proof))
    # Sizes are bound through their roots, as for inclusion: a wrong size comes with that size's root.
    other_new = data.draw(st.integers(min_value=old, max_value=MAX_LEAVES).filter(lambda n: n != new))
    mutants.append((old, other_new, r1, tree.root(other_new), proof))
    for m in mutants:
        with pytest.raises(ProofError):
            verify_consistency(*m)


@pytest.mark.parametrize(("old", "new"), [(0, 5), (6, 5), (-1, 5), (1, MAX_LEAVES + 1)])
def test_refuses_to_generate_consistency_proof_it_cannot_define(old: int, new: int) -> None:
    with pytest.raises(ProofError):
        big()[2].consistency_proof(old, new)


def test_consistency_between_equal_sizes_is_the_empty_proof() -> None:
    tree = big()[2]
    assert tree.consistency_proof(7, 7) == []
    verify_consistency(7, 7, tree.root(7), tree.root(7), [])


# -- hostile input ---------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(args=st.tuples(hostile_values, hostile_values, hostile_values, hostile_values, hostile_values))
def test_verifiers_raise_only_proof_error_on_garbage(args: tuple[Any, ...]) -> None:
    for verify in (verify_inclusion, verify_consistency):
        with pytest.raises(ProofError):
            verify(*args)


@settings(max_examples=100, deadline=None)
@given(which=st.integers(min_value=0, max_value=4), junk=hostile_values)
def test_verifiers_raise_only_proof_error_when_one_argument_is_garbage(which: int, junk: Any) -> None:
    _, hashes, tree = big()
    good_incl: list[Any] = [hashes[3], 3, 10, tree.inclusion_proof(3, 10), tree.root(10)]
    good_cons: list[Any] = [4, 10, tree.root(4), tree.root(10), tree.consistency_proof(4, 10)]
    for verify, args in ((verify_inclusion, good_incl), (verify_consistency, good_cons)):
        if type(junk) is type(args[which]) and junk == args[which]:
            continue  # the one draw that is not garbage at all
        args = list(args)
        args[which] = junk
        with pytest.raises(ProofError):
            verify(*args)


def test_rejects_a_proof_that_is_a_sequence_raising_on_access() -> None:
    class Evil(list[bytes]):
        def __iter__(self) -> Any:
            raise RuntimeError("boom")

    with pytest.raises(ProofError):
        verify_inclusion(bytes(32), 0, 2, Evil([bytes(32)]), bytes(32))


# -- frontier --------------------------------------------------------------------------------------------


@FAST
@given(sizes=old_and_new_size(max_size=1200))
def test_frontier_loaded_from_stored_nodes_emits_exactly_the_tree_nodes(sizes: tuple[int, int]) -> None:
    old, new = sizes
    _, hashes, tree = big()
    frontier = Frontier.from_lookup(old, tree.node)
    assert frontier.root() == tree.root(old)
    emitted = frontier.extend(hashes[old:new])
    assert frontier.size == new
    assert frontier.root() == tree.root(new)
    # Every perfect node that lies wholly in [0, new) but not in [0, old) is emitted once, with its hash.
    expected = {
        (level, i) for level in range(new.bit_length()) for i in range(new >> level) if (i + 1) << level > old
    }
    assert {(level, i) for level, i, _ in emitted} == expected
    assert len(emitted) == len(expected)
    for level, i, h in emitted:
        assert tree.node(level, i) == h


def test_frontier_of_empty_tree_has_empty_root_and_emits_the_leaf_first() -> None:
    frontier = Frontier()
    assert frontier.root() == EMPTY_ROOT
    assert frontier.append(leaf_hash(b"a")) == [(0, 0, leaf_hash(b"a"))]
    emitted = frontier.append(leaf_hash(b"b"))
    assert [(level, i) for level, i, _ in emitted] == [(0, 1), (1, 0)]


def test_frontier_refuses_the_wrong_number_of_hashes() -> None:
    with pytest.raises(ValueError):
        Frontier(3, [bytes(32)])


def test_new_nodes_reads_only_the_frontier_and_returns_what_frontier_emits() -> None:
    _, hashes, tree = big()
    stored = {(level, i): tree.node(level, i) for level, i in frontier_nodes(1000)}
    emitted = new_nodes(1000, hashes[1000:1100], stored)
    assert emitted == Frontier.from_lookup(1000, tree.node).extend(hashes[1000:1100])
    assert all(tree.node(level, i) == h for level, i, h in emitted)
