"""``servanda user``: accounts for the web — add, list, roles, passwords, disabling, and API tokens.

Whoever can run these commands on the record's store is its operator; that is how the first admin is made
(``servanda user add NAME --role admin``), and how an admin locked out of the web gets back in.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from servanda.accounts import AccountService
from servanda.accounts.roles import Role
from servanda.errors import InvalidInput

from .common import console, err_console, handled, print_json, state

app = typer.Typer(
    help="Accounts of the web interface: roles, passwords and API tokens.", no_args_is_help=True
)
token_app = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)
app.add_typer(token_app, name="token")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
_ROLES = ", ".join(role.value for role in Role)


def _service(ctx: typer.Context) -> AccountService:
    return AccountService(state(ctx).open().store)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput("--password-stdin: nothing was given on standard input")
        return line.rstrip("\r\n")
    # hidden, and asked twice, so that a typo does not become the password
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input instead of asking."
    ),
]


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Account name: 2-64 of a-z 0-9 . _ - (it signs the log).")],
    role: Annotated[str, typer.Option(help=f"One of {_ROLES}.")] = Role.EDITOR.value,
    display_name: Annotated[str | None, typer.Option(help="The person's name, as shown in the web.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add an account. The first admin is made here: servanda user add NAME --role admin."""
    with handled():
        service = _service(ctx)
        account = service.add_user(name, _password(password_stdin), role, display_name)
    console.print(f"added {account.name} ({account.role.value})")


@app.command("list")
def list_(ctx: typer.Context, json_: JsonFlag = False) -> None:
    """List the accounts and their roles."""
    with handled():
        users = _service(ctx).list_users()
    if json_:
        print_json([{**asdict(user), "role": user.role.value} for user in users])
        return
    table = Table("name", "role", "display name", "status", "since", title=f"{len(users)} accounts")
    for user in users:
        status = "disabled" if user.disabled else "active"
        table.add_row(user.name, user.role.value, user.display_name or "", status, user.created_at[:10])
    console.print(table)


@app.command("role")
def role_(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account.")],
    role: Annotated[str, typer.Argument(help=f"Its new role: one of {_ROLES}.")],
) -> None:
    """Change an account's role."""
    with handled():
        account = _service(ctx).set_role(name, role)
    console.print(f"{account.name} is now {account.role.value}")


@app.command()
def passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set an account's password; its web sessions end (its API tokens stay)."""
    with handled():
        service = _service(ctx)
        service.get(name)  # say "no such account" before asking for a password
        service.set_password(name, _password(password_stdin))
    console.print(f"password of {name} changed; its sessions were closed")


@app.command()
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Stop an account signing in or using its tokens; what it wrote stays in the log under its name."""
    with handled():
        account = _service(ctx).disable(name)
    console.print(f"{account.name} is disabled; its sessions were closed")


@app.command()
def enable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Let a disabled account sign in again."""
    with handled():
        account = _service(ctx).enable(name)
    console.print(f"{account.name} is active again")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account the token acts as.")],
    label: Annotated[str, typer.Option(help="What uses the token (e.g. 'newsroom importer').")],
) -> None:
    """Create an API token and print it once: it is stored only as a hash and cannot be shown again."""
    with handled():
        token, info = _service(ctx).create_token(name, label)
    err_console.print(
        f"token {info.id} for {info.account} ({info.label}); copy it now, it will not be shown again:"
    )
    typer.echo(token)


@token_app.command("list")
def token_list(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account.")], json_: JsonFlag = False
) -> None:
    """List an account's API tokens (their ids and labels; never the tokens)."""
    with handled():
        infos = _service(ctx).list_tokens(name)
    if json_:
        print_json([asdict(info) for info in infos])
        return
    table = Table("id", "label", "created", "last used", "status", title=f"{len(infos)} tokens of {name}")
    for info in infos:
        status = f"revoked {info.revoked_at[:10]}" if info.revoked_at else "active"
        table.add_row(info.id, info.label, info.created_at[:16], (info.last_used_at or "never")[:16], status)
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context, token_id: Annotated[str, typer.Argument(metavar="ID", help="The token's id.")]
) -> None:
    """Revoke an API token: it stops working at once."""
    with handled():
        info = _service(ctx).revoke_token(token_id)
    console.print(f"token {info.id} of {info.account} ({info.label}) is revoked")
