import types

import networkx as nx
import pytensor.tensor as pt
from hypothesis import given
from pytensor.graph.fg import FunctionGraph

import rewritelab
from rewritelab import diff, pytensor_rewritten, roots, signatures, summary, to_networkx
from rewritelab.check.strategies import expression_graphs


def test_summary_counts_and_depth(vec):
    s = summary(pt.log(pt.exp(vec)) * vec)
    assert (s.n_apply, s.depth) == (3, 3)
    assert dict(s.ops) == {"exp": 1, "log": 1, "mul": 1}
    assert s.inputs == ("x",) and s.outputs == ("output 0",)


def test_summary_depth_matches_networkx_longest_path(simple_model):
    g = to_networkx(simple_model)
    path = nx.dag_longest_path(g)
    applies_on_path = sum(1 for n in path if g.nodes[n]["kind"] == "apply")
    assert summary(g).depth == applies_on_path


def test_summary_of_model_lists_inputs_and_constants(simple_model):
    s = summary(simple_model)
    assert s.inputs == ("mu", "sigma_log__")
    assert s.n_constants > 0 and "x" in s.constants
    assert s.to_dict()["n_apply"] == s.n_apply


def test_roots_walk_in_order():
    x, y, z = pt.dscalars("x", "y", "z")
    assert [v.name for v in roots(pt.log(x + y) * z)] == ["x", "y", "z"]
    assert [v.name for v in roots([z, x * x])] == ["z", "x"]


def test_diff_counts_what_pytensor_removed(vec):
    before = pt.log(pt.exp(vec)) + pt.sqrt(vec)
    after = pytensor_rewritten(before)
    d = diff(before, after)
    assert ("exp", 1) in d.removed and ("log", 1) in d.removed
    assert d.n_apply_before == 4
    assert d.changed


def test_diff_marks_nodes_structurally(vec):
    a = pt.exp(vec) + pt.log(vec)
    b = pt.exp(vec) + pt.sqrt(vec)
    ga, gb = to_networkx(a), to_networkx(b)
    d = diff(ga, gb)
    assert {ga.nodes[n]["op"] for n in d.removed_nodes} == {"log", "add"}
    assert {gb.nodes[n]["op"] for n in d.added_nodes} == {"sqrt", "add"}
    assert dict(d.kept) == {"exp": 1, "add": 1}


@given(expression_graphs())
def test_diff_of_a_graph_with_itself_is_empty(graph):
    inputs, out = graph
    d = diff(out, out)
    assert not d.changed and not d.removed_nodes
    # a copy of the graph computes the same things: the same signatures
    (copy,) = FunctionGraph(inputs, [out], clone=True).outputs
    assert sorted(signatures(copy).values()) == sorted(signatures(out).values())


def test_public_names_match_all():
    exported = {
        n
        for n, v in vars(rewritelab).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)
    }
    assert set(rewritelab.__all__) == exported
