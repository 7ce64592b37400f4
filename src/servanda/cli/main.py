"""``servanda``: the command line. Global options pick the record; each command group lives in a module."""

from __future__ import annotations

from typing import Annotated

import typer

from servanda import __version__
from servanda.settings import Settings

from . import analysis as analysis_commands
from . import assess as assess_commands
from . import importers as importer_commands
from . import log as log_commands
from . import recall as recall_commands
from . import records as record_commands
from . import serve as serve_commands
from . import users as user_commands
from .common import CliState

app = typer.Typer(
    name="servanda",
    help=(
        "servanda keeps a verifiable public record of what political actors promised and asserted, "
        "what they did, and what their word is therefore worth."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"servanda {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(help="Database: a SQLite file path or a postgresql:// URL (env SERVANDA_DB)."),
    ] = None,
    home: Annotated[
        str | None,
        typer.Option(
            help="Folder for the default database, key and captures (env SERVANDA_HOME; "
            "default ./servanda-data)."
        ),
    ] = None,
    author: Annotated[
        str | None, typer.Option(help="Who is writing, as recorded in the log (env SERVANDA_AUTHOR).")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Global options; they apply to every command."""
    settings = Settings.load(db=db, home=home)
    ctx.obj = CliState(settings, author or settings.author)
    ctx.call_on_close(ctx.obj.close)


record_commands.register(app)
recall_commands.register(app)
importer_commands.register(app)
analysis_commands.register(app)
serve_commands.register(app)
assess_commands.register(app)
app.add_typer(log_commands.app, name="log")
app.add_typer(user_commands.app, name="user")


def main() -> None:
    app()
