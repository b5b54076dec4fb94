"""The ``rewritelab`` command line: inspect, rules, apply, check, demo."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rewritelab.errors import RewritelabError
from rewritelab.progress import Steps

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


def _rules(path: str | None) -> Any:
    from rewritelab.registry import library, load

    rules = library() if path is None else load(path)
    if not len(rules):
        raise RewritelabError(
            f"no rules found in {path or 'the shipped library'}: expected "
            "module-level rl.pattern(...), @rl.rule functions or NodeRewriters"
        )
    return rules


def cmd_rules(args: argparse.Namespace, console: Console) -> int:
    rules = _rules(args.path)
    if args.tags:
        rules = rules.select(include=args.tags.split(","))
    if args.json:
        print(json.dumps(rules.to_dict(), indent=2))
        return EXIT_OK
    table = Table(title=f"{len(rules)} rules from {args.path or 'the shipped library'}")
    for col in ("name", "rewrite", "tags", "assumes", "location"):
        table.add_column(col)
    for r in rules:
        table.add_row(
            r.name,
            r.text or (r.doc.splitlines()[0] if r.doc else ""),
            ", ".join(sorted(r.tags)),
            ", ".join(r.assume),
            _short_location(r.source),
        )
    console.print(table)
    return EXIT_OK


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    from rewritelab.cache import checked_rules

    if args.max_examples < 1:
        raise RewritelabError("--max-examples must be at least 1")
    if args.model_only and not args.model:
        raise RewritelabError("--model-only needs --model")
    target = None
    if args.model:  # open the model first: a bad path fails at once
        target = _load(args.model)
        if target.model is None:
            raise RewritelabError(f"--model {args.model} is not a PyMC model")
    rules = _rules(args.path)
    reports: tuple[Any, ...] = ()
    if not args.model_only:
        with Steps("checking", len(rules)) as steps:

            def step(i: int, name: str, cached: bool) -> None:
                steps.step(i, name + (" (cached)" if cached else ""))

            reports = checked_rules(
                rules,
                max_examples=args.max_examples,
                use_cache=not args.no_cache,
                progress=step,
            )
    model_reports = []
    if target is not None:
        from rewritelab.modelcheck import STAGES, check_model

        with Steps("checking the model", len(STAGES)) as steps:
            for i, stage in enumerate(STAGES):
                steps.step(i, f"({stage})")
                model_reports.append(
                    check_model(
                        target.model, rules, max_examples=args.max_examples, stage=stage
                    )
                )
    failed = any(
        r.verdict in ("counterexample", "error") for r in [*reports, *model_reports]
    )
    if args.json:
        data = {"rules": [r.to_dict() for r in reports]}
        if model_reports:
            data["model"] = [m.to_dict() for m in model_reports]
        print(json.dumps(data, indent=2, default=str))
        return EXIT_FOUND if failed else EXIT_OK
    if reports:
        console.print(_check_table(reports))
    for r in reports:
        if r.counterexample is not None:
            where = escape(f"{r.rule} ({_short_location(r.source)})")
            console.print(f"[red]{where}[/]: {escape(str(r.counterexample))}")
        elif r.error:
            where = escape(f"{r.rule} ({_short_location(r.source)})")
            console.print(f"[red]{where}[/]: {escape(r.error)}")
    for m in model_reports:  # named as the user named the model
        console.print(escape(str(dataclasses.replace(m, model=args.model))))
    return EXIT_FOUND if failed else EXIT_OK


def _check_table(reports: Sequence[Any]) -> Table:
    table = Table(title=f"checked {len(reports)} rules ({reports[0].mode})")
    numeric = ("graphs", "inputs", "worst ULPs", "s")
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
            str(r.inputs_tried),
            f"{r.worst_ulps:.3g}",
            f"{r.seconds:.1f}",
            _short_location(r.source),
        )
    return table


def cmd_bench(args: argparse.Namespace, console: Console) -> int:
    from rewritelab.bench import CELL_HEADERS, bench

    targets = [_load(t) for t in args.targets]
    for spec, t in zip(args.targets, targets, strict=True):
        if t.model is None:
            raise RewritelabError(
                f"{spec} is not a PyMC model; bench times model logps"
            )
    if args.repeats < 3:
        raise RewritelabError("--repeats must be at least 3")
    backends = [b.strip() for b in args.backend.split(",") if b.strip()]
    rules = _rules(args.rules)
    with Steps("benchmarking", len(targets) * len(backends)) as steps:
        done = [0]

        def step(label: str) -> None:  # called as each model/backend pair starts
            steps.step(done[0], label)
            done[0] += 1

        report = bench(
            targets,
            rules,
            backends=backends,
            repeats=args.repeats,
            names=[Path(t).stem if t.endswith(".py") else t for t in args.targets],
            progress=step,
            at=args.at,
        )
    paths = report.save(args.out) if args.out else {}
    if args.json:
        data = report.to_dict() | {"files": {k: str(v) for k, v in paths.items()}}
        print(json.dumps(data, indent=2, default=str))
        return EXIT_OK if report.ok else EXIT_FOUND
    table = Table(title="speed-up = time before / time after (above 1: faster)")
    for col in ("model", "backend", "function", *CELL_HEADERS):
        table.add_column(
            col, justify="left" if col in ("model", "backend", "function") else "right"
        )
    for r in report.rows:
        applies, us_b, us_a, speedup = r.cells()
        if not us_b:
            speedup = f"[red]{escape(r.remark[:70])}[/]"
        else:
            colour = "green" if r.ci_low > 1 else "red" if r.ci_high < 1 else "white"
            speedup = f"[{colour}]{escape(speedup)}[/]"
        table.add_row(r.target, r.backend, r.function, applies, us_b, us_a, speedup)
    console.print(table)
    for kind, path in paths.items():
        console.print(f"{kind}: {path}")
    for name, used in dict.fromkeys((r.target, r.points) for r in report.rows):
        if used:
            console.print(f"{name}: {used}")
    if not report.ok:
        console.print(f"[red]{escape(report.problem)}[/]")
    return EXIT_OK if report.ok else EXIT_FOUND


def _short_location(source: str) -> str:
    path, _, line = source.rpartition(":")
    with contextlib.suppress(ValueError):  # outside the working directory
        path = str(Path(path).resolve().relative_to(Path.cwd()))
    return f"{path}:{line}"


def cmd_apply(args: argparse.Namespace, console: Console) -> int:
    from rewritelab.apply import apply

    target = _load(args.target)
    rules = _rules(args.rules)
    result = apply(
        target,
        rules,
        graph=args.graph if target.model is not None else None,
        on_error=args.on_error,
    )
    data = result.to_dict()
    if args.render_diff:
        from rewritelab.render import render_diff

        pic = render_diff(result.before, result.after, args.render_diff)
        data["picture"] = str(pic.image or pic.dot)
    if args.json:
        print(json.dumps(data, indent=2, default=str))
        return EXIT_OK
    table = Table(title=f"rules on {args.target} ({result.total_seconds * 1e3:.1f} ms)")
    for col, just in (("rule", "left"), ("hits", "right"), ("ms", "right")):
        table.add_column(col, justify=just)
    seconds = dict(result.seconds)
    for name, n in result.counts:
        style = "" if n else "dim"
        table.add_row(name, str(n), f"{seconds[name] * 1e3:.2f}", style=style)
    for name, why in result.skipped:
        table.add_row(f"[red]{name} (skipped)[/]", "", why[:60])
    console.print(table)
    if result.firings:
        ft = Table(title="firings")
        for col in ("step", "rule", "node", "op", "replaced by"):
            ft.add_column(col)
        for f in result.firings[:50]:
            ft.add_row(str(f.step), f.rule, f.node, f.op, f.replacement)
        if len(result.firings) > 50:
            ft.add_row("…", f"{len(result.firings) - 50} more", "", "", "")
        console.print(ft)
    console.print(_diff_table(result.diff))
    if args.render_diff:
        console.print(f"picture: {data['picture']}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from rewritelab.demo import run_demo

    report = run_demo(args.model, Path(args.out), console=console)
    console.print(f"[bold]report:[/] {report.html} (and {report.markdown.name})")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    from rewritelab.bench import TIMED_AT

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

    r = sub.add_parser("rules", help="list rules (the shipped library by default)")
    r.add_argument("path", nargs="?", help="a .py file or a folder of them")
    r.add_argument("--tags", help="only rules with one of these tags (a,b)")
    r.add_argument("--json", action="store_true", help="print JSON")
    r.set_defaults(func=cmd_rules)

    a = sub.add_parser("apply", help="apply rules to a graph or model")
    a.add_argument("target", help="FILE.py, FILE.py:NAME, or a bundled model name")
    a.add_argument("--rules", help="a .py file or folder (default: shipped library)")
    a.add_argument(
        "--graph",
        default="logp",
        choices=["logp", "terms", "grad", "logp+grad"],
        help="which graph of a model (default logp)",
    )
    a.add_argument(
        "--on-error",
        default="raise",
        choices=["raise", "skip"],
        help="stop on a faulty rule, or skip it and go on",
    )
    a.add_argument("--render-diff", metavar="FILE", help="draw before/after")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(func=cmd_apply)

    c = sub.add_parser("check", help="check that rules keep values (and gradients)")
    c.add_argument(
        "path", nargs="?", help="rules: a .py file or folder (default: library)"
    )
    c.add_argument(
        "--model",
        help="also check the rules on this model's logp, terms and gradient, as built and as compiling",
    )
    c.add_argument("--model-only", action="store_true", help="skip the per-rule checks")
    c.add_argument(
        "--no-cache",
        action="store_true",
        help="check every rule again (verdicts are otherwise kept on disk)",
    )
    c.add_argument(
        "--max-examples", type=int, default=100, help="inputs per graph (default 100)"
    )
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(func=cmd_check)

    b = sub.add_parser("bench", help="time models compiled with and without rules")
    b.add_argument("targets", nargs="+", help="models: FILE.py[:NAME] or bundled names")
    b.add_argument("--rules", help="a .py file or folder (default: shipped library)")
    b.add_argument(
        "--backend", default="numba,c", help="numba, c or both (default numba,c)"
    )
    b.add_argument("--repeats", type=int, default=21, help="A/B samples (default 21)")
    b.add_argument(
        "--at",
        choices=TIMED_AT,
        default="initial",
        help="time at the initial point (default) or at a prior draw",
    )
    b.add_argument("--out", help="write bench.json, bench.md and bench.png here")
    b.add_argument("--json", action="store_true", help="print JSON")
    b.set_defaults(func=cmd_bench)

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
    # Wide tables when printing to a file or a CI log (rich assumes 80).
    console = Console(width=None if sys.stdout.isatty() else 160)
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
