"""Discovery: saturation, extraction, candidates, their checks, the command line."""

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

import rewritelab as rl
from rewritelab.discover.candidates import candidates, changes
from rewritelab.discover.cost import OpCosts, calibrate
from rewritelab.discover.search import discover
from rewritelab.discover.terms import Term, exp, log, log1p, term_text

x = pt.dvector("x")


def test_a_change_is_only_a_pair_the_egraph_proved_equal():
    """Extraction may give a sum's operands in another order: the pieces at
    the same place are then no rewrite of each other."""
    v = Term.leaf("v0")
    old, new = exp(v) + log(Term(1.0) + v), log1p(v) + exp(v)
    proved = {(term_text(old), term_text(new)), ("log(1.0 + v0)", "log1p(v0)")}

    def equal(a, b):
        return term_text(a) == term_text(b) or (term_text(a), term_text(b)) in proved

    found = [(term_text(a), term_text(b)) for a, b in changes(old, new, equal)]
    assert found == [("log(1.0 + v0)", "log1p(v0)")]
    (c,) = candidates([(old, new)], equal)
    assert c.text == "log(1.0 + x0) -> log1p(x0)"


def test_discovery_finds_checks_and_keeps_a_cheaper_form():
    """exp(x) ** -1.5 * exp(x) is one exp and a sqrt or power fewer: found
    by the power identities (exp is positive), checked, kept; the kept rule
    rewrites the graph to one computing the same."""
    out = pt.exp(x) ** -1.5 * pt.exp(x)
    report = discover(out, budget=10, measure=False)
    assert report.cost_after < report.cost_before
    assert report.kept, report
    rules = rl.RuleSet.of(*(c.rule() for c in report.kept))
    result = rl.apply(out, rules)
    assert sum(n for _, n in result.counts) >= 1
    f = pytensor.function([x], [out, result.outputs[0]])
    before, after = f(np.array([-3.0, 0.0, 2.5]))
    np.testing.assert_allclose(after, before, rtol=1e-14)
    assert "pattern(" in report.rules_file()


def test_a_wrong_identity_would_be_rejected_with_the_checker_s_reason():
    """softplus(-x) -> softplus(x) - x is an identity over the reals, and
    cancels catastrophically for large x: the checker rejects it."""
    report = discover(pt.softplus(-x) + pt.softplus(x), budget=10, measure=False)
    rejected = [t for t in report.tried if t.outcome == "rejected"]
    for t in rejected:
        assert t.why
    assert all("softplus(x0) - x0" not in c.rhs for c in report.kept)


def test_op_costs_are_measured_on_numba():
    costs = calibrate(elements=256, seconds=0.01, save=False)
    assert isinstance(costs, OpCosts)
    assert costs.of("Softplus") > costs.of("Add") and costs.of("leaf") == 0.0


@pytest.mark.parametrize(
    "argv, says",
    [
        (["eight_schools", "--budget", "0"], "--budget must be a positive number"),
        (["eight_schools", "-o", "/no/such/folder/r.py"], "not a writable folder"),
        (["eight_schools", "-o", "/tmp"], "is a folder"),
        (["eight_schools", "--goal", "size"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, says, cli):
    code, _, err = cli("discover", *argv)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1


def test_a_target_with_nothing_covered_is_one_line(tmp_path, cli):
    f = tmp_path / "dots.py"
    f.write_text(
        "import pytensor.tensor as pt\nm = pt.dmatrix('m')\nout = pt.dot(m, m)\n"
    )
    code, _, err = cli("discover", str(f), "--no-measure")
    assert code == 2 and "nothing discovery covers" in err
