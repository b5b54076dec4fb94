"""The ``rewritelab`` command line: inspect, demo (more verbs join as they land)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from rewritelab.errors import RewritelabError

__all__ = ["main"]

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise RewritelabError(f"{self.prog}: {message}")


def _load(spec: str) -> Any:
    from rewritelab.bundled import bundled_model_path
    from rewritelab.targets import load_target

    if not spec.endswith(".py") and ":" not in spec and not Path(spec).exists():
        spec = str(bundled_model_path(spec))
    return load_target(spec)


def _summary_table(title: str, summaries: Sequence[Any]) -> Table:
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


def _ops_table(title: str, counts: Sequence[tuple[str, int]], limit: int = 20) -> Table:
    table = Table(title=title)
    table.add_column("op")
    table.add_column("count", justify="right")
    for op, n in counts[:limit]:
        table.add_row(op, str(n))
    if len(counts) > limit:
        table.add_row(f"… {len(counts) - limit} more", "")
    return table


def _diff_table(d: Any) -> Table:
    table = Table(title=f"diff: {d.n_apply_before} -> {d.n_apply_after} apply nodes")
    table.add_column("change")
    table.add_column("op")
    table.add_column("count", justify="right")
    for kind, rows in (("removed", d.removed), ("added", d.added)):
        style = "red" if kind == "removed" else "green"
        for op, n in rows:
            table.add_row(f"[{style}]{kind}[/]", op, str(n))
    return table


def cmd_inspect(args: argparse.Namespace, console: Console) -> int:
    from rewritelab.analysis import diff, summary
    from rewritelab.graph import to_networkx
    from rewritelab.modes import pytensor_rewritten
    from rewritelab.render import render, render_diff

    target = _load(args.target)
    graph = to_networkx(target, expand_inner=args.expand_inner)
    s = summary(graph)
    result: dict[str, Any] = {"target": args.target, "summary": s.to_dict()}
    compiled_graph = None
    if args.compiled:
        compiled_graph = to_networkx(pytensor_rewritten(target, args.mode))
        compiled_graph.graph["name"] = "compiled"
        sc = summary(compiled_graph)
        d = diff(graph, compiled_graph)
        result["compiled"] = sc.to_dict()
        result["diff"] = d.to_dict()
    if args.render:
        pic = (
            render_diff(graph, compiled_graph, args.render)
            if compiled_graph is not None
            else render(graph, args.render, title=target.name)
        )
        result["picture"] = {
            "image": str(pic.image),
            "dot": str(pic.dot),
            "engine": pic.engine,
        }
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return EXIT_OK
    shown = [s] + ([summary(compiled_graph)] if compiled_graph is not None else [])
    console.print(_summary_table(f"{args.target} ({target.kind})", shown))
    console.print(_ops_table("ops", s.ops))
    if compiled_graph is not None:
        console.print(
            _ops_table("ops after PyTensor's rewrites", result["compiled"]["ops"])
        )
        console.print(_diff_table(diff(graph, compiled_graph)))
    if args.render:
        console.print(
            f"picture: {result['picture']['image'] or result['picture']['dot']}"
            f" ({result['picture']['engine']})"
        )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from rewritelab.demo import run_demo

    report = run_demo(args.model, Path(args.out), console=console)
    console.print(f"[bold]report:[/] {report}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = _Parser(
        prog="rewritelab",
        description="See, rewrite, check and measure PyTensor and PyMC graphs.",
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    i = sub.add_parser("inspect", help="summarise and draw a graph or model")
    i.add_argument("target", help="FILE.py, FILE.py:NAME, or a bundled model name")
    i.add_argument("--render", metavar="FILE", help="draw to .svg/.png/.pdf/.dot")
    i.add_argument("--json", action="store_true", help="print JSON")
    i.add_argument(
        "--compiled",
        action="store_true",
        help="also show the graph after PyTensor's default rewrites",
    )
    i.add_argument(
        "--mode",
        default=None,
        help="mode for --compiled (default: PyTensor's default, e.g. FAST_RUN, CVM)",
    )
    i.add_argument(
        "--expand-inner",
        action="store_true",
        help="include Composite/Scan/OpFromGraph inner graphs",
    )
    i.set_defaults(func=cmd_inspect)

    d = sub.add_parser("demo", help="the whole workflow on a bundled model")
    d.add_argument(
        "--model",
        default="eight_schools",
        help="a bundled model name or FILE.py[:NAME]",
    )
    d.add_argument("--out", default="rewritelab-report", help="output folder")
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    console = Console()
    try:
        args = build_parser().parse_args(argv)
        func: Callable[[argparse.Namespace, Console], int] = args.func
        return func(args, console)
    except RewritelabError as exc:
        if debug:
            raise
        print(f"rewritelab: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rewritelab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
