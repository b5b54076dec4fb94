"""Deliberately wrong rewrites, written with PyTensor's plain API.

Each docstring says where it is wrong; `rewritelab check` must find every one.
"""

import pytensor.tensor as pt
from pytensor.gradient import ZeroGrad, zero_grad
from pytensor.graph.rewriting.basic import PatternNodeRewriter, node_rewriter
from pytensor.tensor.math import Sum
from pytensor.tensor.subtensor import Subtensor

log1p_as_log = PatternNodeRewriter((pt.log1p, "x"), (pt.log, (pt.add, 1, "x")))
"""log1p(x) -> log(1 + x): loses everything at tiny x."""

expm1_as_exp = PatternNodeRewriter((pt.expm1, "x"), (pt.sub, (pt.exp, "x"), 1))
"""expm1(x) -> exp(x) - 1: cancels at tiny x."""

sqrt_sqr = PatternNodeRewriter((pt.sqrt, (pt.sqr, "x")), "x")
"""sqrt(x**2) -> x: wrong for negatives."""

abs_dropped = PatternNodeRewriter((pt.abs, "x"), "x")
"""abs(x) -> x: wrong for negatives."""

softplus_as_x = PatternNodeRewriter((pt.softplus, "x"), "x")
"""softplus(x) -> x: only right for large x."""


@node_rewriter([pt.true_div])
def div_self(fgraph, node):
    """x / x -> 1: wrong at 0, inf and nan."""
    x, y = node.inputs
    return [pt.ones_like(x)] if x is y else None


@node_rewriter([pt.sub])
def sub_self(fgraph, node):
    """x - x -> 0: wrong at inf and nan."""
    x, y = node.inputs
    return [pt.zeros_like(x)] if x is y else None


exp_log = PatternNodeRewriter((pt.exp, (pt.log, "x")), "x")
"""exp(log(x)) -> x: nan before, a number after, for negatives."""

log_mul = PatternNodeRewriter(
    (pt.log, (pt.mul, "x", "y")), (pt.add, (pt.log, "x"), (pt.log, "y"))
)
"""log(x * y) -> log(x) + log(y): wrong when both are negative."""

log1mexp_as_log = PatternNodeRewriter(
    (pt.log1mexp, "x"), (pt.log, (pt.neg, (pt.expm1, "x")))
)
"""log1mexp(x) -> log(-expm1(x)): for x << 0, -expm1(x) rounds to 1 and its
log to 0, where the true value is about -exp(x)."""

exp_mul_exp = PatternNodeRewriter(
    (pt.mul, (pt.exp, "x"), (pt.exp, "y")), (pt.exp, (pt.add, "x", "y"))
)
"""exp(x) * exp(y) -> exp(x + y): the rounding of x + y is amplified near
overflow (and inf - inf)."""

tanh_as_sigmoid = PatternNodeRewriter(
    (pt.tanh, "x"), (pt.sub, (pt.mul, 2, (pt.sigmoid, (pt.mul, 2, "x"))), 1)
)
"""tanh(x) -> 2 sigmoid(2x) - 1: cancels at tiny x."""

sqr_as_mul_abs = PatternNodeRewriter((pt.sqr, "x"), (pt.mul, "x", (pt.abs, "x")))
"""x**2 -> x * |x|: wrong sign for negatives."""


@node_rewriter([Sum])
def sum_drops_first(fgraph, node):
    """sum(x) -> sum(x[1:]): drops an element."""
    (x,) = node.inputs
    if x.ndim != 1 or node.op.axis not in (None, (0,)):
        return None
    if x.owner and isinstance(x.owner.op, Subtensor):
        return None  # do not fire again on our own output
    return [x[1:].sum(dtype=node.outputs[0].dtype)]


@node_rewriter([Subtensor])
def reverse_dropped(fgraph, node):
    """x[::-1] -> x: reorders the elements."""
    idx = node.op.idx_list
    if len(idx) != 1 or not isinstance(idx[0], slice) or idx[0].step is None:
        return None
    step = node.inputs[-1]
    if (
        getattr(step, "data", None) is None
        or int(step.data) != -1
        or len(node.inputs) != 2
    ):
        return None
    return [node.inputs[0]]


