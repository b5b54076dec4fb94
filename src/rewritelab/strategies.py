"""Hypothesis strategies for PyTensor graphs and their inputs."""

from __future__ import annotations

from typing import Any

import pytensor.tensor as pt
from hypothesis import strategies as st
from pytensor.graph.basic import Variable

__all__ = ["expression_graphs", "UNARY_OPS", "BINARY_OPS"]

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
