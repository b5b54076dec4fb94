"""A benchmark run as a markdown table, a picture, and files on disk."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from rewritelab.measure.bench import KEY_HEADERS, BenchReport, headline_rows
from rewritelab.report.tables import markdown_table

__all__ = ["bench_markdown", "bench_plot", "save_bench"]


def bench_markdown(report: BenchReport) -> str:
    """A markdown table of a :func:`rewritelab.measure.bench.bench` run, one
    line per target, backend and function."""
    head = (
        *KEY_HEADERS,
        "applies before → after",
        "compile s (before / after)",
        "µs per call (before / after)",
        "speed-up [95% CI]",
        "",
    )
    rows = []
    for r in report.rows:
        applies, us_b, us_a, speedup = r.cells()
        timed = bool(us_b)
        compile_s = (
            f"{r.compile_before_s:.2f} / {r.compile_after_s:.2f}" if timed else ""
        )
        us = f"{us_b} / {us_a}" if timed else ""
        rows.append(
            (
                *r.key,
                applies,
                compile_s,
                us,
                speedup,
                r.remark,
            )
        )
    table = markdown_table(head, rows)
    means = report.geomeans()
    if len({r.target for r in report.rows}) < 2 or not means:
        return table
    summary = markdown_table(
        (*KEY_HEADERS[1:], "targets", "geometric-mean speed-up [interval]"),
        (
            (*key, str(len(g.rows)), f"{g.value:.3f} [{g.low:.3f}, {g.high:.3f}]")
            for key, g in means.items()
        ),
    )
    return (
        f"{table}\n\nGeometric mean over the targets (the interval combines the "
        f"rows' own; the spread between runs comes on top):\n\n{summary}"
    )


def bench_plot(report: BenchReport, path: str | Path) -> Path:
    """A picture of the speed-up of each target, backend and function on its
    headline call path (:func:`rewritelab.measure.bench.headline_rows`)
    against PyTensor's default pipeline, with the intervals (1 = no change).
    The other paths and the anchors are in the table."""
    rows = headline_rows(report.rows)
    path = Path(path)
    fig = Figure(figsize=(8, 0.32 * max(len(rows), 3) + 1.2))
    ax = fig.subplots()
    ys = np.arange(len(rows))
    sp = np.array([r.speedup for r in rows])
    err = np.array(
        [
            [r.speedup - r.ci_low for r in rows],
            [r.ci_high - r.speedup for r in rows],
        ]
    )
    colours = [
        "tab:green" if r.ci_low > 1 else "tab:red" if r.ci_high < 1 else "tab:gray"
        for r in rows
    ]
    ax.errorbar(
        sp,
        ys,
        xerr=err if len(rows) else None,
        fmt="none",
        ecolor="black",
        capsize=3,
    )
    ax.scatter(sp, ys, c=colours, zorder=3)
    ax.axvline(1.0, color="black", lw=0.8, ls="--")
    ax.set_yticks(ys, [r.label for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("speed-up (time before / time after), 95% bootstrap interval")
    ax.set_title("rules vs PyTensor's default pipeline, headline call paths")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def save_bench(
    report: BenchReport, out: str | Path, stem: str = "bench"
) -> dict[str, Path]:
    """Write ``stem.json``, ``stem.md`` and ``stem.png`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / f"{stem}.json", "md": out / f"{stem}.md"}
    paths["json"].write_text(json.dumps(report.to_dict(), indent=2, default=str))
    paths["md"].write_text(bench_markdown(report) + "\n")
    paths["png"] = bench_plot(report, out / f"{stem}.png")
    return paths
