"""check_model, the SciPy oracle and the draws test on real PyMC models."""

import json

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import pytest

import rewritelab as rl
from rewritelab.core.points import model_points


def test_library_keeps_the_model_logp(simple_model):
    report = rl.check_model(simple_model, rl.library(), max_examples=10, draws=3)
    assert report.verdict == "passed" and "known_range_check" in report.fired
    assert dict(report.points) == {"initial": 1, "prior": 3, "hypothesis": 10}


def test_wrong_rule_on_a_model_is_caught(simple_model):
    wrong = rl.pattern("exp(x) -> cosh(x)", name="wrong")
    report = rl.check_model(simple_model, wrong, max_examples=10)
    assert report.verdict == "counterexample"
    assert report.counterexample.output in ("logp", "gradient wrt sigma_log__") or (
        report.counterexample.output.startswith("term")
    )


def _bernoulli_logit():
    rng = np.random.default_rng(3)
    with pm.Model() as model:
        b = pm.Normal("b", shape=2)
        eta = pm.math.dot(rng.normal(size=(30, 2)), b)
        pm.Bernoulli("y", logit_p=eta, observed=rng.integers(0, 2, size=30))
    return model


def test_compiling_stage_checks_rules_on_pytensors_forms():
    """softplus appears only after PyTensor's stabilize (log(sigmoid) ->
    -softplus(-x)): a softplus rule is checked there, and a wrong one caught."""
    model = _bernoulli_logit()
    lib = rl.library().select(names=["softplus_shared_log1p_exp"])
    assert rl.check_model(model, lib, max_examples=5).verdict == "unchanged"
    report = rl.check_model(model, lib, max_examples=10, stage="compiling")
    assert report.verdict == "passed" and report.stage == "compiling"
    assert report.fired == ("softplus_shared_log1p_exp",)
    wrong = rl.pattern("softplus(x) -> log1p(exp(x)) + 1e-6", name="wrong_softplus")
    caught = rl.check_model(model, wrong, max_examples=10, stage="compiling")
    assert caught.verdict == "counterexample"


def test_unknown_stage_is_refused(simple_model):
    with pytest.raises(rl.RewritelabError, match="unknown stage 'late'"):
        rl.check_model(simple_model, rl.library(), stage="late")


@pytest.mark.slow
def test_graph_with_a_wide_elemwise_is_checked_on_the_c_vm():
    """A joint logp of 40 scalar terms is one add of 40 operands, which the
    Python linker cannot run (NumPy ufuncs take 32)."""
    with pm.Model() as model:
        for i in range(40):
            pm.HalfNormal(f"s{i}", 1)
    report = rl.check_model(model, rl.library(), max_examples=3, draws=1)
    assert report.verdict == "passed" and "C VM" in report.mode


def test_no_firing_means_unchanged(simple_model):
    idle = rl.pattern("log1p(expm1(x)) -> x", name="idle")
    assert rl.check_model(simple_model, idle).verdict == "unchanged"


def test_prior_points_live_in_the_value_space(simple_model):
    points = [
        p.values for p in model_points(simple_model, draws=4, seed=1, initial=False)
    ]
    sigma = pm.draw(simple_model["sigma"], draws=4, random_seed=1)
    assert len(points) == 4 and set(points[0]) == {"mu", "sigma_log__"}
    # the same seeded draws, mapped through log: negative values are possible
    assert any(p["sigma_log__"] < np.log(3) for p in points)
    assert np.all(np.isfinite([p["sigma_log__"] for p in points]))
    assert sigma.shape == (4,)


@pytest.mark.slow
def test_scipy_oracle_matches_every_supported_distribution():
    with pm.Model() as m:
        a = pm.Normal("a", 1, 2)
        b = pm.HalfNormal("b", 3)
        c = pm.Exponential("c", 2.0)
        pm.Gamma("d", 2.0, 3.0)
        e = pm.Beta("e", 2.0, 3.0)
        pm.LogNormal("f", 0.5, 0.7)
        pm.StudentT("g", nu=4, mu=a, sigma=b)
        pm.Cauchy("h", 1, 2)
        pm.Uniform("u", -1, 3)
        pm.Poisson("p", c, observed=[1, 2])
        pm.Binomial("bi", 10, e, observed=[3])
        pm.NegativeBinomial("nb", mu=3.0, alpha=2.0, observed=[2])
    report = rl.check_against_scipy(m, draws=2)
    assert report.ok and not report.skipped
    assert {r.distribution for r in report.rows} == set(
        rl.check.oracle.SCIPY_DISTRIBUTIONS
    )
    # it can fail: PyMC's float32 constants put NegativeBinomial ~1e-8 off
    strict = rl.check_against_scipy(m, draws=0, rtol=1e-12)
    assert not strict.ok
    data = json.loads(json.dumps(strict.to_dict()))
    assert data["ok"] is False and len(data["rows"]) == len(strict.rows)
    assert {r["variable"] for r in data["rows"] if not r["ok"]} == {
        r.variable for r in strict.rows if not r.ok
    }


def test_draws_same_and_different(tmp_path):
    z = pt.random.normal(0, 1)
    same = rl.check_draws(2 * z + 1, pt.random.normal(1, 2), picture=tmp_path / "h.png")
    assert (
        same.ok and same.test == "Kolmogorov-Smirnov" and (tmp_path / "h.png").exists()
    )
    shifted = rl.check_draws(z, pt.random.normal(0.3, 1))
    assert not shifted.ok
    data = json.loads(json.dumps(shifted.to_dict()))
    assert data["ok"] is False and data["pvalue"] == shifted.pvalue < data["alpha"]
    k = pt.random.poisson(3.0, size=2)
    assert rl.check_draws(k, pt.random.poisson(3.0, size=2)).test == "chi-square"
    assert not rl.check_draws(pt.random.poisson(3.0), pt.random.poisson(4.0)).ok
