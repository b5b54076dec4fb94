"""Points for graphs that are not models: finite outputs, dtypes and shapes kept."""

import numpy as np
import pytensor.tensor as pt
import pytest

from rewritelab.core.points import GRAPH_POINT_LENGTH, graph_points


def test_points_follow_dtype_and_static_shape_and_broadcast():
    x = pt.tensor("x", dtype="float32", shape=(None, 3))
    n = pt.lvector("n")
    b = pt.tensor("b", dtype="bool", shape=(None,))
    out = pt.switch(b, n, 0)[:, None] * x.T.sum()
    pts = graph_points([x, n, b], [out], draws=3, seed=1)
    assert len(pts) == 3 and not pts.rejected
    values = pts.points[0].values
    assert values["x"].dtype == np.float32 and values["x"].shape == (64, 3)
    assert values["n"].dtype == np.int64 and values["n"].shape == (GRAPH_POINT_LENGTH,)
    assert values["b"].dtype == np.bool_
    assert [p.values["n"].tolist() for p in pts] != [values["n"].tolist()] * 3


def test_the_first_family_with_finite_outputs_is_used():
    p = pt.dvector("p")
    pts = graph_points([p], [pt.log(p) - pt.log1p(-p)], length=5)  # logit
    assert pts.labels == (
        "random draw 0 (unit interval)",
        "random draw 1 (unit interval)",
    )
    assert pts.rejected == 2 and "an output not finite" in str(pts)
    assert all(((q.values["p"] > 0) & (q.values["p"] < 1)).all() for q in pts)


def test_same_seed_same_points_and_never_finite_is_said():
    x = pt.dvector("x")
    a, b = graph_points([x], [x * 2], seed=3), graph_points([x], [x * 2], seed=3)
    assert all(
        np.array_equal(p.values["x"], q.values["x"]) for p, q in zip(a, b, strict=True)
    )
    none = graph_points([x], [pt.log(-pt.exp(x))])
    assert len(none) == 0 and "no finite point" in str(none)


def test_inputs_must_be_named_and_distinct():
    with pytest.raises(ValueError, match="named and distinct"):
        graph_points([pt.dvector(), pt.dvector("y")], [pt.dvector("y")])
