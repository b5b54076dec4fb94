"""Summaries, traversal and structural diffs of graphs, as plain functions."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
from pytensor.graph.basic import Variable

from rewritelab.see.graph import to_networkx

__all__ = [
    "Summary",
    "GraphDiff",
    "summary",
    "diff",
    "roots",
    "as_networkx",
    "signatures",
]


def as_networkx(graph: Any) -> nx.MultiDiGraph:
    """Return ``graph`` if it is already a networkx graph, else convert it."""
    return graph if isinstance(graph, nx.DiGraph) else to_networkx(graph)


@dataclass(frozen=True)
class Summary:
    """What a graph holds: sizes, the op histogram, depth, inputs, outputs."""

    name: str
    n_apply: int
    n_variables: int
    n_constants: int
    ops: tuple[tuple[str, int], ...]
    op_types: tuple[tuple[str, int], ...]
    depth: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    constants: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    def __str__(self) -> str:
        ops = ", ".join(f"{op} {n}" for op, n in self.ops[:8])
        more = f", … {len(self.ops) - 8} more" if len(self.ops) > 8 else ""
        return (
            f"{self.name or 'graph'}: {self.n_apply} apply nodes, "
            f"{self.n_variables} variables ({self.n_constants} constants), "
            f"depth {self.depth}\n  inputs: {', '.join(self.inputs) or '-'}"
            f"\n  outputs: {', '.join(self.outputs) or '-'}\n  ops: {ops}{more}"
        )


def _var_label(attrs: dict[str, Any], node_id: str) -> str:
    if attrs.get("name"):
        return str(attrs["name"])
    if "value" in attrs:
        return str(attrs["value"])
    if attrs.get("is_output"):
        return f"output {attrs.get('output_index', 0)}"
    return f"{node_id}:{attrs.get('type')}"


def summary(graph: Any) -> Summary:
    """Summarise a graph target or a graph from :func:`to_networkx`.

    ``depth`` is the number of Apply nodes on the longest input-to-output
    path. Inner graphs (``expand_inner=True``) are not counted.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dvector("x")
    >>> s = summary(pt.log(pt.exp(x)).sum())
    >>> s.n_apply, s.depth, dict(s.ops)["exp"]
    (3, 3, 1)
    """
    g = as_networkx(graph)
    outer = [n for n, d in g.nodes(data=True) if "parent" not in d]
    applies = [n for n in outer if g.nodes[n]["kind"] == "apply"]
    variables = [n for n in outer if g.nodes[n]["kind"] == "variable"]
    ops = Counter(g.nodes[n]["op"] for n in applies)
    op_types = Counter(g.nodes[n]["op_type"] for n in applies)
    constants = [n for n in variables if g.nodes[n]["is_constant"]]
    return Summary(
        name=str(g.graph.get("name", "")),
        n_apply=len(applies),
        n_variables=len(variables),
        n_constants=len(constants),
        ops=tuple(sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))),
        op_types=tuple(sorted(op_types.items(), key=lambda kv: (-kv[1], kv[0]))),
        depth=_depth(g, applies),
        inputs=tuple(
            _var_label(g.nodes[n], n) for n in variables if g.nodes[n]["is_input"]
        ),
        outputs=tuple(
            _var_label(g.nodes[n], n)
            for n in sorted(
                (n for n in variables if g.nodes[n]["is_output"]),
                key=lambda n: g.nodes[n].get("output_index", 0),
            )
        ),
        constants=tuple(_var_label(g.nodes[n], n) for n in constants[:50]),
    )


def _depth(g: nx.MultiDiGraph, applies: list[str]) -> int:
    """Apply nodes on the longest path; ids are in topological order already."""
    level: dict[str, int] = {}
    best = 0
    order = sorted(applies, key=lambda n: int(n[1:]))
    for a in order:
        d = 1 + max(
            (level.get(p, 0) for v in g.predecessors(a) for p in g.predecessors(v)),
            default=0,
        )
        level[a] = d
        best = max(best, d)
    return best


def roots(variable: Variable | Iterable[Variable]) -> tuple[Variable, ...]:
    """Walk from output(s) back to the root variables (inputs and constants).

    The walk is depth first from the outputs, following each Apply node's
    inputs in order; each root is reported once, in the order it is reached.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x, y = pt.dscalars("x", "y")
    >>> [v.name for v in roots(pt.log(x + y))]
    ['x', 'y']
    """
    outputs = [variable] if isinstance(variable, Variable) else list(variable)
    seen: set[Variable] = set()
    found: list[Variable] = []
    stack = list(reversed(outputs))
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        if v.owner is None:
            found.append(v)
        else:
            stack.extend(reversed(v.owner.inputs))
    return tuple(found)


def signatures(graph: Any) -> dict[str, str]:
    """A structural hash per node: equal sub-expressions get equal signatures.

    A root's signature is its name and type (or its value, for constants); an
    Apply node's is its op and its inputs' signatures in order; an output
    variable's is its owner's plus its output index. Two graphs share a node
    when they compute the same expression from the same roots, so this is
    what :func:`diff` uses to tell kept nodes from added and removed ones.
    """
    g = as_networkx(graph)
    sig: dict[str, str] = {}

    def h(text: str) -> str:
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    for n in nx.topological_sort(g):
        d = g.nodes[n]
        if d["kind"] == "variable":
            preds = list(g.in_edges(n, data="index"))
            if preds:
                owner, _, index = preds[0]
                sig[n] = h(f"{sig[owner]}#{index}")
            elif d["is_constant"]:
                sig[n] = h(f"const:{d['type']}:{d.get('value', n)}")
            else:
                sig[n] = h(f"input:{d['name']}:{d['type']}")
        else:
            ins = sorted(g.in_edges(n, data="index"), key=lambda e: e[2])
            sig[n] = h(d["op"] + "(" + ",".join(sig[u] for u, _, _ in ins) + ")")
    return sig


@dataclass(frozen=True)
class GraphDiff:
    """What changed between two graphs: ops by count, and which nodes.

    ``added``/``removed``/``kept`` list ``(op, count)``; ``added_nodes`` are
    node ids of ``after`` with no structural twin in ``before``, and
    ``removed_nodes`` ids of ``before`` with none in ``after``.
    """

    n_apply_before: int
    n_apply_after: int
    added: tuple[tuple[str, int], ...]
    removed: tuple[tuple[str, int], ...]
    kept: tuple[tuple[str, int], ...]
    added_nodes: frozenset[str]
    removed_nodes: frozenset[str]

    def __str__(self) -> str:
        def ops(rows: tuple[tuple[str, int], ...]) -> str:
            return ", ".join(f"{op} {n}" for op, n in rows) or "-"

        return (
            f"{self.n_apply_before} -> {self.n_apply_after} apply nodes"
            f"\n  removed: {ops(self.removed)}\n  added: {ops(self.added)}"
        )

    @property
    def changed(self) -> bool:
        """Whether the op multiset or the structure differs."""
        return bool(self.added or self.removed or self.added_nodes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = asdict(self)
        d["added_nodes"] = sorted(self.added_nodes)
        d["removed_nodes"] = sorted(self.removed_nodes)
        return d


def _sorted_counts(c: Counter) -> tuple[tuple[str, int], ...]:
    return tuple(
        sorted(((k, v) for k, v in c.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
    )


def diff(before: Any, after: Any) -> GraphDiff:
    """Compare two graphs (targets or networkx graphs from :func:`to_networkx`).

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dvector("x")
    >>> d = diff(pt.log(pt.exp(x)), pt.sqrt(x))
    >>> dict(d.removed), dict(d.added)
    ({'exp': 1, 'log': 1}, {'sqrt': 1})
    """
    gb, ga = as_networkx(before), as_networkx(after)

    def ops(g: nx.MultiDiGraph) -> Counter:
        return Counter(
            d["op"]
            for _, d in g.nodes(data=True)
            if d["kind"] == "apply" and "parent" not in d
        )

    ob, oa = ops(gb), ops(ga)
    sb, sa = signatures(gb), signatures(ga)
    applies_b = {n: s for n, s in sb.items() if gb.nodes[n]["kind"] == "apply"}
    applies_a = {n: s for n, s in sa.items() if ga.nodes[n]["kind"] == "apply"}
    set_b, set_a = set(applies_b.values()), set(applies_a.values())
    return GraphDiff(
        n_apply_before=sum(ob.values()),
        n_apply_after=sum(oa.values()),
        added=_sorted_counts(oa - ob),
        removed=_sorted_counts(ob - oa),
        kept=_sorted_counts(ob & oa),
        added_nodes=frozenset(n for n, s in applies_a.items() if s not in set_b),
        removed_nodes=frozenset(n for n, s in applies_b.items() if s not in set_a),
    )
