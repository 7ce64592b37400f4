"""RFC 6962 / RFC 9162 Merkle tree over SHA-256, with proofs planned from perfect subtrees.

Pure: no I/O, no clock, no global state. Every hash the log ever publishes comes from here.

Terms used throughout
---------------------
- A *perfect node* ``(level, index)`` is the hash of the ``2**level`` leaves
  ``[index * 2**level, (index + 1) * 2**level)``. Once that range is complete its hash never changes,
  which is why it is the unit a durable log stores (see :func:`node_key`).
- A *range* ``(start, end)`` is a half-open run of leaves. The RFC hash of a range is ``MTH(D[start:end])``.
  Every range that appears in an RFC proof is *aligned*: ``start`` is a multiple of the largest power of
  two not above ``end - start``. Such a range decomposes into perfect nodes, largest first
  (:func:`perfect_subtrees`), and its hash is those nodes folded right to left (:func:`hash_range_from`).
- A *plan* (:func:`inclusion_plan`, :func:`consistency_plan`) is the list of ranges whose hashes form a
  proof, in proof order. Plans depend only on sizes, so the in-memory :class:`MerkleTree` and a durable
  log that stores perfect nodes in SQL share one proof algorithm: plan, fetch
  :func:`needed_nodes` in one query, then :func:`proof_from_nodes`.

Errors
------
Every failure caused by the arguments — an invalid proof, a malformed hash, a size out of range, a proof
requested for a leaf the tree does not have, a consistency proof from size 0 — raises :class:`ProofError`
(a ``ValueError``). A perfect node missing from the mapping handed to :func:`hash_range_from` raises
``KeyError``: that is a storage fault, not a bad request.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from hashlib import sha256

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_LEVEL",
    "MAX_TREE_SIZE",
    "Frontier",
    "MerkleTree",
    "Node",
    "NodeLookup",
    "ProofError",
    "Range",
    "consistency_plan",
    "frontier_nodes",
    "hash_range_from",
    "inclusion_plan",
    "leaf_hash",
    "needed_nodes",
    "new_nodes",
    "node_from_key",
    "node_hash",
    "node_key",
    "perfect_subtrees",
    "proof_from_nodes",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Length in bytes of every leaf, node and root hash."""

EMPTY_ROOT = sha256(b"").digest()
"""Root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1)."""

MAX_TREE_SIZE = (1 << 64) - 1
"""Largest size a verifier accepts: RFC 9162 sizes are uint64, and the bound keeps loops short."""

_INDEX_BITS = 48
MAX_LEVEL = 48
"""Highest level :func:`node_key` encodes; a tree of 2**48 leaves is far beyond any record."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

Node = tuple[int, int]
"""A perfect node ``(level, index)``."""

Range = tuple[int, int]
"""A half-open leaf range ``(start, end)``."""

NodeLookup = Mapping[Node, bytes] | Callable[[int, int], bytes]
"""Where perfect-node hashes come from: a mapping keyed by ``(level, index)`` or ``f(level, index)``."""


class ProofError(ValueError):
    """A proof, a hash, or a proof request is invalid. Raised for every bad argument, never anything else."""


# --------------------------------------------------------------------------------------------------------
# Hashing


def leaf_hash(data: bytes) -> bytes:
    """``SHA256(0x00 ‖ data)``: the prefix keeps a leaf from ever passing for an interior node."""
    return sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA256(0x01 ‖ left ‖ right)``."""
    return sha256(_NODE_PREFIX + left + right).digest()


# --------------------------------------------------------------------------------------------------------
# Node keys for SQL


def node_key(level: int, index: int) -> int:
    """Encode a perfect node as one integer: ``(level << 48) | index``.

    Why one integer: a durable log can keep its nodes in a table with a single ``BIGINT`` primary key and
    fetch a proof's nodes with one ``WHERE key IN (...)``. Keys sort by level, then index, so one level
    is one contiguous key range. The largest key is below ``2**55``, well inside a signed 64-bit column.
    """
    if not (0 <= level <= MAX_LEVEL and 0 <= index < (1 << _INDEX_BITS)):
        raise ValueError(f"node ({level}, {index}) is outside the encodable range")
    return (level << _INDEX_BITS) | index


