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


def _plain(value: Any) -> bool:
    """True when ``value`` holds only the JSON types whose json.dumps form is already canonical."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) or item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            # RFC 8785 prints numbers as IEEE doubles: beyond 2**53 an int is not exactly representable.
            if abs(item) > 2**53 - 1:
                return False
            continue
        if isinstance(item, dict):
            for key in item:
                if not isinstance(key, str) or any(ord(ch) > 0xE000 for ch in key):
                    return False
            stack.extend(item.values())
            continue
        if isinstance(item, list | tuple):
            stack.extend(item)
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
