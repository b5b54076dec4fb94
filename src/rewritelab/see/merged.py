"""One graph of a diff: kept nodes once, removed and added ones beside them.

The viewer draws this graph. Each node is an Apply node, a root (input or
constant) or an output, as :func:`rewritelab.see.render.picture_graph`
shows them; its ``status`` is ``kept``, ``rewired``, ``added`` (after only)
or ``removed`` (before only), from the correspondence of
:func:`rewritelab.see.analysis.diff`. Nodes of a model's logp graph are
grouped by the logp term (random variable) they compute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from rewritelab.see.analysis import GraphDiff, as_networkx, diff
from rewritelab.see.render import picture_graph

__all__ = ["MergedGraph", "merge", "term_groups"]

#: Group of nodes that compute no single term (the joint sum, shared work).
JOINT = "joint"

_MANY = "\0many"  # a node several terms need


@dataclass(frozen=True)
class MergedGraph:
    """Nodes (dicts: ``id``, ``label``, ``kind``, ``status``, ``group``, ``rule``,
    ``before``/``after`` ids and the node's attributes) and edges (``source``,
    ``target``, ``status``) of a diff, and its changes as lists of node ids."""

    nodes: tuple[Mapping[str, Any], ...]
    edges: tuple[Mapping[str, Any], ...]
    changes: tuple[Mapping[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "nodes": [dict(n) for n in self.nodes],
            "edges": [dict(e) for e in self.edges],
            "changes": [dict(c) for c in self.changes],
        }

    def __str__(self) -> str:
        counts: dict[str, int] = {}
        for n in self.nodes:
            counts[n["status"]] = counts.get(n["status"], 0) + 1
        text = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        return f"{len(self.nodes)} nodes ({text}), {len(self.changes)} changes"


def term_groups(graph: Any, roles: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Apply id -> the logp term it belongs to, for a model's logp graph.

    ``roles`` maps variable names to ``(role, of)`` (values and observed data
    name the terms). A node computing exactly one term's variable
    (``<name>_logprob``, ``<name>_log_jacobian``) belongs to that term; a
    node on the gradient of exactly one term to ``"∂ <term>"``; the rest
    (the joint sum, shared sub-expressions) to ``"joint"``.
    """
    g = as_networkx(graph)
    names = sorted(roles, key=len, reverse=True)  # longest prefix first

    def term_of(text: str) -> str | None:
        for name in names:
            if text.startswith(name + "_"):
                return roles[name][1] or name
        return None

    # Each node's term: the one term whose variable it is computed for, or
    # _MANY; labels flow from the term variables to their ancestors, in one
    # sweep against the topological order.
    seeds: dict[str, tuple[str, bool]] = {}
    for n, d in g.nodes(data=True):
        name = d.get("name") or ""
        if d["kind"] != "variable" or "parent" in d or not name:
            continue
        term = term_of(name.removeprefix("(d__logp/d").rstrip(")"))
        if term is not None and name.endswith(("_logprob", "_log_jacobian", ")")):
            seeds[n] = (term, name.startswith("(d__logp/d"))
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}
    for n in reversed(list(nx.topological_sort(g))):
        for labels, grad in ((forward, False), (backward, True)):
            mine = {labels[m] for m in g.successors(n) if m in labels}
            if n in seeds and seeds[n][1] == grad:
                mine.add(seeds[n][0])
            if mine:
                labels[n] = mine.pop() if len(mine) == 1 else _MANY
    groups = {}
    for n, d in g.nodes(data=True):
        if d["kind"] != "apply" or "parent" in d:
            continue
        term, grad = forward.get(n), backward.get(n)
        if term is not None and term is not _MANY:
            groups[n] = term
        elif term is None and grad is not None and grad is not _MANY:
            groups[n] = f"∂ {grad}"
        else:
            groups[n] = JOINT
    return groups


def _fold_into_groups(
    nodes: list[dict[str, Any]],
    pa: nx.DiGraph,
    pb: nx.DiGraph,
    ids: dict[tuple[str, str], str],
) -> None:
    """A root or output takes the group of the Apply nodes it touches, when
    they are all in one (so a collapsed term takes its constants with it)."""
    group = {n["id"]: n["group"] for n in nodes if n["kind"] == "apply"}
    by_id = {n["id"]: n for n in nodes}
    for side, pic in (("a", pa), ("b", pb)):
        for x in pic:
            node = by_id.get(ids[(side, x)])
            if node is None or node["kind"] == "apply" or node["group"] is not None:
                continue
            near = {group.get(ids[(side, y)]) for y in nx.all_neighbors(pic, x)}
            if len(near) == 1:
                node["group"] = near.pop()


