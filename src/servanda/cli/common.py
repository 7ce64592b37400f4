"""What every command shares: the settings from global options, error handling, and output helpers.

Exit statuses: 0 success; 1 a check failed or nothing was found; 2 bad input (nothing was written);
3 the store or key is missing or unusable; 75 the store was busy (nothing was written; retry).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Connection

from servanda.errors import (
    BundleError,
    ConfigError,
    Forbidden,
    IntegrityError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    StoreBusy,
)
from servanda.record.bootstrap import RecordHandle, open_record
from servanda.settings import Settings

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_CONFIG = 3
EXIT_BUSY = 75

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class CliState:
    settings: Settings
    author: str
    opened: list[RecordHandle] = field(default_factory=list)

    def open(self, *, create: bool = False) -> RecordHandle:
        """Open the record; it is closed when the command ends (see ``close``)."""
        handle = open_record(self.settings, create=create)
        self.opened.append(handle)
        return handle

    def close(self) -> None:
        while self.opened:
            self.opened.pop().close()


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def handled() -> Iterator[None]:
    """Turn servanda's errors into one clear message and an exit status."""
    try:
        yield
    except BundleError as exc:
        count = len(exc.problems)
        err_console.print(
            f"[bold red]error:[/] {count} problem{'s' if count != 1 else ''} found; nothing was written",
            markup=True,
        )
        for problem in exc.problems:
            err_console.print(f"  {problem}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except InvalidInput as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    except NotFound as exc:
        fail(str(exc), EXIT_FAILED)
    except ConfigError as exc:
        fail(str(exc), EXIT_CONFIG)
    except StoreBusy as exc:
        fail(str(exc), EXIT_BUSY)
    except (IntegrityError, NotAuthenticated, Forbidden) as exc:
        fail(str(exc), EXIT_FAILED)


@contextmanager
def reading(ctx: typer.Context) -> Iterator[Connection]:
    """The record opened for a read command, in one read transaction, with servanda's errors handled."""
    with handled():
        handle = state(ctx).open()
        with handle.store.read() as connection:
            yield connection


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback for the services: a Rich bar on a terminal, silence otherwise."""
    if not enabled or not err_console.is_terminal:
        yield lambda _stage, _done, _total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield update


def shorten(text: str | None, width: int = 90) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
