"""``rewritelab demo``: the whole workflow on a bundled model, as a report."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

__all__ = ["run_demo"]


def run_demo(model: str, out: Path, *, console: Console | None = None) -> Path:
    """Inspect a bundled model, compare with PyTensor's rewrites, write a report.

    Returns the path of the markdown report. Later steps (rules, checks,
    benchmarks) join the report as they become available.
    """
    from rewritelab.analysis import diff, summary
    from rewritelab.cli import _load
    from rewritelab.graph import to_networkx
    from rewritelab.modes import pytensor_rewritten
    from rewritelab.render import render, render_diff

    console = console or Console()
    out.mkdir(parents=True, exist_ok=True)
    target = _load(model)
    with console.status(f"inspecting {model}"):
        graph = to_networkx(target)
        compiled = to_networkx(pytensor_rewritten(target))
        s, sc, d = summary(graph), summary(compiled), diff(graph, compiled)
        pic = render(graph, out / "logp.png", title=f"{model}: logp graph")
        dpic = render_diff(graph, compiled, out / "compiled_diff.png")
    lines: list[str] = [
        f"# rewritelab demo: {model}",
        "",
        "## The logp graph",
        "",
        f"{s.n_apply} apply nodes, {s.n_variables} variables, depth {s.depth}; "
        f"inputs {', '.join(s.inputs)}.",
        "",
        f"![logp graph]({pic.image.name if pic.image else pic.dot.name})",
        "",
        "## What PyTensor's default rewrites do",
        "",
        f"{d.n_apply_before} -> {sc.n_apply} apply nodes.",
        "",
        "| change | op | count |",
        "|---|---|---|",
        *[f"| removed | `{op}` | {n} |" for op, n in d.removed],
        *[f"| added | `{op}` | {n} |" for op, n in d.added],
        "",
        f"![before and after]({dpic.image.name if dpic.image else dpic.dot.name})",
        "",
    ]
    report = out / "report.md"
    report.write_text("\n".join(lines))
    return report
