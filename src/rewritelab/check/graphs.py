"""Graphs that exercise a rewriter, built from what it tracks.

A PyTensor node rewriter says which ops it looks at (``tracks()``: Op
instances, Op classes, ``OpPattern``s) but not which graphs it fires on.
:func:`tracked_graphs` builds them, cheapest first, for the checker to try:

1. every tracked op (an ``Elemwise`` class or pattern stands for every
   elementwise op of PyTensor's namespace it matches, casts included; a
   reduction class for ``sum``/``prod``/``max``/... over each axis, over
   none, over a length-1 axis and of a scalar; a shape op for the calls
   that make it) on fresh inputs of each dtype it accepts (:data:`DTYPES`),
   elementwise ops as scalars, vectors and matrices;
2. one operand replaced by another tracked op (``exp(log1mexp(y))``), and
   every operand under one inner op (``exp(x) * exp(y)``);
3. one operand replaced by a constant in each form PyTensor's own
   canonicalisation produces (:data:`CONSTANT_FORMS`: a bare scalar, a
   broadcastable constant, ``ExpandDims`` of a scalar, ``Alloc``, ``fill``,
   ``mul(-1, x)`` for ``neg``) for each value of :data:`CONSTANTS`, also an
   int64 constant beside float32 inputs (PyTensor upcasts);
4. one operand replaced by an inner expression of fresh inputs
   (:data:`INNER`: ``log(exp(x))``, ``log(1 + x)``, ``log(sum(exp(m)))``,
   ``alloc(s, 3)`` ...);
5. the graphs of 1-4 after PyTensor's canonicalize (and canonicalize +
   stabilize) ran on them with the rewriter itself excluded: the contexts in
   which stabilize and specialize rewriters meet their ops.

Each graph is a :class:`CheckGraph`; its label says how it was built, so a
rule that is still not exercised can say what was tried.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytensor.scalar as ps
import pytensor.tensor as pt
from pytensor import config
from pytensor.graph.basic import Constant, Variable
from pytensor.graph.op import Op
from pytensor.graph.rewriting.unify import OpPattern
from pytensor.graph.rewriting.utils import rewrite_graph
from pytensor.graph.traversal import applys_between, graph_inputs
from pytensor.scalar.basic import Composite, ScalarOp
from pytensor.tensor.elemwise import CAReduce, DimShuffle, Elemwise
from pytensor.tensor.shape import Shape_i

__all__ = [
    "CONSTANTS",
    "CONSTANT_FORMS",
    "CheckGraph",
    "DTYPES",
    "INNER",
    "describe_tracks",
    "elemwise_catalogue",
    "expression_label",
    "matches",
    "tracked_graphs",
]

#: Input dtypes tried for every tracked op (where the op accepts them).
DTYPES = ("float64", "float32", "int64", "int8", "uint8", "bool")

#: Constants put in an operand's place.
CONSTANTS = (0, 1, -1, 2, 0.5)


@dataclass(frozen=True)
class CheckGraph:
    """A graph to check a rule on: its inputs, outputs and how it was built.

    ``assume`` restricts the inputs drawn; ``bounded`` draws moderate values
    (model graphs in value space); outputs after the first ``n_values`` are
    gradients already (compared as such, not differentiated again; None: all
    are values).
    """

    label: str
    inputs: tuple[Variable, ...]
    outputs: tuple[Variable, ...]
    assume: tuple[str, ...] = ()
    bounded: bool = False
    n_values: int | None = None

    def __repr__(self) -> str:
        return f"CheckGraph({self.label!r})"


# -- what a rewriter tracks ---------------------------------------------------


def matches(op: Op, tracks: Sequence[Any] | None) -> bool:
    """Whether ``op`` is one a rewriter tracking ``tracks`` looks at: an
    equal op, an instance of a tracked class, an ``OpPattern`` match, or an
    Elemwise with the same scalar op."""
    for t in tracks or ():
        if isinstance(t, OpPattern):
            if t.match_op(op):
                return True
        elif isinstance(t, type):
            if isinstance(op, t):
                return True
        elif op == t or (
            isinstance(t, Elemwise)
            and isinstance(op, Elemwise)
            and op.scalar_op == t.scalar_op
        ):
            return True
    return False


def describe_tracks(tracks: Sequence[Any] | None) -> str:
    """What a rewriter tracks, as short text (``Elemwise{log}``, ``Sum``)."""
    if not tracks:
        return "every op"
    return ", ".join(_track_name(t) for t in tracks)


def _track_name(t: Any) -> str:
    if isinstance(t, Elemwise):
        return f"Elemwise{{{t.scalar_op}}}"
    if isinstance(t, type):
        return t.__name__
    if isinstance(t, OpPattern):
        head = t.op_type
        head = getattr(head, "__name__", str(head))
        params = ", ".join(f"{k}={_track_name(v)}" for k, v in t.parameters)
        return f"{head}({params})" if params else head
    return str(t)


# -- the catalogue of ops to build graphs from --------------------------------


@dataclass(frozen=True)
class _Proto:
    """One way to make a tracked op: ``build(*operands)`` with ``arity``
    operands of rank ``ndim``."""

    name: str
    build: Callable[..., Variable]
    arity: int
    ndim: int = 1
    #: elementwise ops are also tried as scalars and matrices
    any_rank: bool = False


@functools.cache
def elemwise_catalogue() -> tuple[Elemwise, ...]:
    """Every elementwise op of PyTensor's tensor namespace, one per scalar op,
    and the casts to each of :data:`DTYPES`."""
    seen, ops = set(), []
    for name in sorted(vars(pt)):
        op = getattr(pt, name)
        if isinstance(op, Elemwise) and op.scalar_op not in seen:
            seen.add(op.scalar_op)
            ops.append(op)
    probe = pt.tensor("probe", dtype="int16", shape=(None,))
    ops += [pt.cast(probe, d).owner.op for d in DTYPES]
    return tuple(ops)


def _arity(op: Elemwise) -> int:
    nin = op.scalar_op.nin
    return nin if nin > 0 else 2  # add / mul are variadic


_REDUCTIONS = {
    "sum": pt.sum,
    "prod": pt.prod,
    "max": pt.max,
    "min": pt.min,
    "all": pt.all,
    "any": pt.any,
    "mean": pt.mean,
}

_SHAPE_OPS = [
    _Proto("expand_dims", lambda x: pt.expand_dims(x, 0), 1),
    _Proto("x[None, :]", lambda x: x[None, :], 1),
    _Proto("transpose", lambda m: m.T, 1, ndim=2),
    _Proto("dimshuffle drop", lambda m: m[None].dimshuffle(1, 2), 1, ndim=2),
    _Proto("reshape", lambda m: m.reshape((-1,)), 1, ndim=2),
    _Proto("reshape 2d", lambda x: x.reshape((1, -1)), 1),
    _Proto("specify_shape", lambda x: pt.specify_shape(x, (3,)), 1),
    _Proto("alloc", lambda x: pt.alloc(x, 2, x.shape[0]), 1),
    _Proto("zeros_like", lambda x: pt.zeros_like(x), 1),
    _Proto("fill", lambda x, y: pt.fill(x, y), 2),
    _Proto("shape", lambda x: x.shape, 1),
    _Proto("shape[0]", lambda x: x.shape[0], 1),
    _Proto("shape_i", lambda x: pt.shape_i(x, 0), 1),
    _Proto("size", lambda x: x.size, 1),
    _Proto("join", lambda x, y: pt.concatenate([x, y]), 2),
    _Proto("stack", lambda x, y: pt.stack([x, y]), 2, ndim=0),
    _Proto("flatten", lambda m: m.flatten(), 1, ndim=2),
    _Proto("broadcast_to", lambda x: pt.broadcast_to(x, (2, x.shape[0])), 1),
    _Proto("as scalar", lambda x: pt.as_tensor(pt.scalar_from_tensor(x)), 1, 0),
    _Proto("Shape_i", lambda x: Shape_i(0)(x), 1),
    _Proto("join_dims", lambda m: pt.join_dims(m, 0, 2), 1, ndim=2),
    _Proto("split_dims", lambda x: pt.split_dims(x, (2, -1)), 1),
    _Proto("composite", lambda x, y: Elemwise(_composite())(x, y)[0], 2),
    _Proto(
        "specify_shape twice",
        lambda x: pt.specify_shape(pt.specify_shape(x, (3,)), (3,)),
        1,
    ),
    _Proto("shape of specify_shape", lambda x: pt.specify_shape(x, (3,)).shape, 1),
    _Proto("reshape of dimshuffle", lambda x: x[None, :].reshape((-1,)), 1),
    _Proto("alloc then dimshuffle", lambda x: pt.alloc(x, 2, x.shape[0]).T, 1),
    _Proto(
        "expand_dims in reshape",
        lambda m: m.reshape((1, m.shape[0], m.shape[1])),
        1,
        ndim=2,
    ),
    _Proto("sum of make_vector", lambda x, y: pt.stack([x, y]).sum(), 2, ndim=0),
    _Proto("sum of alloc", lambda x: pt.alloc(x, 3, x.shape[0]).sum(axis=0), 1),
    _Proto("sum of join", lambda x, y: pt.concatenate([x, y]).sum(), 2),
    _Proto("sum of stacked", lambda x, y: pt.stack([x, y]).sum(axis=0), 2),
]


def _composite() -> Composite:
    a, b = ps.float64("a"), ps.float64("b")
    return Composite([a, b], [a * b + ps.exp(a), a - b])


def _prototypes(tracks: Sequence[Any] | None) -> list[_Proto]:
    """The ways to make each tracked op, tried on an input of each dtype."""
    protos: list[_Proto] = []
    if not tracks:
        return protos
    for op in elemwise_catalogue():
        if matches(op, tracks):
            protos.append(_Proto(str(op.scalar_op), op, _arity(op), 1, any_rank=True))
    for t in tracks:  # a scalar op class stands for its Elemwise
        if isinstance(t, type) and issubclass(t, ScalarOp):
            protos += [
                _Proto(str(op.scalar_op), op, _arity(op), any_rank=True)
                for op in elemwise_catalogue()
                if isinstance(op.scalar_op, t)
            ]
    for name, fn in _REDUCTIONS.items():
        for axis in (None, 0, 1, (0, 1)):
            proto = _Proto(f"{name}(axis={axis})", _reduce(fn, axis), 1, ndim=2)
            if _makes_tracked(proto, tracks):
                protos.append(proto)
        for proto in (
            _Proto(f"{name}(vector)", fn, 1, ndim=1),
            _Proto(f"{name}(scalar)", fn, 1, ndim=0),
            _Proto(f"{name}(broadcastable axis)", _reduce_padded(fn), 1, ndim=1),
        ):
            if _makes_tracked(proto, tracks):
                protos.append(proto)
    protos += [p for p in _SHAPE_OPS if _makes_tracked(p, tracks)]
    return list({p.name: p for p in protos}.values())


def _reduce(fn: Callable, axis: Any) -> Callable[[Variable], Variable]:
    return lambda m: fn(m, axis=axis)


def _reduce_padded(fn: Callable) -> Callable[[Variable], Variable]:
    """A reduction over an axis of length 1 (``x[None, :].sum(axis=0)``)."""
    return lambda x: fn(x[None, :], axis=0)


def _makes_tracked(proto: _Proto, tracks: Sequence[Any]) -> bool:
    xs = [pt.tensor(f"x{i}", shape=(None,) * proto.ndim) for i in range(proto.arity)]
    try:
        out = proto.build(*xs)
    except Exception:
        return False
    if not isinstance(out, Variable):
        return False
    return any(matches(a.op, tracks) for a in applys_between(xs, [out]))


# -- operand forms --------------------------------------------------------------


def _constant(c: float, dtype: str) -> Variable:
    return pt.constant(np.asarray(c, dtype=dtype))


#: How a constant ``c`` of a dtype takes an operand's place beside a variable
#: ``x`` of the same shape, as PyTensor's canonicalisation leaves it.
CONSTANT_FORMS: dict[str, Callable[[float, str, Variable], Variable]] = {
    "scalar": lambda c, d, x: _constant(c, d),
    "broadcastable": lambda c, d, x: pt.constant(
        np.full((1,) * x.ndim, c, dtype=d), dtype=d
    ),
    "ExpandDims": lambda c, d, x: pt.shape_padleft(_constant(c, d), x.ndim),
    "Alloc": lambda c, d, x: pt.alloc(_constant(c, d), *x.shape),
    "fill": lambda c, d, x: pt.fill(x, _constant(c, d)),
    "mul(-1, x)": lambda c, d, x: pt.mul(_constant(-1, d), x),
}

#: Ops put in an operand's place, applied to fresh inputs: the inner halves
#: of the patterns rewriters look for.
INNER: dict[str, Callable[..., Variable]] = {
    "exp": pt.exp,
    "log": pt.log,
    "neg": pt.neg,
    "sqr": pt.sqr,
    "sqrt": pt.sqrt,
    "abs": pt.abs,
    "sigmoid": pt.sigmoid,
    "softplus": pt.softplus,
    "log1p": pt.log1p,
    "expm1": pt.expm1,
    "reciprocal": pt.reciprocal,
    "erf": pt.erf,
    "erfc": pt.erfc,
    "tanh": pt.tanh,
    "sign": pt.sign,
    "1 + x": lambda x: 1 + x,
    "1 - x": lambda x: 1 - x,
    "x - 1": lambda x: x - 1,
    "1 / x": lambda x: 1 / x,
    "-1 * x": lambda x: -1 * x,
    "x * 2": lambda x: x * 2,
    "x ** 2": lambda x: x**2,
    "x ** 0.5": lambda x: x**0.5,
    "1 - exp(x)": lambda x: 1 - pt.exp(x),
    "exp(x) - 1": lambda x: pt.exp(x) - 1,
    "1 + exp(x)": lambda x: 1 + pt.exp(x),
    "1 - sigmoid(x)": lambda x: 1 - pt.sigmoid(x),
    "log1mexp": pt.log1mexp,
    "log(1 - exp(x))": lambda x: pt.log(1 - pt.exp(x)),
    "logit": lambda x: pt.log(x / (1 - x)),
    "gammaln": pt.gammaln,
    "erfcx": pt.erfcx,
    "x + y": lambda x, y: x + y,
    "x - y": lambda x, y: x - y,
    "x * y": lambda x, y: x * y,
    "x / y": lambda x, y: x / y,
    "x * x": lambda x: x * x,
    "switch(x > 0, x, y)": lambda x, y: pt.switch(x > 0, x, y),
    "exp(x) + exp(y)": lambda x, y: pt.exp(x) + pt.exp(y),
    "exp(x) * exp(y)": lambda x, y: pt.exp(x) * pt.exp(y),
    "x ** 2 * x ** 3": lambda x: x**2 * x**3,
    "abs(x) * abs(y)": lambda x, y: pt.abs(x) * pt.abs(y),
    "sigmoid(x) * exp(-x)": lambda x: pt.sigmoid(x) * pt.exp(-x),
    "exp(x) / (1 + exp(x))": lambda x: pt.exp(x) / (1 + pt.exp(x)),
    "1 / (1 + exp(x))": lambda x: 1 / (1 + pt.exp(x)),
    "switch(x > 0, 0, y)": lambda x, y: pt.switch(x > 0, 0.0, y),
    "x * (y + 1)": lambda x, y: x * (y + 1),
    "eq(x, x)": lambda x: pt.eq(x, x),
    "softmax(m)": lambda m: pt.special.softmax(m, axis=-1).sum(axis=1),
    "log_softmax": lambda m: pt.log(pt.special.softmax(m, axis=-1)).sum(axis=1),
    "prod(m, axis=1)": lambda m: m.prod(axis=1),
    "sum(sqr(m), axis=1)": lambda m: pt.sqr(m).sum(axis=1),
    "m - logsumexp(m)": lambda m: (m - pt.logsumexp(m, axis=1, keepdims=True)).sum(
        axis=1
    ),
    "sum(exp(m), axis=1)": lambda m: pt.exp(m).sum(axis=1),
    "1 + exp(-x)": lambda x: 1 + pt.exp(-x),
    "-expm1(x)": lambda x: -pt.expm1(x),
    "exp(-x * x) / erfc(x)": lambda x: pt.exp(-x * x) / pt.erfc(x),
    "softmax(x)": lambda x: pt.special.softmax(x),
    "log_softmax(x)": lambda x: pt.special.log_softmax(x),
    "exp(x) / sum(exp(x))": lambda x: pt.exp(x) / pt.exp(x).sum(),
    "prod(x)": lambda x: x.prod(),
    "fill(x, y)": lambda x, y: pt.fill(x, y),
    "squeeze(x[None])": lambda x: pt.squeeze(pt.expand_dims(x, 0), axis=0),
    "specify_shape(x, 3)": lambda x: pt.specify_shape(x, (3,)),
    "alloc(s, 3)": lambda s: pt.alloc(s, 3),
    "expand_dims(s)": lambda s: pt.shape_padleft(s),
    "stack([s, t])": lambda s, t: pt.stack([s, t]),
    "switch(c, x, y) twice": lambda x, y: (
        pt.switch(x > 0, x, y) + pt.switch(x > 0, y, x)
    ),
    "sum(m, axis=1)": lambda m: m.sum(axis=1),
    "cast float32": lambda x: pt.cast(x, "float32"),
    "cast int64": lambda x: pt.cast(x, "int64"),
}

#: INNER entries whose fresh input is a matrix (they reduce over an axis).
_MATRIX_INNER = (
    "sum(exp(m), axis=1)",
    "sum(m, axis=1)",
    "softmax(m)",
    "log_softmax",
    "prod(m, axis=1)",
    "sum(sqr(m), axis=1)",
    "m - logsumexp(m)",
)

#: INNER entries whose fresh inputs are scalars (they build a vector).
_SCALAR_INNER = ("alloc(s, 3)", "expand_dims(s)", "stack([s, t])")

#: Inner ops put in every operand's place at once (``exp(x) * exp(y)``).
_EVERY_OPERAND = (
    "exp",
    "log",
    "abs",
    "sqrt",
    "sigmoid",
    "neg",
    "sqr",
    "x ** 2",
    "softplus",
)


def expression_label(v: Variable, depth: int = 0) -> str:
    """A graph as a short call expression: ``log(add(1, x0))``."""
    if v.owner is None:
        if isinstance(v, Constant):
            data = np.asarray(v.data)
            return str(data.tolist()) if data.size <= 4 else f"<{data.shape} const>"
        return v.name or "?"
    if depth > 6:
        return "..."
    op = v.owner.op
    if isinstance(op, Elemwise):
        name = str(op.scalar_op).lower()
    elif isinstance(op, DimShuffle):
        name = "dimshuffle" + str(op.new_order).replace(" ", "")
    elif isinstance(op, CAReduce):
        name = f"{type(op).__name__.lower()}[axis={op.axis}]"
    else:
        name = str(op).lower()
    args = ", ".join(expression_label(i, depth + 1) for i in v.owner.inputs)
    return f"{name}({args})"


# -- building graphs --------------------------------------------------------------


def _fresh(name: str, dtype: str, ndim: int) -> Variable:
    return pt.tensor(name, dtype=dtype, shape=(None,) * ndim)


def _graph(label: str, out: Any, assume: tuple[str, ...]) -> CheckGraph | None:
    outs = out if isinstance(out, list | tuple) else [out]
    outs = [pt.as_tensor_variable(o) for o in outs]
    inputs = tuple(
        v for v in graph_inputs(outs) if not isinstance(v, Constant) and v.owner is None
    )
    if not inputs:
        return None
    return CheckGraph(
        f"{label}: {expression_label(outs[0])}", inputs, tuple(outs), assume
    )


def _built(proto: _Proto, operands: Sequence[Variable]) -> Variable | None:
    try:
        out = proto.build(*operands)
    except Exception:
        return None
    return out if isinstance(out, Variable) else None


def _made(
    proto: _Proto, operands: Sequence[Variable], label: str, assume: tuple[str, ...]
) -> CheckGraph | None:
    """The graph of ``proto`` on ``operands``, or None where it cannot be made."""
    out = _built(proto, operands)
    return None if out is None else _graph(label, out, assume)


def _plain(proto: _Proto, assume: tuple[str, ...]) -> Iterator[CheckGraph]:
    ranks = (1, 0, 2) if proto.any_rank else (proto.ndim,)
    for ndim, dtype in itertools.product(ranks, DTYPES):
        xs = [_fresh(f"x{i}", dtype, ndim) for i in range(proto.arity)]
        g = _made(proto, xs, f"{dtype} rank {ndim}", assume)
        if g is not None:
            yield g


def _with_constants(proto: _Proto, assume: tuple[str, ...]) -> Iterator[CheckGraph]:
    if proto.arity < 2:  # a unary op of a constant is folded, not rewritten
        return
    # (input dtype, constant dtype): the last pair makes PyTensor upcast
    pairs = (("float64", "float64"), ("float32", "float32"), ("int64", "int64"))
    for (dtype, cdtype), pos, (form, make), c in itertools.product(
        (*pairs, ("float32", "int64")),
        range(proto.arity),
        CONSTANT_FORMS.items(),
        CONSTANTS,
    ):
        if form == "mul(-1, x)" and c != -1:
            continue
        if cdtype == "int64" and c == 0.5:
            continue
        xs = [_fresh(f"x{i}", dtype, proto.ndim) for i in range(proto.arity)]
        try:
            xs[pos] = make(c, cdtype, xs[pos])
        except Exception:
            continue
        kind = dtype if dtype == cdtype else f"{cdtype} constant, {dtype} inputs"
        g = _made(proto, xs, f"{form} constant {c} ({kind})", assume)
        if g is not None:
            yield g


def _with_tracked_inner(
    proto: _Proto, protos: Sequence[_Proto], assume: tuple[str, ...]
) -> Iterator[CheckGraph]:
    """One operand replaced by another tracked unary op of a fresh input
    (``exp(log1mexp(y))`` for a rewriter tracking both): the pairs it most
    likely looks for."""
    for pos, inner in itertools.product(range(proto.arity), protos):
        if inner.arity != 1 or inner.ndim != proto.ndim:
            continue
        xs = [_fresh(f"x{i}", "float64", proto.ndim) for i in range(proto.arity)]
        operand = _built(inner, [_fresh("y0", "float64", proto.ndim)])
        if operand is None or operand.ndim != proto.ndim:  # a reduction's scalar
            continue
        xs[pos] = operand
        g = _made(proto, xs, f"operand {pos} = {inner.name}", assume)
        if g is not None:
            yield g


def _with_every_inner(
    proto: _Proto, assume: tuple[str, ...], dtype: str = "float64"
) -> Iterator[CheckGraph]:
    """Both operands of one input (``exp(x) / exp(x)``), then every operand
    under the same inner op of its own input (``exp(x) * exp(y)``)."""
    if proto.arity == 2:  # both operands share an input: x * x, x / x, x - x
        x = _fresh("x0", dtype, proto.ndim)
        for name, inner in (("x", lambda v: v), ("exp", pt.exp), ("neg", pt.neg)):
            g = _made(
                proto,
                [inner(x), inner(x) if name != "x" else x],
                f"both operands {name}(x)",
                assume,
            )
            if g is not None:
                yield g
    if proto.arity >= 2:  # every operand under the same inner op
        for name in _EVERY_OPERAND:
            inner = INNER[name]
            xs = [inner(_fresh(f"y{k}", dtype, proto.ndim)) for k in range(proto.arity)]
            g = _made(proto, xs, f"every operand = {name}", assume)
            if g is not None:
                yield g


def _with_inner(
    proto: _Proto, assume: tuple[str, ...], dtype: str = "float64"
) -> Iterator[CheckGraph]:
    for pos, (name, inner) in itertools.product(range(proto.arity), INNER.items()):
        if proto.ndim == 2 and name in _MATRIX_INNER:
            continue
        if proto.ndim != 1 and name in _SCALAR_INNER:
            continue
        inner_ndim = proto.ndim + (name in _MATRIX_INNER) - (name in _SCALAR_INNER)
        n_in = inner.__code__.co_argcount if hasattr(inner, "__code__") else 1
        ins = [_fresh(f"y{k}", dtype, inner_ndim) for k in range(n_in)]
        try:
            operand = inner(*ins)
        except Exception:
            continue
        xs = [_fresh(f"x{i}", dtype, proto.ndim) for i in range(proto.arity)]
        xs[pos] = operand
        g = _made(proto, xs, f"operand {pos} = {name}", assume)
        if g is not None:
            yield g


#: PyTensor's databases whose output serves as a context, in order.
CONTEXT_DBS = (("canonicalize",), ("canonicalize", "stabilize"))


def _contexts(
    seeds: Sequence[CheckGraph], exclude: Sequence[str], assume: tuple[str, ...]
) -> Iterator[CheckGraph]:
    """The seed graphs after PyTensor's canonicalize (and stabilize), with
    the rewriter under test excluded so it still has something to do."""
    seen: set[str] = {g.label.split(": ", 1)[-1] for g in seeds}
    for include, g in itertools.product(CONTEXT_DBS, seeds):
        try:  # a rewrite PyTensor cannot apply to a seed is skipped, silently
            with config.change_flags(on_opt_error="ignore"):
                outs = rewrite_graph(
                    list(g.outputs), include=include, exclude=tuple(exclude)
                )
        except Exception:
            continue
        outs = outs if isinstance(outs, list | tuple) else [outs]
        label = expression_label(outs[0])
        if label in seen:
            continue
        seen.add(label)
        found = _graph(f"after {'+'.join(include)} of {g.label}", list(outs), assume)
        if found is not None and len(found.inputs) == len(g.inputs):
            yield found


def tracked_graphs(
    tracks: Sequence[Any] | None,
    *,
    exclude: Sequence[str] = (),
    assume: tuple[str, ...] = (),
    contexts: bool = True,
) -> Iterator[CheckGraph]:
    """Graphs holding the ops ``tracks`` names, cheapest first (the module
    doc lists the kinds); ``exclude`` names rewriters PyTensor's databases
    must not run while building contexts (the rewriter under test).

    Examples
    --------
    >>> from pytensor.tensor.rewriting.math import local_exp_log
    >>> g = next(tracked_graphs(local_exp_log.tracks()))
    >>> g.label
    'float64 rank 1: exp(x0)'
    """
    protos = _prototypes(tracks)
    seeds: list[CheckGraph] = []
    makers = (
        _plain,
        lambda p, a: _with_tracked_inner(p, protos, a),
        _with_every_inner,
        _with_constants,
        _with_inner,
    )
    for make in makers:
        for proto in protos:
            for g in make(proto, assume):
                seeds.append(g)
                yield g
    if contexts:
        yield from _contexts(seeds, exclude, assume)
