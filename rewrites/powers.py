"""Powers of one positive value, collected into one power.

PyMC's StudentT with ``lam = exp(-2 s)`` (stochastic volatility) computes
``sigma = lam ** -0.5``, and its gradient multiplies ``sigma ** -3``,
``sigma ** -2``, ``lam ** -1.5`` and ``lam`` together: per observation a
general ``pow``, which costs about three ``exp``. Over a positive base every
such product is one power of the base, and a power by a multiple of 1/2 is a
square root and a few multiplications. The log of such a product is a sum:
``log(lam / (pi nu))`` per observation becomes ``-2 s`` plus a log of
scalars.
"""

import math
from fractions import Fraction

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import equal_computations

from rewritelab import FINITE, constant_value, is_positive, rule

#: Unary ops that are a fixed power of their input.
_UNARY_POWERS = {
    pt.sqrt: Fraction(1, 2),
    pt.sqr: Fraction(2),
    pt.reciprocal: Fraction(-1),
}

#: Largest |exponent| written as square root and multiplications; PyTensor
#: turns an integer power into repeated squaring.
_MAX_SPECIALISED = 8


def _exponent(node):
    """The constant exponent of ``node`` if it raises its first input to one
    (``pow`` by a constant, ``sqrt``, ``sqr``, ``reciprocal``), else None."""
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


def _levels(t):
    """How many power ops :func:`_power` writes for exponent ``t``."""
    if t in (0, 1):
        return 0
    return 2 if _via_sqrt(t) else 1


def _via_sqrt(t):
    """Whether :func:`_power` writes ``b ** t`` as an integer power of
    ``sqrt(b)``: a half-integer other than ±1/2 (PyTensor specialises those)."""
    return (
        t.denominator == 2 and abs(t) != Fraction(1, 2) and abs(t) <= _MAX_SPECIALISED
    )


def _power(base, t):
    """``base ** t``: a half-integer power as an integer power of
    ``sqrt(base)``, which PyTensor turns into multiplications."""
    if t == 1:
        return base
    if _via_sqrt(t):
        return pt.pow(pt.sqrt(base), np.asarray(int(2 * t), dtype=base.dtype))
    return pt.pow(base, np.asarray(float(t), dtype=base.dtype))


class _Product:
    """A product split into powers of positive bases and other factors."""

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
        """Add ``var ** k`` to the product."""
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

    def simpler(self):
        """Whether rebuilding takes fewer ops: the power ops on the way to
        each base and the products joining them, against the power ops of
        one power per base (``x * x`` is no simpler as ``x ** 2``)."""
        before = after = 0
        for entries in self.powers.values():
            before += sum(levels for _, levels in entries) + len(entries) - 1
            after += _levels(sum(k for k, _ in entries))
        return after < before

    def build(self, out, broadcast=True):
        """The product, of ``out``'s type (with ``broadcast``, also its
        broadcast pattern), or None."""
        num, den = [], []
        for kind, item in self.order:  # the factors in their written order
            if kind == "other":
                var, sign = self.others[item]
                (num if sign > 0 else den).append(var)
                continue
            if item not in self.powers:
                continue  # taken out by the caller
            t = sum(k for k, _ in self.powers[item])
            if Fraction(float(t)) != t:
                return None  # the exponent is not a float
            if t == 0:
                self.shapes.append(item)
            else:
                num.append(_power(item, t))
        new = pt.mul(*num) if len(num) > 1 else num[0] if num else None
        if den:
            d = pt.mul(*den) if len(den) > 1 else den[0]
            new = pt.reciprocal(d) if new is None else new / d
        if new is None:
            new = pt.second(self.shapes[0], np.asarray(1, dtype=out.dtype))
        if new.type.dtype != out.type.dtype:
            new = pt.cast(new, out.type.dtype)
        return self.shaped(new, out) if broadcast else new

    def shaped(self, new, out):
        """``new`` broadcast like ``out`` by the values whose shape the
        product keeps, or None."""
        for s in self.shapes:
            if new.type.broadcastable == out.type.broadcastable:
                break
            new = pt.second(s, new)
        return new if out.type.is_super(new.type) else None


class _Unchanged(Exception):
    pass


