"""The values a graph variable takes over finite inputs, in exact arithmetic.

:func:`value_range` answers with a frozen :class:`Range` (or None where the
value can be nan or nothing is known): ``exp(x)`` is ``(0, inf)`` and
``sigmoid(x)`` is ``(0, 1)`` for finite ``x``, although in floats
``exp(-800)`` underflows to 0 and ``sigmoid(40)`` rounds to 1 (there a rule
that trusts the range is the closer to the exact value, which is what the
checker asks). The range rules (``rewrites/pymc_logp.py``) and the power
rules (``rewrites/powers.py``) build on it.
"""

import math
from dataclasses import dataclass

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Constant, Variable
from pytensor.tensor.elemwise import DimShuffle
from pytensor.tensor.math import Dot
from pytensor.tensor.shape import Reshape
from pytensor.tensor.subtensor import Subtensor

from rewritelab.see.graph import constant_value


@dataclass(frozen=True)
class Range:
    """An interval of real values: ``lo`` to ``hi``, each end included
    (``lo_reached``, ``hi_reached``) or not.

    >>> Range(0.0, math.inf, lo_reached=False)
    Range(0, inf)
    >>> Range(0.0, 1.0)
    Range[0, 1]
    >>> Range(0.0, 1.0).compare(pt.le, 1.0)
    True
    """

    lo: float = -math.inf
    hi: float = math.inf
    lo_reached: bool = True
    hi_reached: bool = True

    def __post_init__(self):
        if math.isnan(self.lo) or math.isnan(self.hi) or self.lo > self.hi:
            raise ValueError(f"Range needs lo <= hi, not {self.lo!r}, {self.hi!r}")
        # an infinite end is never reached by a finite value
        object.__setattr__(self, "lo_reached", self.lo_reached and self.lo > -math.inf)
        object.__setattr__(self, "hi_reached", self.hi_reached and self.hi < math.inf)

    @classmethod
    def point(cls, value: float) -> "Range":
        """The range of one value."""
        return cls(float(value), float(value))

    def above(self, c: float) -> bool:
        """Whether every value is greater than ``c``."""
        return self.lo > c or (self.lo == c and not self.lo_reached)

    def below(self, c: float) -> bool:
        """Whether every value is less than ``c``."""
        return self.hi < c or (self.hi == c and not self.hi_reached)

    @property
    def positive(self) -> bool:
        """Every value is greater than 0."""
        return self.above(0.0)

    @property
    def negative(self) -> bool:
        """Every value is less than 0."""
        return self.below(0.0)

    def compare(self, op, c: float) -> bool | None:
        """``op(v, c)`` for every ``v`` in the range, ``op`` one of
        ``pt.gt, ge, lt, le, eq, neq``: True or False where the range settles
        it, else None."""
        if math.isnan(c):
            return None
        if op == pt.gt:
            return True if self.above(c) else None
        if op == pt.ge:
            return True if self.above(c) or (self.lo == c and self.lo_reached) else None
        if op == pt.lt:
            return True if self.below(c) else None
        if op == pt.le:
            return True if self.below(c) or (self.hi == c and self.hi_reached) else None
        apart = self.above(c) or self.below(c)
        if op == pt.eq:
            return False if apart else None
        if op == pt.neq:
            return True if apart else None
        raise ValueError(f"Range.compare takes gt, ge, lt, le, eq or neq, not {op}")

    def __repr__(self):
        def end(x):
            return f"{x:g}"

        left = "[" if self.lo_reached else "("
        right = "]" if self.hi_reached else ")"
        return f"Range{left}{end(self.lo)}, {end(self.hi)}{right}"


#: Any finite value.
UNBOUNDED = Range()

_OPEN_POSITIVE = Range(0.0, math.inf, lo_reached=False)

#: The values an op takes over finite inputs, in exact arithmetic. Only ops
#: that are finite wherever their input is belong here (not sqrt or log).
RANGES = {
    pt.exp: _OPEN_POSITIVE,
    pt.exp2: _OPEN_POSITIVE,
    pt.softplus: _OPEN_POSITIVE,
    pt.sigmoid: Range(0.0, 1.0, lo_reached=False, hi_reached=False),
    pt.sqr: Range(0.0, math.inf),
    pt.abs: Range(0.0, math.inf),
    pt.cosh: Range(1.0, math.inf),
    pt.tanh: Range(-1.0, 1.0, lo_reached=False, hi_reached=False),
    pt.erf: Range(-1.0, 1.0, lo_reached=False, hi_reached=False),
    pt.erfc: Range(0.0, 2.0, lo_reached=False, hi_reached=False),
}

