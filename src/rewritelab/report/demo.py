"""``rewritelab demo``: the whole workflow on one model, as an HTML report.

See (the logp graph, and what PyTensor's own rewrites make of it), rewrite
(the shipped rules on logp + gradient, every firing), check (every rule, and
the model's logp, terms and gradient before vs after), measure (compiled
before/after on Numba and C). Writes ``report.html`` and ``report.md`` with
their pictures into one folder.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rewritelab.check.cache import cached_report, checked_rules
from rewritelab.check.model import check_model
from rewritelab.check.rules import ERROR_HEADERS
from rewritelab.core.compile import pytensor_rewritten
from rewritelab.core.sweep import cluster
from rewritelab.core.targets import load_target
from rewritelab.measure.bench import CELL_HEADERS, bench
from rewritelab.report.bench import save_bench
from rewritelab.report.progress import Steps
from rewritelab.report.tables import markdown_table
from rewritelab.report.view import view
from rewritelab.rewrite.apply import apply
from rewritelab.rewrite.registry import library
from rewritelab.see.analysis import diff, summary
from rewritelab.see.graph import to_networkx
from rewritelab.see.render import render, render_diff

__all__ = ["run_demo", "DemoReport"]


@dataclass(frozen=True)
class _Section:
    title: str
    text: str = ""
    tables: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...] = ()
    images: tuple[tuple[str, str], ...] = ()
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DemoReport:
    """The demo's result: where the reports are, and what they say."""

    html: Path
    markdown: Path
    sections: tuple[_Section, ...] = field(repr=False, default=())


def _md(sections: list[_Section], title: str) -> str:
    out = [f"# {title}", ""]
    for s in sections:
        out += [f"## {s.title}", ""]
        if s.text:
            out += [s.text, ""]
        for head, rows in s.tables:
            out += [markdown_table(head, rows), ""]
        out += [f"![{alt}]({src})" for alt, src in s.images]
        out += [f"[{text}]({href})" for text, href in s.links]
        out.append("")
    return "\n".join(out)


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px;
       color: #222; line-height: 1.45; }
