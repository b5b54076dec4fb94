"""Correct rewrites, several more accurate than their original, written with
PyTensor's plain API; `rewritelab check` must pass every one."""

import pytensor.tensor as pt
from pytensor.graph.rewriting.basic import PatternNodeRewriter, node_rewriter

expm1_from_exp = PatternNodeRewriter((pt.sub, (pt.exp, "x"), 1), (pt.expm1, "x"))
"""exp(x) - 1 -> expm1(x): more accurate at tiny x."""

log1p_from_log = PatternNodeRewriter((pt.log, (pt.add, 1, "x")), (pt.log1p, "x"))
"""log(1 + x) -> log1p(x): more accurate at tiny x."""

log_sigmoid = PatternNodeRewriter(
    (pt.log, (pt.sigmoid, "x")), (pt.neg, (pt.softplus, (pt.neg, "x")))
)
"""log(sigmoid(x)) -> -softplus(-x): no underflow for x << 0."""

double_neg = PatternNodeRewriter((pt.neg, (pt.neg, "x")), "x")
"""-(-x) -> x."""

times_one = PatternNodeRewriter((pt.mul, "x", 1), "x")
"""x * 1 -> x."""

log_exp = PatternNodeRewriter((pt.log, (pt.exp, "x")), "x")
"""log(exp(x)) -> x: exact, where the original overflows and rounds."""

sqrt_sqr_abs = PatternNodeRewriter((pt.sqrt, (pt.sqr, "x")), (pt.abs, "x"))
"""sqrt(x**2) -> |x|: no overflow of x**2."""

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
