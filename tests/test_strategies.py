"""Input strategies: every dtype, broadcastable shapes, edge values, domains."""

import numpy as np
import pytensor.tensor as pt
import pytest
from hypothesis import find, given

from rewritelab.check.strategies import graph_inputs, parse_assumptions
from rewritelab.rewrite.rules import RuleError

x = pt.dvector("x")
b = pt.tensor("b", dtype="float32", shape=(1,))
i = pt.lscalar("i")
u = pt.tensor("u", dtype="uint8", shape=(None, 1))
flag = pt.tensor("flag", dtype="bool", shape=(None,))


@given(graph_inputs([x, b, i, u, flag], assume=["x > 0"]))
def test_dtype_shape_and_domain(values):
    assert values[x].dtype == np.float64 and values[b].dtype == np.float32
    assert values[i].dtype == np.int64 and values[u].dtype == np.uint8
    assert values[flag].dtype == bool
    assert values[b].shape == (1,) and values[i].shape == ()
    n = values[x].shape[0]
    assert values[u].shape == (n, 1) and values[flag].shape == (n,)
    assert np.all(values[x] > 0)


@pytest.mark.parametrize(
    "wanted",
    [
        lambda a: np.any(np.isnan(a)),
        lambda a: np.any(np.isinf(a)),
        lambda a: np.any((a != 0) & (np.abs(a) < 2.3e-308)),  # subnormal
        lambda a: np.any(np.signbit(a) & (a == 0)),  # -0.0
        lambda a: np.any((a > 709) & (a < 711)),  # exp overflow
        lambda a: np.any(a > 1e300),
        lambda a: a.size == 0,
    ],
)
def test_edges_are_reached(wanted):
    find(graph_inputs([x]), lambda v: wanted(v[x]))


def test_bad_assumption_is_a_clear_error():
    with pytest.raises(RuleError, match="cannot read assumption 'x is big'"):
        parse_assumptions(["x is big"])
    assert parse_assumptions(["y < inf"])["y"][0](np.array([1.0]))
