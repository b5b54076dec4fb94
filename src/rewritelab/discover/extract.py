"""Optimal extraction: the cheapest term of each root, sharing counted, by integer programming.

egglog's greedy DAG extractor chooses each e-class's node on its own. A
form that pays only when two outputs share it (softplus and sigmoid of one
``z`` through one ``exp(-|z|)``) is then never chosen: each output alone is
cheaper its own way. :func:`extract_optimal` chooses all nodes at once, as
Tensat does: the serialised e-graph (egglog's own serialisation) becomes a
mixed-integer program solved by HiGHS (``scipy.optimize.milp``):

- a 0/1 variable per e-node (chosen or not), cost its op's cost
  (:class:`rewritelab.discover.cost.OpCosts`), so a node two outputs use
  is paid once;
- the root's class has one chosen node, and a chosen node's every child
  class has one;
- a level per class (0..1) that a chosen node's class must exceed each
  child's by a step, so the choice is acyclic (an e-class may contain
  itself: ``softplus(s) = ... + log1p(exp(s))``).

HiGHS stops at a time limit with the best choice found so far; where it
found none, the caller keeps the greedy extraction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from egglog import EGraph
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from rewritelab.discover.cost import OpCosts
from rewritelab.discover.terms import OPS, Roots, Term, terms_of

__all__ = ["Extraction", "extract_optimal"]


@dataclass(frozen=True)
class Extraction:
    """The terms extracted for the roots, their total cost (ns/element),
    and how the solver ended (``optimal`` or ``time limit``)."""

    terms: tuple[Term, ...]
    cost: float
    status: str
    nodes: int


@cache
def _op_names() -> Mapping[str, str]:
    """egglog's serialised op name (``"· + ·"``, ``"exp"``) -> the scalar
    op class name of :data:`rewritelab.discover.terms.OPS`."""
    xs = [Term.leaf(f"k{i}") for i in range(3)]
    out = {}
    for op in OPS.values():
        egraph = EGraph()
        egraph.register(op.make(*xs[: op.arity]))
        data = json.loads(egraph._serialize(split_primitive_outputs=False).to_json())
        for node in data["nodes"].values():
            if node["op"] not in ("Term.leaf",) and not node["op"].startswith('"'):
                out[node["op"]] = op.name
    return out


def _constructor(op_name: str) -> Any:
    return OPS[op_name].make


def extract_optimal(
    egraph: EGraph,
    n_roots: int,
    costs: OpCosts,
    *,
    time_limit: float = 20.0,
) -> Extraction | None:
    """The cheapest terms for the ``n_roots`` terms of the one :class:`Roots`
    registered in ``egraph``, each shared node paid once;
    None where the solver found no choice within ``time_limit`` seconds."""
    data = json.loads(egraph._serialize(split_primitive_outputs=False).to_json())
    nodes = data["nodes"]
    root_class = _root_class(nodes)
    if root_class is None:
        return None
    # the classes reachable from the root, and their nodes
    members: dict[str, list[str]] = {}
    for nid, node in nodes.items():
        members.setdefault(node["eclass"], []).append(nid)
    reach, todo = {root_class}, [root_class]
    while todo:
        for nid in members[todo.pop()]:
            for child in nodes[nid]["children"]:
                c = nodes[child]["eclass"]
                if c not in reach:
                    reach.add(c)
                    todo.append(c)
    classes = sorted(reach)
    class_ix = {c: i for i, c in enumerate(classes)}
    ids = [nid for c in classes for nid in members[c]]
    node_ix = {nid: i for i, nid in enumerate(ids)}
    names = _op_names()
    n, m = len(ids), len(classes)
    cost = np.array([costs.of(names.get(nodes[i]["op"], "other")) for i in ids])
    # variables: x (n nodes, 0/1), then t (m class levels, 0..1)
    rows, cols, vals, lo, hi = [], [], [], [], []

    def constraint(entries: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(lo)
        for col, v in entries:
            rows.append(r)
            cols.append(col)
            vals.append(v)
        lo.append(low)
        hi.append(high)

    step = 1.0 / (m + 1)
    for c in classes:
        chosen = [(node_ix[i], 1.0) for i in members[c]]
        if c == root_class:
            constraint(chosen, 1.0, 1.0)
        else:
            constraint(chosen, 0.0, 1.0)
    for nid in ids:
        x = node_ix[nid]
        ci = n + class_ix[nodes[nid]["eclass"]]
        for child_class in {nodes[ch]["eclass"] for ch in nodes[nid]["children"]}:
            # chosen node -> one chosen node in each child class
            constraint(
                [(node_ix[i], 1.0) for i in members[child_class]] + [(x, -1.0)],
                0.0,
                np.inf,
            )
            # chosen node -> its class above the child's: t_c - t_d >= step
            di = n + class_ix[child_class]
            if di == ci:
                constraint([(x, 1.0)], 0.0, 0.0)  # a node that is its own child
            else:
                constraint([(ci, 1.0), (di, -1.0), (x, -(1.0 + step))], -1.0, np.inf)
    a = coo_array((vals, (rows, cols)), shape=(len(lo), n + m)).tocsr()
    result = milp(
        np.concatenate([cost, np.zeros(m)]),
        constraints=LinearConstraint(a, lo, hi),
        integrality=np.concatenate([np.ones(n), np.zeros(m)]),
        bounds=Bounds(np.zeros(n + m), np.ones(n + m)),
        options={"time_limit": time_limit, "disp": False},
    )
    if result.x is None:
        return None
    x = result.x[:n] > 0.5
    choice = {}
    for nid in ids:
        if x[node_ix[nid]]:
            choice.setdefault(nodes[nid]["eclass"], nid)
    built = _build(root_class, choice, nodes, names)
    terms = terms_of(built)
    if len(terms) != n_roots:
        return None
    status = "optimal" if result.status == 0 else "time limit"
    return Extraction(tuple(terms), float(cost[x].sum()), status, n)


def _root_class(nodes: Mapping[str, Any]) -> str | None:
    """The e-class of the roots: the Roots class no node has as a child."""
    children = {
        nodes[ch]["eclass"] for node in nodes.values() for ch in node["children"]
    }
    found = [
        node["eclass"]
        for node in nodes.values()
        if node["op"] in ("Roots.pair", "Roots.one") and node["eclass"] not in children
    ]
    return found[0] if len(found) == 1 else None


def _build(
    root_class: str,
    choice: Mapping[str, str],
    nodes: Mapping[str, Any],
    names: Mapping[str, str],
) -> Roots:
    memo: dict[str, Any] = {}

    def build(c: str) -> Any:
        if c in memo:
            return memo[c]
        node = nodes[choice[c]]
        op = node["op"]
        args = [build(nodes[ch]["eclass"]) for ch in node["children"]]
        if op == "Roots.none":
            out = Roots.none()
        elif op == "Roots.one":
            out = Roots.one(args[0])
        elif op == "Roots.pair":
            out = Roots.pair(args[0], args[1])
        elif op == "Term.leaf":
            out = Term.leaf(args[0])
        elif op == "Term":
            out = Term(args[0])
        elif not node["children"] and op.startswith('"'):
            out = json.loads(op)
        elif not node["children"]:
            out = float(op)
        else:
            out = _constructor(names[op])(*args)
        memo[c] = out
        return out

    return build(root_class)
