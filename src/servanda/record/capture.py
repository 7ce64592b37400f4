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
from servanda.errors import BundleError, InvalidInput, NotFound, Problem

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


def export_files(captures_dir: Path, captures: list[Capture], folder: Path) -> list[str]:
    """Copy the captured files into ``folder/files/``; return the ids of captures whose file is missing."""
    missing = []
    for capture in captures:
        stored = capture_path(captures_dir, capture.sha256)
        if not stored.is_file():
            missing.append(capture.id)
            continue
        target = folder / "files" / capture.sha256
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stored, target)
    return missing


def import_files(captures_dir: Path, captures: list[Capture], bundle: Path) -> list[str]:
    """Store the files a bundle carries for its captures (checking each hash); return ids still without one.

    Runs before the records are written: files are content-addressed, so a file stored for an import that is
    then refused is harmless, while a record written without its file would not be.
    """
    folder = (bundle if bundle.is_dir() else bundle.parent) / "files"
    lacking = []
    problems = []
    for capture in captures:
        if capture_path(captures_dir, capture.sha256).is_file():
            continue
        carried = folder / capture.sha256
        if not carried.is_file():
            lacking.append(capture.id)
            continue
        digest, size = hash_file(carried)
        if digest != capture.sha256 or size != capture.size:
            problems.append(
                Problem(
                    f"the file does not match capture {capture.id} (its SHA-256 is {digest})",
                    f"files/{capture.sha256}",
                )
            )
            continue
        store_file(captures_dir, carried, digest)
    if problems:
        raise BundleError(problems)
    return lacking
