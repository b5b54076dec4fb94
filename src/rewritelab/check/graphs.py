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
2. one operand replaced by another tracked op (``exp(log1mexp(y))``),
   every operand under one inner op (``exp(x) * exp(y)``), both operands
   made from one input (:data:`SHARED`: ``exp(-sqr(x)) / erfc(x)``, two
   switches on one condition), and the tracked op inside an outer form
   (:data:`OUTER`: ``log(1 - sigmoid(x))``);
3. one operand replaced by a constant in each form PyTensor's own
   canonicalisation produces (:data:`CONSTANT_FORMS`: a bare scalar, a
   broadcastable constant, ``ExpandDims`` of a scalar, ``Alloc``, ``fill``,
   ``mul(-1, x)`` for ``neg``) for each value of :data:`CONSTANTS`, also an
   int64 constant beside float32 inputs (PyTensor upcasts);
4. one operand replaced by an inner expression of fresh inputs
   (:data:`INNER`: ``log(exp(x))``, ``log(1 + x)``, ``log(sum(exp(m)))``,
   ``alloc(s, 3)`` ...);
5. elementwise ops again as scalars (a constant stays a bare scalar there),
   and shape ops on inputs of static shapes (:data:`STATIC_SHAPES`);
6. the graphs of 1-5 after PyTensor's canonicalize (and canonicalize +
   stabilize) ran on them with the rewriter itself excluded: the contexts in
   which stabilize and specialize rewriters meet their ops.

The kinds take turns, so that a budget of graphs reaches each. Every graph
is merged (PyTensor's ``MergeOptimizer``: equal subexpressions one node, as
a compiled graph has them). Each is a :class:`CheckGraph`; its label says
how it was built, so a rule that is still not exercised can say what was
tried.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytensor
import pytensor.scalar as ps
import pytensor.tensor as pt
from pytensor import config
from pytensor.graph.basic import Constant, Variable
from pytensor.graph.fg import FunctionGraph
from pytensor.graph.op import Op
from pytensor.graph.rewriting.basic import MergeOptimizer
from pytensor.graph.rewriting.unify import OpPattern
from pytensor.graph.rewriting.utils import rewrite_graph
from pytensor.graph.traversal import applys_between, graph_inputs
from pytensor.scalar.basic import Composite, ScalarOp
from pytensor.tensor.elemwise import CAReduce, DimShuffle, Elemwise
from pytensor.tensor.shape import Shape_i, SpecifyShape

