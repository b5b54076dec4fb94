"""bench_sampling: NUTS with and without the rules, same seeds, posteriors compared."""

import json

import pymc as pm
import pytest

import rewritelab as rl
from rewritelab.cli import main
from rewritelab.core.targets import load_target
from rewritelab.measure.sampling import KS_ALPHA, RHAT_MAX, bench_sampling


@pytest.mark.slow
def test_sampling_with_and_without_the_rules_agrees_and_is_measured():
    report = bench_sampling(
        load_target("regression"), rl.library(), draws=100, tune=100, name="regression"
    )
    assert [r.rules for r in report.runs] == [False, True]
    for r in report.runs:
        assert r.sampling_s > 0 and r.wall_s >= r.sampling_s
        assert r.grad_evals >= 2 * (100 + 100)  # at least one leapfrog step per draw
        assert r.ess_bulk > 0 and r.ess_tail > 0 and r.divergences >= 0
    assert len(report.agreement) == 4  # beta[0..2], sigma
    assert all(0 <= p <= 1 and r > 0.9 for _, p, r in report.agreement)
    assert report.agree and report.verdict == "agree"
    assert all(1 / 1.5 < r < 1.5 for r in report.rhat_within)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["thresholds"] == {"ks_alpha": KS_ALPHA, "rhat_max": RHAT_MAX}
    assert data["speedup"]["sampling_s"] == report.ratio("sampling_s")
    assert "posteriors agree" in str(report)


def test_models_a_gradient_sampler_cannot_sample_are_refused(tmp_path):
    with pm.Model() as discrete:
        k = pm.Poisson("k", 3.0)
        pm.Normal("y", k, 1, observed=[1.0, 2.0])
    with pytest.raises(rl.RewritelabError, match=r"discrete variables \(k\)"):
        bench_sampling(discrete, rl.library())
    with pytest.raises(rl.RewritelabError, match="sampler 'stan' is not supported"):
        bench_sampling(load_target("regression"), rl.library(), sampler="stan")
    with pytest.raises(rl.RewritelabError, match="at least 2 chains"):
        bench_sampling(load_target("regression"), rl.library(), chains=1)
    path = tmp_path / "discrete.py"
    path.write_text(
        "import pymc as pm\nwith pm.Model() as model:\n"
        "    k = pm.Poisson('k', 3.0)\n    pm.Normal('y', k, 1, observed=[1.0])\n"
    )
    assert main(["bench", str(path), "--sampling"]) == 2
    assert main(["bench", "regression", "--sampling", "--seeds", "0,x"]) == 2


@pytest.mark.slow
def test_nutpie_samples_with_the_rules_through_the_named_mode():
    """nutpie compiles with the mode name "NUMBA": inside rl.named_mode its
    compiled logp + gradient is the rules' graph, outside PyTensor's own."""
    import nutpie

    model = load_target("logistic").model
    plain = nutpie.compile_pymc_model(model)
    with rl.named_mode(rl.library()):
        ruled = nutpie.compile_pymc_model(model)
    again = nutpie.compile_pymc_model(model)

    def size(c):
        return len(c.logp_func.maker.fgraph.apply_nodes)

    assert size(ruled) < size(plain) == size(again)
    report = bench_sampling(
        load_target("regression"), rl.library(), sampler="nutpie", draws=100, tune=100
    )
    assert report.sampler == "nutpie" and [r.rules for r in report.runs] == [
        False,
        True,
    ]
    assert all(r.grad_evals > 0 and r.ess_bulk > 0 for r in report.runs)
    assert report.verdict in ("agree", "inconclusive")
