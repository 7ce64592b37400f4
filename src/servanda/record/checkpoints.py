"""Signing the log: the key that signs checkpoints, and the checkpoints themselves.

A checkpoint is a C2SP ``tlog-checkpoint`` (origin, size, root) in a C2SP ``signed-note``, so anyone holding
the verifier key — with this program or with Go's ``sumdb/note`` — can check what the log's root was at a
size, and that a later log still contains it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servanda.errors import ConfigError
from servanda.ledger.log import Log, StoredCheckpoint
from servanda.ledger.note import (
    NoteError,
    Signer,
    Verifier,
    format_checkpoint,
    generate_signer_key,
    open_note,
    sign_note,
    verifier_key_from_signer_key,
    write_private_key,
)
from servanda.settings import Settings
from servanda.store.database import Store
from servanda.store.log_storage import SqlLogStorage

from .service import now_utc


def key_name(origin: str) -> str:
    """A signed-note key name may not hold spaces or '+'; the origin usually qualifies as it is."""
    return "".join("-" if ch.isspace() or ch == "+" else ch for ch in origin)


def create_key(settings: Settings, *, force: bool = False) -> str:
    """Write a new private key (mode 0600) and return its verifier key."""
    path = settings.key_path
    if path.exists() and not force:
        raise ConfigError(
            f"{path} already holds a key; use --force to replace it (old checkpoints will then "
            "need the old verifier key)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    skey = generate_signer_key(key_name(settings.origin))
    try:
        write_private_key(path, skey, force=force)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot write the key to {path}: {exc}") from exc
    return verifier_key_from_signer_key(skey)


def load_signer(key_path: Path) -> Signer:
    try:
        text = key_path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"no signing key at {key_path}: run 'servanda log keygen' first") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the signing key {key_path}: {exc}") from exc
    try:
        return Signer.from_key(text)
    except NoteError as exc:
        raise ConfigError(f"{key_path} does not hold a signer key: {exc}") from exc


def local_verifier(settings: Settings) -> Verifier | None:
    """The verifier of this installation's own key, when the key file is there."""
    if not settings.key_path.exists():
        return None
    return Verifier.from_key(load_signer(settings.key_path).verifier_key())


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    stored: StoredCheckpoint
    root: bytes

    @property
    def note(self) -> str:
        return self.stored.note


def sign_checkpoint(store: Store, settings: Settings, *, force: bool = False) -> SignedCheckpoint:
    """Sign the log's current size and root, store the note, and return it.

    When the latest checkpoint already covers the current size and was signed by this key, it is returned
    instead of signing the same thing again (unless ``force``).
    """
    signer = load_signer(settings.key_path)
    with store.write() as connection:
        storage = SqlLogStorage(connection)
        log = Log(storage)
        size = log.size
        root = log.root(size)
        previous = storage.checkpoints()
        if previous and not force and previous[-1].size == size:
            try:
                open_note(previous[-1].note, [Verifier.from_key(signer.verifier_key())])
                return SignedCheckpoint(previous[-1], root)
            except NoteError:
                pass  # signed by another key: sign anew with this one
        note = sign_note(format_checkpoint(settings.origin, size, root), signer)
        created = now_utc()
        checkpoint_id = storage.store_checkpoint(size, note, created)
    return SignedCheckpoint(StoredCheckpoint(checkpoint_id, size, note, created), root)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def inclusion_proof_document(log: Log, seq: int, size: int) -> dict[str, Any]:
    """Entry ``seq`` and its RFC 6962 inclusion proof in the log of ``size``, as JSON data with base64 hashes:
    what ``servanda log proof inclusion`` prints and the web offers for download."""
    entry = log.entry(seq)
    return {
        "leaf_index": seq,
        "tree_size": size,
        "leaf_hash": b64(entry.leaf_hash),
        "root": b64(log.root(size)),
        "proof": [b64(node) for node in log.inclusion_proof(seq, size)],
        "entry": entry.data.decode("utf-8"),
    }
