"""Markdown tables, as the reports and benchmark results write them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["markdown_table"]


def markdown_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table: a header line, a rule, one line per row.

    Examples
    --------
    >>> print(markdown_table(["rule", "verdict"], [["log_of_exp", "passed"]]))
    | rule | verdict |
    |---|---|
    | log_of_exp | passed |
    """
    title = "|" + "|".join(f" {h} " if h else " " for h in head) + "|"
    lines = [title, "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
