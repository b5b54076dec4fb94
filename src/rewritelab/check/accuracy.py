"""How accurate is a model's logp + gradient, and which nodes lose the accuracy?

:func:`accuracy` answers both at the model's own points (its initial point
and prior draws in value space, where logp and gradient are finite):

- each output's **error** in ULPs against its exact value
  (:func:`rewritelab.check.exact.exact_value`: the graph evaluated over the
  reals and rounded once);
- each elementwise node's **local error** (Herbie's localisation): the
  node's op evaluated in floats on its inputs' *exact* values (rounded to
  their dtype) against the node's own exact value. Every correctly rounded
  op on exact inputs is within half an ULP, so what stands out is where
  the op itself loses accuracy (a subtraction that cancels, ``log`` of a
  value near 1, ``exp`` of a large argument), not error passed on from
  upstream.

The graph is the one the rules see when compiling (after PyTensor's
canonicalize and stabilize), evaluated node by node in Python (each op's
own ``perform``), so every intermediate value is the one that graph
computes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pytensor
from pytensor.compile.mode import Mode
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.graph.basic import Constant, Variable
from pytensor.tensor.elemwise import Elemwise

from rewritelab.check.compare import ulps
from rewritelab.check.exact import NoExactValue, exact_value
from rewritelab.check.graphs import expression_label
from rewritelab.core.compile import pytensor_rewritten
from rewritelab.core.errors import RewritelabError
from rewritelab.core.models import model_graph, model_of
from rewritelab.core.points import graph_points, model_points
from rewritelab.core.targets import resolve
from rewritelab.rewrite.modes import until_rules_mode

__all__ = ["AccuracyReport", "NodeError", "OutputError", "accuracy"]

#: Nodes are listed from this local error on: an op correctly rounded on
#: exact inputs is within half an ULP, plus half an ULP of each input's own
#: rounding passed through a well-conditioned op.
LISTED = 2.0


@dataclass(frozen=True)
class OutputError:
    """One output's worst error over the points: ULPs, where, and the
    decimal digits the exact value needed."""

    name: str
    ulps: float
    point: str
    digits: int

    def __str__(self) -> str:
        return (
            f"{self.name}: {_ulps(self.ulps)} (at {self.point}; {self.digits} digits)"
        )


@dataclass(frozen=True)
class NodeError:
    """One elementwise node's worst local error: the node as an expression,
    its op, the ULPs, the point, and the float64 inputs, result and exact
    value of the worst element."""

    label: str
    op: str
    ulps: float
    point: str
    inputs: tuple[float, ...]
    value: float
    exact: float

    def __str__(self) -> str:
        args = ", ".join(repr(a) for a in self.inputs)
        return (
            f"{_ulps(self.ulps):>12}  {_short(self.label)}  at ({args}): {self.value!r}, "
            f"exact {self.exact!r} ({self.point})"
        )


@dataclass(frozen=True)
class AccuracyReport:
    """What :func:`accuracy` found: per output, per node (worst first), the
    points used, and what could not be judged."""

    target: str
    outputs: tuple[OutputError, ...]
    nodes: tuple[NodeError, ...]
    points: tuple[str, ...]
    judged: int
    seconds: float
    notes: tuple[str, ...] = field(default=())
    #: the graph judged and each judged node's worst local error (ULPs),
    #: for the viewer's overlay
    graph: Any = field(default=None, repr=False, compare=False)
    local: Mapping[Any, NodeError] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __str__(self) -> str:
        lines = [
            f"accuracy of {self.target} at {len(self.points)} points "
            f"({', '.join(self.points)}); {self.judged} elementwise nodes judged; "
            f"{self.seconds:.1f} s",
            "outputs, worst error against the exact value:",
            *(f"  {o}" for o in self.outputs),
        ]
        if self.nodes:
            lines.append("nodes by local error (rounding made there), worst first:")
            lines += [f"  {n}" for n in self.nodes]
        else:
            lines.append(f"no elementwise node loses more than {LISTED:g} ULPs")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "target": self.target,
            "outputs": [vars(o) for o in self.outputs],
            "nodes": [{**vars(n), "inputs": list(n.inputs)} for n in self.nodes],
            "points": list(self.points),
            "judged": self.judged,
            "seconds": self.seconds,
            "notes": list(self.notes),
        }


def _short(label: str, width: int = 70) -> str:
    return label if len(label) <= width else label[: width - 3] + "..."


def _ulps(u: float) -> str:
    return "inf ULPs" if not np.isfinite(u) else f"{u:.3g} ULPs"


def _graph(
    target: Any, given: Sequence[Mapping[Any, Any]] | None
) -> tuple[Any, Any, list[Any]]:
    """The rewritten graph (after canonicalize and stabilize), its name and
    the points to evaluate it at, as lists of input values."""
    model = model_of(target)
    t = resolve(model_graph(model, "logp+grad") if model is not None else target)
    fg = pytensor_rewritten(t, until_rules_mode())
    if given is not None:
        by_name = [
            {getattr(k, "name", k): np.asarray(v) for k, v in p.items()} for p in given
        ]
        labelled = [
            (f"point {k}", [_value(v, p) for v in fg.inputs])
            for k, p in enumerate(by_name)
        ]
    elif model is not None:
        pts = model_points(model, draws=3)
        labelled = [(p.label, [_value(v, p.values) for v in fg.inputs]) for p in pts]
    else:
        pts = graph_points(list(t.roots), list(t.outputs), draws=3)
        labelled = [(p.label, p.args(fg.inputs)) for p in pts]
    for out, orig in zip(fg.outputs, t.outputs, strict=True):
        out.name = out.name or orig.name  # a rewritten output may lose it
    return fg, t.name, labelled


def _value(v: Variable, values: Any) -> np.ndarray:
    if isinstance(v, SharedVariable):
        return np.asarray(v.get_value())
    if v.name not in values:
        raise RewritelabError(
            f"no value for the graph's input {v.name!r}; the point gives "
            f"{', '.join(map(str, values)) or 'nothing'}"
        )
    return np.asarray(values[v.name], dtype=v.type.dtype)


def _judged(node: Any) -> bool:
    """Elementwise, one float output, every input float or integer."""
    return (
        isinstance(node.op, Elemwise)
        and len(node.outputs) == 1
        and node.outputs[0].type.dtype.startswith("float")
    )


def accuracy(
    target: Any,
    *,
    top: int = 10,
    points: Sequence[Mapping[Any, Any]] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> AccuracyReport:
    """The error of ``target``'s outputs (a model's logp and gradient)
    against their exact values, and the elementwise nodes whose own
    rounding is largest (see the module doc).

    Parameters
    ----------
    target
        A pm.Model (its logp + gradient) or any graph target.
    points
        Where to evaluate: dicts of input (variable or name) to value;
        default the model's initial point and three prior draws (for a
        graph, three random draws).
    top
        How many nodes to list, worst first (those within :data:`LISTED`
        ULPs are never listed).
    progress
        Called as ``progress(i, n, label)`` for each point.

    Examples
    --------
    >>> import numpy as np, pytensor.tensor as pt
    >>> y = pt.dvector("y")
    >>> r = accuracy(pt.sqrt(y * y + 1.0) - y, points=[{y: np.array([1e4, 0.5])}])
    >>> r.nodes[0].op, r.outputs[0].ulps > 1e6  # the subtraction cancels
    ('Sub', True)
    """
    if top < 0:
        raise RewritelabError(f"top must be at least 0, not {top}")
    tell = progress or (lambda i, n, label: None)
    t0 = time.perf_counter()
    fg, name, points = _graph(target, points)
    is_model = model_of(target) is not None
    nodes = [n for n in fg.toposort() if _judged(n)]
    seen = [v for n in fg.toposort() for v in n.outputs]
    # pm.Data are shared variables: they bring their own values to the
    # function (PyTensor refuses them as explicit inputs)
    explicit = [i for i, v in enumerate(fg.inputs) if not isinstance(v, SharedVariable)]
    evaluate = pytensor.function(
        [fg.inputs[i] for i in explicit],
        seen or list(fg.outputs),
        mode=Mode(linker="py", optimizer=None),
        on_unused_input="ignore",
        accept_inplace=True,
    )
    floats_seen = [v for v in seen if _is_float(v)]
    worst_out: dict[int, OutputError] = {}
    worst_node: dict[Any, NodeError] = {}
    notes: list[str] = []
    for k, (label, args) in enumerate(points):
        tell(k, len(points), label)
        values = dict(zip(fg.inputs, args, strict=True))
        computed = evaluate(*(args[i] for i in explicit))
        values.update(zip(seen, computed, strict=True))
        wanted = list(dict.fromkeys([*fg.outputs, *floats_seen]))
        try:
            exact = exact_value(fg.inputs, wanted, args)
        except NoExactValue as exc:
            notes.append(f"{label}: not judged ({exc})")
            continue
        exact_of = dict(zip(wanted, exact.values, strict=True))
        exact_of.update(zip(fg.inputs, args, strict=True))
        for i, o in enumerate(fg.outputs):
            f = values.get(o, _constant(o))
            err = float(np.max(ulps(np.asarray(f), exact_of[o]), initial=0.0))
            if i not in worst_out or err > worst_out[i].ulps:
                worst_out[i] = OutputError(
                    _name(o, i, is_model), err, label, exact.digits
                )
        for node in nodes:
            found = _local(node, exact_of, values, label)
            if found is not None and (
                node not in worst_node or found.ulps > worst_node[node].ulps
            ):
                worst_node[node] = found
    ranked = sorted(
        (e for e in worst_node.values() if e.ulps > LISTED), key=lambda e: -e.ulps
    )
    return AccuracyReport(
        target=name,
        outputs=tuple(worst_out[i] for i in sorted(worst_out)),
        nodes=tuple(ranked[:top]),
        points=tuple(label for label, _ in points),
        judged=len(nodes),
        seconds=time.perf_counter() - t0,
        notes=tuple(notes),
        graph=fg,
        local=MappingProxyType(dict(worst_node)),
    )


def _constant(v: Variable) -> np.ndarray:
    return np.asarray(v.data) if isinstance(v, Constant) else np.asarray(np.nan)


def _name(v: Variable, i: int, model: bool) -> str:
    if v.name:
        return v.name
    if model:
        return "logp" if i == 0 else f"gradient {i}"
    return f"output {i}"


def _local(node: Any, exact_of: dict, values: dict, label: str) -> NodeError | None:
    """The worst local error of ``node``: its op in float64 on its inputs'
    exact values (rounded to their dtype) against its own exact value."""
    ins = [exact_of.get(i, values.get(i, _constant(i))) for i in node.inputs]
    storage = [[None] for _ in node.outputs]
    node.op.perform(
        node,
        [
            np.array(a, dtype=i.type.dtype)
            for a, i in zip(ins, node.inputs, strict=True)
        ],
        storage,
    )
    got = np.asarray(storage[0][0])
    want = exact_of[node.outputs[0]]
    if got.size == 0:
        return None
    err = ulps(got, want).reshape(-1)
    j = int(np.argmax(err))
    flat = [np.broadcast_to(np.asarray(a), got.shape).reshape(-1) for a in ins]
    return NodeError(
        label=expression_label(node.outputs[0])[:100],
        op=_op_name(node),
        ulps=float(err[j]),
        point=label,
        inputs=tuple(float(a[j]) for a in flat),
        value=float(got.reshape(-1)[j]),
        exact=float(np.asarray(want).reshape(-1)[j]),
    )


def _is_float(v: Variable) -> bool:
    return str(getattr(v.type, "dtype", "")).startswith("float")


def _op_name(node: Any) -> str:
    return type(node.op.scalar_op).__name__
