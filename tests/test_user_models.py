"""Models as users write them: pm.Data, coords and dims, transforms, through
every verb (inspect, apply, check --model, bench)."""

import json
from pathlib import Path

import numpy as np
import pytest

import rewritelab as rl
from rewritelab.cli import main
from rewritelab.core.points import model_points
from rewritelab.core.targets import load_target
from rewritelab.measure.bench import bench

USER_MODELS = sorted((Path(__file__).parent / "user_models").glob("*.py"))

#: Known findings, each worth an issue of its own: in some runs (not every
#: one: the order rules meet nodes varies) the shipped softplus_shared_log1p_exp
#: returns a replacement computed from the node it replaces on the
#: negative-binomial GLM's logp + gradient (built or compiling).
KNOWN = {"negbin_glm": "softplus_shared_log1p_exp"}


def test_dims_model_keeps_shared_variables_implicit(dims_model):
    t = rl.resolve(dims_model)
    assert {v.name for v in t.shared} == {"obs", "x"}
    assert not {"obs", "x"} & {v.name for v in t.inputs}
    report = rl.check_model(dims_model, rl.library(), max_examples=5, draws=2)
    assert report.verdict == "passed" and report.firings > 0
    assert dict(report.points)["prior"] == 2
    before = dims_model["x"].get_value().copy()
    rl.apply(dims_model, rl.library(), graph="logp+grad")
    np.testing.assert_array_equal(dims_model["x"].get_value(), before)  # untouched


def test_dims_model_through_the_command_line(tmp_path, capsys):
    src = tmp_path / "dims.py"
    src.write_text(
        "import numpy as np\nimport pymc as pm\n"
        "with pm.Model(coords={'obs': np.arange(5)}) as model:\n"
        "    mu = pm.Normal('mu', 0, 1)\n"
        "    pm.Normal('y', mu, 1, observed=np.zeros(5), dims='obs')\n"
    )
    args = ["check", "--model", str(src), "--model-only", "--max-examples", "5"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"model {src} (built): passed" in out
    assert main(["bench", str(src), "--backend", "c", "--repeats", "3", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert all(r["agree"] and not r["error"] for r in rows)
    assert all("initial point" in r["points"] for r in rows)


def test_ordered_cutpoints_are_redrawn_until_finite():
    model = load_target(
        str(Path(__file__).parent / "user_models/ordinal_regression.py")
    )
    pts = model_points(model.model, draws=3, seed=0)
    assert len(pts) == 4 and pts.rejected > 0
    assert "draws rejected" in str(pts)
    fn = model.model.compile_logp()
    assert all(np.isfinite(fn(p.values)) for p in pts)


def test_no_rules_found_is_a_usage_error(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert "no rules found in" in capsys.readouterr().err


def test_a_missing_model_fails_before_any_rule_is_checked(capsys):
    assert main(["check", "--model", "no/such/model.py"]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("path", USER_MODELS, ids=[p.stem for p in USER_MODELS])
def test_every_verb_on_user_models(path, capsys):
    spec = str(path)
    assert main(["inspect", spec, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["n_apply"] > 0
    assert main(["apply", spec, "--graph", "logp+grad", "--on-error", "skip"]) == 0
    capsys.readouterr()
    target = load_target(spec)
    for stage in ("built", "compiling"):
        report = rl.check_model(
            target.model, rl.library(), max_examples=10, draws=3, stage=stage
        )
        known = KNOWN.get(path.stem)
        if known and report.verdict == "error":
            assert known in report.error, report
        else:
            assert report.verdict in ("passed", "unchanged"), report
        if report.verdict == "passed":
            assert dict(report.points)["prior"] == 3
    result = bench([target], rl.library(), backends=("c",), repeats=3)
    assert all(not r.error for r in result.rows), result
    assert all(r.points for r in result.rows)


def test_results_print_as_text(dims_model):
    s, d = rl.summary(dims_model), rl.apply(dims_model, rl.library()).diff
    assert str(s).startswith("model: ") and "apply nodes" in str(s)
    assert "removed:" in str(d) and "->" in str(d)
    text = str(rl.library().select(names=["log_of_exp"]))
    assert text.splitlines() == ["1 rule", "  log_of_exp: log(exp(x)) -> x"]
