"""What every command shares: the node home, quietness, consoles, progress and the store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import Engine

from cawarn.config import Settings, load_settings, resolve_home

#: Width of tables written to a file or a pipe, where no terminal says how wide to be: wide
#: enough for the widest table (evaluation scores by step) without cutting numbers.
PIPE_WIDTH = 160


def _console() -> Console:
    """The stdout console: the terminal's width, or PIPE_WIDTH when redirected."""
    console = Console(soft_wrap=True)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(soft_wrap=True, width=PIPE_WIDTH)
    return console


@dataclass
class CliState:
    """Global options, given before the command."""

    home: Path | None = None
    quiet: bool = False
    out: Console = field(default_factory=lambda: _console())
    err: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))

    @property
    def home_dir(self) -> Path:
        """The node home in use."""
        return resolve_home(self.home)

    @cached_property
    def settings(self) -> Settings:
        """The node's settings (its config file, then the environment)."""
        return load_settings(self.home_dir)

    def engine(self, *, require_schema: bool = True) -> Engine:
        """An engine on the node's store, refusing a store that is not initialised."""
        from cawarn.domain import StoreError
        from cawarn.store.engine import create_engine_for, require_current_schema

        if require_schema and not self.home_dir.is_dir():
            raise StoreError(
                f"There is no node home at {self.home_dir}; run 'cawarn init' first "
                "(or point --home / CAWARN_HOME at an existing one)."
            )
        engine = create_engine_for(self.settings)
        if require_schema:
            require_current_schema(engine)
        return engine

    def note(self, message: str) -> None:
        """A line of information on stderr, silenced by --quiet."""
        if not self.quiet:
            self.err.print(message)

    @contextmanager
    def progress(self, description: str, *, unit: str = "bytes") -> Iterator[ProgressBar]:
        """A Rich progress bar on stderr (nothing with --quiet)."""
        columns = [TextColumn("{task.description}"), BarColumn()]
        columns.append(DownloadColumn() if unit == "bytes" else MofNCompleteColumn())
        columns += [TimeElapsedColumn(), TimeRemainingColumn()]
        bar = Progress(*columns, console=self.err, disable=self.quiet, transient=False)
        with bar:
            yield ProgressBar(bar, bar.add_task(description, total=None))


class ProgressBar:
    """Adapts a Rich task to the core's progress protocol (start, update)."""

    def __init__(self, progress: Progress, task: object) -> None:
        self._progress = progress
        self._task = task

    def start(self, total: int | None) -> None:
        """Set the amount of work, if known."""
        self._progress.update(self._task, total=total)  # type: ignore[arg-type]

    def update(self, completed: int) -> None:
        """Say how much is done."""
        self._progress.update(self._task, completed=completed)  # type: ignore[arg-type]

    def __call__(self, done: int, total: int | None) -> None:
        """Callback form: (done, total)."""
        self._progress.update(self._task, completed=done, total=total)  # type: ignore[arg-type]


def state(ctx: typer.Context) -> CliState:
    """The CLI state stored by the top-level callback."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj
