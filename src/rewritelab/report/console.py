"""Results as rich tables for the terminal."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from rewritelab.check.rules import ERROR_HEADERS, RuleReport
from rewritelab.measure.bench import (
    CELL_HEADERS,
    DEFAULT_BASELINE,
    KEY_HEADERS,
    BenchReport,
)
from rewritelab.rewrite.apply import ApplyResult
from rewritelab.rewrite.registry import RuleSet
from rewritelab.see.analysis import GraphDiff, Summary

__all__ = [
    "apply_tables",
    "bench_table",
    "check_table",
    "diff_table",
    "ops_table",
    "rules_table",
    "short_location",
    "summary_table",
]


def summary_table(title: str, summaries: Sequence[Summary]) -> Table:
    """Graph summaries side by side, one column each."""
    table = Table(title=title, show_lines=False)
    table.add_column("")
    for s in summaries:
        table.add_column(s.name or "graph", justify="right")
    rows = [
        ("apply nodes", lambda s: s.n_apply),
        ("variables", lambda s: s.n_variables),
        ("constants", lambda s: s.n_constants),
        ("depth", lambda s: s.depth),
        ("distinct ops", lambda s: len(s.ops)),
        ("inputs", lambda s: ", ".join(s.inputs)),
        ("outputs", lambda s: ", ".join(s.outputs)),
    ]
    for label, get in rows:
        table.add_row(label, *(str(get(s)) for s in summaries))
    return table


def ops_table(title: str, counts: Sequence[tuple[str, int]], limit: int = 20) -> Table:
    """Op counts, the ``limit`` most frequent first."""
    table = Table(title=title)
    table.add_column("op")
    table.add_column("count", justify="right")
    for op, n in counts[:limit]:
        table.add_row(op, str(n))
    if len(counts) > limit:
        table.add_row(f"… {len(counts) - limit} more", "")
    return table


def diff_table(d: GraphDiff) -> Table:
    """Ops removed and added between two graphs."""
    table = Table(title=f"diff: {d.n_apply_before} -> {d.n_apply_after} apply nodes")
    table.add_column("change")
    table.add_column("op")
    table.add_column("count", justify="right")
    for kind, rows in (("removed", d.removed), ("added", d.added)):
        style = "red" if kind == "removed" else "green"
        for op, n in rows:
            table.add_row(f"[{style}]{kind}[/]", op, str(n))
    return table


def rules_table(rules: RuleSet, where: str) -> Table:
    """The rules of a set: name, rewrite, tags, assumptions, location."""
    table = Table(title=f"{len(rules)} rules from {where}")
    for col in ("name", "rewrite", "tags", "assumes", "location"):
        table.add_column(col)
    for r in rules:
        table.add_row(
            r.name,
            r.text or (r.doc.splitlines()[0] if r.doc else ""),
            ", ".join(sorted(r.tags)),
            ", ".join(r.assume),
            short_location(r.source),
        )
    return table


def check_table(reports: Sequence[RuleReport]) -> Table:
    """Rule checks: verdict, graphs fired of tried, inputs (and how many of
    them were accepted with a note), worst error, time."""
    table = Table(title=f"checked {len(reports)} rules ({reports[0].mode})")
    numeric = ("graphs", "inputs", *ERROR_HEADERS, "s")
    for col in ("rule", "verdict", *numeric, "location"):
        table.add_column(col, justify="right" if col in numeric else "left")
    colour = {
        "passed": "green",
        "counterexample": "red",
        "error": "red",
        "not exercised": "yellow",
    }
    for r in reports:
        table.add_row(
            r.rule,
            f"[{colour[r.verdict]}]{r.verdict}[/]",
            f"{r.graphs_fired}/{r.graphs_tried}",
            f"{r.inputs_tried}"
            + (f" ({sum(n.count for n in r.notes)} noted)" if r.notes else ""),
            *r.error_cells(),
            f"{r.seconds:.1f}",
            short_location(r.source),
        )
    return table


def bench_table(report: BenchReport) -> Table:
    """A benchmark run: one row per target, backend and function."""
    table = Table(
        title="speed-up = time before / time after (above 1: faster)",
        caption=(
            "baseline: what 'before' is — default: PyTensor's default pipeline on "
            "that backend; jax, numpy: that anchor, against the rules' kernel"
            if any(r.baseline != DEFAULT_BASELINE for r in report.rows)
            else None
        ),
    )
    for col in (*KEY_HEADERS, *CELL_HEADERS):
        table.add_column(col, justify="left" if col in KEY_HEADERS else "right")
    for r in report.rows:
        applies, us_b, us_a, speedup = r.cells()
        if not us_b:
            speedup = f"[red]{escape(r.remark[:70])}[/]"
        else:
            colour = "green" if r.ci_low > 1 else "red" if r.ci_high < 1 else "white"
            speedup = f"[{colour}]{escape(speedup)}[/]"
        table.add_row(*r.key, applies, us_b, us_a, speedup)
    return table


def apply_tables(result: ApplyResult, name: str) -> list[Table]:
    """What :func:`rewritelab.apply` did: hits and time per rule, then the
    first 50 firings."""
    table = Table(title=f"rules on {name} ({result.total_seconds * 1e3:.1f} ms)")
    for col, just in (("rule", "left"), ("hits", "right"), ("ms", "right")):
        table.add_column(col, justify=just)
    seconds = dict(result.seconds)
    for rule, n in result.counts:
        style = "" if n else "dim"
        table.add_row(rule, str(n), f"{seconds[rule] * 1e3:.2f}", style=style)
    for rule, why in result.skipped:
        table.add_row(f"[red]{rule} (skipped)[/]", "", why[:60])
    tables = [table]
    if result.firings:
        ft = Table(title="firings")
        for col in ("step", "rule", "node", "op", "replaced by"):
            ft.add_column(col)
        for f in result.firings[:50]:
            ft.add_row(str(f.step), f.rule, f.node, f.op, f.replacement)
        if len(result.firings) > 50:
            ft.add_row("…", f"{len(result.firings) - 50} more", "", "", "")
        tables.append(ft)
    return tables


def short_location(source: str) -> str:
    """``file:line`` with the file relative to the working directory."""
    path, _, line = source.rpartition(":")
    with contextlib.suppress(ValueError):  # outside the working directory
        path = str(Path(path).resolve().relative_to(Path.cwd()))
    return f"{path}:{line}"
