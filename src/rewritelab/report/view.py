"""``rewritelab view``: one self-contained HTML file to look at a rewrite.

The page holds the merged diff graph (:mod:`rewritelab.see.merged`) of each
view — the rules' rewrite, and with ``compiled`` PyTensor's default pipeline
beside the pipeline with the rules — as JSON, the vendored layout library
(dagre, from the npm registry: see ``assets/README.md``) and the viewer's
script, all inlined, so it opens offline. In the browser: pan, zoom, search
by op or name, a panel per node (op, dtype, shape, role, term, the rule that
made it), terms of a model's logp collapsible (collapsed from
:data:`COLLAPSE_ABOVE` nodes on), and the changes stepped through one by one,
each highlighted and centred.
"""

from __future__ import annotations

import html
import json
import math
import string
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pytensor
from pytensor.graph.basic import Apply
from pytensor.graph.fg import FunctionGraph

from rewritelab.check.kernel import Counterexample
from rewritelab.core.compile import as_mode, pytensor_rewritten
from rewritelab.core.errors import RewritelabError
from rewritelab.core.models import model_graph
from rewritelab.core.points import Point, graph_points, model_points
from rewritelab.core.targets import Target, resolve
from rewritelab.rewrite.apply import apply
from rewritelab.rewrite.modes import mode as rules_mode
from rewritelab.see.graph import to_networkx, to_networkx_with_ids
from rewritelab.see.merged import MergedGraph, merge, term_groups

__all__ = ["ViewFile", "view", "COLLAPSE_ABOVE", "MAX_NODES", "HEADLESS_CHROMIUM_ARGS"]

#: From this many nodes on, the viewer opens with every logp term collapsed.
COLLAPSE_ABOVE = 600

#: Flags for opening the viewer in headless Chromium here: no sandbox (root),
#: and none of Chromium's own network traffic, which a closed network refuses.
HEADLESS_CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

#: A graph with more nodes than this and no terms to collapse is refused:
#: a browser would hang laying it out.
MAX_NODES = 20_000


@dataclass(frozen=True)
class ViewFile:
    """What :func:`view` wrote: the file, its views (name, nodes, changes)."""

    path: Path
    views: tuple[tuple[str, int, int], ...]
    seconds: float

    def __str__(self) -> str:
        parts = [f"{name}: {n} nodes, {c} changes" for name, n, c in self.views]
        return f"{self.path} ({'; '.join(parts)})"


#: The accuracy overlay's view: the graph the rules see, each elementwise
#: node shaded by its local error.
ACCURACY_VIEW = "local error (ULPs) on the graph the rules see"

#: Views shown alone, never as a diff against the original.
ALONE = (ACCURACY_VIEW,)


def _asset(name: str) -> str:
    return resources.files("rewritelab.report").joinpath("assets", name).read_text()


def _groups(target: Target, graph: Any) -> dict[str, str] | None:
    roles = {v.name: r for v, r in target.roles.items() if v.name}
    return term_groups(graph, roles) if target.model is not None and roles else None


def _merged(
    target: Target,
    gb: Any,
    after: Any,
    changes: Any,
    times: Mapping[Apply, float] | None = None,
    errors: Mapping[Apply, Any] | None = None,
) -> MergedGraph:
    """The merged diff of ``target`` (already converted: ``gb``) and
    ``after``, with each Apply of ``after`` its share of the run time
    (``times``) or its local error (``errors``: NodeErrors), where given."""
    after_ids = to_networkx_with_ids(after)
    ga = after_ids.graph
    notes = {
        after_ids.applies[node]: {"time": share}
        for node, share in (times or {}).items()
        if node in after_ids.applies
    }
    notes |= {
        after_ids.applies[node]: {
            "ulps": e.ulps,
            "error": f"{e.ulps:.3g} ULPs at {e.point}: {e.value!r}, exact {e.exact!r}",
        }
        for node, e in (errors or {}).items()
        if node in after_ids.applies
    }
    return merge(
        gb,
        ga,
        changes,
        groups_before=_groups(target, gb),
        groups_after=_groups(target, ga),
        notes_after=notes,
    )