h1 { border-bottom: 3px solid #4a6fa5; padding-bottom: .2em; }
h2 { color: #4a6fa5; margin-top: 1.8em; }
table { border-collapse: collapse; margin: .8em 0; font-size: 14px; }
th, td { border: 1px solid #ccd; padding: 4px 10px; text-align: left; }
th { background: #eef2f8; }
tr:nth-child(even) td { background: #fafbfd; }
img { max-width: 100%; border: 1px solid #dde; margin: .5em 0; }
.passed { color: #1a7f37; font-weight: 600; }
.counterexample, .error { color: #c62828; font-weight: 600; }
.note { color: #555; }
"""


def _html(sections: list[_Section], title: str) -> str:
    body = [f"<h1>{html.escape(title)}</h1>"]
    for s in sections:
        body.append(f"<h2>{html.escape(s.title)}</h2>")
        if s.text:
            body += [f"<p>{html.escape(p)}</p>" for p in s.text.split("\n\n")]
        for head, rows in s.tables:
            body.append(
                "<table><tr>"
                + "".join(f"<th>{html.escape(h)}</th>" for h in head)
                + "</tr>"
            )
            for r in rows:
                cells = "".join(
                    f'<td class="{html.escape(c)}">{html.escape(c)}</td>'
                    if c in ("passed", "counterexample", "error", "not exercised")
                    else f"<td>{html.escape(c)}</td>"
                    for c in r
                )
                body.append(f"<tr>{cells}</tr>")
            body.append("</table>")
        body += [
            f'<p><img src="{html.escape(src)}" alt="{html.escape(alt)}"></p>'
            for alt, src in s.images
        ]
        body += [
            f'<p class="link"><a href="{html.escape(href)}">{html.escape(text)}</a></p>'
            for text, href in s.links
        ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def run_demo(
    model: str,
    out: Path,
    *,
    backends: tuple[str, ...] = ("numba", "c"),
    repeats: int = 21,
    max_examples: int = 100,
) -> DemoReport:
    """Run the whole workflow on ``model`` (a bundled name or FILE.py[:NAME])
    and write ``report.html`` and ``report.md`` into ``out``."""

    with Steps("demo:", len(DEMO_STEPS)) as steps:
        return _run(model, out, steps, backends, repeats, max_examples)


#: The demo's steps, as its progress reports them.
DEMO_STEPS = (
    "inspecting the logp graph",
    "applying the shipped rules",
    "writing the viewer",
    "checking every rule",
    "checking the model",
    "benchmarking before/after",
)


def _run(
    model: str,
    out: Path,
    steps: Steps,
    backends: tuple[str, ...],
    repeats: int,
    max_examples: int,
) -> DemoReport:
    out.mkdir(parents=True, exist_ok=True)
    steps.step(0, DEMO_STEPS[0])
    target = load_target(model)
    rules = library()
    sections: list[_Section] = []

    def pic_name(p: Any) -> str:
        return (p.image or p.dot).name

    graph = to_networkx(target)
    compiled = to_networkx(pytensor_rewritten(target))
    s, sc, d = summary(graph), summary(compiled), diff(graph, compiled)
    pic = render(graph, out / "logp.png", title=f"{model}: logp graph")
    dpic = render_diff(graph, compiled, out / "compiled_diff.png")
    sections.append(
        _Section(
            "1. See: the logp graph",
            f"{s.n_apply} apply nodes, {s.n_variables} variables, depth {s.depth}; "
            f"inputs {', '.join(s.inputs)}.",
            ((("op", "count"), tuple((op, str(n)) for op, n in s.ops[:15])),),
            (("logp graph", pic_name(pic)),),
        )
    )
    sections.append(
        _Section(
            "2. What PyTensor's default rewrites do",
            f"{d.n_apply_before} -> {sc.n_apply} apply nodes (red: removed, green: added).",
            (
                (
                    ("change", "op", "count"),
                    tuple(("removed", op, str(n)) for op, n in d.removed)
                    + tuple(("added", op, str(n)) for op, n in d.added),
                ),
            ),
            (("before and after PyTensor's rewrites", pic_name(dpic)),),
        )
    )
    if target.model is None:
        raise ValueError(f"{model} is not a PyMC model: the demo needs one")
    steps.step(1, DEMO_STEPS[1])
    result = apply(target, rules, graph="logp+grad")
    rpic = render_diff(
        result.before, result.after, out / "rules_diff.png", changes=result.diff
    )
    steps.step(2, DEMO_STEPS[2])
    viewer = view(
        target,
        rules,
        graph="logp+grad",
        compiled=True,
        path=out / "view.html",
        title=f"{model} · logp + gradient",
    )
    sections.append(
        _Section(
            "3. Rewrite: the shipped rules on logp + gradient",
            f"{len(rules)} rules, {len(result.firings)} firings in "
            f"{result.total_seconds * 1e3:.1f} ms; "
            f"{result.diff.n_apply_before} -> {result.diff.n_apply_after} apply nodes.",
            (
                (
                    ("rule", "hits", "ms"),
                    tuple(
                        (n, str(c), f"{dict(result.seconds)[n] * 1e3:.2f}")
                        for n, c in result.counts
                    ),
                ),
                (
                    ("step", "rule", "node", "op", "replaced by"),
                    tuple(
                        (str(f.step), f.rule, f.node, f.op, f.replacement)
                        for f in result.firings[:30]
                    ),
                ),
            ),
            (("before and after the rules", pic_name(rpic)),),
            ((f"open {viewer.path.name}: the interactive viewer", viewer.path.name),),
        )
    )

    def checking(i: int, name: str, cached: bool) -> None:
        steps.step(3, f"{DEMO_STEPS[3]}: {name}{' (cached)' if cached else ''}")

    # rules not in the cache are checked on a local Dask cluster, one worker
    # per core (none is started when every verdict is kept)
    settings = {"max_examples": max_examples}
    todo = [r for r in rules if cached_report(r, settings) is None]
    workers = os.cpu_count() or 1
    with cluster(workers=workers if workers > 1 and len(todo) > 1 else None) as client:
        reports = checked_rules(
            rules, progress=checking, client=client, max_examples=max_examples
        )
    steps.step(4, DEMO_STEPS[4])
    mreport = check_model(target.model, rules)
    sections.append(
        _Section(
            "4. Check: is every rule correct?",
            f"Each rule on graphs it fires on, values and gradients, inputs from "
            f"Hypothesis, compiled with the {reports[0].mode if reports else ''}. "
            f"The model itself: {mreport.verdict}, compared at "
            + ", ".join(f"{n} {k}" for k, n in mreport.points)
            + f" points; worst error {mreport.worst_ulps:.3g} ULPs.",
            (
                (
                    (
                        "rule",
                        "verdict",
                        "graphs fired/tried",
                        "inputs",
                        *ERROR_HEADERS,
                        "s",
                    ),
                    tuple(
                        (
                            r.rule,
                            r.verdict,
                            f"{r.graphs_fired}/{r.graphs_tried}",
                            str(r.inputs_tried),
                            *r.error_cells(),
                            f"{r.seconds:.1f}",
                        )
                        for r in reports
                    ),
                ),
            ),
        )
    )
    steps.step(5, DEMO_STEPS[5])
    # the kernel path only (the headline; `rewritelab bench` times every path)
    breport = bench(
        [target],
        rules,
        backends=backends,
        repeats=repeats,
        names=[model],
        paths=("kernel",),
    )
    paths = save_bench(breport, out, stem="bench")
    head = ("backend", "function", "path", *CELL_HEADERS, "note")
    rows = tuple(
        (r.backend, r.function, r.path, *r.cells(), r.remark) for r in breport.rows
    )
    prof = tuple(
        (r.function, "before", ", ".join(f"{k} {v:.0%}" for k, v in r.ops_before))
        for r in breport.rows
        if r.ops_before
    ) + tuple(
        (r.function, "after", ", ".join(f"{k} {v:.0%}" for k, v in r.ops_after))
        for r in breport.rows
        if r.ops_after
    )
    sections.append(
        _Section(
            "5. Measure: compiled before vs after",
            "Speed-up = time before / time after (above 1: the rules made it faster) "
            "of the compiled kernel, called as nutpie calls it (no Python Function "
            "wrapper); A/B interleaved samples, median per call, 95% bootstrap "
            "interval. "
            "The two functions were checked to agree first.",
            ((head, rows), (("function", "", "C backend: time by Op class"), prof)),
            (("speed-up per function", paths["png"].name),),
        )
    )
    title = f"rewritelab demo: {model}"
    md = out / "report.md"
    md.write_text(_md(sections, title))
    page = out / "report.html"
    page.write_text(_html(sections, title))
    return DemoReport(page, md, tuple(sections))
