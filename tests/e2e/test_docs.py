"""Docs that cannot rot: every command has help, and the README mentions it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from servanda.cli.main import app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(group: Any, prefix: str = "servanda") -> list[tuple[str, Any]]:
    # typer ships its own copy of click, so commands are inspected by shape, not by class
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if hasattr(command, "commands"):
            found += _commands(command, path)
    return found


COMMANDS = _commands(typer.main.get_command(app))


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_help_and_a_readme_mention(path: str, command: Any) -> None:
    assert command.help and len(command.help.strip()) > 20, f"{path} has no help text"
    for parameter in command.params:
        if parameter.param_type_name == "option" and not parameter.hidden:
            assert parameter.help, f"{path} {parameter.opts[0]} has no help"
    assert f"`{path}" in README, f"README.md does not mention `{path}`"


def test_help_runs_for_every_command() -> None:
    runner = CliRunner()
    for path, _command in COMMANDS:
        result = runner.invoke(app, [*path.split()[1:], "--help"])
        assert result.exit_code == 0, path
        assert "Usage" in result.stdout
