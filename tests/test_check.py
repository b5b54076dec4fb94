"""check_rule: wrong rewrites get a shrunk counterexample, correct ones pass."""

import json
from pathlib import Path

import numpy as np
import pytensor.tensor as pt
import pytest

import rewritelab as rl
from rewritelab.check.rules import CHECK_MODE_NAME, check_rule, check_rules
from rewritelab.check.testing import assert_rule_correct

CORPUS = Path(__file__).parent / "corpus"
WRONG = rl.load(CORPUS / "wrong.py")
CORRECT = rl.load(CORPUS / "correct.py")


def test_corpus_is_big_enough():
    assert len(WRONG) >= 15 and len(CORRECT) >= 10


#: Wrong rules that are broken rather than wrong in value: no value to judge.
BROKEN = {"exp_in_float32": "returned dtype"}


@pytest.mark.parametrize("name", sorted(set(WRONG.names) - set(BROKEN)))
def test_every_wrong_rewrite_is_caught(name):
    report = check_rule(WRONG[name])
    assert report.verdict == "counterexample", report
    assert report.counterexample.reason


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_rule_that_changes_the_dtype_is_an_error(name):
    report = check_rule(WRONG[name])
    assert report.verdict == "error", report
    assert BROKEN[name] in report.error and report.counterexample is None


@pytest.mark.parametrize("name", CORRECT.names)
def test_every_correct_rewrite_passes(name):
    report = check_rule(CORRECT[name])
    assert report.verdict == "passed", report.counterexample or report.error
    assert report.graphs_fired >= 1 and report.inputs_tried >= 50


def test_counterexample_is_shrunk_and_explained():
    report = check_rule(WRONG["log1p_as_log"])
    c = report.counterexample
    assert report.rule == "log1p_as_log" and report.source.endswith("wrong.py:12")
    assert report.mode == CHECK_MODE_NAME
    (value,) = c.inputs.values()
    x = float(np.ravel(value)[0])
    assert 0 < abs(x) < 1e-4  # shrunk to a small input where log(1 + x) loses
    assert c.exact is not None and c.ulps_after > c.ulps_before
    assert float(np.ravel(c.before)[0]) == float(np.ravel(c.exact)[0])
    assert "log1p" in c.graph and "x=" in str(c)


def test_gradient_only_bug_names_the_gradient():
    c = check_rule(WRONG["exp_without_gradient"]).counterexample
    assert c.output.startswith("gradient wrt")


def test_never_firing_rule_is_not_exercised_not_passed():
    @rl.rule([pt.exp])
    def never(fgraph, node):
        return None

    only_on_other_names = rl.pattern(
        "log(exp(x)) -> x", name="picky", where={"x": lambda v: v.name == "nothing"}
    )
    for rule in (never, only_on_other_names):
        report = check_rule(rule, max_examples=10, models=False)
        assert report.verdict == "not exercised" and not report.ok


def test_a_broken_rule_is_an_error_and_the_others_are_still_checked():
    @rl.rule([pt.exp])
    def broken(fgraph, node):
        raise ZeroDivisionError("bad")

    good = rl.pattern("log(exp(x)) -> x", name="good")
    reports = check_rules([broken, good], max_examples=20)
    assert [r.verdict for r in reports] == ["error", "passed"]
    assert "raised ZeroDivisionError: bad" in reports[0].error


def test_assumptions_restrict_the_inputs():
    unsafe = rl.pattern("exp(log(x)) -> x", name="unsafe")
    safe = rl.pattern("exp(log(x)) -> x", name="safe", assume="x >= 0")
    assert check_rule(unsafe, max_examples=50).verdict == "counterexample"
    assert check_rule(safe, max_examples=50).verdict == "passed"


def test_assert_rule_correct():
    assert_rule_correct(CORRECT["log1p_from_log"], max_examples=30)
    with pytest.raises(
        AssertionError, match=r"rule tanh_as_sigmoid \(.*wrong.py:\d+\): counterexample"
    ):
        assert_rule_correct(WRONG["tanh_as_sigmoid"], max_examples=30)