def _attrs(g: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    """What the viewer's panel shows of node ``n`` (an Apply: its output's type)."""
    d = g.nodes[n]
    if d["kind"] == "apply":
        outs = sorted(g.out_edges(n, data="index"), key=lambda e: e[2])
        var = g.nodes[outs[0][1]] if outs else {}
        return {
            "op": d["op"],
            "op_type": d["op_type"],
            "dtype": var.get("dtype"),
            "shape": _shape(var.get("shape")),
            "name": var.get("name"),
        }
    return {
        "op": None,
        "op_type": None,
        "dtype": d.get("dtype"),
        "shape": _shape(d.get("shape")),
        "name": d.get("name"),
        "role": d.get("role"),
        "role_of": d.get("role_of"),
        "value": d.get("value"),
    }


def _shape(shape: Any) -> str | None:
    if shape is None:
        return None
    return "(" + ", ".join("?" if s is None else str(s) for s in shape) + ")"


def merge(
    before: Any,
    after: Any,
    changes: GraphDiff | None = None,
    *,
    groups_before: Mapping[str, str] | None = None,
    groups_after: Mapping[str, str] | None = None,
    notes_after: Mapping[str, Mapping[str, Any]] | None = None,
) -> MergedGraph:
    """The diff of ``before`` and ``after`` as one graph (see module doc).

    ``changes`` is the diff (default: :func:`rewritelab.diff` of the two);
    ``groups_*`` map Apply ids of each side to a group (:func:`term_groups`);
    ``notes_after`` adds attributes to Apply nodes of ``after`` by id (such as
    ``time``, a share of the run time).
    """
    gb, ga = as_networkx(before), as_networkx(after)
    d = changes if changes is not None else diff(gb, ga)
    pb, pa = picture_graph(gb), picture_graph(ga)
    # picture node of before -> picture node of after, where they correspond
    to_after = {m: n for n, m in d.matched.items()}
    for n, m in d.matched_variables.items():
        if n in pa and m in pb:  # roots
            to_after.setdefault(m, n)
        if f"{n}:out" in pa and f"{m}:out" in pb:  # outputs
            to_after.setdefault(f"{m}:out", f"{n}:out")
    rewired, added = d.rewired_nodes, d.added_nodes
    to_before = {n: m for m, n in to_after.items()}

    def node(side: str, pic_id: str, graph: nx.MultiDiGraph, **fields: Any) -> dict:
        """One merged node: the picture's text and the graph's attributes."""
        nd = (pa if side == "A" else pb).nodes[pic_id]
        return {
            "id": f"{side}{pic_id}",
            "label": nd["label"],
            "kind": nd["kind"],
            "style": nd["style"],
            **fields,
            **_attrs(graph, pic_id.removesuffix(":out")),
        }

    nodes, ids = [], {}
    for n, kind in pa.nodes(data="kind"):
        back = to_before.get(n)
        if kind == "apply":
            status = "added" if n in added else "rewired" if n in rewired else "kept"
        else:
            status = "kept" if back is not None else "added"
        ids[("a", n)] = f"A{n}"
        fields = dict(
            status=status,
            group=(groups_after or {}).get(n),
            rule=d.blame_after.get(n),
            after=n,
            before=back,
        )
        nodes.append(node("A", n, ga, **fields) | dict((notes_after or {}).get(n, {})))
    for m in pb:
        if m in to_after:
            ids[("b", m)] = ids[("a", to_after[m])]
            continue
        ids[("b", m)] = f"B{m}"
        fields = dict(
            status="removed",
            group=(groups_before or {}).get(m),
            rule=d.blame_before.get(m),
            after=None,
            before=m,
        )
        nodes.append(node("B", m, gb, **fields))
    _fold_into_groups(nodes, pa, pb, ids)
    edges, seen = [], set()
    for u, v in pa.edges():
        key = (ids[("a", u)], ids[("a", v)])
        seen.add(key)
        edges.append({"source": key[0], "target": key[1], "status": "kept"})
    for u, v in pb.edges():
        key = (ids[("b", u)], ids[("b", v)])
        if key not in seen:
            seen.add(key)
            edges.append({"source": key[0], "target": key[1], "status": "removed"})
    steps = [
        {
            "rule": c.rule,
            "nodes": sorted(
                {ids[("b", m)] for m in c.removed if ("b", m) in ids}
                | {ids[("a", n)] for n in c.added | c.rewired if ("a", n) in ids}
            ),
        }
        for c in d.changes
    ]
    return MergedGraph(tuple(nodes), tuple(edges), tuple(steps))
