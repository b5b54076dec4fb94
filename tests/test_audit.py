"""The audit of PyTensor's own rewriters, on a handful of them."""

import contextlib
import io
import json

import numpy as np
import pytest

from rewritelab.check.audit import audit, registered_rewriters, scope
from rewritelab.check.compare import GRADIENT_REFUTED, UNDECIDED


@pytest.fixture(scope="module")
def known():
    """Three rewriters with known outcomes in PyTensor 3.3: a crash on
    pow(x, 0.0), a missing nan guard, and a correct one."""
    names = [
        "local_pow_to_nested_squaring",
        "local_sigmoid_logit",
        "useless_Neg_of_Neg",
    ]
    return {e.name: e for e in audit("fast_run", names=names, time_limit=None).entries}


def test_the_database_is_read_and_its_scope_is_elementwise_reduction_shape():
    every = registered_rewriters("fast_run")
    kinds = {r.name: scope(r.rewriter) for r in every}
    assert len(every) > 200
    assert kinds["local_log1p"] == "elementwise"
    assert kinds["local_useless_reshape"] == "shape"
    assert kinds["cholesky_of_diag"] is None  # linear algebra: out of scope
    assert sum(k is not None for k in kinds.values()) > 100


def test_a_rewriter_that_raises_is_crashed_with_its_last_line(known):
    e = known["local_pow_to_nested_squaring"]
    assert e.verdict == "crashed" and e.report.counterexample is None
    assert e.detail.startswith("OverflowError: cannot convert float infinity")
    assert "pow(x0, " in e.detail  # the graph it crashed on


def test_a_counterexample_comes_with_a_reproduction_that_runs(known):
    """sigmoid(logit(x)) -> x has no nan guard: outside [0, 1] the original
    is nan and the rewrite is not. The reproduction shows it when pasted."""
    e = known["local_sigmoid_logit"]
    assert e.verdict == "counterexample"
    names: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as shown:
        exec(e.reproduction, names)  # noqa: S102
    found = e.report.counterexample
    value = names["x_value"]
    shown_before = np.ravel(names["before"](value))[found.flat_index or 0]
    shown_after = np.ravel(names["after"](value))[found.flat_index or 0]
    assert np.isnan(found.before) and np.isnan(shown_before)
    assert shown_after == found.after and not np.isnan(shown_after)
    assert shown.getvalue().strip()


def test_a_correct_rewriter_passes(known):
    e = known["useless_Neg_of_Neg"]
    assert e.verdict == "passed" and e.report.graphs_fired >= 1


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--db", "fast_compile"], "the databases are fast_run, canonicalize"),
        (["--include", "no_such_tag"], "its tags are canonicalize"),
        (["--exclude", "local_nothing_like_it"], "matches no rewriter"),
        (["local_log1"], "did you mean local_log1p"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, says, cli):
    code, _, err = cli("audit", *argv)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1


def test_json_lists_each_rewriter_with_its_verdict(cli):
    code, out, _ = cli("audit", "useless_Neg_of_Neg", "--db", "specialize", "--json")
    data = json.loads(out)
    assert code == 0 and data["counts"]["passed"] == 1
    assert data["entries"][0]["name"] == "useless_Neg_of_Neg"


@pytest.mark.parametrize(
    "name, needs",
    [
        ("local_merge_switch_same_cond", "two switches on one condition"),
        ("logmexpm1_to_log1mexp", "expm1 inside log(-y)"),
        pytest.param(
            "local_dimshuffle_subtensor",
            "a static 1 (m[1:].squeeze(1))",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "local_upcast_elemwise_constant_inputs",
            "an int8 1 beside a float64 scalar",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "log1msigm_to_softplus", "its pattern's 1", marks=pytest.mark.slow
        ),
    ],
)
def test_a_rewriter_that_needs_a_context_is_exercised(name, needs):
    """Each was "not exercised" until the graphs held what it needs."""
    (e,) = audit("fast_run", names=[name], time_limit=None).entries
    assert e.report.graphs_fired > 0, (needs, e.detail)


def test_a_point_no_precision_settles_is_noted_not_a_checker_error():
    """log1p(-sigmoid(x)) -> -softplus(x) is right; at x near 26,000 the
    original is -inf and the exact value needs over 11,000 digits. Those
    points are accepted, counted and shown, and the verdict is the checker's
    over the points it could judge."""
    (e,) = audit("fast_run", names=["log1p_neg_sigmoid"], time_limit=None).entries
    assert e.verdict == "passed"
    (note,) = e.report.notes
    assert note.kind == UNDECIDED and note.count >= 1
    assert "no exact value settled up to" in note.first.reason
    assert UNDECIDED in e.detail


@pytest.mark.slow
def test_a_gradient_graph_the_derivative_refutes_is_not_the_reference():
    """PyTensor's gradient of prod over one element at 0 is 0; the derivative
    is 1. local_useless_reduce (prod of one element -> the element) gets it
    right, and was once a false alarm."""
    (e,) = audit("fast_run", names=["local_useless_reduce"], time_limit=None).entries
    assert e.verdict == "passed"
    (note,) = [n for n in e.report.notes if n.kind == GRADIENT_REFUTED]
    assert "0 where the derivative is 1" in note.first.reason
