"""Commands that read and write the record: init, import, export, show, actors, statements, timeline, ..."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table
from sqlalchemy import Connection

from servanda.domain.records import Actor, Capture, Statement
from servanda.domain.vocabulary import ActorKind, StatementKind
from servanda.errors import ConfigError, InvalidInput
from servanda.record import queries
from servanda.record.bootstrap import open_record
from servanda.record.bundles import read_bundle, write_bundle
from servanda.record.capture import capture_file, export_files, import_files
from servanda.record.checkpoints import create_key
from servanda.record.claimreview import claim_reviews
from servanda.record.located import Located
from servanda.record.replay import decode_entries, rebuild_projection
from servanda.record.schema_doc import bundle_schema
from servanda.record.service import ApplyResult
from servanda.record.timeline import statement_timeline
from servanda.settings import Settings
from servanda.store.log_storage import SqlLogStorage

from .common import CliState, console, err_console, handled, print_json, progress_bar, reading, shorten, state

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]


def init(ctx: typer.Context) -> None:
    """Create the record (database, signing key, captures folder) where the settings say."""
    cli = state(ctx)
    with handled():
        handle = cli.open(create=True)
        settings = handle.settings
        settings.captures_dir.mkdir(parents=True, exist_ok=True)
        console.print(f"record:   {handle.store.describe()}")
        console.print(f"captures: {settings.captures_dir}")
        if settings.key_path.exists():
            console.print(f"key:      {settings.key_path} (kept)")
        else:
            verifier = create_key(settings)
            console.print(f"key:      {settings.key_path} (new, mode 0600)")
            console.print("verifier key (publish it):")
            typer.echo(verifier)


def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A bundle folder, or one .yaml/.json/.csv file.")],
    reason: Annotated[
        str | None, typer.Option(help="Why these records are added or changed (kept in the log).")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Run every check and report what would change; write nothing."),
    ] = False,
) -> None:
    """Import a bundle: all of it or nothing. Unchanged records append nothing; changed ones add history."""
    cli = state(ctx)
    with handled():
        items = read_bundle(path)
        if dry_run:
            result = _dry_run(cli, items, reason)
            console.print(
                f"{len(items)} records read and checked: {result.appended} entries would be appended, "
                f"{result.unchanged} records are already as given; nothing was written"
            )
            return
        handle = cli.open(create=True)
        captures = [item.record for item in items if isinstance(item.record, Capture)]
        lacking = import_files(cli.settings.captures_dir, captures, path)
        with progress_bar() as progress:
            result = handle.service.apply(items, cli.author, reason=reason, progress=progress)
        console.print(
            f"imported {path}: {result.appended} entries appended, "
            f"{result.unchanged} records already as given"
        )
        if lacking:
            err_console.print(
                f"note: {len(lacking)} captures have no file in the bundle "
                f"or in {cli.settings.captures_dir}: "
                + ", ".join(lacking[:5])
                + (" ..." if len(lacking) > 5 else "")
            )


def _dry_run(cli: CliState, items: list[Located], reason: str | None) -> ApplyResult:
    """Run the whole import and roll it back; against an empty throw-away record if there is none yet."""
    try:
        handle = cli.open()
    except ConfigError:
        with tempfile.TemporaryDirectory() as scratch:
            settings = Settings.load(home=scratch, environ={})
            empty = open_record(settings, create=True)
            try:
                return empty.service.apply(items, cli.author, reason=reason, dry_run=True)
            finally:
                empty.close()
    return handle.service.apply(items, cli.author, reason=reason, dry_run=True)


def export(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Folder to write the bundle to (or the JSON-LD file).")],
    claimreview: Annotated[
        bool,
        typer.Option("--claimreview", help="Write schema.org ClaimReview JSON-LD of assessed assertions."),
    ] = False,
) -> None:
    """Export the whole record as a bundle that imports back to the same state."""
    cli = state(ctx)
    with handled():
        handle = cli.open()
        with handle.store.read() as connection:
            if claimreview:
                reviews = claim_reviews(connection)
                text = json.dumps(reviews, ensure_ascii=False, indent=2) + "\n"
                if str(path) == "-":
                    typer.echo(text, nl=False)
                else:
                    path.write_text(text, encoding="utf-8")
                    console.print(f"wrote {len(reviews)} ClaimReview items to {path}")
                return
            records = queries.list_records(connection)
        if path.exists() and any(path.iterdir()):
            err_console.print(f"note: writing into {path}, which is not empty")
        counts = write_bundle(records, path)
        missing = export_files(
            cli.settings.captures_dir, [r for r in records if isinstance(r, Capture)], path
        )
        if missing:
            err_console.print(
                f"note: the files of {len(missing)} captures are not in this store's captures "
                f"folder and were not exported: {', '.join(missing[:5])}"
            )
        summary = ", ".join(f"{n} {section}" for section, n in counts.items()) or "nothing"
        console.print(f"exported {summary} to {path}")


def show(
    ctx: typer.Context,
    record_id: Annotated[
        str, typer.Argument(metavar="ID", help="Any record's id: putin, budapest-memorandum-1994, ...")
    ],
    history: Annotated[
        bool, typer.Option("--history", help="Also print every entry that set this record.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show one record as it stands now, what points at it, and (with --history) how it came to be."""
    with reading(ctx) as connection:
        record, seq = queries.get_record(connection, record_id)
        entries = queries.history(connection, record_id) if history else []
        verdicts = (
            [a.body() for a in queries.assessment_history(connection, record_id)]
            if isinstance(record, Statement)
            else []
        )
        linked = queries.referenced_by(connection, record_id)
    out: dict[str, Any] = {"type": record.TYPE, "seq": seq, "record": record.body()}
    if isinstance(record, Statement):
        out["assessments"] = verdicts
    out["referenced_by"] = [{"id": i, "type": t, "role": r} for i, t, r in linked]
    if history:
        out["history"] = [
            {
                "seq": e.seq,
                "recorded_at": e.recorded_at,
                "author": e.author,
                "reason": e.body.get("reason"),
                "record": e.body.get("record"),
            }
            for e in entries
        ]
    if as_json:
        print_json(out)
        return
    console.print(f"[bold]{record.TYPE} {record.id}[/] (set by log entry {seq})")
    console.print(
        yaml.safe_dump(record.body(), allow_unicode=True, sort_keys=False, width=110).rstrip(), markup=False
    )
    if isinstance(record, Statement):
        console.print("\n[bold]verdicts[/] (oldest first)")
        if not verdicts:
            console.print("  not yet assessed")
        for item in verdicts:
            disputed = f" — disputed by {', '.join(item['disputed_by'])}" if item.get("disputed") else ""
            console.print(f"  {item['as_of']}: {item['verdict']}{disputed} ({item['id']})", markup=False)
            console.print(f"    {shorten(item['rationale'], 100)}", markup=False)
    if linked:
        console.print("\n[bold]referenced by[/]")
        for other, rtype, role in linked:
            console.print(f"  {rtype} {other} ({role})", markup=False)
    if history:
        console.print("\n[bold]history[/]")
        previous: dict[str, Any] = {}
        for entry in entries:
            body = entry.body.get("record", {})
            changed = sorted(k for k in set(body) | set(previous) if body.get(k) != previous.get(k))
            reason = f" — {entry.body['reason']}" if entry.body.get("reason") else ""
            what = "created" if not previous else "changed " + ", ".join(changed)
            console.print(
                f"  #{entry.seq} {entry.recorded_at} by {entry.author}: {what}{reason}", markup=False
            )
            previous = body


