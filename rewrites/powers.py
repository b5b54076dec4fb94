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

import numpy as np
import pytensor.tensor as pt

from rewritelab import FINITE, is_positive, product_of, rule


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
    ``sigmoid``, and products and powers of those: ``rewritelab.value_range``)
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
    product = product_of(fgraph, out, whole=True)
    if product is None or not product.simpler():
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
    ``rewritelab.product_of`` finds them (through products, quotients and powers of
    positive values). Exact in real arithmetic for any b and c (a log of a
    negative or zero product is nan or -inf either way), and in floats no
    ``exp`` that overflows or underflows on the way. Not in FAST_RUN.
    """
    (arg,) = node.inputs
    if not arg.type.dtype.startswith("float"):
        return None
    product = product_of(fgraph, arg, whole=len(fgraph.clients.get(arg, ())) == 1)
    if product is None:
        return None
    exps, rest = product.split(lambda f: f.collected and _is_exp(f.value))
    if not exps:
        return None
    terms = [_times(float(f.exponent), f.value.owner.inputs[0]) for f in exps]
    if rest.factors:
        r = rest.build(arg, broadcast=False)
        if r.type.broadcastable != arg.type.broadcastable and not is_positive(r):
            # broadcast against an empty array, log(0) = -inf would still
            # send a nan into the gradient (0 * inf)
            return None
        terms.append(pt.log(r))
    new = rest.fit(pt.add(*terms) if len(terms) > 1 else terms[0], node.outputs[0])
    return None if new is None else [new]


def _is_exp(var):
    """An exp of a float: t * a of an integer a would wrap around (uint8 -y)."""
    return (
        var.owner is not None
        and var.owner.op == pt.exp
        and var.owner.inputs[0].type.dtype.startswith("float")
    )


def _times(t, a):
    return a if t == 1 else pt.mul(np.asarray(t, dtype=a.dtype), a)
