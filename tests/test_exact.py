"""The exact evaluator: mpmath at high precision, IEEE special values."""

import mpmath as mp
import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rewritelab.check.exact import NoExactValue, Unsettled, exact_eval, exact_value

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


def test_an_enclosure_never_settles_on_the_agreement_of_two_precisions():
    """1 - sigmoid(201) is 1e-88: at 43 and at 86 digits it rounds to 0, and
    log1p(-sigmoid(201)) agreed on -inf at two precisions. The interval
    still reaches -inf there, so the precision rises until it says -201."""
    r = exact_value([x], [pt.log1p(-pt.sigmoid(x))], [201.0])
    assert float(r.values[0]) == -201.0
    assert r.digits > 88  # it took more digits than the cancellation


def test_log_of_one_plus_a_tiny_number():
    r = exact_value([x], [pt.log(1 + x)], [1e-300])
    assert float(r.values[0]) == 1e-300 and r.digits > 300


def test_what_no_precision_settles_is_no_exact_value():
    """sin(x)**2 + cos(x)**2 is 1 exactly, so its enclosure always straddles
    1 and the comparison stays open: no value, rather than a guess."""
    with pytest.raises(NoExactValue, match="GT of overlapping intervals"):
        exact_value([x], [pt.sin(x) ** 2 + pt.cos(x) ** 2 > 1.0], [0.7])


def test_a_tie_settles_on_the_even_neighbour():
    """log(e / e**1e16) is 1 - 1e16, the midpoint of two float64 values: no
    precision decides its side, so it settles as IEEE rounds a tie."""
    r = exact_value([x, y], [pt.log(pt.exp(x) / pt.exp(y))], [1.0, 1e16])
    assert float(r.values[0]) == float(np.float64(1.0) - np.float64(1e16))
    assert r.digits >= 4 * 40  # ties are taken only after two doublings


@pytest.mark.parametrize(
    "expr, at, expected",
    [
        (pt.sign(pt.erfc(x)), [1e300], 1.0),  # mpmath's erfc fails past 1e154
        (pt.erfcx(x), [1e300], 1 / (1e300 * np.sqrt(np.pi))),
        (pt.exp(x) / y, [1.0, 0.0], np.inf),  # an enclosure over an exact zero
        (pt.exp(x) / -y, [1.0, 0.0], -np.inf),
        (x**y, [1.1, -2.0], 1 / np.float64(1.1) ** 2),  # exact at 3 x 53 bits
    ],
)
def test_values_beyond_mpmath_s_own_reach(expr, at, expected):
    inputs = [x, y][: len(at)]
    assert float(exact_value(inputs, [expr], at).values[0]) == pytest.approx(
        expected, rel=1e-15
    )


@pytest.mark.parametrize(
    "expr, at, expected",
    [
        (1 / (x * 0.0), -1.0, -np.inf),  # x * 0 is -0.0 for negative x
        (1 / (x + 0.0), -0.0, np.inf),  # -0.0 + 0.0 is 0.0
        (1 / pt.sqrt(x), -0.0, -np.inf),
        (pytensor.grad(x**0.5, x), -0.0, np.inf),  # 0.5 * (-0.0) ** -0.5
    ],
)
def test_the_sign_of_an_exact_zero_is_ieee_s(expr, at, expected):
    inputs = [x, y] if y in pytensor.graph.traversal.graph_inputs([expr]) else [x]
    assert float(exact_value(inputs, [expr], [at] * len(inputs)).values[0]) == expected


def test_a_zero_made_by_cancellation_has_either_sign():
    """x - x is 0.0 by IEEE's convention, not because any input says so:
    1 / -(x - x) is -inf in float64, and inf is as right."""
    r = exact_value([x], [1 / -(x - x), 1 / -x], [1.5])
    assert np.isinf(r.values[0]) and bool(r.sign_free[0])
    assert float(r.values[1]) == -1 / 1.5 and not bool(r.sign_free[1])


def test_integer_arithmetic_is_over_the_integers():
    """The exact value of int8 127 + 1 is 128, beyond int8 (the original
    wraps to -128: an overflow, as exp(800) is inf); floor division and
    modulo keep Python's signs; a cast keeps the dtype's own meaning."""
    b = pt.scalar("b", dtype="int8")
    u = pt.scalar("u", dtype="uint8")
    one = pt.constant(1, dtype="uint8")  # an int8 1 would upcast u to int16
    out = exact_eval([b, u], [b + 1, u - one, b // 2, b % 3], [127, 0])
    assert [int(o) for o in out] == [128, -1, 63, 1]
    out = exact_eval([b], [b // 2, b % 3, pt.cast(b * 2, "int8")], [-7])
    assert [int(o) for o in out] == [-4, 2, -14]
    (wrapped,) = exact_eval([b], [pt.cast(pt.cast(b, "int16") * 3, "int8")], [100])
    assert int(wrapped) == np.int16(300).astype(np.int8)


def test_nan_compares_false_except_for_not_equal():
    outs = exact_eval([x], [x < 1.0, x >= 1.0, pt.eq(x, x), pt.neq(x, x)], [np.nan])
    assert [bool(o) for o in outs] == [False, False, False, True]


def test_one_value_of_one_function_at_one_point_cancels_exactly():
    """exp(710) - exp(710) from two inputs of the same value: two enclosures
    of one number only hold 0, one enclosure used twice is exactly 0."""
    r = exact_value([x, y], [pt.log(pt.exp(x) - pt.exp(y))], [710.0, 710.0])
    assert float(r.values[0]) == -np.inf
    ratio = exact_value([x, y], [pt.exp(x) / pt.exp(y)], [710.0, 710.0])
    assert float(ratio.values[0]) == 1.0
    apart = exact_value([x, y], [pt.exp(x) - pt.exp(y)], [1.0, 2.0])
    assert float(apart.values[0]) == pytest.approx(np.e - np.e**2, rel=1e-15)


def test_a_value_no_precision_settles_is_unsettled_not_meaningless():
    """log1p(expm1(-26499)) is -26499, but the enclosure needs 11,509 digits:
    the checker is told it exists and was not settled (a point it cannot
    judge), not that the graph has no exact meaning."""
    with pytest.raises(Unsettled, match="no exact value settled up to"):
        exact_value([x], [pt.log1p(pt.expm1(x))], [-26499.0])
    with pytest.raises(NoExactValue) as raised:
        exact_value([x], [pt.hyp2f1(x, 1.0, 2.0, 0.5)], [0.5])
    assert not isinstance(raised.value, Unsettled)


def test_the_inverse_of_a_matrix_holding_nan_is_nan():
    m = pt.dmatrix("m")
    r = exact_value([m], [pt.linalg.inv(m)], [np.array([[np.nan, -1.0], [-1, -1]])])
    assert np.isnan(r.values[0]).all()
