"""apply(): a record of every firing, never touching the input, bad rules named."""

import dataclasses

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from hypothesis import given
from pytensor.graph.basic import equal_computations
from pytensor.graph.fg import FunctionGraph
from pytensor.graph.traversal import io_toposort

import rewritelab as rl
from rewritelab.check.strategies import expression_graphs
from rewritelab.see.graph import to_networkx

x, y = pt.dvector("x"), pt.dvector("y")
LOG_EXP = rl.pattern("log(exp(x)) -> x", name="log_exp")
NEG_SUB = rl.pattern("-(x - y) -> y - x", name="neg_sub")


def snapshot(outputs):
    """Everything about a graph that a mutation could change."""
    return to_networkx(outputs), [pytensor.graph.basic.clone(list(outputs))]


def test_firings_in_order_with_counts_and_zero_hits():
    expr = pt.log(pt.exp(x)) + -(x - y) + pt.log(pt.exp(y))
    unused = rl.pattern("log1p(expm1(x)) -> x", name="unused")
    result = rl.apply(expr, [LOG_EXP, NEG_SUB, unused])
    assert dict(result.counts) == {"log_exp": 2, "neg_sub": 1, "unused": 0}
    assert [f.step for f in result.firings] == [0, 1, 2]
    assert {f.op for f in result.firings} == {"log", "neg"}
    ids = set(to_networkx(result.before).nodes)
    assert all(f.node in ids for f in result.firings)
    assert result.fired == ("log_exp", "neg_sub")
    assert [name for name, _ in result.seconds] == ["log_exp", "neg_sub", "unused"]
    assert equal_computations(list(result.outputs), [x + (y - x) + y])
    assert dict(result.diff.removed) == {"log": 2, "exp": 2, "neg": 1}


def test_result_is_frozen():
    result = rl.apply(pt.log(pt.exp(x)), LOG_EXP)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.firings = ()


def test_every_target_kind(simple_model):
    expr = pt.log(pt.exp(x)) * 2
    fn = pytensor.function([x], expr, mode="FAST_COMPILE")
    for target in (expr, [expr, x + 1], FunctionGraph([x], [expr], clone=True), fn):
        result = rl.apply(target, LOG_EXP)
        assert result.before.kind in {"variable", "variables", "fgraph", "function"}
        # FAST_COMPILE already removed log(exp(x)) in the compiled function
        assert result.hits("log_exp") == (0 if target is fn else 1)
    result = rl.apply(simple_model, rl.library())
    assert result.before.kind == "model" and result.before.model is simple_model


