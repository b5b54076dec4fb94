"""Every shipped rule: the graph it produces, and its values on real inputs."""

import mpmath as mp
import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest
from pytensor.compile.mode import Mode
from pytensor.graph.basic import equal_computations
from pytensor.tensor.special import xlogy

import rewritelab as rl

LIB = rl.library()
x, y = pt.dvector("x"), pt.dvector("y")
POS = np.array([1e-300, 1e-8, 0.3, 1.0, 2.5, 50.0, 700.0])
MID = np.array([1e-8, 0.3, 1.0, 2.5, 50.0, 150.0, 1e-3])
ANY = np.array([-750.0, -30.0, -1.0, -1e-9, 0.0, 1e-9, 0.7, 30.0, 750.0])
POS2 = POS[::-1].copy()
mp.mp.dps = 120  # log(tanh(50)) needs 44 digits just to see 1 - tanh

#: name -> (before, expected after, inputs in the rule's domain, exact value
#: of the original expression as an mpmath function)
CASES = {
    "log_of_exp": (pt.log(pt.exp(x)), x, {"x": ANY[1:-1]}, lambda x: x),
    "log_of_gamma": (pt.log(pt.gamma(x)), pt.gammaln(x), {"x": MID + 3}, mp.loggamma),
    "exp_of_neg_log": (pt.exp(-pt.log(x)), 1 / x, {"x": POS[1:]}, lambda x: 1 / x),
    "log_of_pow": (
        pt.log(x**y),
        y * pt.log(x),
        {"x": MID, "y": MID[::-1] - 1},
        lambda x, y: y * mp.log(x),
    ),
    "log_of_cosh": (
        pt.log(pt.cosh(x)),
        pt.switch(
            pt.lt(pt.abs(x), 1),
            pt.log1p(2 * pt.sqr(pt.sinh(x / 2))),
            pt.abs(x) + pt.log1p(pt.exp(-2 * pt.abs(x))) - 0.6931471805599453,
        ),
        {"x": ANY},
        lambda x: mp.log(mp.cosh(x)),
    ),
    "log_of_expm1": (
        pt.log(pt.expm1(x)),
        x + pt.log1mexp(-x),
        {"x": POS[1:]},
        lambda x: mp.log(mp.expm1(x)),
    ),
    "x_log_x": (x * pt.log(x), xlogy(x, x), {"x": POS}, lambda x: x * mp.log(x)),
    "log_of_tanh": (
        pt.log(pt.tanh(x)),
        pt.log1mexp(-2.0 * x) - pt.softplus(-2.0 * x),
        {"x": POS[1:]},
        lambda x: mp.log(mp.tanh(x)),
    ),
    "log1p_of_neg_exp": (
        pt.log1p(-pt.exp(x)),
        pt.log1mexp(x),
        {"x": -POS[1:]},
        lambda x: mp.log1p(-mp.exp(x)),
    ),
    "softplus_shared_log1p_exp": (
        pt.softplus(x),
        pt.switch(pt.ge(x, 0), x, 0) + pt.log1p(pt.exp(pt.switch(pt.ge(x, 0), -x, x))),
        {"x": ANY},
        lambda x: mp.log1p(mp.exp(x)),
    ),
    "positive_powers": (  # StudentT's gradient with lam = exp(-2 s)
        pt.exp(x) ** -1.5 * pt.exp(x) * y,
        pt.mul(pt.pow(pt.exp(x), np.asarray(-0.5)), y),
        {"x": ANY[1:-1], "y": ANY[-2:0:-1].copy()},
        lambda x, y: mp.exp(x) ** -1.5 * mp.exp(x) * y,
    ),
    "log_of_exp_product": (  # StudentT's log(lam / (pi nu)), lam = exp(-2 s)
        pt.log(pt.exp(-2 * x) / y),
        pt.add(-2 * x, pt.log(pt.reciprocal(y))),
        {"x": ANY[1:-1], "y": POS[1:-1].copy()[[0, 1, 2, 3, 4, 0, 1]]},
        lambda x, y: mp.log(mp.exp(-2 * x) / y),
    ),
}

#: The graph as written, no rewrites: what the user's expression computes.
AS_WRITTEN = Mode(linker="py", optimizer=None)