def node_from_key(key: int) -> Node:
    """Inverse of :func:`node_key`."""
    level, index = key >> _INDEX_BITS, key & ((1 << _INDEX_BITS) - 1)
    if key < 0 or level > MAX_LEVEL:
        raise ValueError(f"{key} is not a node key")
    return level, index


# --------------------------------------------------------------------------------------------------------
# Plans: which ranges and which perfect nodes a proof needs. Sizes only, no hashes.


def _split(n: int) -> int:
    """Largest power of two strictly below ``n`` (n >= 2): the RFC split point ``k``."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_subtrees(start: int, end: int) -> list[Node]:
    """Decompose ``[start, end)`` into perfect nodes ``(level, index)``, left to right.

    Each step takes the largest perfect node that begins at ``start`` and fits; this is the unique
    minimal decomposition. For an aligned range (every range in an RFC proof) the sizes strictly
    decrease, so the nodes come largest first. An empty range gives an empty list.
    """
    if not 0 <= start <= end:
        raise ValueError(f"invalid range [{start}, {end})")
    out: list[Node] = []
    while start < end:
        width = end - start
        level = width.bit_length() - 1
        if start:
            # Alignment: a perfect node can only begin at a multiple of its width.
            level = min(level, (start & -start).bit_length() - 1)
        out.append((level, start >> level))
        start += 1 << level
    return out


def _is_aligned(start: int, end: int) -> bool:
    width = end - start
    return width > 0 and start % (1 << (width.bit_length() - 1)) == 0


def frontier_nodes(size: int) -> list[Node]:
    """The right-edge perfect nodes of a tree of ``size`` leaves, largest first (one per set bit).

    They are all a :class:`Frontier` needs to keep appending and to compute the root.
    """
    return perfect_subtrees(0, size)


def inclusion_plan(index: int, size: int) -> list[Range]:
    """Ranges whose hashes form the inclusion proof of leaf ``index`` in a tree of ``size`` (RFC 9162 PATH).

    Proof order: the leaf's sibling first, the root's child last.
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    lo, hi = 0, size
    path: list[Range] = []
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            path.append((mid, hi))
            hi = mid
        else:
            path.append((lo, mid))
            lo = mid
    path.reverse()
    return path


def consistency_plan(old_size: int, new_size: int) -> list[Range]:
    """Ranges whose hashes form the consistency proof from ``old_size`` to ``new_size`` (RFC 9162 SUBPROOF).

    ``old_size == new_size`` gives an empty proof. Size 0 is refused: a consistency proof from the empty
    tree is not defined (every tree extends it, so such a proof would prove nothing).
    """
    if old_size == 0:
        raise ProofError("a consistency proof from size 0 is not defined")
    if not 0 < old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to size {new_size}")
    lo, hi = 0, new_size
    whole_old_tree_is_a_node = True  # RFC's flag b: the old root is known to the verifier, omit it
    path: list[Range] = []
    while old_size != hi:
        mid = lo + _split(hi - lo)
        if old_size <= mid:
            path.append((mid, hi))
            hi = mid
        else:
            path.append((lo, mid))
            lo = mid
            whole_old_tree_is_a_node = False
    if not whole_old_tree_is_a_node:
        path.append((lo, hi))
    path.reverse()
    return path


def needed_nodes(ranges: Iterable[Range]) -> set[Node]:
    """Every perfect node the hashes of ``ranges`` need, so a caller can fetch them in one query."""
    out: set[Node] = set()
    for start, end in ranges:
        out.update(perfect_subtrees(start, end))
    return out


