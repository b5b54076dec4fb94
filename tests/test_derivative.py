"""The exact derivative, asked where an original's gradient graph is in doubt."""

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from rewritelab.check.derivative import exact_derivative
from rewritelab.check.kernel import Comparison

v = pt.dvector("v")


@pytest.mark.parametrize(
    "cost, at, index, expected",
    [
        (pt.exp(v).sum(), [700.0], (0,), np.exp(700.0)),
        (pt.log(v).sum(), [1e-300, 2.0], (0,), 1e300),
        (pt.prod(v), [0.0], (0,), 1.0),  # PyTensor's own gradient says 0
        (pt.prod(v), [0.0, 3.0], (0,), 3.0),
        ((v**3).sum(), [-2.0], (0,), 12.0),
    ],
)
def test_the_derivative_of_smooth_values(cost, at, index, expected):
    d = exact_derivative([v], cost, v, [np.array(at)], index)
    assert d == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("cost", [pt.abs(v).sum(), pt.maximum(v, 0).sum()])
def test_no_derivative_where_the_sides_differ(cost):
    assert exact_derivative([v], cost, v, [np.array([0.0])], (0,)) is None


def test_prods_gradient_at_zero_is_refuted_and_the_rewrite_judged_by_it():
    """prod of one element -> the element: right, and its gradient 1 at 0 is
    right where PyTensor's gradient of prod gives 0."""
    before, after = pt.prod(v), v.sum()
    grads = [pytensor.grad(c, v) for c in (before, after)]
    pair = Comparison(
        [v],
        [before, grads[0]],
        [after, grads[1]],
        n_values=1,
        derivatives=[(before, v)],
    )
    assert pair.judge([np.array([0.0])]) is None
    (note,) = pair.notes.values()
    assert note.count == 1 and "0 where the derivative is 1" in note.first.reason
    blind = Comparison([v], [before, grads[0]], [after, grads[1]], n_values=1)
    assert blind.judge([np.array([0.0])]).output == "gradient 0"