__all__ = [
    "CONSTANTS",
    "CONSTANT_FORMS",
    "CheckGraph",
    "DTYPES",
    "INNER",
    "OUTER",
    "SHARED",
    "STATIC_SHAPES",
    "describe_tracks",
    "elemwise_catalogue",
    "expression_label",
    "matches",
    "tracked_graph_kinds",
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
    are values); ``differentiate`` False checks the values alone (a probe
    such as ``1 / f(x)``, whose own gradient overflows where ``f``'s does
    not).
    """

    label: str
    inputs: tuple[Variable, ...]
    outputs: tuple[Variable, ...]
    assume: tuple[str, ...] = ()
    bounded: bool = False
    n_values: int | None = None
    differentiate: bool = True
    #: graphs of one family are variants of one case (the same constant in
    #: other dtypes): a checker counting cases counts the family once
    family: str = ""

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
    _Proto("alloc to its own shape", lambda x: pt.alloc(x, x.shape[0]), 1),
    _Proto("alloc with a leading 1", lambda x: pt.alloc(x, 1, x.shape[0]), 1),
    _Proto("SpecifyShape node", lambda x: SpecifyShape()(x, pt.constant(3)), 1),
    _Proto(
        "specify_shape of alloc",
        lambda x: pt.specify_shape(pt.alloc(x[0], x.shape[0]), (x.shape[0],)),
        1,
    ),
    _Proto(
        "specify_shape of inc_subtensor",
        lambda x, y: pt.specify_shape(pt.inc_subtensor(x[0], y[0]), (x.shape[0],)),
        2,
    ),
    _Proto("squeeze of a slice", lambda m: m[1:].squeeze(1), 1, ndim=2),
    _Proto("one-element make_vector", lambda s: pt.as_tensor([s]).squeeze(), 1, 0),
    _Proto("transpose of inv", lambda m: pt.linalg.inv(m).T, 1, ndim=2),
    _Proto("transpose of m @ m.T", lambda m: (m @ m.T).T, 1, ndim=2),
    _Proto(  # a and z kept where the series converges fast
        "gradient of hyp2f1(sigmoid(x), 2, 3, sigmoid(x) / 4)",
        lambda x: pytensor.grad(
            pt.hyp2f1(pt.sigmoid(x), 2.0, 3.0, pt.sigmoid(x) / 4).sum(), x
        ),
        1,
    ),
    _Proto(
        "sum of sqr of an outer product",
        lambda w, g: pt.sqr(w[None] * g[:, None]).sum(axis=(1, 2)),
        2,
        ndim=2,
    ),
]

#: Static shapes the inputs of shape ops also take, by rank: a rewriter
#: that removes a useless op sees it only where the type already says so.
STATIC_SHAPES = {1: ((1,), (3,)), 2: ((None, 1), (1, None))}


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
    protos += [p for p in _SHAPE_OPS if _makes_tracked(p, tracks, structural=True)]
    return list({p.name: p for p in protos}.values())


def _reduce(fn: Callable, axis: Any) -> Callable[[Variable], Variable]:
    return lambda m: fn(m, axis=axis)


def _reduce_padded(fn: Callable) -> Callable[[Variable], Variable]:
    """A reduction over an axis of length 1 (``x[None, :].sum(axis=0)``)."""
    return lambda x: fn(x[None, :], axis=0)


def _makes_tracked(
    proto: _Proto, tracks: Sequence[Any], *, structural: bool = False
) -> bool:
    """Whether ``proto`` makes a tracked op, on inputs of unknown or of one
    of :data:`STATIC_SHAPES` (``m[1:].squeeze(1)`` needs ``m``'s 1). With
    ``structural``, an elementwise op of :func:`elemwise_catalogue` does not
    count: a shape op's prototype is for the ops that only it makes (the
    gradient of hyp2f1 holds a hundred multiplications, and a rewriter
    tracking ``mul`` has its own)."""
    plain = {op.scalar_op for op in elemwise_catalogue()} if structural else set()
    for shape in ((None,) * proto.ndim, *STATIC_SHAPES.get(proto.ndim, ())):
        xs = [pt.tensor(f"x{i}", shape=shape) for i in range(proto.arity)]
        out = _call(proto.build, *xs)
        if isinstance(out, Variable) and any(
            matches(a.op, tracks)
            and not (isinstance(a.op, Elemwise) and a.op.scalar_op in plain)
            for a in applys_between(xs, [out])
        ):
            return True
    return False


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
    # structural operands first: a rewriter tracking every Elemwise looks
    # for these under any op, and meets them before its budget runs out
    "alloc(s, 3)": lambda s: pt.alloc(s, 3),
    "fill(x, y)": lambda x, y: pt.fill(x, y),
    "ones_like(x)": lambda x: pt.ones_like(x),
    "expand_dims(s)": lambda s: pt.shape_padleft(s),
    "stack([s, t])": lambda s, t: pt.stack([s, t]),
    "specify_shape(x, 3)": lambda x: pt.specify_shape(x, (3,)),
    "squeeze(x[None])": lambda x: pt.squeeze(pt.expand_dims(x, 0), axis=0),
    "inc_subtensor(x[0], y[0])": lambda x, y: pt.inc_subtensor(x[0], y[0]),
    "set_subtensor(zeros_like(x)[0], y[0])": lambda x, y: pt.set_subtensor(
        pt.zeros_like(x)[0], y[0]
    ),
    "cast float32": lambda x: pt.cast(x, "float32"),
    "cast int64": lambda x: pt.cast(x, "int64"),
    "switch(c, x, y) twice": lambda x, y: (
        pt.switch(x > 0, x, y) + pt.switch(x > 0, y, x)
    ),
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
    "sum(m, axis=1)": lambda m: m.sum(axis=1),
    "prod(exp(x))": lambda x: pt.prod(pt.exp(x)),
    "abs(prod(x))": lambda x: pt.abs(pt.prod(x)),
}

#: Both operands of a binary op made from one input ``x`` by these forms
#: (``exp(-sqr(x)) / erfc(x)``, ``exp(x) / sum(exp(x))``, ``exp(x) / (1 +
#: exp(x))``, ``x ** 2.5 * x ** 2.5``, ``(1 / x + 1) * x``, two switches on
#: one condition): merged, they share what they have in common.
SHARED: dict[str, Callable[[Variable], Variable]] = {
    "x": lambda x: x,
    "exp": pt.exp,
    "1 + exp(x)": lambda x: 1 + pt.exp(x),
    "neg": pt.neg,
    "log": pt.log,
    "sqr": pt.sqr,
    "x ** 2.5": lambda x: x**2.5,
    "1 / x + 1": lambda x: 1 / x + 1,
    "erfc": pt.erfc,
    "sigmoid": pt.sigmoid,
    "exp(-sqr(x))": lambda x: pt.exp(-pt.sqr(x)),
    "sum(exp(x), keepdims)": lambda x: pt.exp(x).sum(axis=-1, keepdims=True),
    "switch(x > 0, x, 0)": lambda x: pt.switch(x > 0, x, 0),
    "switch(x > 0, 1, x)": lambda x: pt.switch(x > 0, 1, x),
}

#: Outer forms the tracked op is put in (``log(1 - sigmoid(x))`` for a
#: rewriter tracking sigmoid and looking at its clients).
OUTER: dict[str, Callable[[Variable], Variable]] = {
    "log(y)": pt.log,
    "log(-y)": lambda y: pt.log(-y),
    "log(1 - y)": lambda y: pt.log(1 - y),
    "log1p(-y)": lambda y: pt.log1p(-y),
    "1 - y": lambda y: 1 - y,
    "-y": pt.neg,
    "exp(y)": pt.exp,
    "sqr(y)": pt.sqr,
    "sum(y)": pt.sum,
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
    if not inputs or not _well_formed(outs):
        return None
    fgraph = FunctionGraph(outputs=outs, clone=False, copy_inputs=False)
    MergeOptimizer().rewrite(fgraph)  # switch(x > 0, ..) twice: one x > 0
    outs = list(fgraph.outputs)
    return CheckGraph(
        f"{label}: {expression_label(outs[0])}", inputs, tuple(outs), assume
    )


def _well_formed(outs: Sequence[Variable]) -> bool:
    """No reduction over an axis its input lacks: PyTensor builds
    ``exp(s).sum(axis=-1, keepdims=True)`` of a scalar ``s`` as a
    ``Sum{axis=0}`` of a scalar, which rewriters (rightly) index out of
    range on."""
    return all(
        all(a < n.inputs[0].type.ndim for a in n.op.axis)
        for n in applys_between(graph_inputs(outs), outs)
        if isinstance(n.op, CAReduce) and n.op.axis is not None
    )


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, or None where PyTensor cannot build it. Ops run
    rewrites while they are built (``Alloc`` folds its shape): their failures
    are ignored, not logged."""
    try:
        with config.change_flags(on_opt_error="ignore"):
            return fn(*args)
    except Exception:
        return None


