"""The exact derivative of a graph's value, where its gradient graph is in doubt.

The checker compares gradients against the exact value of the original's
gradient graph. That graph is PyTensor's autodiff of the original, and an
op's gradient can itself be wrong at a point: ``Prod``'s gradient of a
product of one element at 0 is 0 where the derivative is 1. Taken as the
reference there, it would blame the rewrite that gets 1 right.

:func:`exact_derivative` asks the value itself: the one-sided difference
quotients ``(f(x + h) - f(x)) / h`` and ``(f(x) - f(x - h)) / h`` of one
element, with ``h`` 2**-200 of that element's magnitude, each evaluated
exactly (:func:`rewritelab.check.exact.exact_value`: the enclosure settles to
one float64). Where both sides round to the same float the function is
differentiable there (its quotients differ from the derivative by about
``h f''``, some 60 digits below the last place; float32's step is at
least its smallest number, 2**-149) and that float is the
derivative; where they differ (``abs`` at 0, a ``switch`` at its edge) it
answers None and the gradient graph stays the reference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Variable
from pytensor.graph.replace import clone_replace

from rewritelab.check.exact import NoExactValue, exact_value

__all__ = ["STEP_BITS", "exact_derivative"]

#: The step is this many binary orders of magnitude below the element.
STEP_BITS = 200


def _step(x: float, dtype: str) -> float:
    """A power of two ``STEP_BITS`` below ``x``, or the dtype's smallest
    positive number if that is larger (float32's is 2**-149)."""
    scale = math.frexp(x)[1] if x != 0 and math.isfinite(x) else 1
    tiny = math.frexp(float(np.finfo(dtype).smallest_subnormal))[1] - 1
    return math.ldexp(1.0, max(scale - STEP_BITS, tiny))


def exact_derivative(
    inputs: Sequence[Variable],
    cost: Variable,
    wrt: Variable,
    values: Mapping[Variable, Any] | Sequence[Any],
    index: tuple[int, ...],
) -> float | None:
    """The derivative of the scalar ``cost`` with respect to element
    ``index`` of the input ``wrt`` at ``values``, exactly rounded to
    float64, or None where the two one-sided quotients disagree or do not
    settle (see the module doc).

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> v = pt.dvector("v")
    >>> exact_derivative([v], pt.prod(v), v, [np.array([0.0])], (0,))
    1.0
    >>> exact_derivative([v], pt.abs(v).sum(), v, [np.array([0.0])], (0,)) is None
    True
    """
    if not isinstance(values, Mapping):
        values = dict(zip(inputs, values, strict=True))
    x = np.asarray(values[wrt], dtype=wrt.type.dtype)
    h = _step(float(x[index]), wrt.type.dtype)
    bump = np.zeros(x.shape, dtype=wrt.type.dtype)
    bump[index] = h
    moved = [
        clone_replace(cost, {wrt: wrt + pt.constant(sign * bump)}) for sign in (1, -1)
    ]
    quotients = [(moved[0] - cost) / h, (cost - moved[1]) / h]
    try:
        right, left = exact_value(list(inputs), quotients, values).values
    except NoExactValue:
        return None
    right, left = float(right), float(left)
    return right if right == left and math.isfinite(right) else None
