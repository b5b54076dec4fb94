"""Range inference (rewritelab.value_range) on real PyTensor graphs."""

import math

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rewritelab import Range, is_positive, value_range

x = pt.dvector("x")
y = pt.dvector("y")

GRAPHS = {
    "exp": pt.exp(x),
    "sigmoid": pt.sigmoid(x * y + 1),
    "cosh": pt.cosh(x),
    "sqr": pt.sqr(x),
    "tanh": pt.tanh(x - y),
    "product": pt.exp(x) * pt.softplus(y),
    "quotient": pt.sigmoid(x) / pt.exp(y),
    "power": pt.exp(x) ** -1.5,
    "sign": pt.sign(pt.exp(x) * pt.sigmoid(y)),
    "slice": pt.exp(x)[1:],
}


def test_the_ranges_of_known_ops_over_finite_inputs():
    assert value_range(pt.exp(x)) == Range(0.0, math.inf, lo_reached=False)
    assert value_range(pt.sigmoid(x)) == Range(0, 1, False, False)
    assert value_range(pt.cosh(x)) == Range(1.0, math.inf)
    assert value_range(x) == Range()
    assert value_range(pt.sign(pt.exp(x))) == Range.point(1.0)
    assert value_range(pt.exp(x)[1:]).positive


def test_what_can_be_nan_has_no_range():
    assert value_range(pt.log(x)) is None  # log(-1)
    assert value_range(pt.exp(pt.sqrt(x))) is None
    assert value_range(x / y) is None  # 0 / 0
    assert not is_positive(pt.sqr(x))  # sqr(0) == 0
    assert not is_positive(pt.exp(x) * y)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-30, 30), min_size=3, max_size=3),
    st.lists(st.floats(-30, 30), min_size=3, max_size=3),
)
def test_every_computed_value_lies_in_its_range(xs, ys):
    f = pytensor.function([x, y], list(GRAPHS.values()), on_unused_input="ignore")
    for name, out in zip(GRAPHS, f(np.array(xs), np.array(ys)), strict=True):
        rng = value_range(GRAPHS[name])
        assert rng is not None, name
        # floats may land on an open end (exp(-800) == 0), never beyond it
        assert np.all(out >= rng.lo) and np.all(out <= rng.hi), (name, out, rng)


def test_compare_settles_only_what_the_range_decides():
    unit = Range(0.0, 1.0, lo_reached=False, hi_reached=False)
    assert unit.compare(pt.gt, 0.0) is True
    assert unit.compare(pt.le, 1.0) is True
    assert unit.compare(pt.eq, 2.0) is False
    assert unit.compare(pt.gt, 0.5) is None
    assert Range(0.0, 1.0).compare(pt.gt, 0.0) is None  # 0 is reached
    assert Range(0.0, 1.0).compare(pt.ge, 0.0) is True
    assert unit.compare(pt.gt, math.nan) is None


def test_a_range_prints_its_open_and_closed_ends():
    assert repr(value_range(pt.exp(x))) == "Range(0, inf)"
    assert repr(value_range(pt.cosh(x))) == "Range[1, inf)"
    assert repr(Range.point(2)) == "Range[2, 2]"


def test_bad_ranges_and_inputs_are_refused():
    with pytest.raises(ValueError, match="lo <= hi"):
        Range(1.0, 0.0)
    with pytest.raises(TypeError, match="PyTensor Variable"):
        value_range(np.ones(3))
    with pytest.raises(ValueError, match="gt, ge"):
        Range().compare(pt.add, 0.0)
    with pytest.raises(AttributeError):
        Range().lo = 1.0  # frozen
