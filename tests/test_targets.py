import pytensor
import pytensor.tensor as pt
import pytest
from pytensor.graph.fg import FunctionGraph

from rewritelab import TargetError, load_target, resolve
from rewritelab.core.targets import ACCEPTED_KINDS

DATA = "tests/data"


def test_variable_target_inputs_are_free_roots(vec):
    y = pt.dscalar("y")
    t = resolve(pt.log(vec + y))
    assert set(t.inputs) == {vec, y}
    assert t.kind == "variable"


def test_list_fgraph_and_function_targets(vec):
    outs = [pt.exp(vec), pt.log(vec)]
    assert resolve(outs).outputs == tuple(outs)
    fg = FunctionGraph([vec], outs, clone=False)
    assert resolve(fg).inputs == (vec,)
    f = pytensor.function([vec], outs[0], mode="FAST_COMPILE")
    t = resolve(f)
    assert t.kind == "function" and len(t.outputs) == 1


def test_model_target_has_value_inputs_and_roles(simple_model):
    t = resolve(simple_model)
    assert [v.name for v in t.inputs] == ["mu", "sigma_log__"]
    roles = {v.name: r for v, r in t.roles.items()}
    assert roles["mu"] == ("value", "mu")
    assert roles["sigma_log__"][0] == "transformed_value"
    assert roles["x"][0] == "observed"


def test_model_with_shared_data_keeps_it_implicit(data_model):
    t = resolve(data_model)
    assert [v.name for v in t.inputs][0] == "b"
    assert "xs" not in [v.name for v in t.inputs]
    assert [v.name for v in t.shared] == ["xs"]
    assert "xs" in {v.name for v in t.fgraph().inputs}
    assert dict((v.name, r[0]) for v, r in t.roles.items())["xs"] == "data"


@pytest.mark.parametrize("bad", [3, "x", None, [], [1, 2], {"a": 1}])
def test_non_targets_raise_typeerror_naming_kinds(bad):
    with pytest.raises(TypeError, match="expected a pytensor Variable") as info:
        resolve(bad)
    assert ACCEPTED_KINDS in str(info.value)


def test_clone_gives_new_objects_and_maps_roles(simple_model):
    t = resolve(simple_model)
    c, memo = t.clone()
    assert c.outputs[0] is not t.outputs[0]
    assert set(c.roles) <= set(memo.values())
    assert len(c.roles) == len(t.roles)


def test_load_target_single_output_variable():
    t = load_target(f"{DATA}/graph_one.py")
    assert t.name == "out" and t.outputs[0].name is None


def test_load_target_by_name():
    t = load_target(f"{DATA}/graph_two.py:b")
    assert t.outputs[0].owner.op.scalar_op.__class__.__name__ == "Exp"


@pytest.mark.parametrize(
    "spec, message",
    [
        (f"{DATA}/missing.py", "no such file"),
        (f"{DATA}/graph_two.py", "several targets \\(a, b\\)"),
        (f"{DATA}/two_models.py", "several targets \\(first, second\\)"),
        (f"{DATA}/nothing.py", "defines no model or graph"),
        (f"{DATA}/graph_two.py:zzz", "defines no name 'zzz'"),
        (f"{DATA}/broken.py", "importing .* failed: RuntimeError"),
        (f"{DATA}/nothing.py:value", "int is not a graph target"),
    ],
)
def test_load_target_errors(spec, message):
    with pytest.raises(TargetError, match=message):
        load_target(spec)
