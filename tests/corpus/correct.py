"""Correct rewrites, several more accurate than their original, written with
PyTensor's plain API; `rewritelab check` must pass every one."""

import pytensor.tensor as pt
from pytensor.graph.rewriting.basic import PatternNodeRewriter, node_rewriter
from pytensor.tensor.math import isnan_

expm1_from_exp = PatternNodeRewriter((pt.sub, (pt.exp, "x"), 1), (pt.expm1, "x"))
"""exp(x) - 1 -> expm1(x): more accurate at tiny x."""

log1p_from_log = PatternNodeRewriter((pt.log, (pt.add, 1, "x")), (pt.log1p, "x"))
"""log(1 + x) -> log1p(x): more accurate at tiny x."""

log_sigmoid = PatternNodeRewriter(
    (pt.log, (pt.sigmoid, {"pattern": "x", "constraint": lambda v: v.dtype[0] == "f"})),
    (pt.neg, (pt.softplus, (pt.neg, "x"))),
)
"""log(sigmoid(x)) -> -softplus(-x) for floats: no underflow for x << 0.
(For unsigned integers -x wraps around: uint8 -200 is 56.)"""

double_neg = PatternNodeRewriter((pt.neg, (pt.neg, "x")), "x")
"""-(-x) -> x."""

times_one = PatternNodeRewriter((pt.mul, "x", 1), "x")
"""x * 1 -> x."""

log_exp = PatternNodeRewriter((pt.log, (pt.exp, "x")), "x")
"""log(exp(x)) -> x: exact, where the original overflows and rounds."""

sqrt_sqr_abs = PatternNodeRewriter((pt.sqrt, (pt.sqr, "x")), (pt.abs, "x"))
"""sqrt(x**2) -> |x|: no overflow of x**2 (for int8 127**2 wraps to 1 in
the original; the exact value is 127)."""

log1p_exp = PatternNodeRewriter((pt.log1p, (pt.exp, "x")), (pt.softplus, "x"))
"""log1p(exp(x)) -> softplus(x): no overflow."""

x_times_x = PatternNodeRewriter((pt.mul, "x", "x"), (pt.sqr, "x"))
"""x * x -> x**2."""

abs_abs = PatternNodeRewriter((pt.abs, (pt.abs, "x")), (pt.abs, "x"))
"""||x|| -> |x|."""


@node_rewriter([pt.abs])
def abs_of_neg(fgraph, node):
    """|-x| -> |x|."""
    (a,) = node.inputs
    if a.owner is None or a.owner.op != pt.neg:
        return None
    return [pt.abs(a.owner.inputs[0])]


# -- semantics the comparison must see: the right forms ------------------------

sub_of_neg = PatternNodeRewriter((pt.sub, "x", (pt.neg, "y")), (pt.add, "x", "y"))
"""x - (-y) -> x + y: the same IEEE operation, signed zeros included."""

sub_zero_dropped = PatternNodeRewriter((pt.sub, "x", 0), "x")
"""x - 0 -> x: right for signed zeros too (-0.0 - 0.0 is -0.0), unlike
x + 0 -> x."""


sub_negative_as_less = PatternNodeRewriter(
    (pt.lt, (pt.sub, "x", "y"), 0), (pt.lt, "x", "y")
)
"""x - y < 0 -> x < y: where integers wrap around (int8 0 - -128 is -128)
the original is wrong and the rewrite right: over the integers they agree."""

add_then_sub_one = PatternNodeRewriter((pt.sub, (pt.add, "x", 1), 1), "x")
"""(x + 1) - 1 -> x: exact for floats (where the original rounds) and for
integers, whose wrap-around undoes itself."""


@node_rewriter([pt.int_div])
def int_div_by_one(fgraph, node):
    """x // 1 -> x on integers (floor division by 1 is the identity)."""
    x, y = node.inputs
    one = getattr(y, "data", None)
    if not x.dtype.startswith(("int", "uint")) or one is None or one.item() != 1:
        return None
    return [x] if node.outputs[0].type == x.type else None


@node_rewriter([pt.mod])
def mod_one_is_zero(fgraph, node):
    """x % 1 -> 0 on integers, negatives included (floor modulo)."""
    x, y = node.inputs
    one = getattr(y, "data", None)
    if not x.dtype.startswith(("int", "uint")) or one is None or one.item() != 1:
        return None
    return [pt.zeros_like(pt.add(x, y))]


not_less_with_nan = PatternNodeRewriter(
    (pt.invert, (pt.lt, "x", "y")),
    (pt.or_, (pt.or_, (pt.ge, "x", "y"), (isnan_, "x")), (isnan_, "y")),
)
"""not (x < y) -> x >= y or isnan(x) or isnan(y)."""


@node_rewriter([pt.ge])
def ge_self_not_nan(fgraph, node):
    """x >= x -> not isnan(x): a bool output, right at nan and ±inf."""
    x, y = node.inputs
    return [pt.invert(pt.isnan(x))] if x is y else None
