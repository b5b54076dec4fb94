"""Resolve anything a verb accepts (Variable, list, FunctionGraph, Function, Model)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pytensor.compile import Function
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.graph.basic import Constant, Variable, clone_get_equiv
from pytensor.graph.fg import FunctionGraph
from pytensor.graph.traversal import ancestors, graph_inputs

from rewritelab.core.bundled import bundled_model_path
from rewritelab.core.errors import TargetError
from rewritelab.core.files import exec_file

__all__ = ["ACCEPTED_KINDS", "Target", "resolve", "load_target"]

ACCEPTED_KINDS = (
    "a pytensor Variable, a list of Variables, a FunctionGraph, "
    "a compiled pytensor Function, or a pm.Model"
)


@dataclass(frozen=True, eq=False)
class Target:
    """A graph to work on: its outputs, its inputs and, for models, the roles.

    ``roles`` maps a Variable of the graph to ``(role, detail)``, where role is
    one of ``value``, ``transformed_value``, ``observed``, ``data``,
    ``random_variable`` or ``rng``. The objects are the caller's own: verbs
    clone before they change anything (see :meth:`clone`).
    """

    outputs: tuple[Variable, ...]
    given_inputs: tuple[Variable, ...] | None
    kind: str
    name: str = ""
    model: Any = None
    roles: Mapping[Variable, tuple[str, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def __repr__(self) -> str:
        return (
            f"<Target {self.name or '(unnamed)'}: {self.kind}, "
            f"{len(self.outputs)} output(s), {len(self.roots)} input(s)>"
        )

    @cached_property
    def roots(self) -> tuple[Variable, ...]:
        """Every non-constant root: as given, or found in the graph; shared
        variables (``pm.Data``, mutable coords) included."""
        if self.given_inputs is not None:
            found = [
                v
                for v in graph_inputs(self.outputs)
                if isinstance(v, SharedVariable) and v not in set(self.given_inputs)
            ]
            return tuple(self.given_inputs) + tuple(found)
        return tuple(
            v for v in graph_inputs(self.outputs) if not isinstance(v, Constant)
        )

    @cached_property
    def inputs(self) -> tuple[Variable, ...]:
        """The inputs a caller passes values for: the roots less the shared
        variables, which PyTensor reads from their own storage (a compiled
        function refuses them as explicit inputs)."""
        return tuple(v for v in self.roots if not isinstance(v, SharedVariable))

    @cached_property
    def shared(self) -> tuple[SharedVariable, ...]:
        """The shared variables the graph reads (``pm.Data``, coords)."""
        return tuple(v for v in self.roots if isinstance(v, SharedVariable))

    def fgraph(self, *, clone: bool = True) -> FunctionGraph:
        """A FunctionGraph of the target (shared variables among its inputs);
        a fresh clone unless ``clone=False``."""
        return FunctionGraph(
            list(self.roots), list(self.outputs), clone=clone, copy_inputs=clone
        )

    def clone(self) -> tuple[Target, dict[Variable, Variable]]:
        """A deep copy of the graph and the map from old variables to new ones
        (a cloned shared variable keeps the caller's storage)."""
        memo = clone_get_equiv(self.roots, self.outputs, copy_inputs=True)
        roles = {memo[v]: r for v, r in self.roles.items() if v in memo}
        new = Target(
            outputs=tuple(memo[o] for o in self.outputs),
            given_inputs=tuple(memo[i] for i in self.roots),
            kind=self.kind,
            name=self.name,
            model=self.model,
            roles=MappingProxyType(roles),
        )
        return new, memo


def _resolve_model(model: Any) -> Target:
    outputs = (model.logp(),)
    roles: dict[Variable, tuple[str, str]] = {}
    for rv, value in model.rvs_to_values.items():
        if rv in model.observed_RVs:
            roles[value] = ("observed", rv.name)
            continue
        transform = model.rvs_to_transforms.get(rv)
        if transform is None:
            roles[value] = ("value", rv.name)
        else:
            tname = getattr(transform, "name", type(transform).__name__)
            roles[value] = ("transformed_value", f"{rv.name} ({tname})")
    for var in graph_inputs(outputs):
        if isinstance(var, SharedVariable) and var not in roles:
            roles[var] = ("data", var.name or "")
    values = tuple(model.value_vars)
    others = tuple(
        v
        for v in graph_inputs(outputs)
        if not isinstance(v, Constant) and v not in set(values)
    )
    return Target(
        outputs=outputs,
        given_inputs=values + others,
        kind="model",
        name=getattr(model, "name", "") or "model",
        model=model,
        roles=MappingProxyType(roles),
    )


def resolve(obj: Any, *, name: str = "") -> Target:
    """Turn any accepted target into a :class:`Target`.

    Parameters
    ----------
    obj
        A pytensor Variable, a list or tuple of Variables, a FunctionGraph, a
        compiled pytensor Function, a ``pm.Model`` (its joint logp graph, with
        the value variables as inputs) or a Target (returned as it is).
    name
        A label for reports.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dscalar("x")
    >>> resolve(pt.log(pt.exp(x))).inputs
    (x,)
    """
    import pymc as pm

    if isinstance(obj, Target):
        return obj
    if isinstance(obj, pm.Model):
        return _resolve_model(obj)
    if isinstance(obj, Variable):
        outputs: tuple[Variable, ...] = (obj,)
        kind = "variable"
    elif (
        isinstance(obj, list | tuple)
        and obj
        and all(isinstance(v, Variable) for v in obj)
    ):
        outputs, kind = tuple(obj), "variables"
    elif isinstance(obj, FunctionGraph):
        return Target(
            outputs=tuple(obj.outputs),
            given_inputs=tuple(obj.inputs),
            kind="fgraph",
            name=name or "fgraph",
        )
    elif isinstance(obj, Function):
        fg = obj.maker.fgraph
        return Target(
            outputs=tuple(fg.outputs),
            given_inputs=tuple(fg.inputs),
            kind="function",
            name=name or (obj.name or "function"),
        )
    else:
        raise TargetError(
            f"{type(obj).__name__} is not a graph target; expected {ACCEPTED_KINDS}"
        )
    return Target(
        outputs=outputs,
        given_inputs=None,
        kind=kind,
        name=name or ", ".join(str(o.name or o) for o in outputs[:3]),
    )


def _import_file(path: Path) -> Any:

    try:
        return exec_file(path, "_rewritelab_user")
    except Exception as exc:
        raise TargetError(
            f"importing {path} failed: {type(exc).__name__}: {exc}"
        ) from exc


def _module_candidates(module: Any) -> dict[str, Any]:
    """Module-level targets, most specific kind first (models hide their RVs)."""
    import pymc as pm

    public = {k: v for k, v in vars(module).items() if not k.startswith("_")}
    for kind in (pm.Model, FunctionGraph, Function):
        found = {k: v for k, v in public.items() if isinstance(v, kind)}
        if found:
            return found
    variables = {k: v for k, v in public.items() if isinstance(v, Variable)}
    # Keep only the sinks: a variable that another one is computed from is an
    # intermediate (``x`` in ``y = log(x)``), not the graph.
    inner = set(
        ancestors([i for v in variables.values() if v.owner for i in v.owner.inputs])
    )
    return {
        k: v for k, v in variables.items() if v.owner is not None and v not in inner
    }


def load_target(spec: str) -> Target:
    """Load ``path/to/file.py`` or ``path/to/file.py:name`` as a Target, or
    a bundled model by name (``"eight_schools"``).

    Without ``:name`` the file must define exactly one model at module level
    or, if it defines no model, exactly one FunctionGraph, compiled Function,
    or output variable (one that no other module-level variable depends on).
    """
    if not spec.endswith(".py") and ":" not in spec and not Path(spec).exists():
        spec = str(bundled_model_path(spec))
    path_text, attr = spec, ""
    head, sep, tail = spec.rpartition(":")
    if sep and tail.isidentifier() and not Path(spec).exists():
        path_text, attr = head, tail
    path = Path(path_text)
    if not path.is_file():
        raise TargetError(f"no such file: {path_text}")
    module = _import_file(path)
    if attr:
        if not hasattr(module, attr):
            raise TargetError(f"{path_text} defines no name {attr!r}")
        return resolve(getattr(module, attr), name=attr)
    candidates = _module_candidates(module)
    if not candidates:
        raise TargetError(
            f"{path_text} defines no model or graph at module level; "
            f"expected {ACCEPTED_KINDS}"
        )
    if len(candidates) > 1:
        names = ", ".join(sorted(candidates))
        raise TargetError(
            f"{path_text} defines several targets ({names}); "
            f"pick one with {path_text}:NAME"
        )
    ((attr, obj),) = candidates.items()
    return resolve(obj, name=attr)