def _built(proto: _Proto, operands: Sequence[Variable]) -> Variable | None:
    out = _call(proto.build, *operands)
    return out if isinstance(out, Variable) else None


def _made(
    proto: _Proto, operands: Sequence[Variable], label: str, assume: tuple[str, ...]
) -> CheckGraph | None:
    """The graph of ``proto`` on ``operands``, or None where it cannot be made."""
    out = _built(proto, operands)
    return None if out is None else _graph(label, out, assume)


def _plain(proto: _Proto, assume: tuple[str, ...]) -> Iterator[CheckGraph]:
    """The op on fresh inputs: float64 first, then a shape op's inputs of
    :data:`STATIC_SHAPES` (where a useless op shows), then every dtype; an
    elementwise op as vectors, scalars and matrices."""
    ranks = (1, 0, 2) if proto.any_rank else (proto.ndim,)
    statics = () if proto.any_rank else STATIC_SHAPES.get(proto.ndim, ())
    kinds: list[tuple[str, int, tuple | None]] = [("float64", ranks[0], None)]
    kinds += [("float64", proto.ndim, shape) for shape in statics]
    kinds += [
        (dtype, ndim, None)
        for ndim, dtype in itertools.product(ranks, DTYPES)
        if (dtype, ndim) != ("float64", ranks[0])
    ]
    for dtype, ndim, shape in kinds:
        if shape is None:
            xs = [_fresh(f"x{i}", dtype, ndim) for i in range(proto.arity)]
            label = f"{dtype} rank {ndim}"
        else:
            xs = [pt.tensor(f"x{i}", shape=shape) for i in range(proto.arity)]
            label = f"static shape {shape}"
        g = _made(proto, xs, label, assume)
        if g is not None:
            yield g


