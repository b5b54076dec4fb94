import json
import types

import networkx as nx
import pytensor.tensor as pt
from hypothesis import given
from pytensor.graph.fg import FunctionGraph
from pytensor.graph.replace import clone_replace

import rewritelab
from rewritelab import diff, pytensor_rewritten, roots, signatures, summary, to_networkx
from rewritelab.check.strategies import expression_graphs
from rewritelab.core.targets import load_target


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


def test_diff_matches_what_is_computed_not_where_it_sits(vec):
    """Surgery with no record (clone_replace): log(x) -> sqrt(x) under an add.
    The add still computes the sum of the same things: rewired, not redrawn."""
    a = pt.exp(vec) + pt.log(vec)
    (b,) = clone_replace([a], {a.owner.inputs[1]: pt.sqrt(vec)})
    ga, gb = to_networkx(a), to_networkx(b)
    d = diff(ga, gb)
    assert {ga.nodes[n]["op"] for n in d.removed_nodes} == {"log"}
    assert {gb.nodes[n]["op"] for n in d.added_nodes} == {"sqrt"}
    assert {gb.nodes[n]["op"] for n in d.rewired_nodes} == {"add"}
    assert {gb.nodes[n]["op"]: ga.nodes[m]["op"] for n, m in d.matched.items()} == {
        "exp": "exp",
        "add": "add",
    }
    assert dict(d.kept) == {"exp": 1, "add": 1}
    assert json.loads(json.dumps(d.to_dict()))["rewired_nodes"] == sorted(
        d.rewired_nodes
    )


def test_one_firing_on_a_zoo_model_shows_only_what_it_changed():
    """eight_schools' logp + gradient (152 nodes) holds one log1p; rewriting it
    to log(1 + x) removes that node, adds two, rewires its consumers, and
    keeps everything else."""
    target = load_target("eight_schools")
    rule = rewritelab.pattern("log1p(x) -> log(1 + x)", name="log1p_as_log")
    result = rewritelab.apply(target, rule, graph="logp+grad")
    assert result.counts == (("log1p_as_log", 1),)
    d, gb, ga = result.diff, to_networkx(result.before), to_networkx(result.after)
    (gone,) = d.removed_nodes
    assert gb.nodes[gone]["op"] == "log1p"
    assert sorted(ga.nodes[n]["op"] for n in d.added_nodes) == ["add", "log"]
    (out,) = gb.successors(gone)
    consumers = set(gb.successors(out))
    assert {d.matched[n] for n in d.rewired_nodes} == consumers
    assert len(d.matched) == d.n_apply_before - 1 == 151
    assert set(d.blame_after) == set(d.added_nodes) | set(d.rewired_nodes)
    assert dict(d.blame_before) == {gone: "log1p_as_log"}


def test_diff_of_the_library_on_a_model_removes_only_the_checks_it_proves():
    result = rewritelab.apply(
        load_target("eight_schools"), rewritelab.library(), graph="logp+grad"
    )
    d, gb = result.diff, to_networkx(result.before)
    removed = sorted(gb.nodes[n]["op"] for n in d.removed_nodes)
    assert removed == sorted(f.op for f in result.firings)  # one node per firing
    assert set(d.blame_before.values()) == set(result.fired)
    assert len(d.matched) > 0.9 * d.n_apply_before


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
