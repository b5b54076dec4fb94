"""A product as powers of its positive bases (rewritelab.product_of)."""

import shutil
from fractions import Fraction

import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.graph.fg import FunctionGraph

import rewritelab as rl
from rewritelab.rewrite.registry import library_path

x = pt.dvector("x")
y = pt.dvector("y")


def _product(out):
    fg = FunctionGraph([x, y], [out], clone=False)
    return rl.product_of(fg, out, whole=True)


def test_powers_of_one_positive_base_are_collected():
    lam = pt.exp(x)
    p = _product(lam**-1.5 * lam * y)
    (power,) = [f for f in p.factors if f.collected]
    assert power.value is lam
    assert power.exponent == Fraction(-1, 2)
    assert (power.uses, power.ops) == (2, 1)
    (other,) = [f for f in p.factors if not f.collected]
    assert other.value is y and other.exponent == 1
    assert p.simpler()


def test_the_rebuilt_product_computes_the_same_values():
    lam = pt.exp(x)
    out = 0.5 * (lam**-0.5) ** -3 / (lam**-0.5) ** -2 * y
    new = _product(out).build(out)
    f = pytensor.function([x, y], [out, new])
    xs, ys = np.linspace(-3, 3, 7), np.linspace(1, 2, 7)
    before, after = f(xs, ys)
    np.testing.assert_allclose(after, before, rtol=1e-14)


def test_powers_of_a_value_of_unknown_sign_are_kept_whole():
    p = _product(x**2 * x**-1)  # x can be 0 or negative
    assert not any(f.collected for f in p.factors)
    assert not p.simpler()


def test_split_takes_factors_out_and_keeps_their_shape():
    lam = pt.exp(x)
    p = _product(lam * pt.sigmoid(y) / y)
    taken, rest = p.split(lambda f: f.value is lam)
    assert [f.value for f in taken] == [lam]
    assert lam in rest.shapes
    assert all(f.value is not lam for f in rest.factors)


def test_a_product_is_frozen():
    p = _product(pt.exp(x) * y)
    try:
        p.factors = ()
    except AttributeError:
        return
    raise AssertionError("Product should be frozen")


def test_the_shipped_library_loads_from_a_copy_of_its_folder(tmp_path):
    """rewrites/ is the model for a user's own rule folder: a copy of it
    must load and check with public names only."""
    shutil.copytree(library_path(), tmp_path / "my_rules")
    copied = rl.load(tmp_path / "my_rules")
    shipped = rl.library()
    assert sorted(r.name for r in copied) == sorted(r.name for r in shipped)
    report = rl.check_rule(
        copied["positive_powers"], max_examples=10, random_graphs=20, models=False
    )
    assert report.ok, report
