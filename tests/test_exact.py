"""The exact evaluator: mpmath at high precision, IEEE special values."""

import mpmath as mp
import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rewritelab.check.exact import NoExactValue, exact_eval

x, y = pt.dscalar("x"), pt.dscalar("y")
v = pt.dvector("v")


def test_cancellation_is_exact():
    out = exact_eval([x], [pt.exp(x) - 1, pt.log(1 + x)], [5e-324])
    assert out[0] == 5e-324 and out[1] == 5e-324


@given(st.floats(-700, 700))
def test_matches_mpmath_for_a_composite_expression(a):
    expr = pt.log1p(pt.exp(x)) - pt.sqr(pt.tanh(x / 3))
    got = float(exact_eval([x], [expr], [a])[0])
    with mp.workdps(80):
        want = float(mp.log1p(mp.exp(a)) - mp.tanh(mp.mpf(a) / 3) ** 2)
    assert got == want


@pytest.mark.parametrize(
    "expr, value, expected",
    [
        (pt.log(x), -1.0, np.nan),
        (pt.log(x), 0.0, -np.inf),
        (x / y, 0.0, np.nan),
        (pt.exp(x), np.inf, np.inf),
        (pt.exp(x), np.nan, np.nan),
        (pt.sqrt(x), -4.0, np.nan),
        (x - x, np.inf, np.nan),
        (pt.maximum(x, 0.0), np.nan, np.nan),
        (pt.exp(pt.exp(x)), 800.0, np.inf),  # saturates instead of hanging
    ],
)
def test_ieee_special_values(expr, value, expected):
    inputs = [x, y] if y in expr.owner.inputs else [x]
    out = float(exact_eval(inputs, [expr], [value] * len(inputs))[0])
    assert (np.isnan(out) and np.isnan(expected)) or out == expected


def test_reductions_dot_and_movement_ops():
    m = pt.dmatrix("m")
    vals = [np.array([1.0, 2.0]), np.array([[1.0, 2.0], [3.0, 4.0]])]
    outs = exact_eval(
        [v, m], [pt.dot(m, v), m.T[0], pt.max(m, axis=0), v[::-1].sum(), m.prod()], vals
    )
    np.testing.assert_array_equal(outs[0], [5.0, 11.0])
    np.testing.assert_array_equal(outs[1], [1.0, 3.0])
    np.testing.assert_array_equal(outs[2], [3.0, 4.0])
    assert outs[3] == 3.0 and outs[4] == 24.0


def test_join_keeps_exact_values():
    """Join's own perform casts to float64, which object arrays cannot take
    (a GaussianRandomWalk's logp joins its init and innovations)."""
    out = exact_eval([v], [pt.concatenate([pt.exp(v) - 1, v])], [np.array([1e-300])])
    np.testing.assert_array_equal(out[0], [1e-300, 1e-300])


def test_rounds_once_to_the_output_dtype():
    f = pt.fscalar("f")
    out = exact_eval([f], [pt.exp(f)], [np.float32(1.0)])[0]
    assert out.dtype == np.float32 and out == np.float32(np.e)


def test_unknown_op_is_reported():
    m = pt.dmatrix("m")
    with pytest.raises(NoExactValue, match="Det"):
        exact_eval([m], [pt.linalg.det(m)], [np.eye(2)])


def test_a_cancellation_residue_is_exactly_zero():
    """d/dv (e**0.5 / e**0.5) is 0; at each precision mpmath leaves a residue
    near its resolution (0, -5e-94, -4e-186), which must count as 0 and not as
    'no stable exact value'."""
    e = pt.exp(v)
    grad = pytensor.grad((e**0.5 / e**0.5).sum(), v)
    assert exact_eval([v], [grad], [np.array([1e-5, 0.3])])[0].tolist() == [0.0, 0.0]


def test_a_tiny_value_is_not_taken_for_a_residue():
    assert float(exact_eval([x], [(1 + x) - 1], [1e-300])[0]) == 1e-300


def test_evaluates_through_an_op_from_graph():
    """LogSumExp is an OpFromGraph: its inner graph is evaluated exactly."""
    values = np.array([-1000.0, 0.5, 2.0])
    (out,) = exact_eval([v], [pt.logsumexp(v)], [values])
    with mp.workdps(50):  # never the process-wide precision: other tests use it
        expected = mp.log(sum(mp.exp(mp.mpf(a)) for a in values))
    assert float(out) == float(expected)
