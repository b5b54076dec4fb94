"""Pattern rules that see through broadcasts.

A model's logp holds ``log(ExpandDims(exp(x)))`` where a scalar parameter
meets a vector of data: PyTensor lifts such a ``DimShuffle`` above the
``exp`` only when nothing else reads ``exp(x)`` (``local_dimshuffle_lift``),
so ``log(exp(x)) -> x`` would not match it. :class:`LiftingPatternRewriter`
is PyTensor's ``PatternNodeRewriter`` that, where the pattern does not
match as the graph stands, tries again on a *virtual* copy of the node's
inputs, down to the pattern's depth, in which every DimShuffle that only
adds broadcastable axes is moved below the elementwise op under it
(``ExpandDims(f(a, b)) == f(ExpandDims(a), ExpandDims(b))``, exactly, for
any elementwise f). The copy is built only where such a DimShuffle is
within reach; if the pattern matches it, the replacement is built from it
(``x -> ExpandDims(x)``), and nothing of the copy that the replacement
does not use enters the graph. So a rule written once matches with or
without the broadcast, and the checker judges it on the same graphs.
"""

from __future__ import annotations

from typing import Any

from pytensor.graph.basic import Apply, Variable
from pytensor.graph.rewriting.basic import PatternNodeRewriter
from pytensor.tensor.elemwise import DimShuffle, Elemwise

__all__ = ["LiftingPatternRewriter", "lifted", "pattern_depth"]


def pattern_depth(pattern: Any) -> int:
    """How many ops deep a PyTensor tuple pattern goes (``(log, (exp,
    "x"))``: 2)."""
    if isinstance(pattern, tuple) and pattern:
        return 1 + max((pattern_depth(p) for p in pattern[1:]), default=0)
    return 0


def _broadcast_of_elemwise(var: Variable) -> bool:
    node = var.owner
    if node is None or not isinstance(node.op, DimShuffle):
        return False
    inner = node.inputs[0].owner
    return (
        node.op.is_expand_dims
        and inner is not None
        and isinstance(inner.op, Elemwise)
        and len(inner.outputs) == 1
    )


def _reaches_broadcast(var: Variable, depth: int) -> bool:
    """Whether a broadcast of an elementwise result lies within ``depth``
    ops of ``var`` (else there is nothing to lift)."""
    if depth <= 0 or var.owner is None:
        return False
    if _broadcast_of_elemwise(var):
        return True
    return any(_reaches_broadcast(i, depth - 1) for i in var.owner.inputs)


def lifted(var: Variable, depth: int) -> Variable:
    """``var`` rebuilt down to ``depth`` ops with each broadcast of an
    elementwise result moved below it; ``var`` itself where nothing moved.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dscalar("x")
    >>> v = pt.exp(x)[None]
    >>> new = lifted(v, 2)
    >>> print(new.owner.op, new.owner.inputs[0].owner.op)
    Exp ExpandDims{axis=0}
    """
    if depth <= 0 or var.owner is None:
        return var
    node = var.owner
    if _broadcast_of_elemwise(var):
        inner = node.inputs[0].owner
        moved = [node.op(i) for i in inner.inputs]
        var = inner.op.make_node(*moved).outputs[0]
        node = var.owner
    inputs = [lifted(i, depth - 1) for i in node.inputs]
    if all(a is b for a, b in zip(inputs, node.inputs, strict=True)):
        return var
    return node.op.make_node(*inputs).outputs[var.owner.outputs.index(var)]


class LiftingPatternRewriter(PatternNodeRewriter):
    """PyTensor's ``PatternNodeRewriter`` that also matches through
    broadcasts (see the module doc). Only with ``allow_multiple_clients``:
    the other check asks the graph for the clients of the pattern's inner
    nodes, which a virtual copy has none of."""

    def transform(self, fgraph: Any, node: Apply, *args: Any, **kwargs: Any) -> Any:
        found = super().transform(fgraph, node, *args, **kwargs)
        if found or not self.allow_multiple_clients or len(node.outputs) != 1:
            return found
        depth = pattern_depth(self._in) - 1
        if depth <= 0 or not any(_reaches_broadcast(i, depth) for i in node.inputs):
            return found
        inputs = [lifted(i, depth) for i in node.inputs]
        virtual = node.op.make_node(*inputs)
        again = super().transform(fgraph, virtual, *args, **kwargs)
        if not again:
            return found
        (new,) = again if isinstance(again, list) else list(again.values())
        if not node.outputs[0].type.is_super(new.type):
            return found
        return [new]

    def __init__(self, in_pattern: Any, out_pattern: Any, **kwargs: Any) -> None:
        super().__init__(in_pattern, out_pattern, **kwargs)
        self._in = in_pattern
