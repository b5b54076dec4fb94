"""Rules for patterns PyMC's logp graphs produce."""

import math

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Constant
from pytensor.tensor.elemwise import DimShuffle
from pytensor.tensor.math import Dot
from pytensor.tensor.shape import Reshape
from pytensor.tensor.subtensor import Subtensor

from rewritelab import rule
from rewritelab.rules import constant_value

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


#: comparison -> the comparison with its sides swapped
_SWAPPED = {
    pt.gt: pt.lt,
    pt.ge: pt.le,
    pt.lt: pt.gt,
    pt.le: pt.ge,
    pt.eq: pt.eq,
    pt.neq: pt.neq,
}

#: Elementwise ops that are finite, in exact arithmetic, wherever their
#: inputs are: no division, log or sqrt.
_TOTAL = (
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

_UNBOUNDED = (-math.inf, math.inf, False, False)


def _moves_elements(op):
    """Ops whose output holds only elements of their first input."""
    return isinstance(op, DimShuffle | Subtensor | Reshape)


def _total(var, depth=8):
    """Whether ``var`` is finite in exact arithmetic (never nan) for every
    finite input: an input, a finite constant, or :data:`_TOTAL` ops, dot
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
    if _moves_elements(op):
        return _total(args[0], depth - 1)
    if op in _TOTAL or isinstance(op, Dot):
        return all(_total(a, depth - 1) for a in args)
    if op == pt.pow:
        base = _range(args[0], depth - 1)
        return base is not None and _positive(base) and _total(args[1], depth - 1)
    if op == pt.true_div:
        den = _range(args[1], depth - 1)
        return (
            den is not None
            and (_positive(den) or _negative(den))
            and _total(args[0], depth - 1)
        )
    return False


def _positive(rng):
    lo, _, lo_reached, _ = rng
    return lo > 0 or (lo == 0 and not lo_reached)


def _negative(rng):
    _, hi, _, hi_reached = rng
    return hi < 0 or (hi == 0 and not hi_reached)


def _range(value, depth=8):
    """``(low, high, low reached, high reached)`` of ``value`` over finite
    inputs in exact arithmetic, or None when it can be nan or is unknown:
    a constant, an op of :data:`RANGES`, the sign of a positive or negative
    value, a product, quotient or power of positive values, or any other
    finite value (unbounded); seen through slicing and broadcasting."""
    while value.owner is not None and _moves_elements(value.owner.op):
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
        return _UNBOUNDED if value.owner is None else None
    op, args = value.owner.op, value.owner.inputs
    if op in RANGES:
        return RANGES[op] if _total(args[0], depth - 1) else None
    if op == pt.sign:
        inner = _range(args[0], depth - 1)
        if inner is not None and _positive(inner):
            return (1.0, 1.0, True, True)
        if inner is not None and _negative(inner):
            return (-1.0, -1.0, True, True)
        return None
    if op in (pt.mul, pt.true_div, pt.pow):
        factors = args[:1] if op == pt.pow else args
        ranges = [_range(f, depth - 1) for f in factors]
        if all(r is not None and _positive(r) for r in ranges) and _total(value, depth):
            return (0.0, math.inf, False, False)
    return _UNBOUNDED if _total(value, depth) else None


def _always(cmp, value, bound):
    """Whether ``cmp(value, bound)`` (``bound`` a constant) holds for every
    finite input, given ``value``'s range: True, False, or None (unknown)."""
    c = constant_value(bound)
    rng = _range(value)
    if rng is None or c is None or math.isnan(c):
        return None
    lo, hi, lo_reached, hi_reached = rng
    above = lo > c or (lo == c and not lo_reached)  # value > c everywhere
    below = hi < c or (hi == c and not hi_reached)  # value < c everywhere
    if cmp == pt.gt:
        return True if above else None
    if cmp == pt.ge:
        return True if above or lo == c else None
    if cmp == pt.lt:
        return True if below else None
    if cmp == pt.le:
        return True if below or hi == c else None
    apart = above or below  # never equal to c
    if cmp == pt.eq:
        return False if apart else None
    return True if apart else None  # neq


def _filled(a, b, value):
    """``value`` (bool) with the broadcast shape of both inputs (not
    ones_like(output): that would compute the replacement from the node it
    replaces)."""
    return pt.second(a, pt.second(b, np.asarray(value, dtype="bool")))


@rule(
    list(_SWAPPED),
    tags=["pymc", "exact", "speed"],
    assume=FINITE,
    graphs=(
        "exp(x) > 0",
        "exp(x) >= -1",
        "sigmoid(x * y + 1) <= 1",
        "0 < sigmoid(x)",
        "sqr(x) >= 0",
        "sqr(x) > 0",  # must not fire: sqr(0) == 0
        "cosh(x) >= 1",
        "exp(x - y) == 0",
        "x * y + 1 > -inf",
        "exp(log(x)) > 0",  # must not fire: log(-1) is nan
    ),
)
def known_range_check(fgraph, node):
    """f(x) > c -> True, f(x) == c -> False (and >=, <, <=, !=, either side)
    where the range of f(x) settles it.

    PyMC checks parameters its transforms already guarantee: ``sigma > 0``
    on ``sigma = exp(sigma_log__)``, Poisson's ``mu >= 0`` on ``mu =
    exp(X @ beta)``, Bernoulli's ``0 <= p <= 1`` on ``p = sigmoid(eta)``;
    and Poisson's logp tests ``mu == 0`` and ``log(mu) == -inf`` per
    observation. With every condition of a check true, PyTensor drops the
    ``Check`` node and its ``All`` reductions.

    Ranges are those of exact arithmetic on finite inputs (:func:`_range`),
    and a comparison is only decided where its value is finite there (no
    division, log or sqrt on the way, which could make nan: ``exp(nan) > 0``
    is False). ``exp(x) > 0`` holds for every finite x although exp(-800)
    underflows to 0 in floats; there the check would fail and the logp be
    -inf, and the rewritten logp computes with sigma = 0, which is -inf or
    nan too: both refuse the point. Not in FAST_RUN.
    """
    a, b = node.inputs
    decided = _always(node.op, a, b)
    if decided is None:
        decided = _always(_SWAPPED[node.op], b, a)
    return None if decided is None else [_filled(a, b, decided)]


@rule(
    [pt.sign],
    tags=["pymc", "exact", "speed"],
    assume=FINITE,
    graphs=(
        "sign(exp(x))",
        "sign(sqr(x))",  # must not fire: sqr(0) == 0
        "sign(exp(-2 * x) ** -0.5 * sign(exp(-2 * x)))",  # StudentT, lam = exp(-2 s)
        "sign(exp(x) * y)",  # must not fire
    ),
)
def known_range_sign(fgraph, node):
    """sign(v) -> 1 where v's range is above 0 (exp, softplus, sigmoid,
    cosh, and products, quotients and powers of those), -1 where it is below.

    PyMC's StudentT with ``lam = exp(-2 s)`` computes ``sigma = lam**-0.5``
    and its gradient multiplies by ``sign(lam)``. Not in FAST_RUN.
    """
    (a,) = node.inputs
    rng = _range(a)
    if rng is None:
        return None
    if _positive(rng):
        return [pt.second(a, np.asarray(1, dtype=a.dtype))]
    if _negative(rng):
        return [pt.second(a, np.asarray(-1, dtype=a.dtype))]
    return None