def test_report_is_frozen_and_json_ready():
    import dataclasses
    import json

    report = check_rule(WRONG["abs_dropped"], max_examples=20)
    json.dumps(report.to_dict())
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.verdict = "passed"


def _has_sigmoid_client(fgraph, var):
    return any(c.op == pt.sigmoid for c, _ in fgraph.clients.get(var, ()))


def test_a_rule_that_fires_only_in_context_is_checked_on_its_graphs():
    """softplus(x) -> log1p(exp(x)) overflows for x > 709; the rule only fires
    next to sigmoid(x), which random graphs rarely build. Its ``graphs``
    give the checker that context."""

    def wrong(fgraph, node):
        (x,) = node.inputs
        return [pt.log1p(pt.exp(x))] if _has_sigmoid_client(fgraph, x) else None

    ctx = rl.rule([pt.softplus], graphs=["sigmoid(x) * softplus(x)"])(wrong)
    report = check_rule(ctx, max_examples=50, models=False)
    assert report.verdict == "counterexample"
    assert "sigmoid" in report.counterexample.graph
    with pytest.raises(rl.RuleError, match="graph 'sigmoid\\(x\\) \\*'"):
        rl.rule([pt.softplus], graphs=["sigmoid(x) *"])(wrong)


def test_a_rule_on_gradient_graphs_is_checked_on_graphs_with_their_gradient():
    """LogSumExp's derivative only exists in a gradient graph: the checker
    builds the rule's graphs with their gradients, and there the shipped rule
    passes and one that forgets to normalise the softmax is caught."""
    from pytensor.tensor.special import LogSumExp
    from pytensor.tensor.symbolic import FusibleSymbolicOpDerivative

    shipped = rl.library().select(names=["logsumexp_gradient_as_softmax"]).rules[0]
    report = check_rule(shipped, max_examples=30, models=False)
    assert report.verdict == "passed" and report.graphs_fired >= 1

    @rl.rule([FusibleSymbolicOpDerivative], graphs=["logsumexp(x * y)"])
    def unnormalised(fgraph, node):
        x, out, g = node.inputs
        if out.owner is None or not isinstance(out.owner.op, LogSumExp):
            return None
        axis = out.owner.op.axis
        return [
            pt.exp(x - pt.max(x, axis=axis, keepdims=True)) * pt.expand_dims(g, axis)
        ]

    wrong = check_rule(unnormalised, max_examples=30, models=False)
    assert wrong.verdict == "counterexample"
    assert "with its gradient" in wrong.counterexample.graph


def test_a_failing_random_graph_is_shrunk_like_a_failing_input():
    """A plain function rule has only random graphs; a wrong one is reported
    on the smallest graph Hypothesis can shrink to, not the first it drew."""

    @rl.rule([pt.exp])
    def exp_as_shift(fgraph, node):  # wrong everywhere but at x = 0
        return [node.inputs[0] + 1]

    kw = {"max_examples": 20, "models": False, "tracked_graphs_tried": 0}
    report = check_rule(exp_as_shift, **kw)
    assert report.verdict == "counterexample"
    assert report.counterexample.graph == "random: exp(x0)"
    again = check_rule(exp_as_shift, **kw)
    assert again.counterexample.graph == report.counterexample.graph
    assert again.counterexample.inputs.keys() == report.counterexample.inputs.keys()


def test_the_originals_error_is_reported_beside_the_rewrites():
    """log(exp(x)) -> x: where exp overflows the original is inf ULPs off and
    the rewrite exact; the report shows both, not a bare worst error."""
    report = check_rule(rl.pattern("log(exp(x)) -> x"), max_examples=60, models=False)
    assert report.verdict == "passed"
    assert report.worst_ulps_original == float("inf")  # exp overflowed
    assert report.worst_ulps_exact < 8
    assert report.error_cells() == (f"{report.worst_ulps_exact:.3g}", "inf")
    plain = check_rule(rl.pattern("neg(neg(x)) -> x"), max_examples=30, models=False)
    assert plain.error_cells() == (f"{plain.worst_ulps:.3g} (vs original)", "-")
    assert json.loads(json.dumps(report.to_dict()))["worst_ulps_original"] is not None
