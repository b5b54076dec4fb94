"""PyTensor graph -> networkx MultiDiGraph, losing nothing an analysis needs."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import networkx as nx
from pytensor.graph.basic import Apply, Constant, Variable
from pytensor.tensor.basic import get_underlying_scalar_constant_value
from pytensor.tensor.exceptions import NotScalarConstantError
from pytensor.tensor.random.op import RandomVariable
from pytensor.tensor.type import TensorType

from rewritelab.core.targets import resolve

__all__ = [
    "to_networkx",
    "to_networkx_with_ids",
    "GraphIds",
    "op_label",
    "inner_fgraph",
    "constant_value",
    "SMALL_CONSTANT",
]

#: Constants with at most this many elements keep their value as an attribute.
SMALL_CONSTANT = 16


def op_label(op: Any) -> str:
    """Short readable text of an Op (``exp``, ``Sum{axes=None}``, ``Composite``)."""
    scalar_op = getattr(op, "scalar_op", None)
    if scalar_op is not None and type(op).__name__ == "Elemwise":
        text = str(scalar_op)
        if type(scalar_op).__name__ == "Composite":
            return (
                "Composite{"
                + ",".join(str(n.op) for n in scalar_op.fgraph.toposort())[:60]
                + "}"
            )
        return text
    return str(op)


def inner_fgraph(op: Any) -> Any:
    """The inner FunctionGraph of a Composite, Scan or OpFromGraph, else None."""
    scalar_op = getattr(op, "scalar_op", None)
    for candidate in (scalar_op, op):
        fg = getattr(candidate, "fgraph", None)
        if fg is not None and hasattr(fg, "apply_nodes"):
            return fg
    return None


def _type_key(type_: Any, parent: str | None) -> tuple[Any, ...]:
    """A cache key equal for Types that print and compare alike.

    Nearly every Variable has a TensorType object of its own, and
    ``TensorType.__hash__`` / ``__eq__`` are Python functions; a tuple of its
    fields hashes and compares in C.
    """
    if type(type_) is TensorType:
        return (type_.dtype, type_.shape, type_.name, parent)
    return (type_, parent)


class _Converter:
    """One conversion into ``graph``; caches text per Op and per Type.

    Nodes and edges are written into the MultiDiGraph's adjacency dicts
    exactly as ``add_node`` / ``add_edge`` would (edge keys 0, 1, ...), minus
    the AtlasView objects ``add_edges_from`` builds per edge, which were most
    of the cost on 100,000-node graphs. The walk is PyTensor's ``toposort``
    (same order, same blockers) with the id table standing in for its
    ``computed`` set, so the graph is traversed once. A test checks the
    result equals the graph made with the public API.
    """

    def __init__(self, graph: nx.MultiDiGraph, expand_inner: bool):
        self.graph = graph
        self.expand_inner = expand_inner
        self.op_cache: dict[int, tuple[str, str, bool]] = {}
        # _type_key -> attribute template.
        self.type_cache: dict[tuple[Any, ...], dict[str, Any]] = {}

    def template(self, type_: Any, parent: str | None) -> dict[str, Any]:
        """The attributes every variable of ``type_`` starts from (copied)."""
        key = _type_key(type_, parent)
        hit = self.type_cache.get(key)
        if hit is None:
            shape = getattr(type_, "shape", None)
            hit = self.type_cache[key] = {
                "kind": "variable",
                "type": str(type_),
                "dtype": getattr(type_, "dtype", None),
                "shape": tuple(shape) if shape is not None else None,
                "broadcastable": tuple(getattr(type_, "broadcastable", ()) or ()),
                "is_input": False,
                "is_output": False,
                "is_constant": False,
                "name": None,
            }
            if parent is not None:
                hit["parent"] = parent
        return hit

    def op_attrs(self, op: Any) -> tuple[str, str, bool]:
        hit = self.op_cache.get(id(op))
        if hit is None:
            hit = self.op_cache[id(op)] = (
                op_label(op),
                type(op).__name__,
                isinstance(op, RandomVariable),
            )
        return hit

    def convert(
        self,
        inputs: tuple[Variable, ...] | None,
        outputs: tuple[Variable, ...],
        roles: Any,
        prefix: str = "",
        parent: str | None = None,
    ) -> tuple[dict[Variable, str], dict[Apply, str]]:
        """Add the graph between ``inputs`` and ``outputs``; return the ids
        given to its Variables and Apply nodes."""
        node_attrs, succ, pred = self.graph._node, self.graph._succ, self.graph._pred
        op_attrs, type_cache = self.op_attrs, self.type_cache
        var_ids: dict[Variable, str] = {}
        apply_ids: dict[Apply, str] = {}
        # Roles of random variables' draws and rngs, found on the way.
        random_roles: dict[Variable, dict[str, str]] = {}
        implicit_inputs = inputs is None

        def add_root(v: Variable) -> str:
            """A variable no Apply of this graph computes: input or constant."""
            vid = var_ids[v] = f"{prefix}v{len(var_ids)}"
            attrs = self.template(v.type, parent).copy()
            attrs["name"] = v.name
            if isinstance(v, Constant):
                attrs["is_constant"] = True
                data = v.data
                if getattr(data, "size", 1) <= SMALL_CONSTANT:
                    attrs["value"] = data.tolist() if hasattr(data, "tolist") else data
            elif implicit_inputs and v.owner is None:
                attrs["is_input"] = True
            node_attrs[vid] = attrs
            succ[vid] = {}
            pred[vid] = {}
            return vid

        for v in inputs or ():
            if v not in var_ids:
                add_root(v)
        n_apply = 0
        todo = list(outputs)
        while todo:
            cur = todo.pop()
            if cur in var_ids or (node := cur.owner) is None:
                continue
            node_inputs = node.inputs
            pending = [
                i for i in node_inputs if i not in var_ids and i.owner is not None
            ]
            if pending:
                todo.append(cur)
                todo.extend(pending)
                continue
            aid = apply_ids[node] = f"{prefix}a{n_apply}"
            n_apply += 1
            op = node.op
            label, op_type, is_random = op_attrs(op)
            node_outputs = node.outputs
            attrs = {
                "kind": "apply",
                "op": label,
                "op_type": op_type,
                "n_inputs": len(node_inputs),
                "n_outputs": len(node_outputs),
            }
            if parent is not None:
                attrs["parent"] = parent
            node_attrs[aid] = attrs
            succ[aid] = out_adj = {}
            pred[aid] = in_adj = {}
            if is_random:
                rng, draw = node_inputs[0], node_outputs[1]
                if rng not in var_ids:
                    random_roles[rng] = {"role": "rng", "role_of": op.name}
                random_roles[draw] = {"role": "random_variable", "role_of": op.name}
            for i, v in enumerate(node_inputs):
                vid = var_ids.get(v) or add_root(v)
                keys = in_adj.get(vid)
                if keys is None:
                    in_adj[vid] = succ[vid][aid] = {0: {"index": i}}
                else:
                    keys[len(keys)] = {"index": i}
            for i, v in enumerate(node_outputs):
                vid = var_ids[v] = f"{prefix}v{len(var_ids)}"
                base = type_cache.get(_type_key(v.type, parent))
                if base is None:
                    base = self.template(v.type, parent)
                node_attrs[vid] = var = base.copy()
                if v.name is not None:
                    var["name"] = v.name
                succ[vid] = {}
                out_adj[vid] = keys = {0: {"index": i}}
                pred[vid] = {aid: keys}
            if self.expand_inner:
                inner = inner_fgraph(op)
                if inner is not None:
                    attrs["inner"] = f"{aid}/"
                    self.convert(
                        tuple(inner.inputs),
                        tuple(inner.outputs),
                        None,
                        prefix=f"{aid}/",
                        parent=aid,
                    )
        for v in outputs:
            if v not in var_ids:
                add_root(v)

        # Attributes beyond the template's, set once every node exists.
        extra: dict[Variable, dict[str, Any]] = {}
        for v in inputs or ():
            extra.setdefault(v, {})["is_input"] = True
        for i, v in enumerate(outputs):
            more = extra.setdefault(v, {})
            more["is_output"] = True
            more.setdefault("output_index", i)
        for v, (role, of) in (roles or {}).items():
            extra.setdefault(v, {}).update(role=role, role_of=of)
        for v, more in random_roles.items():
            extra.setdefault(v, {}).update(more)
        for v, more in extra.items():
            vid = var_ids.get(v)
            if vid is not None:
                node_attrs[vid].update(more)
        return var_ids, apply_ids


def to_networkx(target: Any, *, expand_inner: bool = False) -> nx.MultiDiGraph:
    """Convert a graph target into a networkx ``MultiDiGraph``.

    Every Apply node and every Variable becomes a node. Apply nodes have ids
    ``a0, a1, ...`` in topological order and attributes ``kind="apply"``,
    ``op`` (text), ``op_type``, ``n_inputs``, ``n_outputs``. Variables have ids
    ``v0, v1, ...`` in order of first use and attributes ``kind="variable"``,
    ``name``, ``type``, ``dtype``, ``shape``, ``broadcastable``, ``is_input``,
    ``is_output``, ``is_constant``, ``value`` (constants of at most
    :data:`SMALL_CONSTANT` elements) and, for models, ``role`` / ``role_of``.
    An edge variable -> apply carries the input position as ``index``; an edge
    apply -> variable the output position. ``x * x`` keeps both edges.

    With ``expand_inner=True`` the inner graphs of Composite, Scan and
    OpFromGraph nodes are added too, with ids prefixed by the outer node's id
    (``a3/a0``) and a ``parent`` attribute naming it; they are not connected
    to the outer graph. Ids are stable: converting the same graph twice gives
    identical graphs. The input graph is never changed.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dvector("x")
    >>> g = to_networkx(x * x)
    >>> g.nodes["a0"]["op"], g.number_of_edges("v0", "a0")
    ('mul', 2)
    """
    return to_networkx_with_ids(target, expand_inner=expand_inner).graph


@dataclass(frozen=True)
class GraphIds:
    """A converted graph and the ids :func:`to_networkx` gave the outer
    graph's Variables and Apply nodes (inner graphs' are not listed)."""

    graph: nx.MultiDiGraph
    variables: Mapping[Variable, str]
    applies: Mapping[Apply, str]


def to_networkx_with_ids(target: Any, *, expand_inner: bool = False) -> GraphIds:
    """:func:`to_networkx`, also returning which PyTensor object got which id
    (so a caller can say where a Variable is in the picture)."""
    t = resolve(target)
    graph = nx.MultiDiGraph(name=t.name, kind=t.kind)
    # Hundreds of thousands of small dicts trigger the cyclic collector again
    # and again over a heap of PyTensor objects; nothing here makes cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        converter = _Converter(graph, expand_inner)
        var_ids, apply_ids = converter.convert(t.given_inputs, t.outputs, t.roles)
    finally:
        if was_enabled:
            gc.enable()
    return GraphIds(graph, MappingProxyType(var_ids), MappingProxyType(apply_ids))


def constant_value(var: Any) -> float | None:
    """The value of ``var`` if it is one constant everywhere, also behind
    DimShuffle / fill / cast (PyTensor's
    ``get_underlying_scalar_constant_value``); else None.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> constant_value(pt.dvector("x") * 2), constant_value(pt.dscalar("x"))
    (None, None)
    >>> constant_value((pt.dvector("x") * 2).owner.inputs[1])
    2.0
    """
    try:
        return float(get_underlying_scalar_constant_value(var))
    except (NotScalarConstantError, TypeError):
        return None
