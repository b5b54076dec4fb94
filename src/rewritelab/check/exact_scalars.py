"""The exact meaning of each PyTensor scalar op, on mpmath numbers.

Point functions of mpf (and int / bool) arguments with IEEE's special
values (nan in, nan out; saturation beyond the float range; a domain edge
answered as IEEE does: log(0) is -inf, sqrt(-1) nan), named by the scalar
op's class (:data:`SCALAR_OPS`), and what the interval evaluation of
:mod:`rewritelab.check.exact` needs to know about each: where a value is
exact and must not be widened (:func:`exact_point`), the bounded ranges
enclosures are clipped to (:data:`RANGES`), and where a unary function
turns (:func:`turning_points`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import mpmath as mp

__all__ = [
    "EXACT_RESULTS",
    "INF",
    "MINF",
    "RANGES",
    "SCALAR_OPS",
    "SELECTIONS",
    "Undecided",
    "exact_point",
    "truth",
    "turning_points",
]

INF, MINF = mp.mpf("inf"), mp.mpf("-inf")


class Undecided(Exception):
    """This precision's intervals are too wide to settle a branch, a
    comparison or a domain edge: try a higher one."""


def _div(a: Any, b: Any) -> Any:
    if mp.isnan(a) or mp.isnan(b):
        return mp.nan
    if b == 0:
        return mp.nan if a == 0 else (INF if a > 0 else MINF)
    if mp.isinf(a) and mp.isinf(b):
        return mp.nan
    return a / b


def _mul(*xs: Any) -> Any:
    out = mp.mpf(1)
    for x in xs:
        if (x == 0 and mp.isinf(out)) or (mp.isinf(x) and out == 0):
            return mp.nan
        out = out * x
    return out


def _add(*xs: Any) -> Any:
    out = mp.mpf(0)
    for x in xs:
        if mp.isinf(x) and mp.isinf(out) and (x > 0) != (out > 0):
            return mp.nan
        out = out + x
    return out


def _log(a: Any) -> Any:
    if mp.isnan(a) or a < 0:
        return mp.nan
    return MINF if a == 0 else mp.log(a)


def _log1p(a: Any) -> Any:
    if mp.isinf(a):
        return _log(a)
    return mp.nan if a < -1 else (MINF if a == -1 else mp.log1p(a))


#: Arguments beyond 2**1100 (far past any float) saturate exp-like functions:
#: mpmath would otherwise try to build exp(exp(800)) digit by digit.
_BIG = mp.mpf(2) ** 1100
#: Beyond this, :func:`_exp` reduces the argument itself.
_HUGE = mp.mpf(2) ** 64


def _exp(a: Any) -> Any:
    """mp.exp(a), fast for huge |a| too: 2**n * exp(r) with r = a - n log 2.
    At 240 digits mpmath's own exp(1e300) takes 9 ms, this 0.09 ms."""
    if abs(a) <= _HUGE:
        return mp.exp(a)
    with mp.extraprec(int(mp.log(abs(a), 2)) + 20):
        n = int(mp.floor(a / mp.ln2))
        r = a - n * mp.ln2
    return mp.ldexp(mp.exp(r), n)


def _saturating(fn: Callable, high: Any, low: Any) -> Callable:
    """fn, but nan for nan, and ``high``/``low`` (values or functions of the
    argument) for arguments beyond ±_BIG."""

    def wrapped(a: Any) -> Any:
        if mp.isnan(a):
            return mp.nan
        if a > _BIG:
            return high(a) if callable(high) else high
        if a < -_BIG:
            return low(a) if callable(low) else low
        return _real(fn(a))

    return wrapped


def _real(v: Any) -> Any:
    """mpmath returns complex numbers outside a real domain: IEEE gives nan."""
    if isinstance(v, mp.mpc):
        return v.real if v.imag == 0 else mp.nan
    return v


def _erfc_scaled(a: Any) -> Any:
    """erfcx(a) = exp(a**2) erfc(a). mpmath's erfc overflows a float inside
    for a beyond ~1e154; there the asymptotic series 1/(a sqrt(pi)) * sum
    (-1)**n (2n-1)!! / (2 a**2)**n gains 300 digits a term, and its error is
    below the first term left out."""
    if a < 1e150:
        return mp.exp(a * a) * mp.erfc(a)
    total, term, n = mp.mpf(1), mp.mpf(1), 0
    while abs(term) > mp.mpf(2) ** -(mp.mp.prec + 30):
        n += 1
        term *= -(2 * n - 1) / (2 * a * a)
        total += term
    return total / (a * mp.sqrt(mp.pi))


