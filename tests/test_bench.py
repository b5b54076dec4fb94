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
    assert len(report.rows) == 2
    for r in report.rows:
        assert r.agree and not r.error
        assert r.n_apply_before == r.n_apply_after, r
        assert 0 < r.ci_low <= r.speedup <= r.ci_high < math.inf, r


def test_wrong_rules_are_not_timed(small_models):
    wrong = rl.pattern("exp(x) -> cosh(x)", name="wrong")
    report = bench(small_models[:1], wrong, backends=("c",), functions=("logp",))
    (row,) = report.rows
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
    broken, fine = report.rows
    assert broken.function == "graph" and "no usable point" in broken.error
    assert fine.agree and not fine.error and fine.call_before_s > 0


def test_bench_takes_graphs_that_are_not_models():
    """A Variable with an unnamed input and a FunctionGraph are timed as
    themselves at finite random points; the caller's graph is untouched."""
    x, unnamed = pt.dvector("x"), pt.dvector()
    y = pt.log(pt.exp(x)) + pt.sqrt(unnamed)  # sqrt: needs the positive family
    fg = pytensor.graph.fg.FunctionGraph([x], [pt.exp(pt.log(x))], clone=False)
    fg_output = fg.outputs[0]
    report = bench([y, fg], rl.library(), backends=("c",), repeats=5, profile=False)
    assert [r.target for r in report.rows] == ["target0", "target1"]
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
    (row,) = report.rows
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
