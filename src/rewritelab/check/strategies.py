"""Hypothesis strategies for PyTensor graphs and their inputs."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pytensor.tensor as pt
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pytensor.graph.basic import Variable

from rewritelab.rewrite.rules import parse_assumption

__all__ = [
    "expression_graphs",
    "rooted_graphs",
    "LEAF_CONSTANTS",
    "STRUCTURAL_OPS",
    "graph_inputs",
    "edge_floats",
    "independent_of_history",
    "element_strategy",
    "parse_assumptions",
    "EDGE_VALUES",
    "UNARY_OPS",
    "BINARY_OPS",
]


@contextlib.contextmanager
def independent_of_history() -> Iterator[None]:
    """Hypothesis draws run in here as in a fresh process.

    Hypothesis draws about one number in twenty from the constants written
    in the "local" modules (not in site-packages, not tests) loaded so far,
    a pool that grows as the process imports modules; so a rule's inputs,
    and its worst error, depended on what the process had checked before
    (``log_of_exp``: 8 ULPs checked first, 4 after any other rule). In here
    that pool is empty, as it is where rewritelab and the rules are
    installed packages; drawing from Hypothesis's own constants (0, -0.0,
    inf, the float edges) is left as it is. Hypothesis has no setting for
    this: the pool is its module's (``_get_local_constants``), and where a
    later Hypothesis moves it this does nothing (a test would notice).
    """
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # pragma: no cover - a Hypothesis without the pool
        yield
        return
    pool = getattr(providers, "_get_local_constants", None)
    cached = getattr(providers, "CONSTANTS_CACHE", None)
    if pool is None or cached is None:  # pragma: no cover
        yield
        return
    empty = Constants()
    providers._get_local_constants = lambda: empty
    cached.cache.clear()  # drawable constants, computed with the pool
    try:
        yield
    finally:
        providers._get_local_constants = pool
        cached.cache.clear()


#: Elementwise ops the random graphs are built from, by arity.
UNARY_OPS = {
    "exp": pt.exp,
    "log": pt.log,
    "neg": pt.neg,
    "sqr": pt.sqr,
    "abs": pt.abs,
    "sigmoid": pt.sigmoid,
    "log1p": pt.log1p,
    "tanh": pt.tanh,
    "sqrt": pt.sqrt,
}
BINARY_OPS = {
    "add": pt.add,
    "sub": pt.sub,
    "mul": pt.mul,
    "true_div": pt.true_div,
    "maximum": pt.maximum,
}


@st.composite
def expression_graphs(
    draw: st.DrawFn,
    *,
    max_inputs: int = 3,
    max_nodes: int = 12,
    ndim: int | None = None,
    unary: dict[str, Any] | None = None,
    binary: dict[str, Any] | None = None,
) -> tuple[list[Variable], Variable]:
    """Random elementwise expression graphs: ``(inputs, output)``.

    Inputs are float64 variables named ``x0, x1, ...`` of ``ndim`` 0 or 1
    (drawn when ``ndim`` is None). Each step applies a unary or binary op to
    earlier variables, so sub-expressions are shared and an input can be used
    twice by one node (``x * x``). The output is the last node.
    """
    if max_inputs < 1 or max_nodes < 1:
        raise ValueError("max_inputs and max_nodes must be at least 1")
    unary = UNARY_OPS if unary is None else unary
    binary = BINARY_OPS if binary is None else binary
    n_in = draw(st.integers(1, max_inputs))
    dims = draw(st.sampled_from([0, 1])) if ndim is None else ndim
    inputs = [
        pt.tensor(f"x{i}", dtype="float64", shape=(None,) * dims) for i in range(n_in)
    ]
    pool: list[Variable] = list(inputs)
    for _ in range(draw(st.integers(1, max_nodes))):
        if binary and draw(st.booleans()):
            name = draw(st.sampled_from(sorted(binary)))
            a, b = draw(st.sampled_from(pool)), draw(st.sampled_from(pool))
            pool.append(binary[name](a, b))
        else:
            name = draw(st.sampled_from(sorted(unary)))
            pool.append(unary[name](draw(st.sampled_from(pool))))
    return inputs, pool[-1]


#: Small constants random graphs use as leaves.
LEAF_CONSTANTS = (0.0, 1.0, 2.0, -1.0, 0.5)

#: Non-elementwise roots for random vector graphs: reductions, slicing,
#: reordering, products, scans, so rules on such ops get exercised too.
STRUCTURAL_OPS = {
    "sum": lambda v: v.sum(),
    "prod": lambda v: v.prod(),
    "max": lambda v: v.max(),
    "reverse": lambda v: v[::-1],
    "tail": lambda v: v[1:],
    "first": lambda v: v[0],
    "cumsum": lambda v: pt.cumsum(v),
    "dot": lambda v: pt.dot(v, v[::-1]),
    "sort": lambda v: pt.sort(v),
    "outer_sum": lambda v: v[:, None] + v[None, :],
}


@st.composite
def rooted_graphs(
    draw: st.DrawFn,
    roots: Sequence[tuple[Callable[..., Variable], int]] = (),
    *,
    structural: bool = True,
    max_depth: int = 2,
    n_inputs: int = 3,
) -> tuple[list[Variable], Variable]:
    """Random small graphs built around a root op: ``(inputs used, output)``.

    The root is one of ``roots`` (``(op, arity)`` pairs; default: every op of
    :data:`UNARY_OPS` and :data:`BINARY_OPS` and ``pow``), applied to random
    sub-expressions at most ``max_depth`` deep of float64 inputs ``x0, x1,
    ...`` and :data:`LEAF_CONSTANTS`. With ``structural`` the inputs are
    vectors and a vector result goes under one of :data:`STRUCTURAL_OPS`;
    without, the inputs are scalars or vectors. A unary op may go on top.

    Every choice shrinks toward the simpler graph (a leaf before an op, an
    input before a constant, ``x0`` first, nothing on top), so a failing
    graph shrinks like a failing input: ``exp(x0)``, not
    ``tanh(exp(sub(x2, 0.5)))``.
    """
    unary = list(UNARY_OPS.values())
    binary = [*BINARY_OPS.values(), pt.pow]
    roots = list(roots) or [(op, 1) for op in unary] + [(op, 2) for op in binary]
    ndim = 1 if structural else draw(st.integers(0, 1))
    xs = [
        pt.tensor(f"x{i}", dtype="float64", shape=(None,) * ndim)
        for i in range(n_inputs)
    ]
    used: list[Variable] = []

    def expression(depth: int) -> Variable:
        if depth == 0 or not draw(st.booleans()):  # a leaf
            if draw(st.booleans()):
                return pt.constant(draw(st.sampled_from(LEAF_CONSTANTS)))
            v = draw(st.sampled_from(xs))
            used.append(v)
            return v
        if draw(st.booleans()):
            return draw(st.sampled_from(binary))(
                expression(depth - 1), expression(depth - 1)
            )
        return draw(st.sampled_from(unary))(expression(depth - 1))

    op, arity = draw(st.sampled_from(roots))
    try:
        out = op(*(expression(max_depth) for _ in range(arity)))
        if structural and out.ndim == 1:
            out = draw(st.sampled_from(list(STRUCTURAL_OPS.values())))(out)
        if draw(st.booleans()):
            out = draw(st.sampled_from(unary))(out)
    except (TypeError, ValueError, NotImplementedError):  # ops that refuse
        assume(False)
    assume(bool(used))
    return [v for v in xs if v in used], out


# -- inputs ------------------------------------------------------------------

#: Values at the edges of floating point that rewrites most often get wrong.
EDGE_VALUES = (
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    -2.0,
    1e-8,
    -1e-8,
    1e-20,
    -1e-20,
    1e-300,
    -1e-300,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,  # subnormal, tiny
    30.0,
    -30.0,
    88.7,
    89.0,
    -103.0,
    709.0,
    710.0,
    -745.0,
    -746.0,  # exp overflow
    1e16,
    -1e16,
    1e300,
    -1e300,
    1.7976931348623157e308,
    float("inf"),
    float("-inf"),
    float("nan"),
)

_CMP = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
    "!=": np.not_equal,
}


def parse_assumptions(assume: Sequence[str]) -> dict[str, list[Callable[[Any], bool]]]:
    """``["x > 0", "y != 1"]`` -> ``{"x": [pred], "y": [pred]}``.

    Each assumption compares one variable with a number; ``*`` stands for
    every input (``"* > -inf"``: no input is -inf or nan). Anything else is a
    :class:`rewritelab.rewrite.rules.RuleError` naming the assumption.
    """

    preds: dict[str, list[Callable[[Any], bool]]] = {}
    for text in assume:
        name, cmp, num = parse_assumption(text)
        op = _CMP[cmp]
        preds.setdefault(name, []).append(
            lambda v, op=op, num=num: bool(np.all(op(v, num)))
        )
    return preds


def edge_floats(
    dtype: str = "float64", preds: Sequence[Callable] = ()
) -> st.SearchStrategy:
    """Floats of ``dtype`` that reach the edges: signed zeros, subnormals,
    huge values, the overflow points of exp, ±inf and nan, plus ordinary
    values; restricted by predicates (such as ``x > 0``)."""
    width = {"float64": 64, "float32": 32, "float16": 16}[dtype]
    big = float(np.finfo(dtype).max)
    edges = [v for v in EDGE_VALUES if not np.isfinite(v) or abs(v) <= big]
    with np.errstate(under="ignore"):
        edges = [float(np.array(v, dtype=dtype)) for v in edges]
    strategy = st.one_of(
        st.sampled_from(edges),
        st.floats(-50, 50, width=width),
        st.floats(width=width, allow_nan=True, allow_infinity=True),
    )
    for p in preds:
        strategy = strategy.filter(p)
    return strategy


def element_strategy(dtype: str, preds: Sequence[Callable] = ()) -> st.SearchStrategy:
    """Elements for one input of any dtype PyTensor uses."""
    if dtype.startswith("float"):
        return edge_floats(dtype, preds)
    if dtype == "bool":
        base = st.booleans()
    else:
        info = np.iinfo(dtype)
        base = st.one_of(
            st.sampled_from(
                [0, 1, -1 if info.min < 0 else 2, int(info.max), int(info.min)]
            ),
            st.integers(int(info.min), int(info.max)),
        )
    for p in preds:
        base = base.filter(p)
    return base


@st.composite
def graph_inputs(
    draw: st.DrawFn,
    variables: Sequence[Variable],
    assume: Sequence[str] = (),
    max_side: int = 3,
) -> dict[Variable, np.ndarray]:
    """Values for a graph's inputs: each of its own dtype, with shapes that
    respect the static shape and broadcastable pattern (1 where it says 1,
    one common length 0..max_side elsewhere, so inputs broadcast together),
    and elements from :func:`element_strategy` under the assumptions."""
    preds = parse_assumptions(assume)
    n = draw(st.integers(0, max_side))
    out = {}
    for v in variables:
        shape = tuple(s if s is not None else n for s in getattr(v.type, "shape", ()))
        dtype = v.type.dtype
        mine = [*preds.get(v.name or "", ()), *preds.get("*", ())]
        elems = element_strategy(dtype, mine)
        out[v] = draw(hnp.arrays(dtype, shape, elements=elems))
    return out
