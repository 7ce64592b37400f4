"""``servanda serve``: the web pages, their JSON twins and the API, over the record."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from .common import console, handled, state


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0 for every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (default: one per CPU core, at most 4).", min=0)
    ] = 0,
    proxy_headers: Annotated[
        bool, typer.Option(help="Trust X-Forwarded-For/-Proto from a reverse proxy on this machine.")
    ] = False,
) -> None:
    """Serve the record on the web: pages for readers, forms for editors and reviewers, and a JSON API
    (described at /api/docs). Stop it with Ctrl-C."""
    import uvicorn

    cli = state(ctx)
    from servanda.web.context import cache_entries

    with handled():
        cache_entries()  # a bad SERVANDA_WEB_CACHE is said here, not as a traceback from each worker
        cli.open(create=True).close()  # create or migrate once, before any worker starts
    # Workers are separate processes that read their settings from the environment, as the CLI does.
    os.environ["SERVANDA_HOME"] = str(cli.settings.home)
    os.environ["SERVANDA_DB"] = cli.settings.db_url
    count = workers or min(4, os.cpu_count() or 1)
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    console.print(
        f"serving {cli.settings.db_url} at http://{shown}:{port}/ with {count} worker(s); Ctrl-C stops"
    )
    uvicorn.run(
        "servanda.web.asgi:app",
        host=host,
        port=port,
        workers=count,
        proxy_headers=proxy_headers,
        forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
        log_level="warning",
        access_log=False,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
