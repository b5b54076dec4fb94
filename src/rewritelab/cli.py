"""The ``rewritelab`` command line: inspect, view, rules, apply, check, audit,
bench, demo."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from rewritelab.check.accuracy import accuracy
from rewritelab.check.audit import AUDIT_DBS, audit, registered_rewriters, scope
from rewritelab.check.cache import checked_rules
from rewritelab.check.model import STAGES, check_model
from rewritelab.core.compile import pytensor_rewritten
from rewritelab.core.errors import RewritelabError
from rewritelab.core.models import GRAPH_KINDS
from rewritelab.core.sweep import cluster
from rewritelab.core.targets import load_target
from rewritelab.discover.search import STEPS as DISCOVER_STEPS
from rewritelab.discover.search import discover, discover_each, rules_file
from rewritelab.measure.bench import TIMED_AT, bench
from rewritelab.measure.sampling import bench_sampling
from rewritelab.report.audit import audit_markdown, audit_table, save_audit_html
from rewritelab.report.bench import save_bench
from rewritelab.report.console import (
    apply_tables,
    bench_table,
    check_table,
    diff_table,
    ops_table,
    rules_table,
    short_location,
    summary_table,
)
from rewritelab.report.demo import run_demo
from rewritelab.report.progress import Steps
from rewritelab.report.view import view
from rewritelab.rewrite.apply import apply
from rewritelab.rewrite.registry import library, load
from rewritelab.see.analysis import diff, summary
from rewritelab.see.graph import to_networkx
from rewritelab.see.render import render, render_diff

__all__ = ["main"]

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise RewritelabError(f"{self.prog}: {message}")


def cmd_inspect(args: argparse.Namespace, console: Console) -> int:

    target = load_target(args.target)
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
    console.print(summary_table(f"{args.target} ({target.kind})", shown))
    console.print(ops_table("ops", s.ops))
    if compiled_graph is not None:
        console.print(
            ops_table("ops after PyTensor's rewrites", result["compiled"]["ops"])
        )
        console.print(diff_table(diff(graph, compiled_graph)))
    if args.render:
        console.print(
            f"picture: {result['picture']['image'] or result['picture']['dot']}"
            f" ({result['picture']['engine']})"
        )
    return EXIT_OK


def _rules(path: str | None) -> Any:

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
    console.print(rules_table(rules, args.path or "the shipped library"))
    return EXIT_OK


def cmd_check(args: argparse.Namespace, console: Console) -> int:

    if args.max_examples < 1:
        raise RewritelabError("--max-examples must be at least 1")
    if args.model_only and not args.model:
        raise RewritelabError("--model-only needs --model")
    if args.time_limit is not None and args.time_limit <= 0:
        raise RewritelabError("--time-limit must be a positive number of seconds")
    sweep_on = cluster(args.workers, args.scheduler)
    target = None
    if args.model:  # open the model first: a bad path fails at once
        target = load_target(args.model)
        if target.model is None:
            raise RewritelabError(f"--model {args.model} is not a PyMC model")
    rules = _rules(args.path)
    reports: tuple[Any, ...] = ()
    if not args.model_only:
        with sweep_on as client, Steps("checking", len(rules)) as steps:
            done = [0]

            def step(i: int, name: str, cached: bool) -> None:
                label = name + (" (cached)" if cached else "")
                steps.step(done[0] if client is not None else i, label)
                done[0] += 1

            reports = checked_rules(
                rules,
                max_examples=args.max_examples,
                use_cache=not args.no_cache,
                progress=step,
                client=client,
                time_limit=args.time_limit,
            )
    model_reports = []
    if target is not None:
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
        console.print(check_table(reports))
    for r in reports:
        if r.counterexample is not None:
            where = escape(f"{r.rule} ({short_location(r.source)})")
            console.print(f"[red]{where}[/]: {escape(str(r.counterexample))}")
        elif r.error:
            where = escape(f"{r.rule} ({short_location(r.source)})")
            console.print(f"[red]{where}[/]: {escape(r.error)}")
        for n in r.notes:
            console.print(f"[yellow]{escape(r.rule)}[/]: {escape(str(n))}")
    for m in model_reports:  # named as the user named the model
        console.print(escape(str(dataclasses.replace(m, model=args.model))))
    return EXIT_FOUND if failed else EXIT_OK


def cmd_audit(args: argparse.Namespace, console: Console) -> int:
    if args.db not in AUDIT_DBS:
        raise RewritelabError(
            f"unknown --db {args.db!r}; the databases are {', '.join(AUDIT_DBS)}"
        )
    if args.time_limit <= 0:
        raise RewritelabError("--time-limit must be a positive number of seconds")
    if args.max_examples < 1:
        raise RewritelabError("--max-examples must be at least 1")
    if args.list:
        for r in registered_rewriters(args.db):
            kind = scope(r.rewriter) or "out of scope"
            print(f"{r.name}\t{kind}\t{'+'.join(r.dbs)}")
        return EXIT_OK
    steps = Steps("auditing", 0)

    def step(i: int, n: int, name: str) -> None:
        steps.total = n
        steps.step(i, name)

    with cluster(args.workers, args.scheduler) as client, steps:
        report = audit(
            args.db,
            client=client,
            include=args.include or (),
            exclude=args.exclude or (),
            names=args.names,
            time_limit=args.time_limit,
            progress=step,
            max_examples=args.max_examples,
        )
    if args.html:
        save_audit_html(report, args.html)
    if args.markdown:
        Path(args.markdown).write_text(audit_markdown(report), encoding="utf-8")
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        console.print(audit_table(report, everything=args.all))
        for e in report.entries:
            if e.reproduction:
                console.print(f"\n[red]{escape(e.name)}[/]: {escape(e.detail)}")
                console.print(escape(e.reproduction), highlight=False)
        if args.html:
            console.print(f"wrote {args.html}")
    return EXIT_OK if report.ok else EXIT_FOUND


def cmd_discover(args: argparse.Namespace, console: Console) -> int:
    if args.budget <= 0:
        raise RewritelabError(
            f"--budget must be a positive number of seconds, not {args.budget:g}"
        )
    sweep_on = cluster(args.workers, args.scheduler)
    out = Path(args.output) if args.output else None
    if out is not None:
        _writable(out)
    targets = [load_target(t) for t in args.targets]
    options = dict(
        goal=args.goal,
        budget=args.budget,
        max_examples=args.max_examples,
        measure=not args.no_measure,
    )
    if len(targets) == 1 and not (args.workers or args.scheduler):
        steps = Steps("discover", len(DISCOVER_STEPS))

        def step(i: int, n: int, label: str) -> None:
            steps.step(i, label)

        with steps:
            reports = [discover(targets[0], progress=step, **options)]
    else:
        with sweep_on as client, Steps("discover", len(targets)) as steps:
            done = [0]

            def each(i: int, n: int, name: str) -> None:
                steps.step(done[0] if client is not None else i, name)
                done[0] += 1

            found = discover_each(
                targets,
                names=[Path(t).stem if t.endswith(".py") else t for t in args.targets],
                client=client,
                progress=each,
                **options,
            )
        failed = [d for d in found if not d.ok]
        for d in failed:
            console.print(f"[red]{escape(d.name)}[/]: {escape(d.error or 'timed out')}")
        reports = [d.value for d in found if d.ok]
    if out is not None:
        out.write_text(rules_file(reports, ", ".join(args.targets)), encoding="utf-8")
    if args.json:
        data = [r.to_dict() for r in reports]
        one = len(args.targets) == 1 and data
        print(json.dumps(data[0] if one else data, indent=2, default=str))
    else:
        for r in reports:
            console.print(escape(str(r)))
        if out is not None:
            kept = sum(len(r.kept) for r in reports)
            console.print(f"wrote {kept} rules to {out}")
    return EXIT_OK if len(reports) == len(targets) else EXIT_FOUND


def cmd_accuracy(args: argparse.Namespace, console: Console) -> int:
    if args.top < 0:
        raise RewritelabError(f"--top must be 0 or more, not {args.top}")
    target = load_target(args.target)
    steps = Steps("accuracy", 1)

    def step(i: int, n: int, label: str) -> None:
        steps.step(0, f"point {i + 1} of {n}: {label}")

    if args.html:
        if Path(args.html).suffix.lower() not in (".html", ".htm"):
            raise RewritelabError(f"--html {args.html}: expected FILE.html")
        _writable(Path(args.html))
    with steps:
        report = accuracy(target, top=args.top, progress=step)
    if args.html:
        out = view(
            target, accuracy=report, path=args.html, title=f"accuracy: {report.target}"
        )
        console.print(f"wrote {out.path}")
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        console.print(escape(str(report)))
    return EXIT_OK


def _writable(path: Path) -> None:
    """Fail now, in one line, if ``path`` cannot be written (not after minutes
    of search)."""
    if path.is_dir():
        raise RewritelabError(f"-o {path} is a folder; give a .py file to write")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise RewritelabError(
            f"cannot write -o {path}: {parent} is not a writable folder"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise RewritelabError(f"cannot write -o {path}: the file is read-only")


def _comma_list(text: str | None) -> list[str]:
    """``"numba, c"`` -> ``["numba", "c"]``; blanks dropped."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def cmd_bench(args: argparse.Namespace, console: Console) -> int:
    sweep_on = cluster(args.workers, args.scheduler)
    if args.sampling and (args.workers or args.scheduler):
        raise RewritelabError(
            "--workers and --scheduler time kernels; --sampling runs here"
        )
    targets = [load_target(t) for t in args.targets]
    if args.sampling:
        return _bench_sampling(args, targets, console)
    if args.repeats < 3:
        raise RewritelabError("--repeats must be at least 3")
    backends = _comma_list(args.backend)
    anchors = _comma_list(args.anchors)
    if "numpy" in anchors:
        raise RewritelabError(
            "--anchors takes jax; a hand-written NumPy anchor is given in Python: "
            "rl.bench(..., anchors=['numpy'], hand_written={name: function})"
        )
    rules = _rules(args.rules)
    with (
        sweep_on as client,
        Steps("benchmarking", len(targets) * len(backends)) as steps,
    ):
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
            anchors=anchors,
            client=client,
        )
    paths = save_bench(report, args.out) if args.out else {}
    if args.json:
        data = report.to_dict() | {"files": {k: str(v) for k, v in paths.items()}}
        print(json.dumps(data, indent=2, default=str))
        return EXIT_OK if report.ok else EXIT_FOUND
    console.print(bench_table(report))
    for kind, path in paths.items():
        console.print(f"{kind}: {path}")
    for name, used in dict.fromkeys((r.target, r.points) for r in report.rows):
        if used:
            console.print(f"{name}: {used}")
    if not report.ok:
        console.print(f"[red]{escape(report.problem)}[/]")
    return EXIT_OK if report.ok else EXIT_FOUND