def _alone(merged: MergedGraph) -> MergedGraph:
    """The after side of ``merged`` only, every node and edge ``kept``: a
    graph shown for itself (the accuracy overlay), not as a change."""
    nodes = [{**n, "status": "kept"} for n in merged.nodes if n["status"] != "removed"]
    ids = {n["id"] for n in nodes}
    edges = [
        {**e, "status": "kept"}
        for e in merged.edges
        if e["status"] != "removed" and e["source"] in ids and e["target"] in ids
    ]
    return replace(merged, nodes=tuple(nodes), edges=tuple(edges), changes=())


def _mark(merged: MergedGraph, found: Counterexample) -> MergedGraph:
    """``merged`` with the nodes of the blamed rule's changes (in the term the
    counterexample names, where it names one) marked with it."""
    term = found.output.removeprefix("term ").removesuffix("_logprob")
    ids = {
        i
        for c in merged.changes
        if not found.rule or c["rule"] == found.rule
        for i in c["nodes"]
    }
    text = str(found).splitlines()[0]
    nodes = []
    for n in merged.nodes:
        hit = n["id"] in ids and (
            not found.output.startswith("term ") or term in str(n.get("group"))
        )
        nodes.append({**n, "counterexample": text} if hit else n)
    return replace(merged, nodes=tuple(nodes))


def _point(target: Target) -> Point:
    """A finite point to run ``target`` at: a model's initial point (or a
    prior draw), else a random one (:func:`rewritelab.core.points.graph_points`)."""
    if target.model is not None:
        points = model_points(target.model, draws=1)
    else:
        points = graph_points(target.inputs, target.outputs, draws=1)
    if not len(points):
        raise RewritelabError(f"cannot profile {target.name or 'the graph'}: {points}")
    return points.points[0]


def _profiled(
    target: Target, mode: Any, min_seconds: float = 0.3
) -> tuple[FunctionGraph, dict[Apply, float]]:
    """The C backend's compiled graph of ``target`` under ``mode`` and each
    node's share of the run time (PyTensor's ProfileStats), at a finite point."""
    fn = pytensor.function(
        list(target.inputs),
        list(target.outputs),
        mode=mode,
        profile=True,
        on_unused_input="ignore",
    )
    args = _point(target).args(target.inputs)
    start, calls = time.perf_counter(), 0
    while calls < 10 or time.perf_counter() - start < min_seconds:
        fn(*args)
        calls += 1
    fg = fn.maker.fgraph
    spent = {node: s for (g, node), s in fn.profile.apply_time.items() if g is fg}
    total = sum(spent.values()) or 1.0
    return fg, {node: s / total for node, s in spent.items()}