def _erfc(a: Any) -> Any:
    return mp.erfc(a) if a < 1e150 else mp.exp(-a * a) * _erfc_scaled(a)


def _pow(a: Any, b: Any) -> Any:
    if mp.isnan(a) or mp.isnan(b):
        return mp.mpf(1) if b == 0 or a == 1 else mp.nan
    if b == 0:
        return mp.mpf(1)
    if a == 0:
        return INF if b < 0 else mp.mpf(0)
    if a < 0 and not mp.isint(b):
        return mp.nan
    if not (mp.isinf(a) or mp.isinf(b)):
        t = b * mp.log(abs(a))
        if t > _BIG:
            return MINF if a < 0 and mp.isint(b) and int(b % 2) == 1 else INF
        if t < -_BIG:
            return mp.mpf(0)
    return _real(mp.power(a, b))


def _nan_aware(fn: Callable) -> Callable:
    def wrapped(*xs: Any) -> Any:
        if any(isinstance(x, mp.mpf) and mp.isnan(x) for x in xs):
            return mp.nan
        return _real(fn(*xs))

    return wrapped


#: From here on gamma(a) is computed as exp(loggamma(a)): mpmath's gamma
#: turns an integer-valued a into an integer of a's size (gmp aborts the
#: process on an integer of 1e304 bits).
GAMMA_HUGE = 1000


def _gamma(a: Any) -> Any:
    if a <= 0 and mp.isint(a):
        return mp.nan
    if mp.isinf(a):
        return INF
    return mp.gamma(a) if a < GAMMA_HUGE else mp.exp(mp.loggamma(a))


def _gammaln(a: Any) -> Any:
    if a <= 0 and mp.isint(a):
        return INF
    if mp.isinf(a):
        return INF
    if a > 0:
        return mp.loggamma(a)  # Stirling for huge a, no integer conversion
    return mp.log(abs(mp.gamma(a)))


def _xlogy(a: Any, b: Any) -> Any:
    if mp.isnan(a) or mp.isnan(b):
        return mp.nan
    if a == 0:
        return mp.mpf(0)
    return _mul(a, _log(b))


def _floor_div(a: Any, b: Any) -> Any:
    q = _div(a, b)
    return q if mp.isnan(q) or mp.isinf(q) else mp.floor(q)


def _mod(a: Any, b: Any) -> Any:  # Python's and numpy's sign of the divisor
    if mp.isnan(a) or mp.isnan(b) or mp.isinf(a) or b == 0:
        return mp.nan
    if mp.isinf(b):
        return a if (a >= 0) == (b > 0) or a == 0 else b
    return a - b * mp.floor(a / b)


def _ieee(fn: Callable) -> Callable:
    return lambda a, b: mp.nan if mp.isnan(a) or mp.isnan(b) else fn(a, b)


def truth(x: Any) -> bool:
    return bool(x != 0) if not isinstance(x, mp.mpf) or not mp.isnan(x) else True


def _compare(fn: Callable) -> Callable:
    return lambda a, b: False if mp.isnan(a) or mp.isnan(b) else bool(fn(a, b))