def cmd_apply(args: argparse.Namespace, console: Console) -> int:

    target = load_target(args.target)
    rules = _rules(args.rules)
    result = apply(
        target,
        rules,
        graph=args.graph if target.model is not None else None,
        on_error=args.on_error,
    )
    data = result.to_dict()
    if args.render_diff:
        pic = render_diff(
            result.before, result.after, args.render_diff, changes=result.diff
        )
        data["picture"] = str(pic.image or pic.dot)
    if args.json:
        print(json.dumps(data, indent=2, default=str))
        return EXIT_OK
    for table in apply_tables(result, args.target):
        console.print(table)
    console.print(diff_table(result.diff))
    if args.render_diff:
        console.print(f"picture: {data['picture']}")
    return EXIT_OK


def _bench_sampling(args: argparse.Namespace, targets: list, console: Console) -> int:
    rules = _rules(args.rules)
    seeds_given = _comma_list(args.seeds)
    if not seeds_given or not all(s.lstrip("-").isdigit() for s in seeds_given):
        raise RewritelabError(
            f"--seeds takes whole numbers separated by commas (e.g. 0,1,2), "
            f"not {args.seeds!r}"
        )
    seeds = tuple(int(s) for s in seeds_given)
    reports = []
    with Steps("sampling", len(targets)) as steps:
        for i, (spec, target) in enumerate(zip(args.targets, targets, strict=True)):
            name = Path(spec).stem if spec.endswith(".py") else spec
            steps.step(i, f"{name} with and without the rules")
            reports.append(
                bench_sampling(
                    target,
                    rules,
                    sampler=args.sampler,
                    chains=args.chains,
                    draws=args.draws,
                    tune=args.tune,
                    seeds=seeds,
                    name=name,
                )
            )
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], indent=2, default=str))
    else:
        for r in reports:
            console.print(escape(str(r)))
    return EXIT_FOUND if any(r.verdict == "differ" for r in reports) else EXIT_OK


