"""replace(): graph surgery on a copy, with type checks naming both variables."""

import numpy as np
import pytensor.tensor as pt
import pytest

import rewritelab as rl
from rewritelab.see.graph import to_networkx

x, y = pt.dvector("x"), pt.dvector("y")


def test_replace_builds_a_new_graph_and_keeps_the_old():
    inner = pt.exp(x)
    out = pt.log(inner) + y
    frozen = to_networkx(out)
    new = rl.replace(out, {inner: pt.exp(2 * x)})
    fn = new.outputs[0].eval({x: np.array([1.0]), y: np.array([0.5])})
    np.testing.assert_allclose(fn, [2.5])
    assert dict(to_networkx(out).nodes(data=True)) == dict(frozen.nodes(data=True))


def test_replace_an_input_by_a_new_input():
    z = pt.dvector("z")
    new = rl.replace(pt.log(x), {x: z})
    assert new.inputs == (z,)


def test_replace_in_a_model_logp(simple_model):
    target = rl.model_graph(simple_model, "logp")
    sigma = simple_model.rvs_to_values[simple_model["sigma"]]
    new = rl.replace(target, {sigma: 0.0})  # a number becomes a constant of its type
    assert sigma not in new.inputs and len(new.inputs) == len(target.inputs) - 1


@pytest.mark.parametrize(
    "new, message",
    [
        (pt.fvector("f"), "has dtype float32, but x"),
        (pt.dmatrix("m"), "has 2 dimensions, but x"),
        (pt.tensor("b", dtype="float64", shape=(None,)), None),
    ],
)
def test_type_errors_name_both_variables(new, message):
    b1 = pt.tensor("one", dtype="float64", shape=(1,))
    out = pt.exp(x) + b1
    if message is None:
        with pytest.raises(
            rl.RewritelabError, match="b .* has broadcastable .* but one"
        ):
            rl.replace(out, {b1: new})
        return
    with pytest.raises(rl.RewritelabError, match=message):
        rl.replace(out, {x: new})


def test_bad_replacements_are_clear():
    with pytest.raises(rl.RewritelabError, match="not in the graph"):
        rl.replace(pt.log(x), {y: x})
    with pytest.raises(rl.RewritelabError, match="non-empty mapping"):
        rl.replace(pt.log(x), {})
