"""The demo's running commentary: one line per finished step, bars for the long ones.

Everything goes to stderr, so `--json` keeps stdout for the summary alone. Each step's
wall time is kept for the summary.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from connector.demo.summary import StepTiming


class Bar:
    """One progress bar: `advance` by items done, `total` once known."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def update(self, done: int, total: int | None = None) -> None:
        """Set how many items are done (and the total, when it becomes known)."""
        self._progress.update(self._task, completed=done, total=total)

    def describe(self, text: str) -> None:
        """Change the bar's label."""
        self._progress.update(self._task, description=text)


class DemoProgress:
    """Steps with timings and bars, drawn on stderr. Use as a context manager."""

    def __init__(self, console: Console | None = None) -> None:
        """Draw on `console` (default: a stderr console)."""
        self.console = console or Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.timings: list[StepTiming] = []

    def __enter__(self) -> DemoProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    @contextmanager
    def step(self, key: str, title: str) -> Iterator[Bar]:
        """Run one step: a spinner (or bar) while it runs, a ✓ line with its time after.

        `key` names the step in the timings (`title` is what people read).
        """
        task = self._progress.add_task(title, total=None)
        started = time.perf_counter()
        try:
            yield Bar(self._progress, task)
        except BaseException:
            self._progress.remove_task(task)
            self.console.print(f"[red]✗[/] {title}")
            raise
        seconds = time.perf_counter() - started
        self._progress.remove_task(task)
        self.timings.append(StepTiming(step=key, title=title, seconds=round(seconds, 2)))
        self.console.print(f"[green]✓[/] {title} [dim]({seconds:.1f} s)[/]")

    def note(self, text: str) -> None:
        """A line of commentary between steps."""
        self.console.print(f"  [dim]{text}[/]")