#: Scalar op class name -> exact function of mpf (and bool/int) arguments.
SCALAR_OPS: dict[str, Callable[..., Any]] = {
    "Add": _add,
    "Sub": lambda a, b: _add(a, -b),
    "Mul": _mul,
    "TrueDiv": _div,
    "IntDiv": _floor_div,
    "Mod": _mod,
    "Reciprocal": lambda a: _div(mp.mpf(1), a),
    "Neg": lambda a: -a,
    "Abs": lambda a: abs(a),
    "Sqr": lambda a: _mul(a, a),
    "Sqrt": lambda a: mp.nan if mp.isnan(a) or a < 0 else mp.sqrt(a),
    "Pow": _pow,
    "Exp": _saturating(_exp, INF, mp.mpf(0)),
    "Exp2": _saturating(lambda a: mp.power(2, a), INF, mp.mpf(0)),
    "Expm1": _saturating(mp.expm1, INF, mp.mpf(-1)),
    "Log": _log,
    "Log2": lambda a: _div(_log(a), mp.log(2)),
    "Log10": lambda a: _div(_log(a), mp.log(10)),
    "Log1p": _log1p,
    "Log1mexp": lambda a: mp.nan if mp.isnan(a) else _log(-mp.expm1(a)),
    "Sigmoid": _saturating(lambda a: 1 / (1 + _exp(-a)), mp.mpf(1), mp.mpf(0)),
    "Softplus": _saturating(
        lambda a: mp.log1p(_exp(a)) if a < 700 else a + mp.log1p(_exp(-a)),
        lambda a: a,
        mp.mpf(0),
    ),
    "Tanh": _saturating(mp.tanh, mp.mpf(1), mp.mpf(-1)),
    "Sinh": _saturating(mp.sinh, INF, MINF),
    "Cosh": _saturating(mp.cosh, INF, INF),
    "ArcSinh": _saturating(mp.asinh, lambda a: mp.asinh(a), lambda a: mp.asinh(a)),
    "ArcTan": _nan_aware(mp.atan),
    "ArcSin": _nan_aware(lambda a: mp.asin(a) if abs(a) <= 1 else mp.nan),
    "ArcCos": _nan_aware(lambda a: mp.acos(a) if abs(a) <= 1 else mp.nan),
    "ArcCosh": _nan_aware(lambda a: mp.acosh(a) if a >= 1 else mp.nan),
    "ArcTanh": _nan_aware(
        lambda a: (
            mp.nan if abs(a) > 1 else (mp.sign(a) * INF if abs(a) == 1 else mp.atanh(a))
        )
    ),
    "Tan": _nan_aware(lambda a: mp.nan if mp.isinf(a) else mp.tan(a)),
    "Erfcx": _saturating(_erfc_scaled, lambda a: 1 / (a * mp.sqrt(mp.pi)), INF),
    "Erfinv": _nan_aware(
        lambda a: (
            mp.nan
            if abs(a) > 1
            else (mp.sign(a) * INF if abs(a) == 1 else mp.erfinv(a))
        )
    ),
    "I0": _saturating(lambda a: mp.besseli(0, a), INF, INF),
    "I1": _saturating(lambda a: mp.besseli(1, a), INF, MINF),
    "Ive": _nan_aware(lambda v, a: mp.besseli(v, a) * mp.exp(-abs(a))),
    "Kve": _nan_aware(
        lambda v, a: (
            mp.besselk(v, a) * mp.exp(a) if a > 0 else (INF if a == 0 else mp.nan)
        )
    ),
    "MulWithoutZeros": lambda a, b: a if b == 0 else (b if a == 0 else _mul(a, b)),
    "Sin": _nan_aware(lambda a: mp.nan if mp.isinf(a) else mp.sin(a)),
    "Cos": _nan_aware(lambda a: mp.nan if mp.isinf(a) else mp.cos(a)),
    "Erf": _saturating(mp.erf, mp.mpf(1), mp.mpf(-1)),
    "Erfc": _saturating(_erfc, mp.mpf(0), mp.mpf(2)),
    "Gamma": _saturating(_gamma, INF, mp.nan),
    "GammaLn": _nan_aware(_gammaln),
    "Psi": _nan_aware(lambda a: mp.nan if a <= 0 and mp.isint(a) else mp.digamma(a)),
    "TriGamma": _nan_aware(
        lambda a: mp.nan if a <= 0 and mp.isint(a) else mp.psi(1, a)
    ),
    "XLogY": _xlogy,
    "XLogX": lambda a: _xlogy(a, a),
    "Maximum": _ieee(max),
    "Minimum": _ieee(min),
    "Sign": _nan_aware(lambda a: mp.mpf(mp.sign(a))),
    "Floor": _nan_aware(lambda a: a if mp.isinf(a) else mp.floor(a)),
    "Ceil": _nan_aware(lambda a: a if mp.isinf(a) else mp.ceil(a)),
    "Trunc": _nan_aware(lambda a: a if mp.isinf(a) else mp.mpf(int(a))),
    "Switch": lambda c, a, b: a if truth(c) else b,
    "Clip": lambda a, lo, hi: mp.nan if mp.isnan(a) else min(max(a, lo), hi),
    "Second": lambda a, b: b,
    "Identity": lambda a: a,
    "GT": _compare(lambda a, b: a > b),
    "GE": _compare(lambda a, b: a >= b),
    "LT": _compare(lambda a, b: a < b),
    "LE": _compare(lambda a, b: a <= b),
    "EQ": _compare(lambda a, b: a == b),
    "NEQ": lambda a, b: True if mp.isnan(a) or mp.isnan(b) else bool(a != b),
    "IsNan": lambda a: isinstance(a, mp.mpf) and mp.isnan(a),
    "IsInf": lambda a: isinstance(a, mp.mpf) and mp.isinf(a),
}

#: Results that are whole numbers, booleans or one of the arguments: exact,
#: never widened.
EXACT_RESULTS = frozenset(
    {"Sign", "Floor", "Ceil", "Trunc", "IntDiv", "Switch", "Second", "Identity"}
    | {"Maximum", "Minimum", "Clip", "Neg", "Abs"}
)