#: What the range rules assume of the op's input: finite, as a sampler's
#: unconstrained values are (the checker draws only such inputs).
FINITE = ("* > -inf", "* < inf")

#: Elementwise ops that are finite, in exact arithmetic, wherever their
#: inputs are: no division, log or sqrt.
TOTAL = (
    pt.add,
    pt.sub,
    pt.mul,
    pt.neg,
    pt.maximum,
    pt.minimum,
    pt.second,
    *RANGES,
    pt.sinh,
)


def moves_elements(op) -> bool:
    """Ops whose output holds only elements of their first input."""
    return isinstance(op, DimShuffle | Subtensor | Reshape)


def is_total(var: Variable, depth: int = 8) -> bool:
    """Whether ``var`` is finite in exact arithmetic (never nan) for every
    finite input: an input, a finite constant, or :data:`TOTAL` ops, dot
    products, slices and reshapes of such values, a positive value to a
    finite power, or a finite value over a positive or negative one.

    In floats such a value can still overflow (and inf - inf is nan); the
    rules then answer as exact arithmetic does, which the checker accepts as
    the closer to the exact value."""
    if isinstance(var, Constant):
        return bool(np.all(np.isfinite(var.data)))
    if var.owner is None:
        return True
    if depth == 0:
        return False
    op, args = var.owner.op, var.owner.inputs
    if moves_elements(op):
        return is_total(args[0], depth - 1)
    if op in TOTAL or isinstance(op, Dot):
        return all(is_total(a, depth - 1) for a in args)
    if op == pt.pow:
        base = value_range(args[0], depth - 1)
        return base is not None and base.positive and is_total(args[1], depth - 1)
    if op == pt.true_div:
        den = value_range(args[1], depth - 1)
        return (
            den is not None
            and (den.positive or den.negative)
            and is_total(args[0], depth - 1)
        )
    return False


def value_range(value: Variable, depth: int = 8) -> Range | None:
    """The :class:`Range` of ``value`` over finite inputs in exact
    arithmetic, or None when it can be nan or is unknown: a constant, an op
    of :data:`RANGES`, the sign of a positive or negative value, a product,
    quotient or power of positive values, or any other finite value
    (:data:`UNBOUNDED`); seen through slicing and broadcasting.

    >>> x = pt.dvector("x")
    >>> value_range(pt.exp(x) * pt.sigmoid(x))
    Range(0, inf)
    >>> value_range(pt.log(x)) is None  # log(-1) is nan
    True
    """
    if not isinstance(value, Variable):
        raise TypeError(
            f"value_range takes a PyTensor Variable, not {type(value).__name__}"
        )
    while value.owner is not None and moves_elements(value.owner.op):
        value = value.owner.inputs[0]
    if isinstance(value, Constant):
        data = np.asarray(value.data, dtype=float)
        if data.size == 0 or not np.all(np.isfinite(data)):
            return None
        return Range(float(data.min()), float(data.max()))
    c = constant_value(value)  # behind fill or cast
    if c is not None:
        return None if math.isnan(c) else Range.point(c)
    if value.owner is None or depth == 0:
        return UNBOUNDED if value.owner is None else None
    op, args = value.owner.op, value.owner.inputs
    if op in RANGES:
        return RANGES[op] if is_total(args[0], depth - 1) else None
    if op == pt.sign:
        inner = value_range(args[0], depth - 1)
        if inner is not None and inner.positive:
            return Range.point(1.0)
        if inner is not None and inner.negative:
            return Range.point(-1.0)
        return None
    if op in (pt.mul, pt.true_div, pt.pow):
        factors = args[:1] if op == pt.pow else args
        ranges = [value_range(f, depth - 1) for f in factors]
        if all(r is not None and r.positive for r in ranges) and is_total(value, depth):
            return _OPEN_POSITIVE
    return UNBOUNDED if is_total(value, depth) else None


def is_positive(value: Variable) -> bool:
    """Whether ``value`` is greater than 0 for every finite input."""
    rng = value_range(value)
    return rng is not None and rng.positive
