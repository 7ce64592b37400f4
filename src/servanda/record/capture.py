"""Evidence files: a captured copy of a source, stored by its SHA-256 beside the database.

The file is copied into the captures folder first (under its own hash, atomically), and only then recorded,
so the log never names a file that is not there. Capturing the same bytes again is detected and changes
nothing.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from servanda.domain.records import Capture
from servanda.errors import InvalidInput, NotFound

from .bootstrap import RecordHandle
from .queries import get_record


@dataclass(frozen=True, slots=True)
class CaptureResult:
    capture: Capture
    path: Path
    duplicate: bool


def capture_path(captures_dir: Path, sha256: str) -> Path:
    return captures_dir / sha256[:2] / sha256


def hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def store_file(captures_dir: Path, source: Path, sha256: str) -> Path:
    """Copy ``source`` into the content-addressed folder (if not there yet) and return where it is."""
    target = capture_path(captures_dir, sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def capture_file(
    handle: RecordHandle, file: Path, source_id: str, author: str, *, media_type: str | None = None
) -> CaptureResult:
    if not file.is_file():
        raise InvalidInput(f"{file}: no such file")
    with handle.store.read() as connection:
        try:
            source, _ = get_record(connection, source_id)
        except NotFound:
            raise InvalidInput(f"--source {source_id!r} is not in the record: add the source first") from None
        if source.TYPE != "source":
            raise InvalidInput(f"--source {source_id!r} is a {source.TYPE}, not a source")
    sha256, size = hash_file(file)
    capture_id = f"sha256-{sha256}"
    with handle.store.read() as connection:
        try:
            existing, _ = get_record(connection, capture_id)
        except NotFound:
            existing = None
    stored = store_file(handle.settings.captures_dir, file, sha256)
    if isinstance(existing, Capture):
        return CaptureResult(existing, stored, duplicate=True)
    guessed = media_type or mimetypes.guess_type(file.name)[0]
    record = Capture(
        id=capture_id, source=source_id, sha256=sha256, size=size, media_type=guessed, filename=file.name
    )
    handle.service.put(record, author)
    return CaptureResult(record, stored, duplicate=False)