@rule(
    [pt.mul, pt.true_div, pt.pow],
    tags=["algebra", "exact", "speed"],
    assume=FINITE,
    graphs=(
        "exp(x) ** -1.5 * exp(x) * y",  # StudentT gradient, lam = exp(-2 s)
        "0.5 * (exp(x) ** -0.5) ** -3 / (exp(x) ** -0.5) ** -2",
        "sqrt(softplus(x)) * softplus(x) / softplus(x) ** 2",
        "sigmoid(x) ** 0.25 * sigmoid(x) ** 0.25",
        "exp(x) ** 0.5 / exp(x) ** 0.5",
        "x ** 2 * x ** -1",  # must not fire: x can be 0 or negative
        "sqr(x) ** 0.5",  # must not fire: that is |x|
    ),
)
def positive_powers(fgraph, node):
    """b**p * b**q -> b**(p+q), (b**p)**q -> b**(p*q) for a positive b.

    The factors of a product or quotient (``pow`` by a constant, ``sqrt``,
    ``sqr``, ``reciprocal``, and the base itself) are grouped by base, and
    every base that is positive over finite inputs (``exp``, ``softplus``,
    ``sigmoid``, and products and powers of those: ``_ranges.value_range``)
    gets one power. A half-integer power becomes an integer power of
    ``sqrt(b)``. Fires only where that takes fewer ops, at a product,
    quotient or ``pow`` (PyTensor's canonical graph writes ``x ** -0.5``,
    not ``1 / sqrt(x)``, until it specialises after the rules).

    Exact in real arithmetic for b > 0, and at least as close in floats:
    each power op rounds, and the collected form has fewer of them. Where
    ``b ** p`` overflows or underflows on the way (``exp(-800) ** -1.5``),
    the original is inf or nan and the rewrite finite. Not in FAST_RUN.
    """
    out = node.outputs[0]
    if not out.type.dtype.startswith("float"):
        return None
    product = _Product(fgraph)
    try:
        product.add(out, top=True)
    except _Unchanged:
        return None
    if not product.simpler():
        return None
    new = product.build(out)
    return None if new is None else [new]


@rule(
    [pt.log],
    tags=["algebra", "exact", "speed"],
    assume=FINITE,
    graphs=(
        "log(0.3 * exp(x * -2) / y)",  # StudentT's log(lam / (pi nu))
        "log(exp(x) ** -0.5 * y)",
        "log(exp(x) / exp(y))",
        "log(x * y)",  # must not fire: no exp
    ),
)
def log_of_exp_product(fgraph, node):
    """log(exp(a)**t * b / c) -> t*a + log(b / c).

    PyMC's StudentT with ``lam = exp(-2 s)`` takes ``log(lam / (pi nu))``
    per observation: the rewrite leaves ``-2 s`` per observation and
    ``log(1 / (pi nu))`` on the scalars. The factors are found as
    ``positive_powers`` finds them (through products, quotients and powers of
    positive values). Exact in real arithmetic for any b and c (a log of a
    negative or zero product is nan or -inf either way), and in floats no
    ``exp`` that overflows or underflows on the way. Not in FAST_RUN.
    """
    (arg,) = node.inputs
    if not arg.type.dtype.startswith("float"):
        return None
    product = _Product(fgraph)
    try:
        product.add(arg, top=len(fgraph.clients.get(arg, ())) == 1)
    except _Unchanged:
        return None
    exps = [b for b in product.powers if b.owner is not None and b.owner.op == pt.exp]
    if not exps:
        return None
    terms = []
    for base in exps:
        t = sum(k for k, _ in product.powers.pop(base))
        if Fraction(float(t)) != t:
            return None
        a = base.owner.inputs[0]
        terms.append(a if t == 1 else pt.mul(np.asarray(float(t), dtype=a.dtype), a))
        product.shapes.append(base)
    if product.powers or product.others:
        rest = product.build(arg, broadcast=False)
        if rest.type.broadcastable != arg.type.broadcastable and not is_positive(rest):
            # broadcast against an empty array, log(0) = -inf would still
            # send a nan into the gradient (0 * inf)
            return None
        terms.append(pt.log(rest))
    new = pt.add(*terms) if len(terms) > 1 else terms[0]
    out = node.outputs[0]
    if new.type.dtype != out.type.dtype:
        new = pt.cast(new, out.type.dtype)
    new = product.shaped(new, out)
    return None if new is None else [new]