@pytest.mark.parametrize("graph", ["logp", "terms", "grad", "logp+grad"])
def test_model_graphs_keep_their_values(simple_model, graph):
    result = rl.apply(simple_model, rl.library(), graph=graph)
    assert result.fired  # known_range_check fires on HalfNormal's value >= 0
    point = simple_model.initial_point()
    inputs = [point[v.name] for v in result.before.inputs]
    before = pytensor.function(list(result.before.inputs), list(result.before.outputs))
    after = pytensor.function(list(result.after.inputs), list(result.after.outputs))
    for b, a in zip(before(*inputs), after(*inputs), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    n_out = {"logp": 1, "terms": 3, "grad": 2, "logp+grad": 3}[graph]
    assert len(result.outputs) == n_out


def test_model_is_not_mutated(simple_model):
    before = simple_model.logp()
    frozen = to_networkx(before)
    rl.apply(simple_model, rl.library(), graph="logp+grad")
    assert to_networkx(simple_model.logp()).nodes == frozen.nodes
    assert set(to_networkx(before).edges) == set(frozen.edges)


@pytest.mark.slow
@given(expression_graphs(max_nodes=10))
def test_apply_never_mutates_the_input_graph(graph):
    inputs, out = graph
    before = to_networkx(out)
    wiring = [(n, list(n.inputs)) for n in io_toposort(inputs, [out])]
    result = rl.apply(out, rl.library())
    after = to_networkx(out)
    assert dict(before.nodes(data=True)) == dict(after.nodes(data=True))
    assert sorted(before.edges(keys=True)) == sorted(after.edges(keys=True))
    assert all(  # every node still takes the very same input variables
        all(a is b for a, b in zip(n.inputs, ins, strict=True)) for n, ins in wiring
    )
    # the rewritten graph is a different object graph sharing only the inputs
    assert set(result.after.inputs) <= set(inputs)
    assert all(o.owner is None or o.owner is not out.owner for o in result.outputs)


# -- bad rules ---------------------------------------------------------------


@rl.rule([pt.exp])
def raises(fgraph, node):
    raise ValueError("boom")


@rl.rule([pt.exp])
def too_many(fgraph, node):
    return [node.inputs[0], node.inputs[0]]


@rl.rule([pt.exp])
def wrong_dtype(fgraph, node):
    return [pt.cast(node.inputs[0], "float32")]


@rl.rule([pt.exp])
def wrong_broadcast(fgraph, node):
    return [pt.zeros((3, 3))]


@rl.rule([pt.exp])
def not_a_variable(fgraph, node):
    return ["exp"]


@rl.rule([pt.exp])
def self_reference(fgraph, node):
    return [pt.ones_like(node.outputs[0])]


swap = rl.pattern("x + y -> y + x", name="swap")


@pytest.mark.parametrize(
    "bad, message",
    [
        (raises, "raised ValueError: boom"),
        (too_many, "returned 2 replacements for 1 outputs"),
        (wrong_dtype, "returned dtype"),
        (wrong_broadcast, "returned type"),
        (not_a_variable, "not a Variable"),
        (self_reference, "computed from the node it replaces"),
        (swap, "did not reach a fixed point"),
    ],
)
def test_bad_rule_error_names_rule_location_and_node(bad, message):
    expr = pt.exp(x) + pt.log(pt.exp(y))
    frozen = to_networkx(expr)
    with pytest.raises(rl.RuleError) as info:
        rl.apply(expr, [LOG_EXP, bad])
    text = str(info.value)
    assert message in text and bad.name in text and bad.source in text
    if bad is not swap:
        assert "node a" in text and "exp" in text
    assert "\n" not in text
    after = to_networkx(expr)
    assert dict(after.nodes(data=True)) == dict(frozen.nodes(data=True))


@pytest.mark.parametrize("bad", [raises, too_many, wrong_dtype, self_reference, swap])
def test_skip_turns_off_the_bad_rule_and_applies_the_others(bad):
    expr = pt.exp(x) + pt.log(pt.exp(y))
    result = rl.apply(expr, [LOG_EXP, bad], on_error="skip")
    assert [name for name, _ in result.skipped] == [bad.name]
    assert result.hits("log_exp") >= 1
    fn = pytensor.function([x, y], result.outputs[0], mode="FAST_COMPILE")
    np.testing.assert_allclose(fn([0.5], [2.0]), np.exp(0.5) + 2.0)


def test_bad_arguments_are_one_line_errors():
    with pytest.raises(rl.TargetError, match="on_error must be 'raise' or 'skip'"):
        rl.apply(x, LOG_EXP, on_error="ignore")
    with pytest.raises(rl.RuleError, match="int is not a rule set"):
        rl.apply(x, 3)
    with pytest.raises(rl.TargetError, match="unknown model graph 'hess'"):
        rl.apply(x, LOG_EXP, graph="hess")
    with pytest.raises(rl.TargetError, match="graph='grad' needs a pm.Model target"):
        rl.apply(x, LOG_EXP, graph="grad")


def test_results_and_targets_print_in_one_readable_line():
    x = pt.dvector("x")
    result = rl.apply(pt.log(pt.exp(x)).sum(), rl.library())
    text = repr(result)
    assert text.startswith("<ApplyResult ") and "\n" not in text
    assert "log_of_exp x1" in text and len(text) < 200
    assert repr(result.before).startswith("<Target ") and "1 input(s)" in repr(
        result.before
    )


def test_a_replacement_that_keeps_the_node_it_replaces_is_pytensors_idiom():
    """local_log_erfc returns switch(x < t, log(erfc(x)), approximation) with
    the node it replaces inside, marked so it never fires there again:
    PyTensor accepts that, and so does apply (firing twice on the kept node
    would be a loop: see self_reference above)."""
    from pytensor.tensor.rewriting.math import local_log_erfc

    v = pt.dvector("v")
    result = rl.apply(pt.log(pt.erfc(v)), local_log_erfc)
    assert result.hits("local_log_erfc") == 1
    fn = pytensor.function([v], result.outputs[0], mode="FAST_COMPILE")
    np.testing.assert_allclose(fn([1.0, 30.0]), [-1.849605509, -903.974117], rtol=1e-9)