def _target_and_rules(parser: argparse.ArgumentParser) -> None:
    """The target, --rules and --graph arguments apply and view share."""
    parser.add_argument("target", help="FILE.py, FILE.py:NAME, or a bundled model name")
    parser.add_argument(
        "--rules", help="a .py file or folder (default: shipped library)"
    )
    parser.add_argument(
        "--graph",
        default="logp",
        choices=GRAPH_KINDS,
        help="which graph of a model (default logp)",
    )


def cmd_view(args: argparse.Namespace, console: Console) -> int:

    target = load_target(args.target)
    rules = _rules(args.rules)
    stem = Path(args.target.split(":")[0]).stem
    out = Path(args.out or f"{stem}-view.html")
    with Steps("viewing", 1) as steps:
        steps.step(0, f"{stem}: rewriting, matching and laying out the data")
        written = view(
            target,
            rules,
            graph=args.graph if target.model is not None else None,
            compiled=args.compiled,
            profile=args.profile,
            path=out,
        )
    console.print(f"[bold]viewer:[/] {escape(str(written))} in {written.seconds:.1f} s")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, console: Console) -> int:

    report = run_demo(args.model, Path(args.out))
    console.print(f"[bold]report:[/] {report.html} (and {report.markdown.name})")
    return EXIT_OK


