"""Ranges of values in exact arithmetic over finite inputs, for rules.

Not a rule file (its name starts with ``_``): the range rules
(``pymc_logp.py``) and the power rules (``powers.py``) share it.
"""

import math

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Constant
from pytensor.tensor.elemwise import DimShuffle
from pytensor.tensor.math import Dot
from pytensor.tensor.shape import Reshape
from pytensor.tensor.subtensor import Subtensor

from rewritelab.see.graph import constant_value

#: The values an op takes over finite inputs, in exact arithmetic, as
#: ``(low, high, low reached, high reached)``: exp(x) is never 0 and
#: sigmoid(x) never 1 for finite x, although in floats exp(-800) underflows
#: to 0 and sigmoid(40) rounds to 1 (there the rewrite is the closer to the
#: exact value, which is what the checker asks). Only ops that are finite
#: wherever their input is belong here (not sqrt or log).
RANGES = {
    pt.exp: (0.0, math.inf, False, False),
    pt.exp2: (0.0, math.inf, False, False),
    pt.softplus: (0.0, math.inf, False, False),
    pt.sigmoid: (0.0, 1.0, False, False),
    pt.sqr: (0.0, math.inf, True, False),
    pt.abs: (0.0, math.inf, True, False),
    pt.cosh: (1.0, math.inf, True, False),
    pt.tanh: (-1.0, 1.0, False, False),
    pt.erf: (-1.0, 1.0, False, False),
    pt.erfc: (0.0, 2.0, False, False),
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

UNBOUNDED = (-math.inf, math.inf, False, False)


def moves_elements(op):
    """Ops whose output holds only elements of their first input."""
    return isinstance(op, DimShuffle | Subtensor | Reshape)


def is_total(var, depth=8):
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
        return base is not None and positive(base) and is_total(args[1], depth - 1)
    if op == pt.true_div:
        den = value_range(args[1], depth - 1)
        return (
            den is not None
            and (positive(den) or negative(den))
            and is_total(args[0], depth - 1)
        )
    return False


def positive(rng):
    lo, _, lo_reached, _ = rng
    return lo > 0 or (lo == 0 and not lo_reached)


def negative(rng):
    _, hi, _, hi_reached = rng
    return hi < 0 or (hi == 0 and not hi_reached)


def value_range(value, depth=8):
    """``(low, high, low reached, high reached)`` of ``value`` over finite
    inputs in exact arithmetic, or None when it can be nan or is unknown:
    a constant, an op of :data:`RANGES`, the sign of a positive or negative
    value, a product, quotient or power of positive values, or any other
    finite value (unbounded); seen through slicing and broadcasting."""
    while value.owner is not None and moves_elements(value.owner.op):
        value = value.owner.inputs[0]
    if isinstance(value, Constant):
        data = np.asarray(value.data, dtype=float)
        if data.size == 0 or not np.all(np.isfinite(data)):
            return None
        return (float(data.min()), float(data.max()), True, True)
    c = constant_value(value)  # behind fill or cast
    if c is not None:
        return None if math.isnan(c) else (c, c, True, True)
    if value.owner is None or depth == 0:
        return UNBOUNDED if value.owner is None else None
    op, args = value.owner.op, value.owner.inputs
    if op in RANGES:
        return RANGES[op] if is_total(args[0], depth - 1) else None
    if op == pt.sign:
        inner = value_range(args[0], depth - 1)
        if inner is not None and positive(inner):
            return (1.0, 1.0, True, True)
        if inner is not None and negative(inner):
            return (-1.0, -1.0, True, True)
        return None
    if op in (pt.mul, pt.true_div, pt.pow):
        factors = args[:1] if op == pt.pow else args
        ranges = [value_range(f, depth - 1) for f in factors]
        if all(r is not None and positive(r) for r in ranges) and is_total(
            value, depth
        ):
            return (0.0, math.inf, False, False)
    return UNBOUNDED if is_total(value, depth) else None
