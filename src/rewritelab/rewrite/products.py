"""A product or quotient as powers of its positive bases, and rebuilt.

``exp(x) ** -1.5 * exp(x) * y`` is ``exp(x) ** -0.5 * y``: :func:`product_of`
splits a graph's product into factors, collecting the powers of each base
that is positive over finite inputs (:func:`rewritelab.is_positive`), and
:meth:`Product.build` writes it back with one power per base. The power
rules (``rewrites/powers.py``) are declarations on top of it.

PyTensor's ``AlgebraicCanonizer.get_num_denum`` flattens products too, but
walks through every ``mul`` whatever else uses it (so a shared product
would be computed twice) and treats a ``pow`` as an opaque factor, which is
what these rules are about.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Variable, equal_computations
from pytensor.graph.fg import FunctionGraph

from rewritelab.see.graph import constant_value
from rewritelab.see.ranges import is_positive

__all__ = ["Factor", "Product", "product_of"]

#: Unary ops that are a fixed power of their input.
_UNARY_POWERS = {
    pt.sqrt: Fraction(1, 2),
    pt.sqr: Fraction(2),
    pt.reciprocal: Fraction(-1),
}

#: Largest |exponent| written as square root and multiplications; PyTensor
#: turns an integer power into repeated squaring.
_MAX_SPECIALISED = 8


@dataclass(frozen=True)
class Factor:
    """``value ** exponent`` within a product.

    ``collected`` factors are powers of a positive float base, summed over
    the ``uses`` places it appears, through ``ops`` power ops in the
    original graph; the others are kept whole, with exponent 1 (numerator)
    or -1 (denominator).
    """

    value: Variable
    exponent: Fraction
    collected: bool
    uses: int = 1
    ops: int = 0


@dataclass(frozen=True)
class Product:
    """The factors of a product in their written order, and the values
    whose shape it must keep (a factor that cancelled, a fill of 1)."""

    factors: tuple[Factor, ...]
    shapes: tuple[Variable, ...] = ()

    def simpler(self) -> bool:
        """Whether :meth:`build` takes fewer ops: the power ops on the way to
        each base and the products joining them, against one power per base
        (``x * x`` is no simpler as ``x ** 2``)."""
        before = sum(f.ops + f.uses - 1 for f in self.factors if f.collected)
        after = sum(_power_ops(f.exponent) for f in self.factors if f.collected)
        return after < before

    def split(
        self, take: Callable[[Factor], bool]
    ) -> tuple[tuple[Factor, ...], Product]:
        """The factors ``take`` picks, and the product of the others (which
        keeps the shapes of those taken)."""
        picked = [take(f) for f in self.factors]
        taken = tuple(f for f, p in zip(self.factors, picked, strict=True) if p)
        rest = tuple(f for f, p in zip(self.factors, picked, strict=True) if not p)
        return taken, replace(
            self, factors=rest, shapes=self.shapes + tuple(f.value for f in taken)
        )

    def build(self, like: Variable, broadcast: bool = True) -> Variable | None:
        """The product as a graph of ``like``'s dtype (with ``broadcast``,
        also of its broadcast pattern, else None)."""
        num, den, shapes = [], [], list(self.shapes)
        for f in self.factors:
            if f.exponent == 0:
                shapes.append(f.value)
            elif not f.collected:
                (num if f.exponent > 0 else den).append(f.value)
            else:
                num.append(_power(f.value, f.exponent))
        new = pt.mul(*num) if len(num) > 1 else num[0] if num else None
        if den:
            d = pt.mul(*den) if len(den) > 1 else den[0]
            new = pt.reciprocal(d) if new is None else new / d
        if new is None:
            new = pt.second(shapes[0], np.asarray(1, dtype=like.dtype))
        return replace(self, shapes=tuple(shapes)).fit(new, like, broadcast)

    def fit(self, new: Variable, like: Variable, broadcast: bool = True):
        """``new`` cast to ``like``'s dtype and (with ``broadcast``)
        broadcast like it by the product's shapes, or None."""
        if new.type.dtype != like.type.dtype:
            new = pt.cast(new, like.type.dtype)
        if not broadcast:
            return new
        for s in self.shapes:
            if new.type.broadcastable == like.type.broadcastable:
                break
            new = pt.second(s, new)
        return new if like.type.is_super(new.type) else None