def evaluate(out, values):
    inputs = [v for v in (x, y) if v.name in values]  # x before y, as in CASES
    fn = pytensor.function(inputs, out, mode=AS_WRITTEN, on_unused_input="ignore")
    return fn(*(values[v.name] for v in inputs))


def test_every_shipped_rule_has_a_case():
    others = {"known_range_check", "known_range_sign", "logsumexp_gradient_as_softmax"}
    assert set(CASES) | others == set(LIB.names)


@pytest.mark.slow
def test_library_passes_its_own_checker():
    from rewritelab.check.rules import check_rules

    reports = check_rules(LIB, max_examples=50)
    verdicts = {r.rule: r.verdict for r in reports}
    assert set(verdicts) == {r.name for r in LIB}
    assert {r: v for r, v in verdicts.items() if v != "passed"} == {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_builds_the_expected_graph(name):
    before, expected, *_ = CASES[name]
    result = rl.apply(before, LIB.select(names=[name]))
    assert result.hits(name) == 1
    assert equal_computations(list(result.outputs), [expected])


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_is_accurate_in_its_domain(name):
    """The rewritten graph matches the exact value of the original expression
    (mpmath, 120 digits) wherever that is a float64 number."""
    before, _, values, exact_fn = CASES[name]
    new = evaluate(rl.apply(before, LIB.select(names=[name])).outputs[0], values)
    columns = [values[k] for k in sorted(values)]
    with mp.workdps(120):  # whatever another test left as mpmath's precision
        exact = np.array(
            [float(exact_fn(*map(mp.mpf, row))) for row in zip(*columns, strict=True)]
        )
    assert np.all(np.isfinite(exact))
    np.testing.assert_allclose(new, exact, rtol=1e-13, atol=0)


def test_stability_rules_fix_overflow():
    """What the rules are for: finite where the original gives inf or nan."""
    big = {"x": np.array([800.0, -800.0])}
    before = pt.log(pt.cosh(x))
    after = rl.apply(before, LIB.select(names=["log_of_cosh"])).outputs[0]
    assert np.all(np.isinf(evaluate(before, big)))
    np.testing.assert_allclose(evaluate(after, big), 800 - np.log(2), rtol=1e-15)
    expm1 = pt.log(pt.expm1(x))
    after = rl.apply(expm1, LIB.select(names=["log_of_expm1"])).outputs[0]
    assert np.isinf(evaluate(expm1, {"x": np.array([800.0])})[0])
    np.testing.assert_allclose(evaluate(after, {"x": np.array([800.0])}), 800.0)


def test_known_range_check_turns_settled_comparisons_into_true():
    checks = (pt.exp(x) >= 0) & (pt.exp(y) > -1.0) & (pt.sigmoid(x) <= 1)
    result = rl.apply(checks, LIB.select(names=["known_range_check"]))
    assert result.hits("known_range_check") == 3
    ops = {
        type(getattr(n.op, "scalar_op", n.op)).__name__
        for n in result.fgraph.apply_nodes
    }
    assert not ops & {"GT", "GE", "LE"}
    out = evaluate(result.outputs[0], {"x": ANY, "y": ANY})
    assert out.dtype == bool and out.shape == ANY.shape and out.all()
    assert evaluate(checks, {"x": ANY, "y": ANY}).all()  # as before, -750 too


@pytest.mark.parametrize(
    "kept",
    [
        pt.exp(x) > 0.5,
        pt.sqr(x) > 0,  # sqr(0) == 0
        pt.exp(x**y) >= 0,  # x ** y may be nan, and exp(nan) >= 0 is False
        pt.log(x) > -1,  # log has no range entry
        pt.exp(x / y) > 0,  # x / 0 may be nan
        pt.eq(x * y, 0),  # x * y can be 0
    ],
    ids=str,
)
def test_known_range_check_leaves_unsettled_comparisons_alone(kept):
    assert rl.apply(kept, LIB.select(names=["known_range_check"])).firings == ()


@pytest.mark.parametrize(
    ("check", "decided"),
    [
        (pt.sigmoid(x * y + 1) <= 1, True),  # Bernoulli p = sigmoid(affine)
        (pt.eq(pt.exp(x - y), 0), False),  # Poisson's mu == 0
        (pt.neq(pt.exp(x), 0), True),
        (x + y > -np.inf, True),  # Poisson's log(mu) == -inf, after log(exp)
        (pt.sign(pt.exp(x) ** -0.5 * pt.sign(pt.exp(y))) > 0, True),  # StudentT
    ],
    ids=str,
)
def test_known_range_check_decides_comparisons_of_finite_values(check, decided):
    names = ["known_range_check", "known_range_sign"]
    result = rl.apply(check, LIB.select(names=names))
    out = evaluate(result.outputs[0], {"x": ANY[1:-1], "y": ANY[-2:0:-1].copy()})
    assert out.dtype == bool and out.shape == (ANY.size - 2,)
    assert np.all(out == decided)
    assert not any(
        isinstance(getattr(n.op, "scalar_op", None), type(check.owner.op.scalar_op))
        for n in result.fgraph.apply_nodes
    )


def test_known_range_check_sees_through_slicing_and_broadcasting():
    """A mixture's sigma > 0 compares exp(sigma_log__) broadcast to a matrix."""
    check = pt.exp(x)[None, ::-1] > 0
    result = rl.apply(check, LIB.select(names=["known_range_check"]))
    assert result.hits("known_range_check") == 1
    out = evaluate(result.outputs[0], {"x": ANY[1:-1]})
    assert out.shape == (1, ANY.size - 2) and out.all()


def test_known_range_check_is_exact_on_finite_inputs():
    """exp(-750) underflows to 0, so the float check says False there; the
    rewrite says True, as exact arithmetic does (the rule assumes finite x)."""
    check = pt.exp(x) > 0
    after = rl.apply(check, LIB.select(names=["known_range_check"])).outputs[0]
    assert evaluate(after, {"x": ANY}).all()
    assert list(evaluate(check, {"x": ANY})) == list(ANY > -745.2)


def test_known_range_sign_fires_where_the_input_cannot_be_nan():
    signs = pt.sign(pt.exp(-2 * x)) * pt.sign(pt.exp(x**y))  # x ** y may be nan
    result = rl.apply(signs, LIB.select(names=["known_range_sign"]))
    assert result.hits("known_range_sign") == 1
    values = {"x": ANY, "y": np.full_like(ANY, 0.5)}
    before, after = evaluate(signs, values), evaluate(result.outputs[0], values)
    np.testing.assert_array_equal(np.isnan(after), np.isnan(before))  # x < 0
    assert np.all(after[ANY > 0] == 1) and np.all(after[(ANY < 0)] != 1)


def test_known_range_check_fires_on_a_pymc_model():
    """Poisson's mu >= 0 on mu = exp(eta)."""
    with pm.Model() as model:
        eta = pm.Normal("eta", shape=3)
        pm.Poisson("y", pm.math.exp(eta), observed=[0, 2, 5])
    result = rl.apply(model, LIB, graph="logp")
    assert result.hits("known_range_check") >= 1
    fn_before = model.compile_logp()
    point = model.initial_point()
    after = pytensor.function(
        list(result.after.inputs), result.outputs[0], on_unused_input="ignore"
    )
    inputs = [point[v.name] for v in result.after.inputs]
    np.testing.assert_allclose(after(*inputs), fn_before(point), rtol=1e-12)


@pytest.mark.parametrize(
    "kept",
    [
        x**2 * x**-1,  # x can be 0 or negative
        pt.sqr(x) ** 0.5,  # that is |x|
        (pt.exp(x) ** -0.5) ** -3,  # already as few ops as exp(x) ** 1.5 takes
        pt.exp(x * y) ** 0.3 * pt.exp(x * y) ** 0.7,  # 0.3 + 0.7 is no float
        pt.exp(x) * pt.exp(y),  # two bases
        pt.exp(x) * pt.exp(x),  # exp(x) ** 2 takes as many ops
    ],
    ids=str,
)
def test_positive_powers_leaves_what_it_cannot_simplify(kept):
    assert rl.apply(kept, LIB.select(names=["positive_powers"])).firings == ()


def test_positive_powers_collapses_chains_and_quotients():
    e = pt.exp(x)
    rules = LIB.select(names=["positive_powers"])
    assert equal_computations(list(rl.apply((e**-0.5) ** -2, rules).outputs), [e])
    sv = 0.5 * (e**-0.5) ** -3 / (e**-0.5) ** -2  # StudentT's gradient
    result = rl.apply(sv, rules)
    values = {"x": ANY[1:-1]}
    np.testing.assert_allclose(
        evaluate(result.outputs[0], values), 0.5 * np.exp(ANY[1:-1] / 2), rtol=1e-15
    )
    ops = [getattr(n.op, "scalar_op", n.op) for n in result.fgraph.apply_nodes]
    names = sorted(type(op).__name__ for op in ops if type(op).__name__ != "DimShuffle")
    assert names == ["Exp", "Mul", "Pow"]  # 0.5 * exp(x) ** 0.5


def test_positive_powers_removes_the_pow_from_a_studentt_gradient():
    """Stochastic volatility's compiled logp + gradient computes no general
    pow per observation once the rules run."""
    with pm.Model() as model:
        s = pm.Normal("s", shape=5)
        pm.StudentT("r", nu=4, lam=pm.math.exp(-2 * s), observed=np.ones(5))
    logp = model.logp()
    outputs = [logp, *pytensor.grad(logp, model.value_vars)]

    def pows(mode):
        fn = pytensor.function(model.value_vars, outputs, mode=mode)
        found = 0
        for node in fn.maker.fgraph.apply_nodes:
            scalar = getattr(node.op, "scalar_op", None)
            inner = scalar.fgraph.apply_nodes if hasattr(scalar, "fgraph") else [node]
            found += sum(
                type(getattr(n.op, "scalar_op", n.op)).__name__ == "Pow" for n in inner
            )
        return found

    assert pows(Mode(linker="py", optimizer="fast_run")) >= 1
    assert pows(rl.mode(LIB, base=Mode(linker="py", optimizer="fast_run"))) == 0


def test_softplus_rule_shares_its_exp_with_sigmoid_but_not_with_checks():
    """A Bernoulli-logit logp + gradient: two softplus, a sigmoid in the
    gradient and PyMC's 0 <= p <= 1 check on it. After the rule one exp and
    one log1p remain; the check still compares a sigmoid."""
    yy = (ANY > 0).astype("float64")
    p = pt.sigmoid(x)
    graph = pt.switch(y > 0.5, -pt.softplus(-x), -pt.softplus(x)) + pt.switch(
        pt.le(p, 1), y - p, np.nan
    )
    result = rl.apply(graph, LIB.select(names=["softplus_shared_log1p_exp"]))
    ops = [
        type(getattr(n.op, "scalar_op", n.op)).__name__
        for n in result.fgraph.apply_nodes
    ]
    assert ops.count("Exp") == 1 and ops.count("Log1p") == 1
    assert "Softplus" not in ops and ops.count("Sigmoid") == 1  # the check's
    (le,) = [n for n in result.fgraph.apply_nodes if n.op == pt.le]
    assert le.inputs[0].owner.op == pt.sigmoid
    values = {"x": ANY, "y": yy}
    np.testing.assert_allclose(
        evaluate(result.outputs[0], values), evaluate(graph, values), rtol=1e-14
    )


def test_logsumexp_gradient_drops_the_max_routing():
    """A mixture's logsumexp + gradient: after the rule no eq(x, max) routes a
    zero back through the max, and values and gradient are as before."""
    m = pt.dmatrix("m")
    lse = pt.logsumexp(m * 2.0, axis=1).sum()
    outputs = [lse, pytensor.grad(lse, m)]
    result = rl.apply(outputs, LIB.select(names=["logsumexp_gradient_as_softmax"]))
    assert result.hits("logsumexp_gradient_as_softmax") == 2  # value, derivative
    fast_run = Mode(linker="py", optimizer="fast_run")

    def eqs(outs):
        fn = pytensor.function([m], outs, mode=fast_run)
        return sum(
            "EQ" in str(getattr(n.op, "scalar_op", n.op)).upper()
            for n in fn.maker.fgraph.apply_nodes
        ), fn

    (eq_before, before), (eq_after, after) = eqs(outputs), eqs(list(result.outputs))
    assert eq_before >= 1 and eq_after == 0
    point = np.random.default_rng(1).normal(size=(50, 3)) * 5
    for b, a in zip(before(point), after(point), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13)
