"""rewritelab.mode(): the rules run inside real compilation, PyMC's included."""

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest

import rewritelab as rl

x = pt.dvector("x")
#: Deliberately wrong, so that its effect on compiled values is unmistakable.
WRONG_LOG = rl.pattern("log(x) -> log1p(x)", name="wrong_log")
WRONG_EXP = rl.pattern("exp(x) -> cosh(x)", name="wrong_exp")


def scalar_ops(fn):
    return {
        type(getattr(n.op, "scalar_op", n.op)).__name__
        for n in fn.maker.fgraph.apply_nodes
    }


def test_rule_runs_in_pytensor_function():
    plain = pytensor.function([x], pt.log(x))
    ruled = pytensor.function([x], pt.log(x), mode=rl.mode(WRONG_LOG))
    np.testing.assert_allclose(plain([1.0]), [0.0])
    np.testing.assert_allclose(ruled([1.0]), [np.log(2.0)])


def test_mode_leaves_the_default_mode_alone():
    rl.mode(WRONG_LOG)
    np.testing.assert_allclose(pytensor.function([x], pt.log(x))([1.0]), [0.0])


def test_exclude_removes_a_pytensor_rewrite_and_our_rule_puts_it_back():
    expr = pt.log(pt.exp(x))
    baseline = pytensor.function([x], expr, mode=rl.mode([], exclude=["local_exp_log"]))
    assert {"Log", "Exp"} <= scalar_ops(baseline) or "Composite" in scalar_ops(baseline)
    ours = rl.mode(rl.library().select(names=["log_of_exp"]), exclude=["local_exp_log"])
    fn = pytensor.function([x], expr, mode=ours)
    assert not {"Log", "Exp", "Composite"} & scalar_ops(fn)
    np.testing.assert_allclose(fn([3.0]), [3.0])


def test_unknown_exclude_name_is_an_error():
    with pytest.raises(rl.RewritelabError, match="cannot exclude 'local_nope'"):
        rl.mode([], exclude=["local_nope"])


def test_rules_run_in_compile_logp_and_dlogp(simple_model):
    point = simple_model.initial_point()
    m = rl.mode(WRONG_EXP)  # sigma = exp(sigma_log__) is in logp and gradient
    plain = simple_model.compile_logp()(point)
    ruled = simple_model.compile_logp(mode=m)(point)
    assert np.isfinite(plain) and np.isfinite(ruled) and abs(plain - ruled) > 1e-3
    g_plain = simple_model.compile_dlogp()(point)
    g_ruled = simple_model.compile_dlogp(mode=m)(point)
    assert not np.allclose(g_plain, g_ruled)


def test_bad_rule_in_a_mode_names_the_rule(caplog):
    """PyTensor's policy (config.on_opt_error) decides: log and go on, or raise."""

    @rl.rule([pt.exp])
    def broken(fgraph, node):
        raise ValueError("boom")

    m = rl.mode(broken, base="FAST_RUN")
    fn = pytensor.function([x], pt.exp(x), mode=m)
    np.testing.assert_allclose(fn([0.0]), [1.0])
    assert "rule broken" in caplog.text and "raised ValueError: boom" in caplog.text
    error = r"rule broken .* boom on node exp\(x\)"
    with (
        pytensor.config.change_flags(on_opt_error="raise"),
        pytest.raises(rl.RuleError, match=error),
    ):
        pytensor.function([x], pt.exp(x), mode=m)


def _counted_range_check(fired: list) -> rl.Rule:
    """The shipped known_range_check, recording each node it rewrites."""
    range_check = rl.library()["known_range_check"]

    @rl.rule([pt.gt, pt.ge, pt.lt, pt.le], name="counted_range_check")
    def counted(fgraph, node):
        out = range_check.rewriter.transform(fgraph, node)
        if out:
            fired.append(str(node))
        return out

    return counted


def _short_sample(**kwargs):
    """A 20-draw, one-chain pm.sample in the current model context."""
    return pm.sample(
        draws=20,
        tune=20,
        chains=1,
        cores=1,
        progressbar=False,
        compute_convergence_checks=False,
        random_seed=1,
        **kwargs,
    )


@pytest.mark.slow
def test_rule_fires_inside_pm_sample(simple_model):
    fired = []
    counted = _counted_range_check(fired)
    with simple_model:
        idata = _short_sample(
            nuts_sampler="pymc",  # with nutpie installed PyMC would pick it
            compile_kwargs={"mode": rl.mode(counted)},
        )
    assert fired and all("Exp" in f for f in fired)
    assert idata.posterior["sigma"].shape == (1, 20)
    assert np.all(idata.posterior["sigma"].values > 0)


@pytest.mark.slow
def test_named_mode_reaches_pm_sample_whichever_nuts_it_picks(simple_model):
    """PyMC 6 samples with nutpie when it is installed, and nutpie ignores
    compile_kwargs' mode; inside rl.named_mode the rules reach nutpie, and
    PyMC's own NUTS where the mode is asked for by that name."""
    fired = []
    counted = _counted_range_check(fired)
    for sampler in ("pymc", "nutpie"):
        fired.clear()
        with simple_model, rl.named_mode(counted):
            _short_sample(nuts_sampler=sampler, compile_kwargs={"mode": "NUMBA"})
        assert fired, sampler
