"""Graph surgery: replace variables in a clone, with type checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytensor.graph.basic import Variable
from pytensor.graph.replace import graph_replace
from pytensor.graph.traversal import ancestors

from rewritelab.core.errors import RewritelabError
from rewritelab.core.targets import Target, resolve

__all__ = ["replace"]


def _describe(v: Variable) -> str:
    return f"{v.name or v} ({v.type})"


def replace(target: Any, replacements: Mapping[Variable, Any]) -> Target:
    """A copy of ``target`` where each ``old`` variable is computed as ``new``.

    Built on PyTensor's ``graph_replace`` (which clones); the caller's graph
    is never changed. Each replacement must keep the dtype and number of
    dimensions, and may not turn a dimension known to be 1 (broadcastable)
    into one that is not; the error names both variables.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x, y = pt.dscalars("x", "y")
    >>> s = x + y
    >>> new = replace(pt.log(s), {s: pt.exp(s)})
    >>> float(new.outputs[0].eval({x: 1.0, y: 2.0}))
    3.0
    """
    t = resolve(target)
    if not isinstance(replacements, Mapping) or not replacements:
        raise RewritelabError("replace needs a non-empty mapping {old: new}")
    graph_vars = set(ancestors(t.outputs))
    checked: dict[Variable, Variable] = {}
    for old, new in replacements.items():
        if not isinstance(old, Variable):
            raise RewritelabError(f"replace: key {old!r} is not a pytensor Variable")
        if old not in graph_vars:
            raise RewritelabError(f"replace: {_describe(old)} is not in the graph")
        if not isinstance(new, Variable):
            try:
                new = old.type.filter_variable(new)
            except (TypeError, ValueError):
                raise RewritelabError(
                    f"replace: {new!r} cannot stand for {_describe(old)}"
                ) from None
        ot, nt = old.type, new.type
        if getattr(ot, "dtype", None) != getattr(nt, "dtype", None):
            raise RewritelabError(
                f"replace: {_describe(new)} has dtype {nt.dtype}, but "
                f"{_describe(old)} has {ot.dtype}"
            )
        if getattr(ot, "ndim", None) != getattr(nt, "ndim", None):
            raise RewritelabError(
                f"replace: {_describe(new)} has {nt.ndim} dimensions, but "
                f"{_describe(old)} has {ot.ndim}"
            )
        ob, nb = getattr(ot, "broadcastable", ()), getattr(nt, "broadcastable", ())
        if any(o and not n for o, n in zip(ob, nb, strict=True)):
            raise RewritelabError(
                f"replace: {_describe(new)} has broadcastable {nb}, but "
                f"{_describe(old)} has {ob}"
            )
        checked[old] = new
    outputs = graph_replace(list(t.outputs), checked, strict=False)
    new_inputs = tuple(v for v in t.inputs if v in set(ancestors(outputs)))
    extra = tuple(
        v
        for v in ancestors(outputs)
        if v.owner is None and v not in set(new_inputs) and not hasattr(v, "data")
    )
    return Target(
        outputs=tuple(outputs),
        given_inputs=new_inputs + extra,
        kind=t.kind,
        name=t.name,
        model=t.model,
        roles=t.roles,
    )