def hash_range_from(nodes: NodeLookup, start: int, end: int) -> bytes:
    """RFC hash of the aligned range ``[start, end)``, folded right to left from perfect-node hashes.

    ``hash_range_from(nodes, 0, 0)`` is :data:`EMPTY_ROOT`. Raises ``ValueError`` for an unaligned or
    empty range (its perfect nodes do not fold into an RFC hash) and ``KeyError`` for a missing node.
    """
    if start == end == 0:
        return EMPTY_ROOT
    if not (0 <= start < end and _is_aligned(start, end)):
        raise ValueError(f"[{start}, {end}) is not a range of an RFC tree")
    get: Callable[[int, int], bytes]
    if isinstance(nodes, Mapping):
        mapping = nodes

        def get(level: int, index: int) -> bytes:
            return mapping[(level, index)]

    else:
        get = nodes
    parts = perfect_subtrees(start, end)
    level, index = parts.pop()
    acc = get(level, index)
    h = sha256
    while parts:
        level, index = parts.pop()
        acc = h(_NODE_PREFIX + get(level, index) + acc).digest()
    return acc


def proof_from_nodes(ranges: Iterable[Range], nodes: NodeLookup) -> list[bytes]:
    """Turn a plan into a proof, given (at least) the :func:`needed_nodes` of that plan."""
    return [hash_range_from(nodes, start, end) for start, end in ranges]


# --------------------------------------------------------------------------------------------------------
# Verification (RFC 9162 §2.1.3.2 and §2.1.4.2). Every bad input raises ProofError, nothing else.


def _check_size(name: str, value: object) -> int:
    if type(value) is not int:  # bool and int subclasses are refused: a size is a plain integer
        raise ProofError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 <= value <= MAX_TREE_SIZE:
        raise ProofError(f"{name} {value} is outside [0, 2**64)")
    return value


