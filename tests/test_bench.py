"""The timing harness: A/A honesty, refusing wrong graphs, errors per model."""

import json
import math

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

import rewritelab as rl
from rewritelab.core.targets import load_target
from rewritelab.measure.bench import bench
from rewritelab.measure.timing import time_ab
from rewritelab.report.bench import bench_markdown, save_bench


@pytest.fixture(scope="module")
def small_models():
    return [load_target("eight_schools"), load_target("regression")]


@pytest.mark.slow
def test_empty_rule_set_is_a_no_op_within_its_interval(small_models):
    """A/A: the same pipeline twice: the same graph, agreeing values, and a
    well-formed interval (where it lies is timing, which tests never assert)."""
    report = bench(
        small_models,
        [],
        backends=("c",),
        functions=("logp",),
        repeats=15,
        profile=False,
    )
    assert [r.path for r in report.rows] == ["kernel", "function"] * 2
    for r in report.rows:
        assert r.agree and not r.error
        assert r.n_apply_before == r.n_apply_after, r
        assert 0 < r.ci_low <= r.speedup <= r.ci_high < math.inf, r


def test_wrong_rules_are_not_timed(small_models):
    wrong = rl.pattern("exp(x) -> cosh(x)", name="wrong")
    report = bench(small_models[:1], wrong, backends=("c",), functions=("logp",))
    (row,) = report.rows  # refused once, before any call path is timed
    assert not row.agree and np.isnan(row.speedup) and "value 0" in row.note
    assert "disagree" in bench_markdown(report)


def test_a_broken_target_is_reported_and_the_rest_runs(small_models):
    x = pt.dvector("x")
    report = bench(
        [pt.log(-pt.exp(x)), small_models[0]],
        [],
        backends=("c",),
        functions=("logp",),
        repeats=5,
        names=["never finite", "eight_schools"],
        profile=False,
    )
    broken, *fine = report.rows
    assert broken.function == "graph" and "no usable point" in broken.error
    assert [r.path for r in fine] == ["kernel", "function"]
    assert all(r.agree and not r.error and r.call_before_s > 0 for r in fine)


def test_bench_takes_graphs_that_are_not_models():
    """A Variable with an unnamed input and a FunctionGraph are timed as
    themselves at finite random points; the caller's graph is untouched."""
    x, unnamed = pt.dvector("x"), pt.dvector()
    y = pt.log(pt.exp(x)) + pt.sqrt(unnamed)  # sqrt: needs the positive family
    fg = pytensor.graph.fg.FunctionGraph([x], [pt.exp(pt.log(x))], clone=False)
    fg_output = fg.outputs[0]
    report = bench([y, fg], rl.library(), backends=("c",), repeats=5, profile=False)
    assert [r.target for r in report.rows] == ["target0"] * 2 + ["target1"] * 2
    for row in report.rows:
        assert row.function == "graph" and row.agree and not row.error, row
        assert row.call_before_s > 0 and "random draw 0 (positive)" in row.points
    assert unnamed.name is None and x.name == "x"
    assert fg.outputs == [fg_output] and fg_output.owner.inputs[0].owner.inputs == [x]


def test_unknown_backend_is_a_clear_error(small_models):
    with pytest.raises(rl.RewritelabError, match="unknown backend 'cuda'"):
        bench(small_models, [], backends=("cuda",))


def test_unknown_timing_point_is_a_clear_error(small_models):
    with pytest.raises(rl.RewritelabError, match="unknown point 'mode'"):
        bench(small_models, [], at="mode")


def test_timing_at_a_prior_draw(small_models):
    """The point timed is a prior draw; agreement is still checked at all."""
    report = bench(
        small_models[1:],
        rl.library(),
        backends=("c",),
        functions=("logp",),
        repeats=5,
        profile=False,
        at="prior",
    )
    assert report.settings["timed_at"] == "prior"
    with pytest.raises(TypeError):  # a frozen report's settings are read-only
        report.settings["timed_at"] = "initial"
    assert json.loads(json.dumps(report.to_dict()))["settings"]["timed_at"] == "prior"
    for row in report.rows:
        assert row.agree and not row.error and row.call_after_s > 0


def test_rules_that_remove_work_show_up_in_sizes_and_profile(small_models, tmp_path):
    report = bench(small_models[1:], rl.library(), backends=("c",), repeats=7)
    logp = report.rows[0]
    assert logp.n_apply_after < logp.n_apply_before  # the sigma > 0 check is gone
    assert logp.ops_before and abs(sum(v for _, v in logp.ops_before) - 1) < 0.05
    paths = save_bench(report, tmp_path)
    assert json.loads(paths["json"].read_text())["rows"][0]["function"] == "logp"
    assert paths["png"].stat().st_size > 1000 and "speed-up" in paths["md"].read_text()


def test_time_ab_of_a_function_against_itself():
    x = pt.dvector("x")
    f = pytensor.function([x], pt.exp(x).sum(), mode="CVM")
    t = time_ab(f, f, [np.ones(1000)], repeats=9, min_sample_s=0.002)
    assert len(t.a) == len(t.b) == 9 and t.calls_per_sample >= 1
    assert t.ci_low <= t.speedup <= t.ci_high