def _with_constants(proto: _Proto, assume: tuple[str, ...]) -> Iterator[CheckGraph]:
    if proto.arity < 2:  # a unary op of a constant is folded, not rewritten
        return
    # (input dtype, constant dtype): the last two make PyTensor upcast (x + 1
    # as written holds an int8 1)
    pairs = (("float64", "float64"), ("float32", "float32"), ("int64", "int64"))
    # the dtypes and positions vary fastest: each form and value meets them
    # all; the graphs of one (form, value, position) are one family, and a
    # checker counts families (x ** 0.5 is not crowded out by x ** 0 in five
    # dtypes)
    for (form, make), c, (dtype, cdtype), pos in itertools.product(
        CONSTANT_FORMS.items(),
        CONSTANTS,
        (*pairs, ("float32", "int64"), ("float64", "int8")),
        range(proto.arity),
    ):
        if form == "mul(-1, x)" and c != -1:
            continue
        if cdtype.startswith("int") and c != int(c):
            continue
        xs = [_fresh(f"x{i}", dtype, proto.ndim) for i in range(proto.arity)]
        xs[pos] = _call(make, c, cdtype, xs[pos])
        if xs[pos] is None:
            continue
        kind = dtype if dtype == cdtype else f"{cdtype} constant, {dtype} inputs"
        g = _made(proto, xs, f"{form} constant {c} ({kind})", assume)
        if g is not None:
            yield dataclasses.replace(g, family=f"{form} constant {c} at {pos}")


def _with_operand(
    proto: _Proto,
    pos: int,
    operand: Variable,
    label: str,
    assume: tuple[str, ...],
    dtype: str = "float64",
) -> CheckGraph | None:
    """``proto`` on fresh inputs, with operand ``pos`` replaced by ``operand``."""
    xs = [_fresh(f"x{i}", dtype, proto.ndim) for i in range(proto.arity)]
    xs[pos] = operand
    return _made(proto, xs, label, assume)


def _with_tracked_inner(
    proto: _Proto, protos: Sequence[_Proto], assume: tuple[str, ...]
) -> Iterator[CheckGraph]:
    """One operand replaced by another tracked unary op of a fresh input
    (``exp(log1mexp(y))`` for a rewriter tracking both): the pairs it most
    likely looks for."""
    for pos, inner in itertools.product(range(proto.arity), protos):
        if inner.arity != 1 or inner.ndim != proto.ndim:
            continue
        operand = _built(inner, [_fresh("y0", "float64", proto.ndim)])
        if operand is None or operand.ndim != proto.ndim:  # a reduction's scalar
            continue
        g = _with_operand(proto, pos, operand, f"operand {pos} = {inner.name}", assume)
        if g is not None:
            yield g


def _with_every_inner(
    proto: _Proto, assume: tuple[str, ...], dtype: str = "float64"
) -> Iterator[CheckGraph]:
    """Every operand under the same inner op of its own input (``exp(x) *
    exp(y)``, ``abs(x) * abs(y)``) taking turns with both operands made
    from one input (:data:`SHARED`: ``exp(x) / exp(x)``, ``-x / x``,
    ``exp(-sqr(x)) / erfc(x)``, the same form twice first, then beside x):
    a checker that stops after a few graphs fired meets both kinds."""
    yield from _interleaved(
        [_every_operand(proto, assume, dtype), _one_input(proto, assume, dtype)]
    )


def _every_operand(
    proto: _Proto, assume: tuple[str, ...], dtype: str
) -> Iterator[CheckGraph]:
    if proto.arity < 2:
        return
    for name in _EVERY_OPERAND:
        inner = INNER[name]
        xs = [
            _call(inner, _fresh(f"y{k}", dtype, proto.ndim)) for k in range(proto.arity)
        ]
        if None in xs:
            continue
        g = _made(proto, xs, f"every operand = {name}", assume)
        if g is not None:
            yield g


def _one_input(
    proto: _Proto, assume: tuple[str, ...], dtype: str
) -> Iterator[CheckGraph]:
    if proto.arity != 2:
        return
    # the same form twice first, then a form beside x itself (-x / x)
    pairs = sorted(
        itertools.product(SHARED, SHARED), key=lambda p: (p[0] != p[1], "x" not in p)
    )
    for first, second in pairs:
        x = _fresh("x0", dtype, proto.ndim)
        xs = [_call(SHARED[first], x), _call(SHARED[second], x)]
        if None in xs:
            continue
        g = _made(proto, xs, f"operands {first}, {second} of one x", assume)
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
        operand = _call(inner, *ins)
        if operand is None:
            continue
        g = _with_operand(proto, pos, operand, f"operand {pos} = {name}", assume, dtype)
        if g is not None:
            yield g


def _in_outer(proto: _Proto, assume: tuple[str, ...]) -> Iterator[CheckGraph]:
    """The tracked op on fresh float64 inputs inside each :data:`OUTER` form."""
    for name, outer in OUTER.items():
        out = _built(
            proto, [_fresh(f"x{i}", "float64", proto.ndim) for i in range(proto.arity)]
        )
        if out is None:
            return
        wrapped = _call(outer, out)
        if wrapped is None:
            continue
        g = _graph(f"inside {name}", wrapped, assume)
        if g is not None:
            yield g


