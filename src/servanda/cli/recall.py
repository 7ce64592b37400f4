"""Commands that recall: ``recall`` (what an actor said, and what happened next), ``contradictions``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from servanda.domain.vocabulary import StatementKind
from servanda.record.recall import Hit, RecallQuery, recall
from servanda.record.timeline import contradictions

from .common import console, handled, print_json, reading, shorten, state

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]


def _print_hit(hit: Hit, *, actor: str | None, show_history: bool) -> None:
    speaker = "" if actor is None or hit.actor_id == actor else f" [{hit.actor_name or hit.actor_id}]"
    verdict = f" — {hit.verdict}{' (disputed)' if hit.disputed else ''}" if hit.verdict else ""
    console.print(f"\n[bold]{hit.date}[/]{speaker} {hit.kind}{verdict}", markup=True)
    words = hit.snippet or shorten(hit.text_en or hit.text, 160)
    console.print(f"  {words}", markup=False)
    if hit.text_en and hit.language != "en" and not hit.snippet:
        console.print(f"  ({hit.language}) {shorten(hit.text, 160)}", markup=False, style="dim")
    console.print(f"  id {hit.id}", style="dim", markup=False)
    if not show_history:
        return
    for step in hit.history:
        disputed = " (disputed)" if step["disputed"] else ""
        console.print(
            f"  → {step['as_of']}: {step['verdict']}{disputed} — {shorten(step['rationale'], 120)}",
            markup=False,
        )
        for item in step["evidence"]:
            console.print(
                f"      {item.get('date') or '':<10} {item['type'] or '?'} {item['id']}: "
                f"{shorten(item.get('title'), 90)}",
                markup=False,
                style="dim",
            )


def recall_command(
    ctx: typer.Context,
    actor: Annotated[
        str, typer.Argument(metavar="ACTOR", help="The actor's id (ru, putin); 'all' for anyone.")
    ],
    text: Annotated[
        str | None,
        typer.Argument(
            help='Words to find, in any form and in English, Russian or Ukrainian; "quote" a phrase.'
        ),
    ] = None,
    ago: Annotated[
        str | None, typer.Option(help="What was said around then: 1w, 1m, 1y, 5y (also 10d, 3m, ...).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Said on or after this date (2014, 2014-03, 2014-03-18).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Said on or before this date.")] = None,
    kind: Annotated[StatementKind | None, typer.Option(help="commitment or assertion.")] = None,
    topic: Annotated[str | None, typer.Option(help="Only statements with this topic.")] = None,
    counterparty: Annotated[str | None, typer.Option(help="Only statements made to this actor.")] = None,
    verdict: Annotated[
        str | None, typer.Option(help="Only statements whose current verdict is this.")
    ] = None,
    own: Annotated[
        bool,
        typer.Option("--own", help="Only the actor's own statements, not its heads' and spokespeople's."),
    ] = False,
    limit: Annotated[int, typer.Option(help="At most this many statements.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """What an actor said — and those who spoke for it — and what happened since: verdicts and evidence."""
    cli = state(ctx)
    with handled():
        handle = cli.open()
        query = RecallQuery(
            actor=None if actor == "all" else actor,
            text=text,
            kind=kind.value if kind else None,
            topic=topic,
            counterparty=counterparty,
            verdict=verdict,
            since=since,
            until=until,
            ago=ago,
            spokespeople=not own,
            limit=limit,
        )
        with handle.store.read() as connection:
            if query.actor:
                from servanda.record.queries import get_record

                get_record(connection, query.actor)  # a clear "not found" rather than an empty answer
            result = recall(connection, query, with_history=True)
    if as_json:
        out: dict[str, Any] = {
            "actor": query.actor,
            "text": text,
            "window": result.window,
            "terms": result.query_terms,
            "statements": [hit.as_dict() for hit in result.hits],
        }
        print_json(out)
        return
    scope = f"{actor}" + ("" if own or actor == "all" else " and those who spoke for it")
    window = f", said between {result.window[0]} and {result.window[1]}" if result.window else ""
    found = f"{len(result.hits)} statement{'s' if len(result.hits) != 1 else ''}"
    console.print(
        f"[bold]{found}[/] by {scope}{window}" + (f' matching "{text}"' if text else ""), markup=True
    )
    for hit in result.hits:
        _print_hit(hit, actor=query.actor, show_history=True)


def contradictions_command(
    ctx: typer.Context,
    actor: Annotated[str, typer.Argument(metavar="ACTOR", help="The actor's id, e.g. ru or lavrov.")],
    as_json: JsonFlag = False,
) -> None:
    """The bubble report: an actor's assertions the record shows false or retracted, and its broken
    commitments — each beside the events, findings and admissions that contradict it."""
    with reading(ctx) as connection:
        from servanda.record.queries import get_record

        get_record(connection, actor)
        hits = contradictions(connection, actor)
    if as_json:
        print_json({"actor": actor, "contradictions": [hit.as_dict() for hit in hits]})
        return
    console.print(
        f"[bold]{len(hits)}[/] statements by {actor} (and those who spoke for it) that the record "
        "contradicts: what was said, and what the record shows",
        markup=True,
    )
    for hit in hits:
        _print_hit(hit, actor=actor, show_history=True)


def register(app: typer.Typer) -> None:
    app.command("recall")(recall_command)
    app.command("contradictions")(contradictions_command)
