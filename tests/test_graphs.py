"""Graphs built from what a rewriter tracks, and rules handed example graphs."""

import pytensor.tensor as pt
from pytensor.graph.rewriting.basic import node_rewriter
from pytensor.tensor.math import Sum
from pytensor.tensor.rewriting.math import local_exp_log

import rewritelab as rl
from rewritelab.check.graphs import (
    CheckGraph,
    _contexts,
    describe_tracks,
    tracked_graph_kinds,
    tracked_graphs,
)
from rewritelab.check.rules import check_rule


def test_every_dtype_and_rank_is_built_for_a_tracked_op():
    labels = [g.label for g in tracked_graphs([pt.exp], contexts=False)]
    for dtype in ("float64", "float32", "int64", "int8", "uint8", "bool"):
        assert f"{dtype} rank 1: exp(x0)" in labels
    assert "operand 0 = log: exp(log(y0))" in labels


def test_a_reduction_class_is_built_over_each_axis_and_none():
    plain = dict(tracked_graph_kinds([Sum], contexts=False))["plain"]
    outs = [g.outputs[0] for g in plain]
    axes = {o.owner.op.axis for o in outs if isinstance(o.owner.op, Sum)}
    assert {(0,), (1,), (0, 1)} <= axes and any(o.ndim == 0 for o in outs)


def test_constants_come_in_the_forms_canonicalisation_leaves():
    labels = [g.label for g in tracked_graphs([pt.add], contexts=False)]
    for form in ("scalar", "broadcastable", "ExpandDims", "Alloc", "fill"):
        assert any(lbl.startswith(f"{form} constant 1 ") for lbl in labels), form


def test_canonicalize_contexts_exclude_the_rewriter_under_test():
    """Run with local_exp_log, canonicalize would leave it nothing to do."""
    x = pt.dvector("x")
    seed = CheckGraph("seed", (x,), (pt.log(pt.exp(x)) * 1.0,))
    with_it = list(_contexts(seed, exclude=(), assume=(), seen=set()))
    assert with_it and "log(exp(" not in with_it[0].label.split(": ")[-1]
    without = list(_contexts(seed, exclude=["local_exp_log"], assume=(), seen=set()))
    assert without and "log(exp(x))" in without[0].label.split(": ")[-1]


@node_rewriter([pt.exp])
def exp_of_cosh(fgraph, node):
    """exp(cosh(y)) -> exp((exp(y) + exp(-y)) / 2): only there, and nothing
    built from its tracks reaches it."""
    (a,) = node.inputs
    if a.owner is None or a.owner.op != pt.cosh:
        return None
    y = a.owner.inputs[0]
    return [pt.exp((pt.exp(y) + pt.exp(-y)) / 2)]


def test_a_rule_never_exercised_says_what_it_tracks_and_what_was_tried():
    report = check_rule(exp_of_cosh, max_examples=10, random_graphs=20, models=False)
    assert report.verdict == "not exercised"
    assert report.tried.startswith("tracks Elemwise{exp}; tried ")
    assert "graphs built from its tracks" in report.tried


def test_a_plain_rewriter_can_be_handed_the_graphs_it_needs():
    y = pt.dvector("y")
    rule = rl.as_rule(exp_of_cosh, graphs=[pt.exp(pt.cosh(y))])
    assert repr(rule) == "Rule(exp_of_cosh, 1 example graph)"
    report = check_rule(rule, max_examples=10, random_graphs=20, models=False)
    assert report.verdict == "passed" and report.graphs_fired >= 1


def test_tracks_are_described_readably():
    assert describe_tracks(local_exp_log.tracks()).count("Elemwise{") == 4
    assert describe_tracks([Sum]) == "Sum"
