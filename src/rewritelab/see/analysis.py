"""Summaries, traversal and structural diffs of graphs, as plain functions."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np
from pytensor.graph.basic import Variable

from rewritelab.see.graph import to_networkx, to_networkx_with_ids

__all__ = [
    "Summary",
    "GraphDiff",
    "Change",
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
class Change:
    """One replacement of a rewrite as the diff sees it: the rule, and the
    Apply ids it removed (of ``before``), added and rewired (of ``after``)."""

    rule: str
    removed: frozenset[str]
    added: frozenset[str]
    rewired: frozenset[str]


@dataclass(frozen=True)
class GraphDiff:
    """What changed between two graphs, node by node, and which rule did it.

    Nodes are matched by what they compute, not by where they sit: hash-
    consing from the inputs up (an Apply with the same op on corresponding
    inputs is the same node), then the rewrite's own record of which
    variable replaced which (``replaced`` of :func:`diff`), then from the
    outputs down (the owners of corresponding variables with the same op).
    One firing that replaces one node shows that node and its replacement;
    the nodes downstream are kept, and the one that now reads the
    replacement is *rewired*.

    ``matched`` maps each kept Apply id of ``after`` to its id in ``before``;
    ``added_nodes`` and ``rewired_nodes`` are ids of ``after``,
    ``removed_nodes`` ids of ``before``; ``blame_after`` / ``blame_before``
    name the rule that added or rewired / removed a node, where the record
    says, and ``changes`` lists the record's replacements one by one.
    ``matched_variables`` maps corresponding Variable ids (after -> before).
    ``added``/``removed``/``kept`` count ops, ``(op, count)``.
    """

    n_apply_before: int
    n_apply_after: int
    added: tuple[tuple[str, int], ...]
    removed: tuple[tuple[str, int], ...]
    kept: tuple[tuple[str, int], ...]
    added_nodes: frozenset[str]
    removed_nodes: frozenset[str]
    rewired_nodes: frozenset[str] = frozenset()
    matched: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    blame_after: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    blame_before: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    matched_variables: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    changes: tuple[Change, ...] = ()

    def __str__(self) -> str:
        def ops(rows: tuple[tuple[str, int], ...]) -> str:
            return ", ".join(f"{op} {n}" for op, n in rows) or "-"

        kept = len(self.matched) - len(self.rewired_nodes)
        return (
            f"{self.n_apply_before} -> {self.n_apply_after} apply nodes: "
            f"{len(self.removed_nodes)} removed, {len(self.added_nodes)} added, "
            f"{len(self.rewired_nodes)} rewired, {kept} kept"
            f"\n  removed: {ops(self.removed)}\n  added: {ops(self.added)}"
        )

    @property
    def changed(self) -> bool:
        """Whether any node was added, removed or rewired."""
        return bool(
            self.added
            or self.removed
            or self.added_nodes
            or self.removed_nodes
            or self.rewired_nodes
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "n_apply_before": self.n_apply_before,
            "n_apply_after": self.n_apply_after,
            "added": [list(r) for r in self.added],
            "removed": [list(r) for r in self.removed],
            "kept": [list(r) for r in self.kept],
            "added_nodes": sorted(self.added_nodes, key=_id_order),
            "removed_nodes": sorted(self.removed_nodes, key=_id_order),
            "rewired_nodes": sorted(self.rewired_nodes, key=_id_order),
            "matched": dict(self.matched),
            "blame_after": dict(self.blame_after),
            "blame_before": dict(self.blame_before),
            "matched_variables": dict(self.matched_variables),
            "changes": [
                {
                    "rule": c.rule,
                    "removed": sorted(c.removed, key=_id_order),
                    "added": sorted(c.added, key=_id_order),
                    "rewired": sorted(c.rewired, key=_id_order),
                }
                for c in self.changes
            ],
        }


def _id_order(node_id: str) -> tuple[str, int]:
    return node_id[0], int(node_id[1:]) if node_id[1:].isdigit() else -1


def _sorted_counts(c: Counter) -> tuple[tuple[str, int], ...]:
    return tuple(
        sorted(((k, v) for k, v in c.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
    )


class _Side:
    """One graph of a diff: its outer Apply nodes in topological order, their
    ordered inputs and outputs, and its roots."""

    def __init__(self, graph: Any):
        if isinstance(graph, nx.DiGraph):
            self.g, self.var_of = graph, {}
        else:
            ids = to_networkx_with_ids(graph)
            self.g = ids.graph
            self.var_of = {vid: v for v, vid in ids.variables.items()}
        self.ids: dict[Variable, str] = {v: i for i, v in self.var_of.items()}
        nodes = self.g.nodes
        self.applies = sorted(
            (
                n
                for n, d in nodes(data=True)
                if d["kind"] == "apply" and "parent" not in d
            ),
            key=_id_order,
        )
        self.inputs = {
            a: [
                u for u, _, _ in sorted(self.g.in_edges(a, data="index"), key=_by_index)
            ]
            for a in self.applies
        }
        self.outputs = {
            a: [
                v
                for _, v, _ in sorted(self.g.out_edges(a, data="index"), key=_by_index)
            ]
            for a in self.applies
        }
        self.owner = {v: a for a, outs in self.outputs.items() for v in outs}
        self.roots = [
            n
            for n, d in nodes(data=True)
            if d["kind"] == "variable" and "parent" not in d and n not in self.owner
        ]
        self.results = sorted(
            (
                n
                for n, d in nodes(data=True)
                if d.get("is_output") and "parent" not in d
            ),
            key=lambda n: nodes[n].get("output_index", 0),
        )

    def key(self, a: str, inputs: tuple[str | None, ...]) -> tuple:
        d = self.g.nodes[a]
        return (d["op"], d["op_type"], d["n_outputs"], inputs)

    def root_key(self, n: str) -> tuple:
        d = self.g.nodes[n]
        v = self.var_of.get(n)
        if d["is_constant"]:
            if "value" in d:
                return ("constant", d["type"], repr(d["value"]))
            if v is not None:  # a large constant: by its content
                data = np.ascontiguousarray(v.data)
                digest = hashlib.blake2b(data.tobytes(), digest_size=16).hexdigest()
                return ("constant", d["type"], str(data.shape), digest)
            return ("constant", n)
        return ("input", d["name"], d["type"])


def _by_index(edge: tuple) -> Any:
    return edge[2]


def _match_roots(before: _Side, after: _Side) -> dict[str, str]:
    """After root id -> before root id: the same Variable object where both
    graphs hold it, else the same name and type (inputs) or value (constants),
    each before root used once."""
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    for n in after.roots:
        v = after.var_of.get(n)
        if v is not None and v in before.ids:
            pairs[n] = before.ids[v]
            taken.add(pairs[n])
    free: dict[tuple, list[str]] = {}
    for n in before.roots:
        if n not in taken:
            free.setdefault(before.root_key(n), []).append(n)
    for n in after.roots:
        if n not in pairs:
            left = free.get(after.root_key(n))
            if left:
                pairs[n] = left.pop(0)
    return pairs


def diff(
    before: Any,
    after: Any,
    *,
    replaced: Iterable[tuple[Variable, Variable, str]] = (),
) -> GraphDiff:
    """Compare two graphs (targets or networkx graphs from :func:`to_networkx`)
    node by node (see :class:`GraphDiff`).

    ``replaced`` is a rewrite's record, ``(new variable of after, the
    variable of before it replaced, rule name)``, as
    :attr:`rewritelab.ApplyResult.diff` passes it; without it, nodes are
    matched by what they compute from the inputs up and the outputs down.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dvector("x")
    >>> d = diff(pt.log(pt.exp(x)) * 2, pt.sqrt(x) * 2)
    >>> dict(d.removed), dict(d.added), len(d.rewired_nodes)
    ({'exp': 1, 'log': 1}, {'sqrt': 1}, 1)
    """
    b, a = _Side(before), _Side(after)
    corr = _match_roots(b, a)  # after variable id -> before variable id
    subst = {
        a.ids[new]: (b.ids[old], rule)
        for new, old, rule in replaced
        if new in a.ids and old in b.ids
    }
    index: dict[tuple, list[str]] = {}
    for n in b.applies:
        index.setdefault(b.key(n, tuple(b.inputs[n])), []).append(n)

    matched: dict[str, str] = {}
    rewired: set[str] = set()

    def pair(n: str, m: str) -> None:
        matched[n] = m
        index[b.key(m, tuple(b.inputs[m]))].remove(m)
        for va, vb in zip(a.outputs[n], b.outputs[m], strict=True):
            corr[va] = vb

    # 1. from the inputs up, 2. through the rewrite's record
    for n in a.applies:
        plain = tuple(corr.get(v) for v in a.inputs[n])
        found = index.get(a.key(n, plain)) if None not in plain else None
        if found:
            pair(n, found[0])
            continue
        through = tuple(subst[v][0] if v in subst else corr.get(v) for v in a.inputs[n])
        found = index.get(a.key(n, through)) if through != plain else None
        if found and None not in through:
            pair(n, found[0])
            rewired.add(n)
    # 3. from the outputs down: same op where corresponding variables' owners
    # are both unmatched
    kept_before = set(matched.values())
    todo = list(zip(a.results, b.results, strict=False))
    while todo:
        va, vb = todo.pop()
        n, m = a.owner.get(va), b.owner.get(vb)
        if n is None or m is None or n in matched or m in kept_before:
            continue
        if a.key(n, ())[:3] != b.key(m, ())[:3] or len(a.inputs[n]) != len(b.inputs[m]):
            continue
        pair(n, m)
        kept_before.add(m)
        rewired.add(n)
        todo.extend(zip(a.inputs[n], b.inputs[m], strict=True))

    added = [n for n in a.applies if n not in matched]
    removed = [m for m in b.applies if m not in kept_before]
    unmatched_a, unmatched_b = set(added), set(removed)
    changes = []
    for new, (old, rule) in subst.items():
        readers = {n for n in rewired if new in a.inputs[n]}
        changes.append(
            Change(
                rule,
                frozenset(_unmatched_ancestors(b, old, unmatched_b)),
                frozenset(_unmatched_ancestors(a, new, unmatched_a)),
                frozenset(readers),
            )
        )
    blame_after: dict[str, str] = {}
    blame_before: dict[str, str] = {}
    for c in changes:
        for n in c.added | c.rewired:
            blame_after.setdefault(n, c.rule)
        for m in c.removed:
            blame_before.setdefault(m, c.rule)

    def ops(side: _Side) -> Counter:
        return Counter(side.g.nodes[n]["op"] for n in side.applies)

    ob, oa = ops(b), ops(a)
    return GraphDiff(
        n_apply_before=len(b.applies),
        n_apply_after=len(a.applies),
        added=_sorted_counts(oa - ob),
        removed=_sorted_counts(ob - oa),
        kept=_sorted_counts(ob & oa),
        added_nodes=frozenset(added),
        removed_nodes=frozenset(removed),
        rewired_nodes=frozenset(rewired),
        matched=MappingProxyType(matched),
        blame_after=MappingProxyType(blame_after),
        blame_before=MappingProxyType(blame_before),
        matched_variables=MappingProxyType(dict(corr)),
        changes=tuple(changes),
    )


def _unmatched_ancestors(side: _Side, var: str, unmatched: set[str]) -> list[str]:
    """The unmatched Apply nodes ``var`` is computed through."""
    found, stack, seen = [], [var], set()
    while stack:
        owner = side.owner.get(stack.pop())
        if owner is None or owner not in unmatched or owner in seen:
            continue
        seen.add(owner)
        found.append(owner)
        stack.extend(side.inputs[owner])
    return found