def product_of(fgraph: FunctionGraph, var: Variable, whole: bool = False):
    """``var`` as a :class:`Product`, or None where it holds a power of a
    value not known to be positive (``x ** 2 * x ** -1``: x can be 0).

    Products and quotients are opened where ``var`` is the only use of them
    (or ``whole``, for ``var`` itself), powers by a constant (``pow``,
    ``sqrt``, ``sqr``, ``reciprocal``) where their base is positive.
    """
    walk = _Walk(fgraph)
    try:
        walk.add(var, top=whole)
    except _Unchanged:
        return None
    factors = []
    for kind, item in walk.order:
        if kind == "other":
            value, sign = walk.others[item]
            factors.append(Factor(value, Fraction(sign), collected=False))
            continue
        entries = walk.powers[item]
        total = sum(k for k, _ in entries)
        if Fraction(float(total)) != total:
            return None  # the exponent is not a float
        ops = sum(levels for _, levels in entries)
        factors.append(Factor(item, total, True, uses=len(entries), ops=ops))
    return Product(tuple(factors), tuple(walk.shapes))


def _exponent(node):
    """The constant exponent of ``node`` if it raises its first input to one,
    else None."""
    if node.op in _UNARY_POWERS:
        return _UNARY_POWERS[node.op]
    if node.op == pt.pow:
        c = constant_value(node.inputs[1])
        if c is not None and math.isfinite(c):
            return Fraction(c)
    return None


def _is_ones(var):
    """A fill of 1 (``second(x, 1)``): what ``sign`` of a positive value
    becomes under ``known_range_sign``."""
    return var.owner is not None and constant_value(var) == 1.0


def _via_sqrt(t):
    """Whether ``b ** t`` is written as an integer power of ``sqrt(b)``: a
    half-integer other than ±1/2 (PyTensor specialises those)."""
    return (
        t.denominator == 2 and abs(t) != Fraction(1, 2) and abs(t) <= _MAX_SPECIALISED
    )


def _power_ops(t):
    """How many power ops :func:`_power` writes for exponent ``t``."""
    if t in (0, 1):
        return 0
    return 2 if _via_sqrt(t) else 1


def _power(base, t):
    """``base ** t``: a half-integer power as an integer power of
    ``sqrt(base)``, which PyTensor turns into multiplications."""
    if t == 1:
        return base
    if _via_sqrt(t):
        return pt.pow(pt.sqrt(base), np.asarray(int(2 * t), dtype=base.dtype))
    return pt.pow(base, np.asarray(float(t), dtype=base.dtype))


class _Unchanged(Exception):
    pass


class _Walk:
    """The walk :func:`product_of` makes, collecting as it goes."""

    def __init__(self, fgraph):
        self.fgraph = fgraph
        self.powers = {}  # base -> [(exponent, power ops on the way)]
        self.others = []  # (factor, +1 numerator or -1 denominator)
        self.shapes = []  # values whose shape the product must keep
        self.order = []  # ("power", base) or ("other", index): as written

    def _key(self, var):
        """``var``, or an equal computation already among the bases (a graph
        not yet merged can compute one base twice)."""
        for base in self.powers:
            if base is var or equal_computations([base], [var]):
                return base
        return var

    def add(self, var, k=Fraction(1), top=False, levels=0, depth=8):
        """Add ``var ** k``."""
        node = var.owner
        if node is not None and depth > 0:
            if node.op in (pt.mul, pt.true_div):
                real = [a for a in node.inputs if not _is_ones(a)]
                single = top or len(self.fgraph.clients.get(var, ())) == 1
                plain = abs(k) == 1 and levels == 0  # not inside a power
                if (plain and single) or (len(real) == 1 and is_positive(var)):
                    self.shapes += [
                        a.owner.inputs[0] for a in node.inputs if _is_ones(a)
                    ]
                    signs = (
                        (1, -1) if node.op == pt.true_div else (1,) * len(node.inputs)
                    )
                    for a, s in zip(node.inputs, signs, strict=True):
                        if not _is_ones(a):
                            self.add(a, k * s, levels=levels, depth=depth - 1)
                    return
            e = _exponent(node)
            if e is not None and is_positive(node.inputs[0]):
                self.add(node.inputs[0], k * e, levels=levels + 1, depth=depth - 1)
                return
        if is_positive(var) and var.type.dtype.startswith("float"):
            key = self._key(var)
            if key not in self.powers:
                self.order.append(("power", key))
            self.powers.setdefault(key, []).append((k, levels))
        elif abs(k) == 1 and levels == 0:
            self.order.append(("other", len(self.others)))
            self.others.append((var, int(k)))
        else:  # a power of a value that is not known positive: keep it whole
            raise _Unchanged