def _sweep_arguments(parser: argparse.ArgumentParser, jobs: str) -> None:
    """``--workers`` / ``--scheduler``: run the command's jobs on Dask."""
    g = parser.add_argument_group(f"running on Dask ({jobs})")
    g.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="start a local Dask cluster of N worker processes for the jobs",
    )
    g.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the jobs on the Dask cluster at ADDRESS (tcp://host:8786)",
    )


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

    r = sub.add_parser("rules", help="list rules (the shipped library by default)")
    r.add_argument("path", nargs="?", help="a .py file or a folder of them")
    r.add_argument("--tags", help="only rules with one of these tags (a,b)")
    r.add_argument("--json", action="store_true", help="print JSON")
    r.set_defaults(func=cmd_rules)

    a = sub.add_parser("apply", help="apply rules to a graph or model")
    _target_and_rules(a)
    a.add_argument(
        "--on-error",
        default="raise",
        choices=["raise", "skip"],
        help="stop on a faulty rule, or skip it and go on",
    )
    a.add_argument("--render-diff", metavar="FILE", help="draw before/after")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(func=cmd_apply)

    v = sub.add_parser(
        "view", help="write an interactive HTML viewer of a graph and its rewrite"
    )
    _target_and_rules(v)
    v.add_argument(
        "--compiled",
        action="store_true",
        help="also show PyTensor's default pipeline, without and with the rules",
    )
    v.add_argument(
        "--profile",
        action="store_true",
        help="show the C backend's compiled graphs with each node's share of the time",
    )
    v.add_argument("-o", "--out", help="the HTML file (default: TARGET-view.html)")
    v.set_defaults(func=cmd_view)

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
    c.add_argument(
        "--time-limit",
        type=float,
        help="seconds per rule before it is reported timed out (default: none)",
    )
    c.add_argument("--json", action="store_true", help="print JSON")
    _sweep_arguments(c, "one job per rule")
    c.set_defaults(func=cmd_check)

    au = sub.add_parser(
        "audit", help="check PyTensor's own registered rewriters (elementwise, ...)"
    )
    au.add_argument(
        "names", nargs="*", help="only rewriters matching these names (globs: local_*)"
    )
    au.add_argument(
        "--db",
        default="fast_run",
        help=f"the rewrite database: {', '.join(AUDIT_DBS)} (default fast_run)",
    )
    au.add_argument(
        "--include", action="append", metavar="TAG", help="only rewriters with TAG"
    )
    au.add_argument(
        "--exclude", action="append", metavar="NAME", help="leave out NAME (a glob)"
    )
    au.add_argument(
        "--max-examples", type=int, default=30, help="inputs per graph (default 30)"
    )
    au.add_argument(
        "--time-limit", type=float, default=60.0, help="seconds per rewriter (60)"
    )
    au.add_argument("--list", action="store_true", help="list the rewriters and stop")
    au.add_argument("--all", action="store_true", help="show passed rewriters too")
    au.add_argument("--html", metavar="FILE", help="write an HTML report")
    au.add_argument("--markdown", metavar="FILE", help="write a Markdown report")
    au.add_argument("--json", action="store_true", help="print JSON")
    _sweep_arguments(au, "one job per rewriter")
    au.set_defaults(func=cmd_audit)

    b = sub.add_parser("bench", help="time targets compiled with and without rules")
    b.add_argument(
        "targets",
        nargs="+",
        help="models or graphs: FILE.py[:NAME] or bundled model names",
    )
    b.add_argument("--rules", help="a .py file or folder (default: shipped library)")
    b.add_argument(
        "--backend",
        default="numba,c",
        help="numba, c, jax or a comma list (default numba,c)",
    )
    b.add_argument(
        "--anchors",
        help="also time the rules' kernel against: jax (PyTensor's JAX backend)",
    )
    b.add_argument("--repeats", type=int, default=21, help="A/B samples (default 21)")
    b.add_argument(
        "--at",
        choices=TIMED_AT,
        default="initial",
        help="time at the initial point (default) or at a prior draw",
    )
    b.add_argument("--out", help="write bench.json, bench.md and bench.png here")
    b.add_argument(
        "--sampling",
        action="store_true",
        help="sample each model with and without the rules (time, grad/s, ESS/s)",
    )
    b.add_argument("--sampler", default="pymc", help="with --sampling: pymc or nutpie")
    b.add_argument("--chains", type=int, default=2, help="with --sampling (default 2)")
    b.add_argument("--draws", type=int, default=500, help="with --sampling (500)")
    b.add_argument("--tune", type=int, default=500, help="with --sampling (500)")
    b.add_argument("--seeds", default="0", help="with --sampling: seeds, e.g. 0,1,2")
    b.add_argument("--json", action="store_true", help="print JSON")
    _sweep_arguments(b, "one job per target and backend, one timing per worker")
    b.set_defaults(func=cmd_bench)

    ds = sub.add_parser(
        "discover",
        help="find, check and time faster forms of a model's logp + gradient",
    )
    ds.add_argument(
        "targets",
        nargs="+",
        metavar="target",
        help="models or graphs: FILE.py[:NAME] or bundled names",
    )
    ds.add_argument("--goal", default="speed", choices=("speed",))
    ds.add_argument(
        "--budget", type=float, default=60.0, help="seconds of search (default 60)"
    )
    ds.add_argument("-o", "--output", help="write the kept rules to this .py file")
    ds.add_argument(
        "--max-examples", type=int, default=30, help="checker examples per graph"
    )
    ds.add_argument(
        "--no-measure", action="store_true", help="check the candidates, do not time"
    )
    ds.add_argument("--json", action="store_true", help="print JSON")
    _sweep_arguments(ds, "one job per target")
    ds.set_defaults(func=cmd_discover)

    ac = sub.add_parser(
        "accuracy",
        help="error of a model's logp + gradient, and the nodes that cause it",
    )
    ac.add_argument("target", help="a model or graph: FILE.py[:NAME] or a bundled name")
    ac.add_argument(
        "--top", type=int, default=10, help="nodes to list, worst first (10)"
    )
    ac.add_argument("--json", action="store_true", help="print JSON")
    ac.add_argument(
        "--html", help="write the viewer with each node shaded by its local error"
    )
    ac.set_defaults(func=cmd_accuracy)

    d = sub.add_parser("demo", help="the whole workflow on a bundled model")
    d.add_argument(
        "--model",
        default="logistic",
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
