"""RFC 8785 (JSON Canonicalization Scheme) for log entries.

Entries are hashed into the Merkle tree as canonical JSON, so two programs that agree on an entry agree on its
bytes. For data without floating-point numbers, RFC 8785 is exactly what ``json.dumps`` produces with sorted
keys, no whitespace and no ASCII escaping (same string escapes, integers printed in full) — as long as keys
sort the same by UTF-16 code units as by code points, which holds unless a key mixes characters above U+FFFF
with ones in U+E000..U+FFFF. That path is many times faster than a general implementation and is the hot path
of every import, so it is used when it is provably equal; everything else goes to the ``rfc8785`` package.
A property test holds the two to the same output.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

_encode = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, check_circular=False
).encode


_SAFE_KEYS: set[str] = set()  # keys already seen to sort the same by code point and by UTF-16 unit


def _safe_key(key: object) -> bool:
    if key in _SAFE_KEYS:
        return True
    if not isinstance(key, str):
        return False
    if key.isascii() or all(ord(ch) < 0xE000 for ch in key):
        if len(_SAFE_KEYS) < 4096:  # field names repeat; free text as keys should not grow this forever
            _SAFE_KEYS.add(key)
        return True
    return False


def _plain(value: Any) -> bool:
    """True when ``value`` holds only the JSON types whose json.dumps form is already canonical."""
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int:
            # RFC 8785 prints numbers as IEEE doubles: beyond 2**53 an int is not exactly representable.
            if -(2**53 - 1) <= item <= 2**53 - 1:
                continue
            return False
        if kind is dict:
            for key in item:
                if not _safe_key(key):
                    return False
            push(item.values())
            continue
        if kind is list or kind is tuple:
            push(item)
            continue
        return False
    return True


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value."""
    if _plain(value):
        try:
            return _encode(value).encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate: not valid Unicode text
            raise ValueError("text contains an invalid Unicode character (a lone surrogate)") from exc
    return rfc8785.dumps(value)
