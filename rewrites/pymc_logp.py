"""Rules for patterns PyMC's logp graphs produce."""

import math

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Constant
from pytensor.tensor.elemwise import DimShuffle
from pytensor.tensor.shape import Reshape
from pytensor.tensor.subtensor import Subtensor

from rewritelab import rule
from rewritelab.rules import constant_value

#: The values an op takes over finite inputs, in exact arithmetic, as
#: ``(low, high, low reached, high reached)``: exp(x) is never 0 and
#: sigmoid(x) never 1 for finite x, although in floats exp(-800) underflows
#: to 0 and sigmoid(40) rounds to 1 (there the rewrite is the closer to the
#: exact value, which is what the checker asks). Only ops that never make
#: nan out of a finite input belong here (not sqrt or log).
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


#: comparison -> (the comparison with its sides swapped, is it strict,
#: does it ask for "above")
_COMPARISONS = {
    pt.gt: (pt.lt, True, True),
    pt.ge: (pt.le, False, True),
    pt.lt: (pt.gt, True, False),
    pt.le: (pt.ge, False, False),
}


#: Ops that give no nan for a non-nan input.
_NAN_FREE = (pt.neg, pt.exp, pt.sigmoid, pt.softplus, pt.tanh, pt.abs, pt.sqr)


def _never_nan(var, depth=3):
    """Whether ``var`` cannot be nan when the graph's inputs are finite: an
    input, a constant without nan, a nan-free op of one, a slice or reshape
    of one (PyMC's samplers pass one raveled vector), or one of those
    times / plus a finite nonzero constant (``-2 * s`` in ``exp(-2 * s)``)."""
    if isinstance(var, Constant):
        return not np.any(np.isnan(var.data))
    if var.owner is None:
        return True
    op, args = var.owner.op, var.owner.inputs
    if depth == 0:
        return False
    if isinstance(op, DimShuffle | Subtensor | Reshape) or op in _NAN_FREE:
        return _never_nan(args[0], depth - 1)  # moves elements, or nan-free
    if op in (pt.mul, pt.add) and len(args) == 2:
        consts = [constant_value(a) for a in args]
        for c, other in zip(consts, args[::-1], strict=True):
            if c is not None and math.isfinite(c) and (c != 0 or op == pt.add):
                return _never_nan(other, depth - 1)
    return False


def _range(value):
    """The range of ``value``'s op, when its input cannot be nan."""
    if value.owner is None or value.owner.op not in RANGES:
        return None
    return RANGES[value.owner.op] if _never_nan(value.owner.inputs[0]) else None


def _always(cmp, value, bound):
    """Whether ``cmp(value, bound)`` holds for every finite input of
    ``value``'s op, given that op's range."""
    rng = _range(value)
    c = constant_value(bound)
    if rng is None or c is None or math.isnan(c):
        return False
    lo, hi, lo_reached, hi_reached = rng
    _, strict, above = _COMPARISONS[cmp]
    if above:
        return lo > c or (lo == c and not (strict and lo_reached))
    return hi < c or (hi == c and not (strict and hi_reached))


def _true_like(a, b):
    """True with the broadcast shape of both inputs (not ones_like(output):
    that would compute the replacement from the node it replaces)."""
    return pt.second(a, pt.second(b, pt.ones_like(b, dtype="bool")))


@rule(
    [pt.gt, pt.ge, pt.lt, pt.le],
    tags=["pymc", "exact", "speed"],
    assume=FINITE,
    graphs=(
        "exp(x) > 0",
        "exp(x) >= -1",
        "sigmoid(x) <= 1",
        "0 < sigmoid(x)",
        "sqr(x) >= 0",
        "sqr(x) > 0",  # must not fire: sqr(0) == 0
        "cosh(x) >= 1",
    ),
)
def known_range_check(fgraph, node):
    """f(x) > c -> True (and >=, <, <=, either side) where f's range settles it.

    PyMC checks parameters its transforms already guarantee: ``sigma > 0``
    on ``sigma = exp(sigma_log__)``, Poisson's ``mu >= 0`` on ``mu =
    exp(eta)``, Bernoulli's ``0 <= p <= 1`` on ``p = sigmoid(eta)``. With
    every condition of a check true, PyTensor drops the ``Check`` node and
    its ``All`` reductions. Ranges (:data:`RANGES`) are those of exact
    arithmetic on finite inputs, and the rule only fires where the op's
    input cannot be nan (an input, or ``-2 * s`` of one): ``exp(nan) > 0``
    is False. ``exp(x) > 0`` holds for every finite x,
    although exp(-800) underflows to 0 in floats, where the check would
    fail and the logp be -inf; the rewritten logp then computes with
    sigma = 0, which is -inf or nan too (both refuse the point).
    Not in FAST_RUN.
    """
    a, b = node.inputs
    swapped = _COMPARISONS[node.op][0]
    if _always(node.op, a, b) or _always(swapped, b, a):
        return [_true_like(a, b)]
    return None


@rule(
    [pt.sign],
    tags=["pymc", "exact", "speed"],
    assume=FINITE,
    graphs=("sign(exp(x))", "sign(cosh(x)) * x", "sign(sqr(x))"),
)
def known_range_sign(fgraph, node):
    """sign(f(x)) -> 1 where f's range is above 0 (exp, softplus, sigmoid,
    cosh), -1 where it is below.

    PyMC's StudentT with ``lam = exp(-2 s)`` computes ``sigma = lam**-0.5``
    and its gradient multiplies by ``sign(lam)``. Not in FAST_RUN.
    """
    (a,) = node.inputs
    rng = _range(a)
    if rng is None:
        return None
    lo, hi, lo_reached, hi_reached = rng
    if lo > 0 or (lo == 0 and not lo_reached):
        return [pt.second(a, np.asarray(1, dtype=a.dtype))]
    if hi < 0 or (hi == 0 and not hi_reached):
        return [pt.second(a, np.asarray(-1, dtype=a.dtype))]
    return None