def view(
    target: Any,
    rules: Any = None,
    *,
    graph: str | None = None,
    compiled: bool = False,
    profile: bool = False,
    counterexample: Counterexample | None = None,
    accuracy: Any = None,
    path: str | Path = "view.html",
    title: str = "",
) -> ViewFile:
    """Write the viewer for ``target`` to ``path`` (see module doc).

    ``rules`` (a RuleSet, path, rule or list; None: no rules) are applied as
    :func:`rewritelab.apply` does; ``graph`` picks a model's ``logp``,
    ``terms``, ``grad`` or ``logp+grad``; ``compiled`` adds PyTensor's default
    pipeline (and, with rules, the pipeline with them) as views of their own;
    ``profile`` makes those the C backend's compiled graphs, each node with
    its share of the run time (PyTensor's ProfileStats, at a finite point),
    shaded in the viewer. ``counterexample`` (from a model or rule check)
    marks the changes of the rule it blames, in the term it names.
    ``accuracy`` (an :class:`rewritelab.check.accuracy.AccuracyReport` of
    ``target``) adds the graph it judged as a view, each elementwise node
    shaded by its local error.

    Examples
    --------
    >>> import tempfile, pytensor.tensor as pt
    >>> from rewritelab.rewrite.rules import pattern
    >>> x = pt.dvector("x")
    >>> out = view(pt.log(pt.exp(x)) * 2, pattern("log(exp(x)) -> x"),
    ...            path=tempfile.mkdtemp() + "/v.html")
    >>> out.views
    (('rules: 1 firing of log(exp(x)) -> x', 7, 1),)
    """
    t0 = time.perf_counter()
    p = Path(path)
    if p.suffix.lower() not in (".html", ".htm"):
        raise RewritelabError(
            f"cannot write the viewer to {p.name}: expected FILE.html"
        )
    t = resolve(model_graph(target, graph) if graph is not None else target)
    views: list[tuple[str, MergedGraph]] = []
    gb = to_networkx(t)  # the original, the before side of every view
    if rules is not None:
        result = apply(t, rules)
        fired = ", ".join(result.fired) or "no rule"
        n = len(result.firings)
        name = f"rules: {n} firing{'s' * (n != 1)} of {fired}"
        merged = _merged(t, gb, result.after, result.diff)
        if counterexample is not None:
            merged = _mark(merged, counterexample)
        views.append((name, merged))
    elif accuracy is None:
        views.append(("graph", _merged(t, gb, t, None)))
    if profile:  # the C backend's compiled graphs, with time per node
        fg, times = _profiled(t, as_mode("CVM"))
        views.append(("C backend, default pipeline", _merged(t, gb, fg, None, times)))
        if rules is not None:
            fg, times = _profiled(t, rules_mode(rules, base="CVM"))
            views.append(
                ("C backend, pipeline with the rules", _merged(t, gb, fg, None, times))
            )
    elif compiled:
        base = pytensor_rewritten(t)
        views.append(("PyTensor's default pipeline", _merged(t, gb, base, None)))
        if rules is not None:
            with_rules = pytensor_rewritten(t, rules_mode(rules))
            views.append(
                ("PyTensor's pipeline with the rules", _merged(t, gb, with_rules, None))
            )
    if accuracy is not None:
        if accuracy.graph is None:
            raise RewritelabError("accuracy= wants an AccuracyReport of the target")
        judged = _merged(t, gb, accuracy.graph, None, errors=accuracy.local)
        views.append((ACCURACY_VIEW, _alone(judged)))
    sizes = [len(m.nodes) for _, m in views]
    if not any(n.get("kind") == "apply" for _, m in views for n in m.nodes):
        raise RewritelabError(
            f"nothing to view: {t.name or 'the graph'} has no Apply nodes"
        )
    grouped = any(n.get("group") for _, m in views for n in m.nodes)
    if max(sizes) > MAX_NODES and not grouped:
        raise RewritelabError(
            f"{t.name or 'the graph'} has {max(sizes):,} nodes, more than a browser "
            f"can lay out ({MAX_NODES:,}); view a part of it, or a model, whose "
            "logp terms collapse"
        )
    data = {
        "title": title or t.name or "graph",
        "collapse_above": COLLAPSE_ABOVE,
        "views": [
            # a compiled graph shares little with the original: shown alone first
            {
                "name": name,
                "graph": m.to_dict(),
                "show": "both" if i == 0 and name not in ALONE else "after",
            }
            for i, (name, m) in enumerate(views)
        ],
    }
    page = string.Template(_asset("viewer.html")).substitute(
        title=html.escape(data["title"]),
        css=_asset("viewer.css"),
        data=json.dumps(_finite(data), default=str).replace("</", "<\\/"),
        dagre=_asset("dagre.min.js"),
        viewer=_asset("viewer.js"),
    )
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(page)
    return ViewFile(
        p,
        tuple((name, len(m.nodes), len(m.changes)) for name, m in views),
        time.perf_counter() - t0,
    )


def _finite(obj: Any) -> Any:
    """``obj`` with every non-finite float as text (JSON has no nan or inf)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj
