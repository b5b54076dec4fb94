"""Pattern rules match through broadcasts of elementwise results."""

import numpy as np
import pytensor
import pytensor.tensor as pt

import rewritelab as rl
from rewritelab.core.targets import load_target
from rewritelab.rewrite.lifting import lifted


def test_a_pattern_matches_through_a_broadcast_the_graph_keeps():
    """exp(x) of a scalar is read twice, once broadcast against data:
    PyTensor keeps log(ExpandDims(exp(x))), and log(exp(x)) -> x now
    matches it; the values are the same and the other reader is kept."""
    x, y = pt.dscalar("x"), pt.dvector("y")
    out = pt.log(pt.exp(x)[None]) * y + pt.exp(x)
    result = rl.apply(out, rl.pattern("log(exp(x)) -> x"))
    assert dict(result.counts) == {"log(exp(x)) -> x": 1}
    ops = [type(n.op.scalar_op).__name__ for n in result.fgraph.apply_nodes
           if hasattr(n.op, "scalar_op")]  # fmt: skip
    assert "Log" not in ops and ops.count("Exp") == 1
    f = pytensor.function([x, y], [out, result.outputs[0]])
    before, after = f(0.3, np.arange(3.0))
    np.testing.assert_allclose(after, before, rtol=1e-15)


def test_nothing_is_lifted_where_the_pattern_does_not_match_anyway():
    """A broadcast of sin(x) under log lifts to nothing log(exp(x)) matches."""
    x, y = pt.dscalar("x"), pt.dvector("y")
    out = pt.log(pt.sin(x)[None] + y)
    result = rl.apply(out, rl.pattern("log(exp(x)) -> x"))
    assert dict(result.counts) == {"log(exp(x)) -> x": 0}
    e = pt.exp(x)
    assert lifted(out, 0) is out and lifted(e, 3) is e


def test_the_user_radon_model_s_log_of_exp_is_reached():
    """In the varying-slopes radon model (pm.Data, dims) sigma's log-density
    reads log(ExpandDims(exp(log_sigma))); the rule fires there now, and
    the model check passes."""
    model = load_target("tests/user_models/radon_varying_slopes.py").model
    rule = rl.pattern("log(exp(x)) -> x", name="log_of_exp", dtypes=["float64"])
    report = rl.check_model(model, rule, max_examples=10, stage="compiling")
    assert report.verdict == "passed", report
    assert "log_of_exp" in report.fired