#: f(0) for functions whose value at 0 is exact.
_AT_ZERO = {
    "Exp": 1, "Exp2": 1, "Expm1": 0, "Log1p": 0, "Sqrt": 0, "Sin": 0, "Cos": 1,
    "Tanh": 0, "Sinh": 0, "Cosh": 1, "Erf": 0, "Erfc": 1, "Sigmoid": 0.5,
    "ArcSinh": 0, "ArcTan": 0, "ArcTanh": 0, "ArcSin": 0, "Erfinv": 0,
}  # fmt: skip


def exact_point(name: str, pts: Sequence[Any], r: Any) -> bool:
    """Whether mpmath's value ``r`` of ``name`` at the points ``pts`` is
    exact (exp(0) = 1, log(1) = 0, sqrt(4) = 2, 2 ** 3 = 8), so that it is
    not widened: otherwise exp(0) - 1 could never be told from 0."""
    a = pts[0] if pts else None
    if not isinstance(a, mp.mpf | int) or mp.isnan(r) or mp.isinf(r):
        return False
    if a == 0 and name in _AT_ZERO:
        return r == _AT_ZERO[name]
    if name == "Log":
        return a == 1
    if name in ("Log2", "Log10"):
        return mp.isint(r) and mp.power(2 if name == "Log2" else 10, r) == a
    if name == "Sqrt":
        return r * r == a
    if name == "Exp2":
        return mp.isint(a)
    if name == "Pow":  # a ** n of a float is exact at n times its bits
        b = pts[1]
        if not (mp.isint(b) and abs(b) <= 64):
            return False
        n = abs(int(b))
        with mp.workprec((n + 1) * mp.mp.prec + 64):
            whole = mp.power(a, n)
            return r == whole if b >= 0 else r * whole == 1
    if name in ("Gamma", "GammaLn"):
        return mp.isint(a) and 0 < a <= 20
    return False


#: Ops whose result is one of their arguments.
SELECTIONS = frozenset({"Switch", "Second", "Identity", "Maximum", "Minimum", "Clip"})

#: Ranges of bounded functions: their enclosures are clipped to them.
RANGES = {
    "Sigmoid": (0, 1),
    "Tanh": (-1, 1),
    "Erf": (-1, 1),
    "Erfc": (0, 2),
    "Sin": (-1, 1),
    "Cos": (-1, 1),
    "Exp": (0, INF),
    "Exp2": (0, INF),
    "Expm1": (-1, INF),
    "Softplus": (0, INF),
    "Sqrt": (0, INF),
    "Cosh": (1, INF),
    "Log1mexp": (MINF, 0),
    "ArcSin": (-mp.pi / 2, mp.pi / 2),
    "ArcCos": (0, mp.pi),
    "ArcTan": (-mp.pi / 2, mp.pi / 2),
    "ArcCosh": (0, INF),
    "I0": (1, INF),
}

_GAMMA_MIN = mp.mpf("1.4616321449683623412626595423257213284681962040064463512959884")


def turning_points(name: str, lo: Any, hi: Any) -> list[Any]:
    """Points inside (lo, hi) where a unary function stops being monotone;
    :class:`Undecided` where a pole lies inside."""
    if name in ("Cosh", "Abs", "Sqr", "I0"):
        return [mp.mpf(0)] if lo < 0 < hi else []
    if name == "Tan":
        k = mp.ceil((lo - mp.pi / 2) / mp.pi)
        if mp.pi / 2 + k * mp.pi < hi:
            raise Undecided("tan has a pole inside the interval")
        return []
    if name == "XLogX":
        return [1 / mp.e] if lo < 1 / mp.e < hi else []
    if name in ("Gamma", "GammaLn", "Psi", "TriGamma"):
        if lo <= 0:
            raise Undecided(f"{name} has poles at 0, -1, -2, ...")
        turn = name in ("Gamma", "GammaLn") and lo < _GAMMA_MIN < hi
        return [_GAMMA_MIN] if turn else []
    if name in ("Sin", "Cos"):
        if hi - lo > 2 * mp.pi:
            return [mp.pi / 2, -mp.pi / 2]  # the whole range [-1, 1]
        shift = mp.pi / 2 if name == "Sin" else 0
        k = mp.ceil((lo - shift) / mp.pi)
        points = []
        while shift + k * mp.pi < hi:
            points.append(shift + k * mp.pi)
            k += 1
        return points
    if name == "Reciprocal" and lo < 0 < hi:
        raise Undecided("1/x across 0")
    return []