def _check_hash(name: str, value: object) -> bytes:
    if not isinstance(value, bytes):
        raise ProofError(f"{name} must be bytes, not {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise ProofError(f"{name} must be {HASH_SIZE} bytes, not {len(value)}")
    return value


def _check_proof(proof: object) -> list[bytes]:
    if isinstance(proof, (bytes, bytearray, memoryview, str)) or not isinstance(proof, Sequence):
        raise ProofError(f"proof must be a sequence of hashes, not {type(proof).__name__}")
    try:
        items = list(proof)
    except Exception as exc:  # a hostile Sequence can raise anything; the contract is ProofError only
        raise ProofError(f"proof could not be read: {exc}") from exc
    return [_check_hash(f"proof[{i}]", p) for i, p in enumerate(items)]


def _inclusion_proof_length(index: int, size: int) -> int:
    """How many hashes a valid inclusion proof has: siblings below the split, plus left border nodes."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def root_from_inclusion_proof(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` implies for ``leaf_hash`` at ``index`` (RFC 9162 §2.1.3.2, steps 1-4)."""
    index = _check_size("index", index)
    size = _check_size("size", size)
    r = _check_hash("leaf hash", leaf_hash)
    path = _check_proof(proof)
    if index >= size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    want = _inclusion_proof_length(index, size)
    if len(path) != want:
        raise ProofError(f"inclusion proof has {len(path)} hashes, want {want}")
    fn, sn = index, size - 1
    h = sha256
    for p in path:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = h(_NODE_PREFIX + p + r).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = h(_NODE_PREFIX + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that the leaf with hash ``leaf_hash`` is at ``index`` in the tree of ``size`` with ``root``.

    Returns None; raises :class:`ProofError` for an invalid proof or any malformed argument.
    """
    root = _check_hash("root", root)
    computed = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if not hmac.compare_digest(computed, root):
        raise ProofError("inclusion proof does not lead to the given root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (``new_size``, ``new_root``) extends the tree (``old_size``, ``old_root``).

    Returns None; raises :class:`ProofError` for an invalid proof or any malformed argument, including
    ``old_size == 0`` (a consistency proof from size 0 is not defined).
    """
    old_size = _check_size("old size", old_size)
    new_size = _check_size("new size", new_size)
    path = _check_proof(proof)
    if old_size == 0:
        raise ProofError("a consistency proof from size 0 is not defined")
    if old_size > new_size:
        raise ProofError(f"old size {old_size} is larger than new size {new_size}")
    if old_size == new_size:
        # As RFC 9162 and the transparency-dev vectors have it: equal sizes need an empty proof and equal
        # roots, compared as opaque bytes (the upstream vector for this case uses 12-byte roots).
        if not isinstance(old_root, bytes) or not isinstance(new_root, bytes):
            raise ProofError("roots must be bytes")
        if path:
            raise ProofError("a consistency proof between equal sizes must be empty")
        if not hmac.compare_digest(old_root, new_root):
            raise ProofError("roots differ for the same size")
        return
    old_root = _check_hash("old root", old_root)
    new_root = _check_hash("new root", new_root)

    # Length check first: it gives a clear message, and the loop below then never runs long.
    inner = ((old_size - 1) ^ (new_size - 1)).bit_length()
    border = ((old_size - 1) >> inner).bit_count()
    shift = (old_size & -old_size).bit_length() - 1
    seeded = old_size != 1 << shift  # unless old tree is perfect, its root node is in the proof
    want = int(seeded) + inner - shift + border
    if len(path) != want:
        raise ProofError(f"consistency proof has {len(path)} hashes, want {want}")

    if not seeded:
        path = [old_root, *path]
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    h = sha256
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = h(_NODE_PREFIX + c + fr).digest()
            sr = h(_NODE_PREFIX + c + sr).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = h(_NODE_PREFIX + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if not hmac.compare_digest(fr, old_root):
        raise ProofError("consistency proof does not lead to the old root")
    if not hmac.compare_digest(sr, new_root):
        raise ProofError("consistency proof does not lead to the new root")


# --------------------------------------------------------------------------------------------------------
# Frontier: the right edge of a tree, enough to append and to compute the root.


class Frontier:
    """The right-edge perfect nodes of a tree: at most log2(n) hashes, enough to append and give the root.

    A durable log loads ``frontier_nodes(size)`` from storage, appends a batch of leaf hashes, and
    stores every node :meth:`append` reports as completed. Nothing else in the tree needs reading.
    """

    __slots__ = ("_hashes", "_levels", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        """``hashes`` are the hashes of ``frontier_nodes(size)``, in that order (largest first)."""
        if type(size) is not int or size < 0:
            raise ValueError(f"invalid frontier size {size!r}")
        nodes = frontier_nodes(size)
        if len(hashes) != len(nodes):
            raise ValueError(f"a frontier of size {size} has {len(nodes)} nodes, got {len(hashes)}")
        for h in hashes:
            if not isinstance(h, bytes) or len(h) != HASH_SIZE:
                raise ValueError("frontier hashes must be 32-byte bytes")
        self._size = size
        self._levels = [level for level, _ in nodes]
        self._hashes = list(hashes)

    @classmethod
    def from_lookup(cls, size: int, nodes: NodeLookup) -> Frontier:
        """Build the frontier of ``size`` from stored perfect nodes (a mapping or ``f(level, index)``)."""
        if isinstance(nodes, Mapping):
            return cls(size, [nodes[n] for n in frontier_nodes(size)])
        return cls(size, [nodes(level, index) for level, index in frontier_nodes(size)])

    @property
    def size(self) -> int:
        return self._size

    def nodes(self) -> list[tuple[int, int, bytes]]:
        """The frontier as ``(level, index, hash)``, largest first."""
        return [(lv, i, h) for (lv, i), h in zip(frontier_nodes(self._size), self._hashes, strict=True)]

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Append one leaf hash; return every perfect node it completes, the leaf itself (level 0) first."""
        if not isinstance(leaf_hash, bytes) or len(leaf_hash) != HASH_SIZE:
            raise ValueError("a leaf hash must be 32-byte bytes")
        index = self._size
        levels, hashes = self._levels, self._hashes
        completed = [(0, index, leaf_hash)]
        h, level = leaf_hash, 0
        # Adding one to the size carries through the trailing one bits: each carry merges two nodes.
        while levels and levels[-1] == level:
            levels.pop()
            h = sha256(_NODE_PREFIX + hashes.pop() + h).digest()
            level += 1
            index >>= 1
            completed.append((level, index, h))
        levels.append(level)
        hashes.append(h)
        self._size += 1
        return completed

    def extend(self, leaf_hashes: Iterable[bytes]) -> list[tuple[int, int, bytes]]:
        """Append many leaf hashes; return all nodes completed, in completion order."""
        out: list[tuple[int, int, bytes]] = []
        for lh in leaf_hashes:
            out.extend(self.append(lh))
        return out

    def root(self) -> bytes:
        """Root of the tree of :attr:`size` leaves (:data:`EMPTY_ROOT` when empty)."""
        hashes = self._hashes
        if not hashes:
            return EMPTY_ROOT
        acc = hashes[-1]
        for left in reversed(hashes[:-1]):
            acc = sha256(_NODE_PREFIX + left + acc).digest()
        return acc

    def copy(self) -> Frontier:
        other = Frontier.__new__(Frontier)
        other._size, other._levels, other._hashes = self._size, list(self._levels), list(self._hashes)
        return other


def new_nodes(old_size: int, leaf_hashes: Iterable[bytes], nodes: NodeLookup) -> list[tuple[int, int, bytes]]:
    """Every perfect node ``(level, index, hash)`` that appending ``leaf_hashes`` to a tree of ``old_size``
    completes, leaves included, in completion order. Reads only the ``frontier_nodes(old_size)``.

    A durable log calls this inside its append transaction and inserts the result; the last
    frontier's root is ``Frontier`` work, so call :class:`Frontier` directly when the root is needed too.
    """
    return Frontier.from_lookup(old_size, nodes).extend(leaf_hashes)


# --------------------------------------------------------------------------------------------------------
# In-memory tree


class MerkleTree:
    """An append-only Merkle tree held in memory as lists of perfect-node hashes.

    ``levels[l][i]`` is the perfect node ``(l, i)``; level 0 holds the leaf hashes. This is the same
    shape a durable log stores, so both answer proofs through the same plans. Memory is about two
    hashes per leaf.
    """

    __slots__ = ("_levels",)

    def __init__(self) -> None:
        self._levels: list[list[bytes]] = [[]]

    # -- growth ------------------------------------------------------------------------------------------

    def append(self, data: bytes) -> int:
        """Append one entry; return its leaf index."""
        return self.append_leaf_hash(sha256(_LEAF_PREFIX + data).digest())

    def append_leaf_hash(self, h: bytes) -> int:
        """Append a leaf whose hash the caller already computed; return its index."""
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise ValueError("a leaf hash must be 32-byte bytes")
        levels = self._levels
        leaves = levels[0]
        index = len(leaves)
        leaves.append(h)
        i, level = index, 0
        while i & 1:
            below = levels[level]
            level += 1
            if level == len(levels):
                levels.append([])
            h = sha256(_NODE_PREFIX + below[i - 1] + h).digest()
            levels[level].append(h)
            i >>= 1
        return index

    def extend(self, items: Iterable[bytes]) -> int:
        """Append many entries at once; return the new size. The fast path for bulk loads."""
        h = sha256
        prefix = _LEAF_PREFIX
        return self._extend_hashes([h(prefix + d).digest() for d in items])

    def extend_leaf_hashes(self, hashes: Iterable[bytes]) -> int:
        """Append many precomputed leaf hashes; return the new size."""
        hashes = list(hashes)
        for x in hashes:
            if not isinstance(x, bytes) or len(x) != HASH_SIZE:
                raise ValueError("a leaf hash must be 32-byte bytes")
        return self._extend_hashes(hashes)

    def _extend_hashes(self, hashes: list[bytes]) -> int:
        levels = self._levels
        levels[0].extend(hashes)
        h = sha256
        prefix = _NODE_PREFIX
        level = 0
        # Level by level: pair up the children not yet combined. Invariant: len(up) == len(below) // 2.
        while True:
            below = levels[level]
            if level + 1 == len(levels):
                if len(below) < 2:
                    break
                levels.append([])
            up = levels[level + 1]
            start = 2 * len(up)
            if len(below) - start < 2:
                break
            up.extend(
                [
                    h(prefix + a + b).digest()
                    for a, b in zip(below[start::2], below[start + 1 :: 2], strict=False)
                ]
            )
            level += 1
        return len(levels[0])

    # -- reading -----------------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def leaf_hash_at(self, index: int) -> bytes:
        """Hash of leaf ``index``."""
        if not 0 <= index < len(self._levels[0]):
            raise IndexError(f"no leaf {index} in a tree of size {self.size}")
        return self._levels[0][index]

    def node(self, level: int, index: int) -> bytes:
        """Hash of the perfect node ``(level, index)``; ``KeyError`` if it is not complete yet."""
        try:
            if level < 0 or index < 0:
                raise IndexError
            return self._levels[level][index]
        except IndexError:
            raise KeyError((level, index)) from None

    def nodes_at(self, level: int) -> Sequence[bytes]:
        """All perfect nodes of ``level`` (read-only view by convention; do not mutate)."""
        return self._levels[level] if level < len(self._levels) else []

    def frontier(self, size: int | None = None) -> Frontier:
        """The :class:`Frontier` of the tree at ``size`` (default: now)."""
        n = self._size_arg(size)
        return Frontier(n, [self._levels[lv][i] for lv, i in frontier_nodes(n)])

    def _size_arg(self, size: int | None) -> int:
        n = len(self._levels[0])
        if size is None:
            return n
        if type(size) is not int or not 0 <= size <= n:
            raise ProofError(f"size {size!r} is outside [0, {n}]")
        return size

    def _range_hash(self, start: int, end: int) -> bytes:
        levels = self._levels
        parts = perfect_subtrees(start, end)
        level, index = parts.pop()
        acc = levels[level][index]
        h = sha256
        prefix = _NODE_PREFIX
        while parts:
            level, index = parts.pop()
            acc = h(prefix + levels[level][index] + acc).digest()
        return acc

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the tree's first ``size`` leaves (default: all). Size 0 gives :data:`EMPTY_ROOT`."""
        n = self._size_arg(size)
        if n == 0:
            return EMPTY_ROOT
        return self._range_hash(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Inclusion proof of leaf ``index`` in the tree of ``size`` leaves; raises :class:`ProofError`.

        Fast path: perfect siblings are read straight from the level lists; only the one sibling that
        straddles the right edge (if any) is folded. Tested equal to the plan-based path.
        """
        n = self._size_arg(size)
        if type(index) is not int or not 0 <= index < n:
            raise ProofError(f"leaf index {index!r} is outside a tree of size {n}")
        levels = self._levels
        # Below level `inner` the leaf and the last leaf (n - 1) lie in different subtrees: full siblings,
        # except at level inner-1 where the right sibling may be cut by the edge of the tree.
        inner = (index ^ (n - 1)).bit_length()
        proof = [levels[level][(index >> level) ^ 1] for level in range(inner - 1)]
        if inner:
            level = inner - 1
            sibling = (index >> level) | 1
            start = sibling << level
            if start + (1 << level) <= n:
                proof.append(levels[level][sibling])
            else:
                proof.append(self._range_hash(start, n))
        # From `inner` up, the leaf is on the right edge: only left siblings exist, one per set bit.
        for level in range(inner, (n - 1).bit_length()):
            i = index >> level
            if i & 1:
                proof.append(levels[level][i - 1])
        return proof

    def inclusion_proof_planned(self, index: int, size: int | None = None) -> list[bytes]:
        """Same proof as :meth:`inclusion_proof`, through :func:`inclusion_plan` (the durable log's path)."""
        n = self._size_arg(size)
        return proof_from_nodes(inclusion_plan(index, n), self.node)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Consistency proof from ``old_size`` to ``new_size`` (default: now); raises :class:`ProofError`.

        ``old_size == 0`` is refused: a consistency proof from size 0 is not defined.
        """
        n = self._size_arg(new_size)
        if type(old_size) is not int:
            raise ProofError(f"old size must be an int, not {type(old_size).__name__}")
        # The shared plan; ranges are folded straight from the level lists (tested equal to
        # proof_from_nodes over only the needed nodes, the durable log's path).
        range_hash = self._range_hash
        return [range_hash(start, end) for start, end in consistency_plan(old_size, n)]