def actors(
    ctx: typer.Context,
    kind: Annotated[ActorKind | None, typer.Option(help="Only actors of this kind.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the actors in the record with how many statements each made."""
    with reading(ctx) as connection:
        rows = queries.list_actors(connection, kind.value if kind else None)
    if as_json:
        print_json(rows)
        return
    table = Table("id", "kind", "name", "statements", title=f"{len(rows)} actors")
    for row in rows:
        table.add_row(row["id"], row["kind"], row["name"], str(row["statements"]))
    console.print(table)


def statements(
    ctx: typer.Context,
    actor: Annotated[str | None, typer.Option(help="Only statements made by this actor (its id).")] = None,
    kind: Annotated[StatementKind | None, typer.Option(help="commitment or assertion.")] = None,
    verdict: Annotated[
        str | None, typer.Option(help="Only statements whose current verdict is this.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Made on or after this date (2014, 2014-03, 2014-03-18).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Made on or before this date.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many, newest first.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List statements with their current verdicts, newest first."""
    with reading(ctx) as connection:
        rows = queries.list_statements(
            connection,
            actor=actor,
            kind=kind.value if kind else None,
            verdict=verdict,
            since=since,
            until=until,
            limit=limit,
        )
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} statements")
    table.add_column("date", no_wrap=True)
    table.add_column("actor", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("id", overflow="fold")
    table.add_column("what was said", ratio=1, min_width=32)
    for row in rows:
        verdict_text = (row["verdict"] or "—") + (" (disputed)" if row["disputed"] else "")
        table.add_row(
            row["date_text"],
            row["actor_id"],
            verdict_text,
            row["id"],
            shorten(row["text_en"] or row["text"], 90),
        )
    console.print(table)


def timeline(
    ctx: typer.Context,
    actor: Annotated[
        str,
        typer.Argument(metavar="ID", help="An actor's id (ru, putin), or a statement's id for its timeline."),
    ],
    as_json: JsonFlag = False,
) -> None:
    """An actor's record in time — what it and those who spoke for it said, and every verdict since — or
    one statement's: said, each verdict, and the events and later statements that bear on it."""
    with reading(ctx) as connection:
        who, _ = queries.get_record(connection, actor)
        if isinstance(who, Statement):
            _statement_timeline(connection, actor, as_json)
            return
        if not isinstance(who, Actor):
            raise InvalidInput(f"{actor!r} is {who.TYPE}, not an actor or a statement")
        rows = queries.statements_for_actor(connection, actor)
        for row in rows:
            row["assessments"] = [
                {
                    "as_of": str(a.as_of),
                    "verdict": a.verdict,
                    "disputed": a.disputed,
                    "disputed_by": a.disputed_by,
                    "id": a.id,
                }
                for a in queries.assessment_history(connection, row["id"])
            ]
    if as_json:
        print_json({"actor": who.body(), "statements": rows})
        return
    console.print(f"[bold]{who.name}[/] ({who.id}, {who.kind.value}): {len(rows)} statements", markup=True)
    for row in rows:
        speaker = "" if row["actor_id"] == actor else f" [{row['actor_name'] or row['actor_id']}]"
        console.print(
            f"\n[bold]{row['date_text']}[/]{speaker} {row['kind']}: "
            f"{shorten(row['text_en'] or row['text'], 100)}",
            markup=True,
            highlight=False,
        )
        console.print(f"  id {row['id']}", style="dim", markup=False)
        for item in row["assessments"]:
            disputed = f" (disputed by {', '.join(item['disputed_by'])})" if item["disputed"] else ""
            console.print(f"  → {item['as_of']}: {item['verdict']}{disputed}", markup=False)
        if not row["assessments"]:
            console.print("  → not yet assessed", style="dim", markup=False)


def _statement_timeline(connection: Connection, statement_id: str, as_json: bool) -> None:
    statement, items = statement_timeline(connection, statement_id)
    if as_json:
        print_json(
            {
                "statement": statement.body(),
                "timeline": [
                    {"date": i.date, "kind": i.kind, "id": i.id, "text": i.text, "detail": i.detail}
                    for i in items
                ],
            }
        )
        return
    console.print(f"[bold]{statement.id}[/]: {statement.actor}, {statement.date}", markup=True)
    for item in items:
        label = item.kind
        if item.kind == "verdict":
            label = f"verdict: {item.detail['verdict']}"
        elif item.kind == "statement":
            label = f"said by {item.detail.get('actor')}"
        console.print(f"  {item.date or '?':<12} {label:<22} {shorten(item.text, 90)}", markup=False)
        console.print(f"  {'':<12} {'':<22} id {item.id}", style="dim", markup=False)


def overview(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """How much the record holds: records by type, verdicts, the log and its latest checkpoint."""
    cli = state(ctx)
    with handled():
        handle = cli.open()
        with handle.store.read() as connection:
            info = queries.overview(connection)
        info["store"] = handle.store.describe()
    if as_json:
        print_json(info)
        return
    console.print(f"[bold]servanda record[/] at {info['store']}")
    table = Table("records", "count")
    for name, count in info["records"].items():
        table.add_row(name, str(count))
    console.print(table)
    if info["verdicts"]:
        console.print("current verdicts: " + ", ".join(f"{k} {v}" for k, v in info["verdicts"].items()))
    checkpoint = info["latest_checkpoint"]
    signed = (
        f"latest signed checkpoint at size {checkpoint['size']}" if checkpoint else "no checkpoint signed yet"
    )
    console.print(f"log: {info['log_size']} entries; {signed}")


def capture(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to keep: a PDF, a page, a screenshot, a video.")],
    source: Annotated[str, typer.Option("--source", help="Id of the source this file is a copy of.")],
    media_type: Annotated[
        str | None, typer.Option(help="MIME type, if the file name does not tell it.")
    ] = None,
) -> None:
    """Store a file by its SHA-256 beside the database and record its hash in the log."""
    cli = state(ctx)
    with handled():
        handle = cli.open()
        result = capture_file(handle, file, source, cli.author, media_type=media_type)
    if result.duplicate:
        console.print(
            f"already captured as {result.capture.id} (source {result.capture.source}); nothing added"
        )
    else:
        console.print(
            f"captured {file} as {result.capture.id} ({result.capture.size} bytes) at {result.path}"
        )


def rebuild(ctx: typer.Context) -> None:
    """Drop the SQL projection and rebuild it from the log."""
    cli = state(ctx)
    with handled():
        handle = cli.open()
        with handle.store.write() as connection:
            count = rebuild_projection(
                connection, decode_entries(SqlLogStorage(connection).iter_entry_data())
            )
    console.print(f"rebuilt the projection of {count} records from the log")


def schema(
    ctx: typer.Context,
    section: Annotated[
        str | None, typer.Argument(help="Only this section's record schema (e.g. statements).")
    ] = None,
) -> None:
    """Print the JSON Schema of bundle files."""
    document = bundle_schema()
    if section:
        definitions = document["$defs"]
        name = {v["title"].lower() + "s": k for k, v in definitions.items() if "title" in v}.get(section)
        if name is None:
            from .common import fail

            fail(f"no section {section!r}; sections: {', '.join(sorted(document['properties']))}", 2)
        document = {"$defs": definitions, "$ref": f"#/$defs/{name}"}
    print_json(document)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command("import")(import_)
    app.command()(export)
    app.command()(show)
    app.command()(actors)
    app.command()(statements)
    app.command()(timeline)
    app.command()(overview)
    app.command()(capture)
    app.command()(rebuild)
    app.command()(schema)