@node_rewriter([pt.mul])
def mul_broadcasts_first(fgraph, node):
    """x * y -> x * y[0] for vectors: wrong broadcasting."""
    if len(node.inputs) != 2 or node.outputs[0].ndim != 1:
        return None
    x, y = node.inputs
    if y.type.broadcastable != (False,):
        return None  # also stops it firing on its own output
    return [x * y[0]]


@node_rewriter([pt.exp])
def exp_in_float32(fgraph, node):
    """exp(x) -> exp(float32(x)): the wrong dtype."""
    (x,) = node.inputs
    if x.dtype != "float64":
        return None
    return [pt.exp(pt.cast(x, "float32"))]


@node_rewriter([pt.exp])
def exp_without_gradient(fgraph, node):
    """exp(x) -> exp(zero_grad(x)): right values, gradient 0."""
    (x,) = node.inputs
    if x.owner is not None and isinstance(x.owner.op, ZeroGrad):
        return None
    return [pt.exp(zero_grad(x))]


@node_rewriter([pt.true_div])
def div_by_exp(fgraph, node):
    """x / exp(y) -> x * exp(-y): overflows where exp(-y) does though the
    original is finite: x / exp(x) at x = -745 is 1 (5e-324 / 5e-324), the
    rewrite 5e-324 * inf = inf. (It sat among the correct rewrites until the
    checker built ``exp(x) / exp(x)`` from what the rule tracks.)"""
    x, d = node.inputs
    if d.owner is None or d.owner.op != pt.exp:
        return None
    return [x * pt.exp(-d.owner.inputs[0])]


# -- semantics the comparison must see (signed zero, wrap-around, integer
# division of negatives, nan in comparisons, bool outputs) -------------------

add_zero_dropped = PatternNodeRewriter((pt.add, "x", 0), "x")
"""x + 0 -> x: at x = -0.0 the original is 0.0 (IEEE: -0.0 + 0.0 is 0.0)
and the rewrite -0.0, so 1 / (x + 0) is inf where 1 / x is -inf."""

neg_of_sub = PatternNodeRewriter((pt.neg, (pt.sub, "x", "y")), (pt.sub, "y", "x"))
"""-(x - y) -> y - x: at x = y = 0.0 the original is -0.0 and the rewrite
0.0, so 1 / -(x - y) is -inf where 1 / (y - x) is inf. (At x = y = 1.5 the
zero comes from cancellation and either sign is right.)"""

less_as_sub_negative = PatternNodeRewriter(
    (pt.lt, "x", "y"), (pt.gt, 0, (pt.sub, "x", "y"))
)
"""x < y -> 0 > x - y: right for floats, wrong where the subtraction wraps
around: int8 -128 < 1, but -128 - 1 is 127; uint8 0 < 1, but 0 - 1 is 255."""


@node_rewriter([pt.int_div])
def int_div_truncating(fgraph, node):
    """x // y -> int(x / y) on integers: C's truncation, not PyTensor's floor
    division: -7 // 2 is -4, int(-3.5) is -3."""
    x, y = node.inputs
    if not x.dtype.startswith(("int", "uint")) or node.outputs[0].dtype != x.dtype:
        return None
    return [pt.cast(pt.true_div(x, y), x.dtype)]


@node_rewriter([pt.mod])
def mod_with_dividends_sign(fgraph, node):
    """x % y -> sign(x) * (|x| % |y|): C's fmod, where PyTensor's % takes the
    divisor's sign: -3 % 2 is 1, the rewrite -1."""
    x, y = node.inputs
    out = pt.sign(x) * pt.mod(pt.abs(x), pt.abs(y))
    return [pt.cast(out, node.outputs[0].dtype)] if x.owner is None else None


not_less_as_greater_equal = PatternNodeRewriter(
    (pt.invert, (pt.lt, "x", "y")), (pt.ge, "x", "y")
)
"""not (x < y) -> x >= y: wrong at nan, where both comparisons are False."""


@node_rewriter([pt.ge])
def ge_self_true(fgraph, node):
    """x >= x -> True: a bool output, wrong at nan."""
    x, y = node.inputs
    return [pt.ones_like(x, dtype="bool")] if x is y else None
