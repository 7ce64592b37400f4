"""C2SP ``signed-note`` and ``tlog-checkpoint`` with Ed25519, compatible with Go's sumdb ``note`` package.

Why this format: a checkpoint signed this way can be verified by tools outside this project (Go's
``golang.org/x/mod/sumdb/note``, transparency-dev witnesses) with nothing but our verifier key.

Keys are text:

- signer key:   ``PRIVATE+KEY+<name>+<keyid hex8>+<base64(0x01 ‖ 32-byte seed)>``
- verifier key: ``<name>+<keyid hex8>+<base64(0x01 ‖ 32-byte public key)>``
- key id:       first 4 bytes (big-endian) of ``SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)``

A signed note is the text (ending in a newline), a blank line, then one line per signature:
``— <name> <base64(keyid ‖ signature)>`` (an em dash, U+2014). The signature covers the text only.

Every malformed note, key or checkpoint raises :class:`NoteError` (a ``ValueError``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "Checkpoint",
    "Note",
    "NoteError",
    "Signature",
    "Signer",
    "Verifier",
    "format_checkpoint",
    "generate_signer_key",
    "key_id",
    "open_note",
    "parse_checkpoint",
    "sign_note",
    "verifier_key_from_signer_key",
    "write_private_key",
]

_ALG_ED25519 = 0x01
_SIG_PREFIX = "— "  # em dash, space
_PRIVATE_PREFIX = "PRIVATE+KEY+"
_MAX_SIGNATURES = 100  # as Go: bounds the work an untrusted note can ask for
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_MAX_TREE_SIZE = (1 << 64) - 1


class NoteError(ValueError):
    """A note, key or checkpoint is malformed, unsigned by a known key, or badly signed."""


# -- helpers ---------------------------------------------------------------------------------------------


def _is_valid_name(name: str) -> bool:
    """Key names: non-empty, no Unicode white space, no '+' (it separates key fields)."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def _b64decode(text: str, what: str) -> bytes:
    """Strict standard base64: padded, alphabet only, and canonical (re-encodes to the same text)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def key_id(name: str, public_key: bytes) -> int:
    """The 32-bit key id of an Ed25519 key: SHA-256(name ‖ "\\n" ‖ 0x01 ‖ key), first 4 bytes, big-endian."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([_ALG_ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _check_text(text: str) -> None:
    """Note text rules (as Go): ends in a newline; no control characters except newline."""
    if not isinstance(text, str):
        raise NoteError("note text must be a str")
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(c < " " and c != "\n" for c in text):
        raise NoteError("note text must not contain control characters other than newline")


