"""Input strategies: every dtype, broadcastable shapes, edge values, domains."""

import contextlib

import numpy as np
import pytensor.tensor as pt
import pytest
from hypothesis import Phase, find, given, seed, settings
from hypothesis import strategies as st
from pytensor.graph.traversal import applys_between

from rewritelab.check.graphs import expression_label
from rewritelab.check.strategies import (
    graph_inputs,
    independent_of_history,
    parse_assumptions,
    rooted_graphs,
)
from rewritelab.core.files import exec_file
from rewritelab.rewrite.rules import RuleError

x = pt.dvector("x")
b = pt.tensor("b", dtype="float32", shape=(1,))
i = pt.lscalar("i")
u = pt.tensor("u", dtype="uint8", shape=(None, 1))
flag = pt.tensor("flag", dtype="bool", shape=(None,))


@given(graph_inputs([x, b, i, u, flag], assume=["x > 0"]))
def test_dtype_shape_and_domain(values):
    assert values[x].dtype == np.float64 and values[b].dtype == np.float32
    assert values[i].dtype == np.int64 and values[u].dtype == np.uint8
    assert values[flag].dtype == bool
    assert values[b].shape == (1,) and values[i].shape == ()
    n = values[x].shape[0]
    assert values[u].shape == (n, 1) and values[flag].shape == (n,)
    assert np.all(values[x] > 0)


@pytest.mark.parametrize(
    "wanted",
    [
        lambda a: np.any(np.isnan(a)),
        lambda a: np.any(np.isinf(a)),
        lambda a: np.any((a != 0) & (np.abs(a) < 2.3e-308)),  # subnormal
        lambda a: np.any(np.signbit(a) & (a == 0)),  # -0.0
        lambda a: np.any((a > 709) & (a < 711)),  # exp overflow
        lambda a: np.any(a > 1e300),
        lambda a: a.size == 0,
    ],
)
def test_edges_are_reached(wanted):
    find(graph_inputs([x]), lambda v: wanted(v[x]))


def test_bad_assumption_is_a_clear_error():
    with pytest.raises(RuleError, match="cannot read assumption 'x is big'"):
        parse_assumptions(["x is big"])
    assert parse_assumptions(["y < inf"])["y"][0](np.array([1.0]))


def test_rooted_graphs_shrink_to_the_smallest_graph_with_the_property():
    """A graph with a sigmoid somewhere shrinks to the root op on x0 alone."""

    def has_sigmoid(graph):
        inputs, out = graph
        ops = [str(a.op).lower() for a in applys_between(inputs, [out])]
        return any("sigmoid" in o for o in ops) and len(ops) > 1

    inputs, out = find(
        rooted_graphs([(pt.exp, 1)], structural=False, max_depth=3),
        has_sigmoid,
        settings=settings(max_examples=5000, database=None, derandomize=True),
    )
    assert [v.name for v in inputs] == ["x0"]
    assert expression_label(out) in ("exp(sigmoid(x0))", "sigmoid(exp(x0))")


def test_rooted_graphs_root_is_the_given_op_and_structural_graphs_are_vectors():
    @given(rooted_graphs([(pt.log1p, 1)], structural=True))
    def run(graph):
        inputs, out = graph
        assert inputs and all(v.ndim == 1 for v in inputs)
        names = [str(a.op) for a in applys_between(inputs, [out])]
        assert any("log1p" in n.lower() for n in names)

    run()


def _draws(guarded: bool) -> list[float]:
    """300 floats Hypothesis draws with one seed (optionally in the guard)."""
    seen: list[float] = []

    @settings(max_examples=300, database=None, phases=[Phase.generate])
    @seed(7)
    @given(st.floats(-10, 10))
    def run(x: float) -> None:
        seen.append(x)

    with independent_of_history() if guarded else contextlib.nullcontext():
        run()
    return seen


def test_the_checkers_draws_do_not_depend_on_the_modules_loaded(tmp_path):
    """Hypothesis draws some numbers from the constants of the local modules
    loaded so far; in the checker's guard, loading one changes nothing."""
    before = _draws(guarded=True)
    odd = [round(-9.5 + k * 0.0191, 6) + 1e-7 for k in range(1000)]
    module = tmp_path / "many_constants.py"
    module.write_text("".join(f"C{k} = {c!r}\n" for k, c in enumerate(odd)))
    exec_file(module, "constants")
    assert _draws(guarded=True) == before
    # unguarded, the module's constants are drawn: the guard is what held
    assert set(_draws(guarded=False)) & set(odd)
