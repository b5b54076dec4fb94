"""PyTensor elementwise graphs as egglog terms and back."""

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from pytensor.graph.basic import equal_computations

from rewritelab.discover.terms import from_term, term_text, to_terms

x, y = pt.dvector("x"), pt.dscalar("y")


@pytest.mark.parametrize(
    "out",
    [
        pt.log1p(pt.exp(x)) + 2.0,
        pt.softplus(-x) * y - pt.sigmoid(x) / 3.0,
        pt.switch(pt.gt(x, 0), x**1.5, pt.sqr(x)),
        pt.log1mexp(-pt.abs(x)) + pt.maximum(x, y),
    ],
)
def test_a_graph_comes_back_computing_the_same(out):
    region = to_terms([out])
    back = from_term(region.terms[0], region.leaves)
    f = pytensor.function([x, y], [out, back], on_unused_input="ignore")
    before, after = f(np.array([-2.0, 0.5, 3.0]), 1.5)
    np.testing.assert_array_equal(before, after)


def test_what_the_language_lacks_is_an_opaque_leaf():
    out = pt.exp(x.sum()) + pt.exp(x)
    region = to_terms([out])
    assert term_text(region.terms[0]) == "exp(v0) + exp(v1)"
    assert region.leaves["v1"] is x
    assert region.leaves["v0"].owner.op.__class__.__name__ == "Sum"


def test_a_fused_kernel_is_read_through_its_inner_graph():
    f = pytensor.function([x], pt.exp(x) * 2.0 + pt.log1p(x), mode="FAST_RUN")
    (out,) = f.maker.fgraph.outputs
    assert "Composite" in str(out.owner.op)
    region = to_terms([out])
    text = term_text(region.terms[0])
    assert "exp(v0)" in text and "log1p(v0)" in text


def test_shared_subterms_become_one_node():
    e = to_terms([pt.exp(x) + pt.exp(x) * y]).terms[0]
    back = from_term(e, to_terms([pt.exp(x) + pt.exp(x) * y]).leaves)
    exps = [
        a
        for a in pytensor.graph.traversal.applys_between([x, y], [back])
        if a.op == pt.exp
    ]
    assert len(exps) == 1
    assert equal_computations([back], [back])
