"""Progress of long work on stderr: a rich bar on a terminal, plain flushed
lines in logs and CI (where a bar would print nothing for minutes)."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.progress import Progress


class Steps:
    """``with Steps("checking", n) as steps: steps.step(i, label)`` reports
    that step ``i`` (0-based) of ``n`` begins.

    On a terminal a transient bar; elsewhere one line per step,
    ``[i+1/n] what label``, flushed at once.
    """

    def __init__(self, what: str, total: int):
        self.what, self.total, self.bar = what, total, None
        if sys.stderr.isatty():
            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task(what, total=total)

    def __repr__(self) -> str:
        return f"Steps({self.what!r}, total={self.total})"

    def __enter__(self) -> Steps:
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def step(self, i: int, label: str) -> None:
        """Step ``i`` (0-based) of ``total`` begins."""
        if self.bar is not None:
            self.bar.update(
                self.task,
                completed=i,
                total=self.total,
                description=f"{self.what} {label}",
            )
        else:
            print(
                f"[{i + 1}/{self.total}] {self.what} {label}",
                file=sys.stderr,
                flush=True,
            )
