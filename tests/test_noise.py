"""Monte Carlo arithmetic: a graph's own rounding noise."""

import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.graph.traversal import applys_between

from rewritelab.check.compare import ulps
from rewritelab.check.noise import RoundingNoise, rounds

x = pt.dvector("x")


def test_noise_is_a_rounding_wide_where_nothing_cancels():
    point = np.linspace(-3, 3, 50)
    runs = RoundingNoise([x], [pt.exp(x) * 3])(point)
    exact = np.exp(point) * 3
    gaps = np.array([ulps(r[0], exact) for r in runs])
    assert gaps.max() <= 3 and gaps.max() > 0


def test_noise_is_wide_where_the_output_cancels():
    point = np.array([1e-10])
    runs = RoundingNoise([x], [(x + 1) - 1])(point)
    gaps = np.array([ulps(r[0], point) for r in runs])
    assert gaps.max() > 1e5  # 1 + 1e-10 keeps only six digits of x


def test_same_point_same_samples_and_inputs_are_left_exact():
    noise = RoundingNoise([x], [x * 1.0], samples=3)
    point = np.array([0.1, 0.2])
    first, second = noise(point), noise(point)
    assert len(first) == 3
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a[0], b[0])
    assert point.tolist() == [0.1, 0.2]


def test_runs_an_elemwise_of_more_than_32_operands():
    """A wide model's logp is one add of hundreds of terms, which the Python
    linker's NumPy ufuncs cannot take: C thunks run it."""
    xs = [pt.dscalar(f"x{i}") for i in range(40)]
    runs = RoundingNoise(xs, [pt.add(*xs)], samples=2)(*[np.array(0.5)] * 40)
    assert all(abs(float(r[0]) - 20.0) < 1e-12 for r in runs)


def test_only_ops_that_round_are_perturbed():
    """A float32 constant broadcast into a float64 graph is exact; perturbing
    it by a float32 rounding once made a sigmoid gradient's noise 1e10 ULPs."""
    v = pt.dvector("v")
    graph = pt.switch(v > 0, pt.exp(v), -v).sum() + pt.max(v[1:]) * 2
    kinds = {}
    for n in applys_between([v], [graph]):
        kinds[type(getattr(n.op, "scalar_op", n.op)).__name__] = rounds(n)
    assert kinds["Exp"] and kinds["Add"] and kinds["Mul"]
    assert not kinds["Switch"] and not kinds["Neg"] and not kinds["Subtensor"]
    assert not kinds["Maximum"] and not kinds["DimShuffle"]


def test_a_sigmoid_gradient_has_modest_noise():
    f = pt.sigmoid(x) * pt.softplus(-x)
    grad = pytensor.grad(f.sum(), x)
    runs = RoundingNoise([x], [grad], samples=16)(np.array([-0.5]))
    exact = np.array([-0.00609200494913559])
    gaps = np.array([ulps(r[0], exact)[0] for r in runs])
    assert 3 < gaps.max() < 1000  # it cancels, but rounding moves it only so far


def test_an_op_from_graph_is_rounded_inside_not_only_at_its_result():
    """``logsumexp`` is an OpFromGraph: its inner ``sum`` of two terms of
    size 0.3 and 0.7 rounds at 1e-16, and the result, about -7e-5, is
    hundreds of its own ULPs from there. Rounded at its result only, the
    samples would stay within a rounding of the plain float evaluation."""
    point = np.array([np.log(0.3), np.log(0.7) - 1e-4])
    out = pt.logsumexp(x)
    assert any(
        isinstance(n.op, pytensor.compile.builders.OpFromGraph)
        for n in applys_between([x], [out])
    )
    plain = pytensor.function([x], out)(point)
    runs = RoundingNoise([x], [out])(point)
    gaps = np.array([ulps(r[0], plain) for r in runs])
    assert gaps.max() > 20


def test_an_inverse_moves_as_far_as_another_order_of_elimination_does():
    """LAPACK's inverse of S = [[170, 171], [171, 29241]] has one off-diagonal
    entry 26 ULPs from the exact value where the other is exact: the noise of
    inv(S).T's exact entry must reach as far, or inv(S).T -> inv(S) (right:
    S is symmetric) fails on rounding alone."""
    m = pt.dmatrix("m")
    s = np.array([[170.0, 171.0], [171.0, 29241.0]])
    exact = -171 / (170 * 29241 - 171**2)
    lapack = np.linalg.inv(s)
    assert ulps(lapack[0, 1], exact) > 20 and ulps(lapack[1, 0], exact) < 2
    runs = RoundingNoise([m], [pt.linalg.inv(m).T])(s)
    gaps = np.array([ulps(r[0][0, 1], exact) for r in runs])
    assert np.sqrt((gaps**2).mean()) * 4 > ulps(lapack[0, 1], exact)
