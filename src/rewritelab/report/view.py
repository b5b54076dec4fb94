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

import json
import math
import string
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rewritelab.core.compile import pytensor_rewritten
from rewritelab.core.errors import RewritelabError
from rewritelab.core.models import model_graph
from rewritelab.core.targets import Target, resolve
from rewritelab.rewrite.apply import apply
from rewritelab.rewrite.modes import mode as rules_mode
from rewritelab.see.graph import to_networkx
from rewritelab.see.merged import MergedGraph, merge, term_groups

__all__ = ["ViewFile", "view", "COLLAPSE_ABOVE", "MAX_NODES"]

#: From this many nodes on, the viewer opens with every logp term collapsed.
COLLAPSE_ABOVE = 600

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


def _asset(name: str) -> str:
    return resources.files("rewritelab.report").joinpath("assets", name).read_text()


def _groups(target: Target, graph: Any) -> dict[str, str] | None:
    roles = {v.name: r for v, r in target.roles.items() if v.name}
    return term_groups(graph, roles) if target.model is not None and roles else None


def _merged(target: Target, before: Any, after: Any, changes: Any) -> MergedGraph:
    gb, ga = to_networkx(before), to_networkx(after)
    return merge(
        gb,
        ga,
        changes,
        groups_before=_groups(target, gb),
        groups_after=_groups(target, ga),
    )


def view(
    target: Any,
    rules: Any = None,
    *,
    graph: str | None = None,
    compiled: bool = False,
    path: str | Path = "view.html",
    title: str = "",
) -> ViewFile:
    """Write the viewer for ``target`` to ``path`` (see module doc).

    ``rules`` (a RuleSet, path, rule or list; None: no rules) are applied as
    :func:`rewritelab.apply` does; ``graph`` picks a model's ``logp``,
    ``terms``, ``grad`` or ``logp+grad``; ``compiled`` adds PyTensor's default
    pipeline (and, with rules, the pipeline with them) as views of their own.

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
    if rules is not None:
        result = apply(t, rules)
        fired = ", ".join(result.fired) or "no rule"
        n = len(result.firings)
        name = f"rules: {n} firing{'s' * (n != 1)} of {fired}"
        views.append((name, _merged(t, result.before, result.after, result.diff)))
    else:
        views.append(("graph", _merged(t, t, t, None)))
    if compiled:
        base = pytensor_rewritten(t)
        views.append(("PyTensor's default pipeline", _merged(t, t, base, None)))
        if rules is not None:
            with_rules = pytensor_rewritten(t, rules_mode(rules))
            views.append(
                ("PyTensor's pipeline with the rules", _merged(t, t, with_rules, None))
            )
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
        "views": [{"name": name, "graph": m.to_dict()} for name, m in views],
    }
    page = string.Template(_asset("viewer.html")).substitute(
        title=_html_text(data["title"]),
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


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