#: PyTensor's databases whose output serves as a context, in order.
CONTEXT_DBS = (("canonicalize",), ("canonicalize", "stabilize"))


def _contexts(
    g: CheckGraph, exclude: Sequence[str], assume: tuple[str, ...], seen: set[str]
) -> Iterator[CheckGraph]:
    """A seed graph after PyTensor's canonicalize (and stabilize), with the
    rewriter under test excluded so it still has something to do; a graph
    whose expression is in ``seen`` is not made again."""
    for include in CONTEXT_DBS:
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


def _interleaved(streams: Sequence[Iterator[CheckGraph]]) -> Iterator[CheckGraph]:
    """One graph from each stream in turn until all are spent."""
    live = list(streams)
    while live:
        for stream in list(live):
            g = next(stream, None)
            if g is None:
                live.remove(stream)
            else:
                yield g


def _each(
    make: Callable[..., Iterator[CheckGraph]],
    protos: Sequence[_Proto],
    assume: tuple[str, ...],
) -> Iterator[CheckGraph]:
    """``make``'s graphs for each prototype in turn; an elementwise one's
    vectors alternate with its scalars (a constant beside a scalar stays a
    bare scalar: ``reciprocal(1 + exp(s))``) and matrices (``e / e.sum(axis=1)``).
    ``_plain`` makes every rank itself: the first op's graphs of every dtype
    come first, then the other ops' take turns."""
    if make is _plain:  # the first tracked op on every dtype, then the rest
        yield from itertools.chain(
            *(make(p, assume) for p in protos[:1]),
            _interleaved([make(p, assume) for p in protos[1:]]),
        )
        return
    for proto in protos:
        ranks = (proto.ndim, 0, 2) if proto.any_rank else (proto.ndim,)
        yield from _interleaved(
            [make(dataclasses.replace(proto, ndim=r), assume) for r in ranks]
        )


def _makers(protos: Sequence[_Proto]) -> dict[str, Callable[..., Iterator[CheckGraph]]]:
    return {
        "plain": _plain,
        "tracked inner": lambda p, a: _with_tracked_inner(p, protos, a),
        "shared operands": _with_every_inner,
        "constants": _with_constants,
        "inner": _with_inner,
        "outer": _in_outer,
    }


def _contexts_of(
    seeds: Iterator[CheckGraph], exclude: Sequence[str], assume: tuple[str, ...]
) -> Iterator[CheckGraph]:
    seen: set[str] = set()
    for g in seeds:
        yield from _contexts(g, exclude, assume, seen)


def tracked_graph_kinds(
    tracks: Sequence[Any] | None,
    *,
    exclude: Sequence[str] = (),
    assume: tuple[str, ...] = (),
    contexts: bool = True,
) -> list[tuple[str, Iterator[CheckGraph]]]:
    """The graphs holding the ops ``tracks`` names, one stream a kind (the
    module doc lists them: ``plain``, ``tracked inner``, ``shared
    operands``, ``constants``, ``inner``, ``outer``, ``contexts``), each
    cheapest first, so that a checker can give each kind its share of a
    budget; ``exclude`` names rewriters PyTensor's databases must not run
    while building contexts (the rewriter under test)."""
    protos = _prototypes(tracks)
    makers = _makers(protos)
    kinds = [(name, _each(make, protos, assume)) for name, make in makers.items()]
    if contexts:  # of the graphs of every kind, taking turns
        seeds = _interleaved([_each(make, protos, assume) for make in makers.values()])
        kinds.append(("contexts", _contexts_of(seeds, exclude, assume)))
    return kinds


def tracked_graphs(
    tracks: Sequence[Any] | None,
    *,
    exclude: Sequence[str] = (),
    assume: tuple[str, ...] = (),
    contexts: bool = True,
) -> Iterator[CheckGraph]:
    """The graphs of :func:`tracked_graph_kinds`, the kinds taking turns (a
    rewriter tracking every Elemwise, a hundred ops, meets operands and
    constants early).

    Examples
    --------
    >>> from pytensor.tensor.rewriting.math import local_exp_log
    >>> g = next(tracked_graphs(local_exp_log.tracks()))
    >>> g.label
    'float64 rank 1: exp(x0)'
    """
    kinds = tracked_graph_kinds(
        tracks, exclude=exclude, assume=assume, contexts=contexts
    )
    return _interleaved([stream for _, stream in kinds])
