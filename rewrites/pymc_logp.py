"""Rules for patterns PyMC's logp graphs produce."""

import numpy as np
import pytensor.tensor as pt

from rewritelab import FINITE, constant_value, rule, value_range

#: comparison -> the comparison with its sides swapped
_SWAPPED = {
    pt.gt: pt.lt,
    pt.ge: pt.le,
    pt.lt: pt.gt,
    pt.le: pt.ge,
    pt.eq: pt.eq,
    pt.neq: pt.neq,
}


def _always(cmp, value, bound):
    """Whether ``cmp(value, bound)`` (``bound`` a constant) holds for every
    finite input, given ``value``'s range: True, False, or None (unknown)."""
    c = constant_value(bound)
    rng = value_range(value)
    return None if rng is None or c is None else rng.compare(cmp, c)


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

    Ranges are those of exact arithmetic on finite inputs (``rewritelab.value_range``),
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
    rng = value_range(a)
    if rng is None:
        return None
    if rng.positive:
        return [pt.second(a, np.asarray(1, dtype=a.dtype))]
    if rng.negative:
        return [pt.second(a, np.asarray(-1, dtype=a.dtype))]
    return None
