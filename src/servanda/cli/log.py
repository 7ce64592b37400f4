"""``servanda log``: the signing key, checkpoints, proofs, and verification of the whole record."""

from __future__ import annotations

from typing import Annotated

import typer

from servanda.errors import InvalidInput
from servanda.ledger.log import Log
from servanda.ledger.merkle import ProofError
from servanda.ledger.note import NoteError, Verifier
from servanda.record.checkpoints import (
    b64,
    create_key,
    inclusion_proof_document,
    local_verifier,
    sign_checkpoint,
)
from servanda.record.integrity import verify
from servanda.store.log_storage import SqlLogStorage
from servanda.store.search_index import check_search_index

from .common import EXIT_FAILED, console, err_console, handled, print_json, progress_bar, reading, state

app = typer.Typer(
    help="The append-only log: signing key, checkpoints, proofs and verification.", no_args_is_help=True
)
proof_app = typer.Typer(
    help="Inclusion and consistency proofs, as JSON with base64 hashes (RFC 9162).", no_args_is_help=True
)
app.add_typer(proof_app, name="proof")


@app.command()
def keygen(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing key.")] = False,
) -> None:
    """Create the Ed25519 key that signs checkpoints (mode 0600) and print its verifier key."""
    cli = state(ctx)
    with handled():
        verifier = create_key(cli.settings, force=force)
    err_console.print(f"wrote {cli.settings.key_path} (keep it secret); the verifier key is:")
    typer.echo(verifier)


@app.command()
def checkpoint(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Sign again even if the size has not changed.")
    ] = False,
) -> None:
    """Sign and store a checkpoint of the log at its current size; print the signed note."""
    cli = state(ctx)
    with handled():
        handle = cli.open()
        signed = sign_checkpoint(handle.store, cli.settings, force=force)
    typer.echo(signed.note, nl=False)


@app.command()
def entries(
    ctx: typer.Context,
    start: Annotated[int, typer.Option(help="First entry to print.")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many entries.")] = 20,
) -> None:
    """Print entries of the log as their canonical JSON, one a line (what the Merkle leaves hash)."""
    with reading(ctx) as connection:
        for count, (_seq, data) in enumerate(SqlLogStorage(connection).iter_entry_data(start)):
            if count >= limit:
                break
            typer.echo(data.decode("utf-8"))


@proof_app.command("inclusion")
def proof_inclusion(
    ctx: typer.Context,
    seq: Annotated[int, typer.Argument(help="The entry's sequence number.")],
    size: Annotated[int | None, typer.Option(help="Size of the log to prove against (default: now).")] = None,
) -> None:
    """Prove that entry SEQ is in the log of size N."""
    with reading(ctx) as connection:
        log = Log(SqlLogStorage(connection))
        try:
            document = inclusion_proof_document(log, seq, size if size is not None else log.size)
        except (ProofError, LookupError) as exc:
            raise InvalidInput(str(exc).strip("'\"")) from exc
    print_json(document)


@proof_app.command("consistency")
def proof_consistency(
    ctx: typer.Context,
    old: Annotated[int, typer.Argument(help="The earlier size (at least 1).")],
    new: Annotated[int, typer.Argument(help="The later size.")],
) -> None:
    """Prove that the log of size OLD is a prefix of the log of size NEW."""
    with reading(ctx) as connection:
        log = Log(SqlLogStorage(connection))
        try:
            proof = log.consistency_proof(old, new)
            old_root, new_root = log.root(old), log.root(new)
        except ProofError as exc:
            raise InvalidInput(str(exc)) from exc
    print_json(
        {
            "old_size": old,
            "new_size": new,
            "old_root": b64(old_root),
            "new_root": b64(new_root),
            "proof": [b64(h) for h in proof],
        }
    )


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    key: Annotated[
        list[str] | None,
        typer.Option(
            "--key", help="Verifier key(s) to check checkpoints with (default: this record's own key)."
        ),
    ] = None,
    projection: Annotated[
        bool, typer.Option(help="Also check that every SQL table is what the log implies.")
    ] = True,
) -> None:
    """Recompute everything from the stored entries: exit 0 if all holds, 1 naming what does not."""
    cli = state(ctx)
    with handled():
        verifiers: list[Verifier] = []
        for text in key or []:
            try:
                verifiers.append(Verifier.from_key(text))
            except NoteError as exc:
                raise InvalidInput(f"--key: {exc}") from exc
        if not verifiers:
            own = local_verifier(cli.settings)
            if own is not None:
                verifiers.append(own)
        handle = cli.open()
        with handle.store.read() as connection, progress_bar() as progress:
            report = verify(
                connection,
                SqlLogStorage(connection),
                verifiers,
                check_projection=projection,
                progress=progress,
            )
        if report.ok and projection:
            with handle.store.write() as connection:
                problem = check_search_index(connection)
            if problem:
                report.problems.append(problem)
    if not report.ok:
        for problem in report.problems:
            err_console.print(f"[bold red]FAILED:[/] {problem}", markup=True, soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    checked = f"{report.entries} entries, {report.nodes} node hashes, {report.checkpoints} checkpoints"
    if projection:
        checked += f", projection of {report.records} records"
    console.print(f"OK: {checked} verify")