def test_every_call_path_a_sampler_uses_is_timed_and_named(small_models):
    """A model's logp + gradient: the kernel (the VM on its storage), PyMC's
    raveled function and the Function call; the kernel computes the same."""
    report = bench(
        small_models[:1],
        rl.library(),
        backends=("c",),
        functions=("logp+grad",),
        repeats=5,
        profile=False,
    )
    assert [r.path for r in report.rows] == ["kernel", "raveled", "pymc", "function"]
    for r in report.rows:
        assert r.agree and not r.error and r.call_before_s > 0, r
    settings = report.to_dict()["settings"]
    assert settings["paths"] == ["kernel", "raveled", "pymc", "function"]
    # BLAS pinned to one thread while timing, and the libraries recorded
    assert settings["threads"] == 1 and settings["thread_pools"]
    assert all(p.endswith("(1 threads)") for p in settings["thread_pools"])
    assert "kernel" in bench_markdown(report)
    # the headline of a model's logp + gradient: the raveled kernel samplers run
    assert report.geomean(backend="c").rows == ("model · c · logp+grad · raveled",)
    with pytest.raises(rl.RewritelabError, match="unknown call path 'c_api'"):
        bench(small_models[:1], [], paths=("c_api",))


@pytest.mark.parametrize("mode", ["NUMBA", "CVM", "JAX"])
def test_the_kernel_path_computes_what_the_function_computes(mode):
    from rewritelab.core.models import model_graph
    from rewritelab.core.points import model_points
    from rewritelab.measure.paths import (
        kernel_call,
        pymc_call,
        raveled_call,
        raveled_function,
    )

    target = load_target("eight_schools")
    graph = model_graph(target, "logp+grad")
    point = model_points(target.model, draws=1).points[-1]
    args = point.args(graph.inputs)
    fn = pytensor.function(list(graph.inputs), list(graph.outputs), mode=mode)
    expected = [np.array(o) for o in fn(*args)]
    got = kernel_call(fn, args)()
    got = got if isinstance(got, list | tuple) else [got]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(np.asarray(g), e)
    raveled = raveled_function(target.model, mode, dict(point.values))
    logp, grad = pymc_call(*raveled)()
    np.testing.assert_allclose(logp, expected[0])
    assert grad.shape == (sum(e.size for e in expected[1:]),)
    # the raveled kernel: the same logp and gradient vector, without the wrapper
    k_logp, k_grad = (np.asarray(o) for o in raveled_call(*raveled)())
    np.testing.assert_allclose(k_logp, logp)
    np.testing.assert_allclose(k_grad, grad)


def _data_model():
    """A pm.Data model with dims, and its logp + gradient in mu by hand."""
    import pymc as pm

    x = np.linspace(-1.0, 1.0, 5)
    y = 0.3 + x + np.array([0.1, -0.2, 0.05, 0.3, -0.1])
    with pm.Model(coords={"obs": range(5)}) as model:
        xd = pm.Data("xd", x, dims="obs")
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu + xd, 1, observed=y, dims="obs")
    const = -0.5 * np.log(2 * np.pi) * 6

    def by_hand(mu):
        r = y - mu - x
        return const - 0.5 * mu**2 - 0.5 * (r**2).sum(), -mu + r.sum()

    return model, by_hand


def test_anchors_time_jax_and_a_hand_written_logp_against_the_rules():
    model, by_hand = _data_model()
    quick = dict(
        backends=("c",),
        functions=("logp+grad",),
        paths=("kernel",),
        repeats=3,
        profile=False,
        names=["data"],
    )
    report = bench(
        [model],
        rl.library(),
        anchors=("jax", "numpy"),
        hand_written={"data": by_hand},
        **quick,
    )
    assert [r.baseline for r in report.rows] == ["default", "jax", "numpy"]
    for r in report.rows:
        assert r.timed and r.call_before_s > 0 and r.call_after_s > 0, r
    jax_row = report.rows[1]
    assert jax_row.label == "data · c · logp+grad · kernel vs jax"
    assert jax_row.n_apply_before > 0 and report.settings["anchored_on"] == "c"
    assert "vs numpy" in str(report) and "by hand" in bench_markdown(report)
    summary = report.geomean(backend="c", baseline="jax")
    assert summary.rows == (jax_row.label,)
    assert summary.low <= summary.value == pytest.approx(jax_row.speedup)
    assert summary.value <= summary.high

    def wrong(mu):  # the gradient's sign flipped: refused, never timed
        logp, grad = by_hand(mu)
        return logp, -grad

    refused = bench(
        [model], [], anchors=("numpy",), hand_written={"data": wrong}, **quick
    ).rows[-1]
    assert refused.baseline == "numpy" and not refused.agree
    assert "gradient" in refused.note and np.isnan(refused.speedup)


def test_the_jax_backend_is_timed_like_the_others_and_named_when_missing(
    monkeypatch,
):
    model, _ = _data_model()
    report = bench([model], rl.library(), backends=("jax",), repeats=3, names=["data"])
    # no PyMC path on JAX: JAX samplers do not call PyMC's raveled function
    assert [(r.function, r.path) for r in report.rows] == [
        ("logp", "kernel"),
        ("logp", "function"),
        ("logp+grad", "kernel"),
        ("logp+grad", "raveled"),
        ("logp+grad", "function"),
    ]
    assert all(r.timed for r in report.rows), report
    with pytest.raises(rl.RewritelabError, match="anchors are timed against"):
        bench([model], [], backends=("jax",), anchors=("jax",))
    monkeypatch.setitem(__import__("sys").modules, "jax", None)  # JAX not installed
    with pytest.raises(rl.RewritelabError, match=r"rewritelab\[jax\]"):
        bench([model], [], backends=("numba",), anchors=("jax",))
