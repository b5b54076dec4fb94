import networkx as nx
import pytensor.tensor as pt
from hypothesis import given
from pytensor.graph.fg import FunctionGraph
from pytensor.graph.traversal import io_toposort, toposort

from rewritelab import to_networkx
from rewritelab.check.strategies import expression_graphs
from rewritelab.see.graph import op_label


def _public_api_copy(g):
    """The same graph built with networkx's public API only."""
    h = nx.MultiDiGraph(**g.graph)
    h.add_nodes_from(g.nodes(data=True))
    for u, v, k, d in g.edges(keys=True, data=True):
        h.add_edge(u, v, key=k, **d)
    return h


def _equal(g, h):
    return (
        dict(g.nodes(data=True)) == dict(h.nodes(data=True))
        and sorted(g.edges(keys=True, data="index"))
        == sorted(h.edges(keys=True, data="index"))
        and g.graph == h.graph
    )


def test_repeated_input_keeps_both_edges(vec):
    g = to_networkx(vec * vec)
    (mul,) = [n for n, d in g.nodes(data=True) if d.get("op") == "mul"]
    (x,) = [n for n, d in g.nodes(data=True) if d.get("name") == "x"]
    assert g.number_of_edges(x, mul) == 2
    assert sorted(d["index"] for _, _, d in g.edges(x, data=True)) == [0, 1]


def test_multi_output_node_has_indexed_out_edges():
    w, v = pt.linalg.eigh(pt.dmatrix("m"))
    g = to_networkx([w, v])
    (multi,) = [n for n, d in g.nodes(data=True) if d.get("n_outputs", 0) == 2]
    assert sorted(d for _, _, d in g.out_edges(multi, data="index")) == [0, 1]
    outs = sorted(g.nodes[n]["output_index"] for n in g.successors(multi))
    assert outs == [0, 1]


def test_attributes_of_variables_and_constants(vec):
    g = to_networkx(pt.log(vec + 2.5))
    attrs = {
        d.get("name") or d.get("value"): d
        for _, d in g.nodes(data=True)
        if d["kind"] == "variable"
    }
    assert attrs["x"]["is_input"] and attrs["x"]["dtype"] == "float64"
    assert attrs["x"]["shape"] == (None,) and attrs["x"]["broadcastable"] == (False,)
    const = [
        d for _, d in g.nodes(data=True) if d["kind"] == "variable" and d["is_constant"]
    ]
    assert [c["value"] for c in const] == [2.5]
    outs = [
        d for _, d in g.nodes(data=True) if d["kind"] == "variable" and d["is_output"]
    ]
    assert len(outs) == 1 and outs[0]["output_index"] == 0


def test_model_roles_are_node_attributes(simple_model):
    g = to_networkx(simple_model)
    roles = {d["name"]: d["role"] for _, d in g.nodes(data=True) if "role" in d}
    assert roles == {"mu": "value", "sigma_log__": "transformed_value", "x": "observed"}


def test_random_variable_roles():
    import pymc as pm

    x = pm.Normal.dist(0, 1, size=3)
    g = to_networkx(x)
    roles = sorted(d["role"] for _, d in g.nodes(data=True) if "role" in d)
    assert roles == ["random_variable", "rng"]


def test_compiled_function_target(vec):
    import pytensor

    f = pytensor.function([vec], pt.exp(vec).sum(), mode="FAST_COMPILE")
    g = to_networkx(f)
    assert any(d.get("op") == "exp" for _, d in g.nodes(data=True))


def test_expand_inner_adds_composite_graph(vec):
    from rewritelab.core.compile import pytensor_rewritten

    fg = pytensor_rewritten(pt.exp(vec) * 2 + pt.log(vec))
    flat, deep = to_networkx(fg), to_networkx(fg, expand_inner=True)
    inner = [n for n, d in deep.nodes(data=True) if "parent" in d]
    assert inner and all("/" in n for n in inner)
    assert deep.number_of_nodes() == flat.number_of_nodes() + len(inner)
    inner_ops = {deep.nodes[n].get("op") for n in inner}
    assert {"exp", "log"} <= inner_ops


def test_fast_construction_equals_public_api(simple_model):
    g = to_networkx(simple_model, expand_inner=True)
    assert _equal(g, _public_api_copy(g))
    assert nx.is_directed_acyclic_graph(g)


@given(expression_graphs())
def test_one_node_per_apply_and_variable_stable_and_non_mutating(graph):
    inputs, out = graph
    fg = FunctionGraph(inputs, [out], clone=False)
    before = [(n.op, tuple(n.inputs)) for n in io_toposort(inputs, [out])]
    g1, g2 = to_networkx(fg), to_networkx(fg)
    n_apply = len(fg.apply_nodes)
    n_vars = len(set(fg.variables) | set(fg.inputs))  # unused inputs count too
    kinds = [d["kind"] for _, d in g1.nodes(data=True)]
    assert kinds.count("apply") == n_apply
    assert kinds.count("variable") == n_vars
    edges_expected = sum(len(a.inputs) + len(a.outputs) for a in fg.apply_nodes)
    assert g1.number_of_edges() == edges_expected
    assert _equal(g1, g2)
    assert [(n.op, tuple(n.inputs)) for n in io_toposort(inputs, [out])] == before
    assert _equal(g1, _public_api_copy(g1))
    # Apply ids follow PyTensor's own topological order.
    order = [g1.nodes[f"a{i}"]["op"] for i in range(n_apply)]
    assert order == [op_label(n.op) for n in toposort([out], blockers=inputs)]


def test_conversion_restores_gc_state(vec):
    import gc

    gc.disable()
    try:
        to_networkx(vec + 1)
        assert not gc.isenabled()
    finally:
        gc.enable()
    to_networkx(vec + 1)
    assert gc.isenabled()