# -- keys ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signer:
    """An Ed25519 signing key with its note name and key id."""

    name: str
    key_id: int
    _private: Ed25519PrivateKey

    @classmethod
    def from_key(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+<name>+<keyid>+<base64(0x01 ‖ seed)>``; the key id must match the key."""
        if not isinstance(skey, str) or not skey.startswith(_PRIVATE_PREFIX):
            raise NoteError("signer key must start with PRIVATE+KEY+")
        parts = skey[len(_PRIVATE_PREFIX) :].split("+", 2)  # base64 may itself contain "+"
        if len(parts) != 3:
            raise NoteError("signer key must have the form PRIVATE+KEY+<name>+<keyid>+<key>")
        name, hex_id, b64 = parts
        if not _is_valid_name(name) or not _HEX8.fullmatch(hex_id):
            raise NoteError("signer key has an invalid name or key id")
        raw = _b64decode(b64, "signer key")
        if len(raw) != 33 or raw[0] != _ALG_ED25519:
            raise NoteError("signer key is not an Ed25519 key (0x01 followed by a 32-byte seed)")
        private = Ed25519PrivateKey.from_private_bytes(raw[1:])
        kid = key_id(name, private.public_key().public_bytes_raw())
        if kid != int(hex_id, 16):
            raise NoteError("signer key id does not match the key")
        return cls(name, kid, private)

    def public_key(self) -> bytes:
        return self.private_key().public_key().public_bytes_raw()

    def private_key(self) -> Ed25519PrivateKey:
        return self._private

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def verifier_key(self) -> str:
        """The verifier key to publish for this signer."""
        return _format_verifier_key(self.name, self.key_id, self.public_key())

    def __repr__(self) -> str:  # never show the private key, even by accident in a log line
        return f"Signer(name={self.name!r}, key_id={self.key_id:08x})"


@dataclass(frozen=True, slots=True)
class Verifier:
    """An Ed25519 public key with its note name and key id."""

    name: str
    key_id: int
    public_key: bytes

    @classmethod
    def from_key(cls, vkey: str) -> Verifier:
        """Parse ``<name>+<keyid>+<base64(0x01 ‖ public key)>``; the key id must match the key."""
        if not isinstance(vkey, str):
            raise NoteError("verifier key must be a str")
        parts = vkey.split("+", 2)  # base64 may itself contain "+"
        if len(parts) != 3:
            raise NoteError("verifier key must have the form <name>+<keyid>+<key>")
        name, hex_id, b64 = parts
        if not _is_valid_name(name) or not _HEX8.fullmatch(hex_id):
            raise NoteError("verifier key has an invalid name or key id")
        raw = _b64decode(b64, "verifier key")
        if len(raw) != 33 or raw[0] != _ALG_ED25519:
            raise NoteError("verifier key is not an Ed25519 key (0x01 followed by a 32-byte key)")
        kid = key_id(name, raw[1:])
        if kid != int(hex_id, 16):
            raise NoteError("verifier key id does not match the key")
        return cls(name, kid, raw[1:])

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def key(self) -> str:
        return _format_verifier_key(self.name, self.key_id, self.public_key)


def _format_verifier_key(name: str, kid: int, public_key: bytes) -> str:
    return f"{name}+{kid:08x}+{base64.b64encode(bytes([_ALG_ED25519]) + public_key).decode('ascii')}"


def generate_signer_key(name: str) -> str:
    """A new random Ed25519 signer key for ``name`` (keep it secret; see :func:`write_private_key`)."""
    if not isinstance(name, str) or not _is_valid_name(name):
        raise NoteError("key name must be non-empty, without spaces or '+'")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    kid = key_id(name, private.public_key().public_bytes_raw())
    encoded = base64.b64encode(bytes([_ALG_ED25519]) + seed).decode("ascii")
    return f"{_PRIVATE_PREFIX}{name}+{kid:08x}+{encoded}"


def verifier_key_from_signer_key(skey: str) -> str:
    """The public verifier key that goes with ``skey``."""
    return Signer.from_key(skey).verifier_key()


def write_private_key(path: str | os.PathLike[str], skey: str, *, force: bool = False) -> None:
    """Write ``skey`` to ``path`` readable by the owner only (0600), never briefly wider.

    ``O_CREAT | O_EXCL`` creates the file with its final mode in one step, so no other user can open it
    in between, and refuses to clobber an existing key unless ``force`` (then the old file is removed
    first, and the new one is again created exclusively).
    """
    Signer.from_key(skey)  # never write something that is not a usable key
    if force:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise FileExistsError(f"{os.fspath(path)} already exists; pass force=True to replace it") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), 0o600)  # umask can only narrow the mode, but be exact anyway
        f.write(skey + "\n")
        f.flush()
        os.fsync(f.fileno())


# -- notes -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: who signed (name, key id) and the base64 of ``keyid ‖ signature``."""

    name: str
    key_id: int
    base64: str


@dataclass(frozen=True, slots=True)
class Note:
    """An opened note: its text, the signatures verified by known keys, and those from unknown keys."""

    text: str
    sigs: tuple[Signature, ...]
    unverified_sigs: tuple[Signature, ...] = ()


def sign_note(text: str, signer: Signer | Sequence[Signer]) -> str:
    """Sign ``text`` (which must end in a newline) with one or more signers; return the full note."""
    _check_text(text)
    signers = [signer] if isinstance(signer, Signer) else list(signer)
    if not signers:
        raise NoteError("at least one signer is needed")
    message = text.encode("utf-8")
    seen: set[tuple[str, int]] = set()
    lines = []
    for s in signers:
        if (s.name, s.key_id) in seen:
            raise NoteError(f"duplicate signer {s.name}")
        seen.add((s.name, s.key_id))
        blob = s.key_id.to_bytes(4, "big") + s.sign(message)
        lines.append(f"{_SIG_PREFIX}{s.name} {base64.b64encode(blob).decode('ascii')}\n")
    return text + "\n" + "".join(lines)


def open_note(note: str | bytes, verifiers: Iterable[Verifier]) -> Note:
    """Parse ``note`` and verify the signatures of known keys.

    Raises :class:`NoteError` if the note is malformed, if a known key's signature does not verify,
    or if no signature is from a known key. Signatures from unknown keys are returned, unverified.
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("note is not valid UTF-8") from None
    if not isinstance(note, str):
        raise NoteError("note must be str or bytes")
    if any(c < " " and c != "\n" for c in note):
        raise NoteError("malformed note: control characters other than newline")
    # Signature lines never contain a blank line, so the last one separates text from signatures.
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("malformed note: no signature lines, or no final newline")
    known: dict[tuple[str, int], Verifier] = {}
    for v in verifiers:
        known[(v.name, v.key_id)] = v
    message = text.encode("utf-8")
    sigs: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    lines = block[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {_MAX_SIGNATURES} signatures")
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("malformed note: a signature line must start with '— '")
        name, sep, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep or not b64 or not _is_valid_name(name):
            raise NoteError("malformed note: a signature line must be '— <name> <base64>'")
        blob = _b64decode(b64, "signature")
        if len(blob) < 5:
            raise NoteError("malformed note: signature too short")
        kid = int.from_bytes(blob[:4], "big")
        sig = Signature(name, kid, b64)
        verifier = known.get((name, kid))
        if verifier is None:
            if sig not in unverified:
                unverified.append(sig)
            continue
        if (name, kid) in seen:
            continue  # as Go: only the first signature line of a key counts
        seen.add((name, kid))
        if not verifier.verify(message, blob[4:]):
            raise NoteError(f"invalid signature by {name}+{kid:08x}")
        sigs.append(sig)
    if not sigs:
        names = ", ".join(f"{s.name}+{s.key_id:08x}" for s in unverified) or "none"
        raise NoteError(f"note has no signature from a known key (signed by: {names})")
    return Note(text, tuple(sigs), tuple(unverified))


# -- checkpoints -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A C2SP tlog-checkpoint body: the log's origin, its size, its root hash, and extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def format_checkpoint(origin: str, size: int, root: bytes, extensions: Iterable[str] = ()) -> str:
    """``origin\\nsize\\nbase64(root)\\n`` followed by extension lines: the text to sign."""
    ext = tuple(extensions)
    if type(size) is not int or not isinstance(origin, str) or not isinstance(root, bytes):
        raise NoteError("checkpoint needs a str origin, an int size and a bytes root")
    text = f"{origin}\n{size}\n{base64.b64encode(root).decode('ascii')}\n"
    text += "".join(e + "\n" for e in ext)
    # Formatting must never produce what parsing refuses: check with the same rules.
    parsed = parse_checkpoint(text)
    if (parsed.origin, parsed.size, parsed.root, parsed.extensions) != (origin, size, root, ext):
        raise NoteError("checkpoint fields do not round-trip")
    return text


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body strictly: origin, decimal size without leading zeros, 32-byte root."""
    if not isinstance(text, str):
        raise NoteError("checkpoint must be a str")
    _check_text(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("checkpoint needs an origin, a size and a root hash line")
    origin, size_line, root_line, *extensions = lines
    if not origin or origin != origin.strip():
        raise NoteError("checkpoint origin must be a non-empty line without surrounding spaces")
    if not _DECIMAL.fullmatch(size_line):
        raise NoteError("checkpoint size must be a decimal number without sign or leading zeros")
    size = int(size_line)
    if size > _MAX_TREE_SIZE:
        raise NoteError("checkpoint size does not fit in 64 bits")
    root = _b64decode(root_line, "checkpoint root hash")
    if len(root) != 32:
        raise NoteError(f"checkpoint root hash must be 32 bytes, not {len(root)}")
    if any(not e for e in extensions):
        raise NoteError("checkpoint extension lines must not be empty")
    return Checkpoint(origin, size, root, tuple(extensions))
