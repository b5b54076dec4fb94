"""Evaluate a PyTensor graph exactly: enclose every float, tighten until it rounds to one value.

The checker uses this as the reference when a rewritten graph and its
original disagree: the original *expression* evaluated over the reals and
rounded once to the output dtype. Each float value is carried as an
interval (mpmath's ``iv`` context) that is guaranteed to hold the real
value; the evaluation is repeated at rising precision until every output's
interval rounds to a single value of its dtype. Two precisions that agree
on a wrong value (``1 - sigmoid(201)`` is 0 at 60 and at 120 digits) are
never taken for the truth: at those precisions the interval still reaches
from -inf to -99, so the precision rises until it says -201.

How each step is enclosed:
- ``+ - * /``, ``neg``, ``sqr``, ``abs``, ``max``, ``min``: mpmath's interval
  arithmetic (outward rounding).
- every other scalar function: evaluated with mpmath at the interval's
  corners (and at the points where the function turns, such as 0 for
  ``cosh``), each value widened by 8 units of the working precision (a bound
  on mpmath's own error), and their hull taken. A function with a pole inside
  the interval, a comparison or branch the interval cannot settle, or a
  domain edge inside it (``log`` of ``[-1e-50, 1e-50]``) leaves the value
  undecided at that precision: the next precision is tried.
- IEEE's special values are kept: nan and ±inf as in the original's dtype,
  and the sign of an exact zero as IEEE gives it from its inputs' signs (so
  ``1/(x*0)`` is -inf at x = -1, as the original computes).
- integer and boolean elementwise ops run in numpy: wrap-around, integer
  division and modulo of negatives are the dtype's own semantics.
- reductions, ``dot`` and ops that only move elements (DimShuffle, Reshape,
  Subtensor, Join, Alloc, ...) run their own ``perform`` on object arrays of
  intervals.
An op with no exact meaning raises :class:`NoExactValue`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath as mp
import numpy as np
from mpmath import iv
from pytensor.compile.builders import OpFromGraph
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.graph.basic import Constant, Variable
from pytensor.graph.traversal import ancestors, io_toposort
from pytensor.scalar.basic import Composite
from pytensor.tensor.basic import Join
from pytensor.tensor.elemwise import CAReduce, Elemwise
from pytensor.tensor.linalg.inverse import MatrixInverse

from rewritelab.check.exact_scalars import (
    EXACT_RESULTS,
    INF,
    MINF,
    RANGES,
    SCALAR_OPS,
    SELECTIONS,
    Undecided,
    exact_point,
    truth,
    turning_points,
)

__all__ = [
    "DEFAULT_DPS",
    "MAX_DOUBLINGS",
    "ExactValue",
    "NoExactValue",
    "SCALAR_OPS",
    "Undefined",
    "Unsettled",
    "exact_eval",
    "exact_value",
]

#: Working precision of the first attempt: this many decimal digits beyond
#: the widest range of magnitudes among the inputs and constants
#: (exp(5e-324) - 1 cancels 324 digits, so the digits needed grow with the
#: smallest input).
DEFAULT_DPS = 40

#: The precision doubles at most this many times before giving up.
MAX_DOUBLINGS = 8

#: From this many doublings on (four times the first precision: an
#: enclosure narrower than 1e-160 of its value), one around a tie settles.
TIE_DOUBLINGS = 2

#: Each scalar function's mpmath value is widened by this many units in the
#: last place of the working precision.
WIDEN_ULPS = 8


class NoExactValue(Exception):
    """The graph holds an op without an exact (mpmath) meaning, or no
    precision tried settled its value (:class:`Unsettled`)."""


class Undefined(NoExactValue):
    """The exact value does not exist and IEEE says nothing of what a float
    result should be there: the inverse of a singular matrix (LAPACK gives
    nan in one order of elimination and inf in another)."""


class Unsettled(NoExactValue):
    """The exact value exists, but no precision tried settled it:
    ``log1p(expm1(-26499.0))`` cancels 11,509 digits, ``arctanh(tanh(1e16))``
    about 1e16."""


@dataclass(frozen=True)
class ExactValue:
    """The outputs' exact values, each rounded once to its dtype, the
    decimal digits of working precision it took to settle them, and where
    the sign of a zero or infinity is free."""

    values: tuple[np.ndarray, ...]
    digits: int
    #: per output, where the value is a zero or infinity of either sign (the
    #: original leaves the sign open: it came from cancellation)
    sign_free: tuple[np.ndarray, ...] = ()

    def __repr__(self) -> str:
        shapes = ", ".join(f"{v.dtype}{list(v.shape)}" for v in self.values)
        return f"ExactValue({shapes}; settled at {self.digits} digits)"


# -- element values ------------------------------------------------------------
# A float element is an ``iv.mpf`` interval; nan is the interval [nan, nan].
# The sign of an exact zero is tracked where the original fixes it: inputs
# and constants are signed zeros (_POS_ZERO, _NEG_ZERO: identity marks the
# sign, and ops that only move elements keep identities), and IEEE passes
# the sign on (-x, x * 0, sqrt(-0.0)); a zero made from non-zero values
# (x - x, log(1)) has no sign the original fixes (_ZERO), nor has an
# infinity got by dividing by one (_FREE_INF): either sign is right there.
# Integers and booleans are Python / numpy scalars.

_IVMPF = type(iv.mpf(0))
_NAN = iv.mpf("nan")
_NEG_ZERO = iv.mpf(0)  # -0.0, a sign the original fixes
_POS_ZERO = iv.mpf(0)  # +0.0, a sign the original fixes
_ZERO = iv.mpf(0)  # 0 of either sign: made by cancellation (x - x, log(1))
_FREE_INF = iv.mpf("inf")  # an infinity whose sign rests on such a zero


def _is_iv(x: Any) -> bool:
    return isinstance(x, _IVMPF)


def _ends(x: Any) -> tuple[Any, Any]:
    return mp.mpf(x.a), mp.mpf(x.b)


def _isnan(x: Any) -> bool:
    return _is_iv(x) and mp.isnan(mp.mpf(x.a))


def _is_point(x: Any) -> bool:
    if not _is_iv(x):
        return True
    lo, hi = _ends(x)
    return lo == hi or mp.isnan(lo)


def _point(x: Any) -> Any:
    """An element as an mpf (floats) or as itself (ints, bools)."""
    if not _is_iv(x):
        return x
    return mp.mpf(x.a)


def _as_float(x: Any) -> Any:
    """An element as a float64 for IEEE's own evaluation (midpoint)."""
    if x is _NEG_ZERO:
        return np.float64(-0.0)
    if _is_iv(x):
        lo, hi = _ends(x)
        return np.float64(float(lo if lo == hi or mp.isnan(lo) else (lo + hi) / 2))
    return x


def _interval(lo: Any, hi: Any) -> Any:
    return iv.mpf([lo, hi])


def _widened(r: Any) -> Any:
    """An interval holding the true value of a function mpmath computed as
    ``r`` at the working precision; exact for nan and ±inf. A 0 is widened
    by the working precision's resolution (a cancellation inside mpmath's
    own evaluation may leave it); a known exact 0 is never widened
    (:func:`exact_point`)."""
    if not isinstance(r, mp.mpf):
        return r
    if mp.isnan(r):
        return _NAN
    if mp.isinf(r):
        return _exact_iv(r)
    if r == 0:  # log(1 - 1e-400) is 0 at 40 digits: below the resolution
        e = mp.ldexp(1, WIDEN_ULPS.bit_length() - mp.mp.prec)
        return _interval(-e, e)
    e = abs(r) * mp.ldexp(1, WIDEN_ULPS.bit_length() - mp.mp.prec)
    return _interval(r - e, r + e)


def _exact_iv(r: Any) -> Any:
    """An mpf known to be exact as a degenerate interval (nan as [nan, nan])."""
    return _NAN if mp.isnan(r) else iv.mpf(r)


def _hull(values: Sequence[Any]) -> Any:
    nan = [_isnan(v) for v in values]
    if all(nan):
        return _NAN
    if any(nan):
        raise Undecided("nan at part of the interval")
    if not all(_is_iv(v) for v in values):
        if all(v == values[0] for v in values):
            return values[0]
        raise Undecided("a discrete value that the interval does not settle")
    los, his = zip(*(_ends(v) for v in values), strict=True)
    return _interval(min(los), max(his))


# -- applying a scalar op to elements --------------------------------------------


def _iv_arith(name: str) -> Callable[..., Any] | None:
    """Interval arithmetic for ops mpmath's iv context rounds exactly."""
    if name == "Add":
        return lambda *xs: sum(xs[1:], xs[0])
    if name == "Sub":
        return lambda a, b: a - b
    if name == "Mul":
        return lambda *xs: _product(xs)
    if name == "Neg":
        return lambda a: -a
    if name == "Sqr":
        return lambda a: a**2
    if name == "TrueDiv":
        return _iv_div
    if name == "Reciprocal":
        return lambda a: _iv_div(iv.mpf(1), a)
    return None


def _product(xs: Sequence[Any]) -> Any:
    out = xs[0]
    for x in xs[1:]:
        out = out * x
    return out


def _iv_div(a: Any, b: Any) -> Any:
    lo, hi = _ends(b)
    if lo <= 0 <= hi:
        raise Undecided("division by an interval that holds 0")
    return a / b


def _is_zero(a: Any) -> bool:
    return _is_iv(a) and _is_point(a) and not _isnan(a) and _point(a) == 0


def _signed(r: Any, scalar_op: Any, args: Sequence[Any]) -> Any:
    """An exact zero (or an infinity got from one) gets IEEE's sign from its
    inputs' signs, by PyTensor's own ``impl`` (which the Python linker runs).
    Where the sign rests on a zero whose sign the original does not fix, or
    no input was a zero at all (cancellation), it is either sign."""
    if not _is_iv(r) or not _is_point(r) or _isnan(r):
        return r
    value = _point(r)
    if not (value == 0 or mp.isinf(value)):
        return r
    zeros = [a for a in args if _is_zero(a)]
    free = [i for i, a in enumerate(args) if a is _ZERO or a is _FREE_INF]
    if not zeros and not free:
        return _ZERO if value == 0 else r  # cancellation / overflow
    base = [_as_float(a) for a in args]
    signs = set()
    for flips in itertools.product((1.0, -1.0), repeat=len(free)):
        call = list(base)
        for i, f in zip(free, flips, strict=True):
            call[i] = f * call[i]
        try:
            with np.errstate(all="ignore"):
                ieee = np.float64(scalar_op.impl(*call))
        except Exception:
            return r
        if not (ieee == 0 or np.isinf(ieee)):
            return r
        signs.add(bool(np.signbit(ieee)))
    if len(signs) > 1:
        return _ZERO if value == 0 else _FREE_INF
    negative = signs.pop()
    if value == 0:
        return _NEG_ZERO if negative else _POS_ZERO
    return iv.mpf(MINF if negative else INF)


def _clipped(name: str, r: Any) -> Any:
    bounds = RANGES.get(name)
    if bounds is None or not _is_iv(r) or _is_point(r):
        return r
    lo, hi = _ends(r)
    return _interval(max(lo, bounds[0]), min(hi, bounds[1]))


def _at_point(name: str, scalar_op: Any, fn: Callable, args: Sequence[Any]) -> Any:
    arith = _iv_arith(name)
    pts = [_point(a) for a in args]
    special = any(isinstance(p, mp.mpf) and not mp.isfinite(p) for p in pts)
    if arith is not None and not special:
        ivs = [a if _is_iv(a) else iv.mpf(a) for a in args]
        try:
            r = arith(*ivs)
        except Undecided:  # a division by an exact zero: IEEE's value
            r = _exact_iv(fn(*pts))
    else:
        r = fn(*pts)
        chosen = [a for a, p in zip(args, pts, strict=True) if p is r]
        if chosen and name in SELECTIONS:  # returned one of its arguments
            return chosen[0]
        if isinstance(r, mp.mpf):
            exact = name in EXACT_RESULTS or special or exact_point(name, pts, r)
            r = _exact_iv(r) if exact else _widened(r)
    return _clipped(name, _signed(r, scalar_op, args))


def _interval_compare(name: str, a: Any, b: Any) -> bool:
    (alo, ahi), (blo, bhi) = _ends(a), _ends(b)
    lt = ahi < blo  # a < b everywhere
    gt = alo > bhi
    le, ge = ahi <= blo, alo >= bhi
    decided = {
        "LT": (lt, ge),
        "GT": (gt, le),
        "LE": (le, gt),
        "GE": (ge, lt),
        "EQ": (False, lt or gt),
        "NEQ": (lt or gt, False),
    }[name]
    if decided[0]:
        return True
    if decided[1]:
        return False
    raise Undecided(f"{name} of overlapping intervals")


def _apply(name: str, scalar_op: Any, fn: Callable, args: Sequence[Any]) -> Any:
    """One scalar op on one set of elements (intervals, ints, bools)."""
    if any(a is _FREE_INF for a in args):  # try both signs
        k = next(i for i, a in enumerate(args) if a is _FREE_INF)
        both = []
        for inf in (iv.mpf(INF), iv.mpf(MINF)):
            both.append(_apply(name, scalar_op, fn, [*args[:k], inf, *args[k + 1 :]]))
        return _either(both[0], both[1])
    if name in ("Sub", "TrueDiv") and args[0] is args[1] and not _is_point(args[0]):
        lo, hi = _ends(args[0])  # one enclosure of one real number, twice
        if mp.isfinite(lo) and mp.isfinite(hi) and (name == "Sub" or lo > 0 or hi < 0):
            return _ZERO if name == "Sub" else iv.mpf(1)
    if name == "Switch" and not _is_point(args[0]):  # a branch on an interval
        cond, a, b = args
        if _is_iv(cond):
            lo, hi = _ends(cond)
            if lo <= 0 <= hi:
                if lo == hi == 0:
                    return b
                return _hull([a, b])
            return a
        return a if cond else b
    if name == "Switch":  # the branch not taken may be nan
        cond, a, b = args
        return a if truth(_point(cond)) else b
    if name in ("Second", "Identity"):
        return args[-1]
    if any(_isnan(a) for a in args):  # IEEE's nan rules, at the other points
        r = fn(*(_point(a) for a in args))
        if isinstance(r, mp.mpf) and mp.isnan(r):
            return _NAN
        if not all(_is_point(a) for a in args):
            raise Undecided("nan meets an interval")
        return _at_point(name, scalar_op, fn, args)
    if all(_is_point(a) for a in args):
        return _at_point(name, scalar_op, fn, args)
    if name in ("GT", "GE", "LT", "LE", "EQ", "NEQ"):
        ivs = [a if _is_iv(a) else iv.mpf(a) for a in args]
        return _interval_compare(name, *ivs)
    if name == "IsNan":
        return False
    if name == "IsInf":
        lo, hi = _ends(args[0])
        if mp.isinf(lo) or mp.isinf(hi):
            raise Undecided("an interval reaching infinity")
        return False
    if name == "TrueDiv" and _is_zero(args[1]) and _is_iv(args[0]):
        lo, hi = _ends(args[0])
        if lo > 0 or hi < 0:  # one signed infinity over the whole numerator
            return _at_point(name, scalar_op, fn, [iv.mpf(lo), args[1]])
    arith = _iv_arith(name)
    if arith is not None and not any(
        _is_iv(a) and not all(mp.isfinite(e) for e in _ends(a)) for a in args
    ):
        if name == "Reciprocal":
            turning_points(name, *_ends(args[0]))
        return arith(*(a if _is_iv(a) else iv.mpf(a) for a in args))
    return _corners(name, scalar_op, fn, args)


def _either(a: Any, b: Any) -> Any:
    """The value where it does not matter which sign an unsigned zero had;
    a zero or infinity of either sign where only the sign does; nan (no
    value) where more than the sign does."""
    if not (_is_iv(a) and _is_iv(b)):
        if a == b:
            return a
    elif _isnan(a) and _isnan(b):
        return _NAN
    elif _is_point(a) and _is_point(b) and not (_isnan(a) or _isnan(b)):
        pa, pb = _point(a), _point(b)
        if pa == pb:
            return a if pa != 0 else (a if a is b else _ZERO)
        if mp.isinf(pa) and pa == -pb:
            return _FREE_INF
    # the value rests on a sign IEEE picked by convention (x - x is +0.0):
    # undefined, as 0 / 0 is, so nan: the original is no more right there
    return _NAN


def _corners(name: str, scalar_op: Any, fn: Callable, args: Sequence[Any]) -> Any:
    """The hull of the function at the corners of the box its interval
    arguments span, and at a unary function's turning points inside it."""
    choices = []
    for a in args:
        if _is_iv(a) and not _is_point(a):
            lo, hi = _ends(a)
            choices.append([iv.mpf(lo), iv.mpf(hi)])
        else:
            choices.append([a])
    if len(args) == 1 and _is_iv(args[0]):
        lo, hi = _ends(args[0])
        choices[0] += [iv.mpf(p) for p in turning_points(name, lo, hi)]
    if name == "Pow":
        (blo, bhi), exponent = _ends(args[0]), args[1]
        if blo < 0 < bhi:
            if not _is_point(exponent):
                raise Undecided("a negative base with an interval exponent")
            choices[0].append(iv.mpf(0))
    if name == "Mod" and not _mod_is_monotone(*args):
        raise Undecided("mod across a multiple of its divisor")
    if name in ("IntDiv", "XLogY") and not _is_point(args[1]):
        lo, hi = _ends(args[1])
        if lo <= 0 <= hi:
            raise Undecided(f"{name} with a divisor interval that holds 0")
    values = [_at_point(name, scalar_op, fn, c) for c in itertools.product(*choices)]
    return _clipped(name, _hull(values))


def _mod_is_monotone(a: Any, b: Any) -> bool:
    if not _is_point(b) or not _is_iv(a):
        return False
    lo, hi = _ends(a)
    d = _point(b)
    return d != 0 and mp.floor(lo / d) == mp.floor(hi / d)


def _scalar_fn(scalar_op: Any) -> Callable[..., Any]:
    """A function of elements computing ``scalar_op`` exactly."""
    if isinstance(scalar_op, Composite):
        return _composite_fn(scalar_op)
    name = type(scalar_op).__name__
    if name == "Cast":
        return _cast_fn(scalar_op.o_type.dtype)
    fn = SCALAR_OPS.get(name)
    if fn is None:
        raise NoExactValue(f"no exact value for scalar op {name}")
    return lambda *args: _shared(name, scalar_op, fn, args)


#: Enclosures computed at the current precision, by op and exact arguments:
#: one value of one function at one point is one object (see :func:`_shared`).
_SHARED: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "rewritelab_exact_shared", default=None
)


def _key(a: Any) -> Any:
    """A hashable identity of an exact argument: the signed zeros by object
    (their sign is their identity), intervals by their ends."""
    if any(a is z for z in (_NEG_ZERO, _POS_ZERO, _ZERO, _FREE_INF)):
        return ("id", id(a))
    return _ends(a) if _is_iv(a) else ("v", a)


def _shared(name: str, scalar_op: Any, fn: Callable, args: Sequence[Any]) -> Any:
    """:func:`_apply`, but one object for one op at the same exact points:
    then ``exp(x) - exp(y)`` at x = y = 710 is exactly 0 (:func:`_apply`
    knows a difference of an enclosure with itself), where two enclosures of
    the same exp(710) would only hold 0."""
    memo = _SHARED.get()
    if memo is None or not all(_is_point(a) for a in args):
        return _apply(name, scalar_op, fn, args)
    key = (name, scalar_op, tuple(_key(a) for a in args))
    if key not in memo:
        memo[key] = _apply(name, scalar_op, fn, args)
    return memo[key]


def _cast_fn(dtype: str) -> Callable[[Any], Any]:
    def cast(a: Any) -> Any:
        if dtype.startswith("float"):
            return a if _is_iv(a) else iv.mpf(a)
        if not _is_iv(a):
            return bool(a) if dtype == "bool" else int(a)
        if _isnan(a):
            if dtype == "bool":
                return True
            raise NoExactValue("nan cast to an integer has no value")
        lo, hi = _ends(a)
        if dtype == "bool":
            if lo == hi == 0:
                return False
            if lo <= 0 <= hi:
                raise Undecided("bool of an interval that holds 0")
            return True
        if mp.isinf(lo) or mp.isinf(hi):
            raise NoExactValue("infinity cast to an integer has no value")
        t_lo, t_hi = int(lo), int(hi)  # truncation, as C casts
        if t_lo != t_hi:
            raise Undecided("cast to an integer across a whole number")
        return t_lo

    return cast


def _composite_fn(comp: Composite) -> Callable[..., Any]:
    nodes = io_toposort(comp.inputs, comp.outputs)
    fns = [(n, _scalar_fn(n.op)) for n in nodes]

    def run(*args: Any) -> Any:
        env: dict[Variable, Any] = dict(zip(comp.inputs, args, strict=True))
        for n, fn in fns:
            ins = [env[i] if i in env else _constant_element(i) for i in n.inputs]
            env[n.outputs[0]] = fn(*ins)
        outs = [env[o] if o in env else _constant_element(o) for o in comp.outputs]
        return outs[0] if len(outs) == 1 else tuple(outs)

    return run


def _element(v: Any, is_float: bool) -> Any:
    if not is_float:
        return v.item() if isinstance(v, np.generic) else v
    f = float(v)
    if f == 0:
        return _NEG_ZERO if np.signbit(f) else _POS_ZERO
    return _NAN if np.isnan(f) else iv.mpf(f)


def _constant_element(v: Variable) -> Any:
    data = np.asarray(v.data)
    return _element(data.item(), data.dtype.kind == "f")


# -- tensors -------------------------------------------------------------------


def _to_exact(value: Any, dtype: str) -> np.ndarray:
    arr = np.asarray(value)
    if not dtype.startswith("float"):
        return arr
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(arr.reshape(-1)):
        flat[i] = _element(v, True)
    return out


def _int_fn(scalar_op: Any) -> Callable[..., Any] | None:
    """Integer arithmetic over the integers (Python ints: no wrap-around),
    where the op is arithmetic; None for bit operations and casts, which
    keep the dtype's own meaning."""
    name = type(scalar_op).__name__
    fn = _INT_OPS.get(name)
    if fn is None:
        return None

    def run(*args: Any) -> Any:
        try:
            return fn(*(a.item() if isinstance(a, np.generic) else a for a in args))
        except ZeroDivisionError:
            raise NoExactValue(f"integer {name} by zero has no value") from None

    return run


def _elemwise(node: Any, ins: list[np.ndarray]) -> list[np.ndarray]:
    if not any(_is_float(v) for v in (*node.inputs, *node.outputs)):
        fn = _int_fn(node.op.scalar_op)
        if fn is None:  # bit operations, casts: the dtype's own
            return _perform(
                node, [_as_dtype(a, i) for a, i in zip(ins, node.inputs, strict=True)]
            )
    else:
        fn = _scalar_fn(node.op.scalar_op)
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=object) for a in ins])
    shape = arrays[0].shape if arrays else ()
    flat = [a.reshape(-1) for a in arrays]
    n_out = len(node.outputs)
    outs = [np.empty(shape, dtype=object) for _ in range(n_out)]
    flat_out = [o.reshape(-1) for o in outs]
    for i in range(int(np.prod(shape, dtype=int))):
        r = fn(*(f[i] for f in flat))
        for k in range(n_out):
            flat_out[k][i] = r[k] if n_out > 1 else r
    return [
        _typed(o, out.type.dtype) for o, out in zip(outs, node.outputs, strict=True)
    ]


def _typed(arr: np.ndarray, dtype: str) -> np.ndarray:
    """Object arrays for floats; plain arrays for ints and bools, or object
    arrays of Python ints where a value lies beyond the dtype (an integer
    the original overflows on)."""
    if dtype.startswith("float"):
        return arr
    values = arr.tolist()
    if dtype != "bool":
        info = np.iinfo(dtype)
        flat = arr.reshape(-1).tolist()
        if any(not info.min <= int(v) <= info.max for v in flat):
            out = np.empty(arr.shape, dtype=object)
            out.reshape(-1)[:] = [int(v) for v in flat]
            return out
    return np.asarray(values, dtype=dtype).reshape(arr.shape)


def _as_dtype(a: Any, v: Variable) -> np.ndarray:
    """An integer array in its variable's own dtype (wrapping what lies
    beyond it), for ops that keep the dtype's meaning."""
    a = np.asarray(a)
    if a.dtype != object:
        return a
    return (
        np.asarray([int(x) for x in a.reshape(-1)])
        .astype(v.type.dtype)
        .reshape(a.shape)
    )


#: Integer ops evaluated over the integers.
_INT_OPS: dict[str, Callable[..., Any]] = {
    "Add": lambda *xs: sum(xs),
    "Sub": lambda a, b: a - b,
    "Mul": lambda *xs: functools.reduce(lambda p, q: p * q, xs, 1),
    "Neg": lambda a: -a,
    "Abs": lambda a: abs(a),
    "Sqr": lambda a: a * a,
    "IntDiv": lambda a, b: a // b if b else 0,  # numpy's 0 for division by 0
    "Mod": lambda a, b: a % b if b else 0,
    "Maximum": max,
    "Minimum": min,
    "Sign": lambda a: (a > 0) - (a < 0),
    "Pow": lambda a, b: a**b if b >= 0 else _no_value("a negative integer power"),
    "GT": lambda a, b: a > b,
    "GE": lambda a, b: a >= b,
    "LT": lambda a, b: a < b,
    "LE": lambda a, b: a <= b,
    "EQ": lambda a, b: a == b,
    "NEQ": lambda a, b: a != b,
    "Switch": lambda c, a, b: a if c else b,
    "Identity": lambda a: a,
    "Second": lambda a, b: b,
}


def _no_value(what: str) -> Any:
    raise NoExactValue(f"{what} has no integer value")


_REDUCE = ("Add", "Mul", "MulWithoutZeros", "Maximum", "Minimum", "AND", "OR")


def _careduce(node: Any, x: np.ndarray) -> np.ndarray:
    op = node.op
    name = type(op.scalar_op).__name__
    if name not in _REDUCE:
        raise NoExactValue(f"no exact value for reduction {name}")
    integer = not _is_float(node.inputs[0]) and not _is_float(node.outputs[0])
    if integer and (name not in _INT_OPS or node.outputs[0].type.dtype == "bool"):
        return _perform(node, [_as_dtype(x, node.inputs[0])])[0]
    axes = tuple(range(x.ndim)) if op.axis is None else tuple(op.axis)
    x = np.asarray(x, dtype=object)
    if x.size == 0 and name in ("Maximum", "Minimum"):
        raise NoExactValue("max/min of an empty array")
    moved = np.moveaxis(x, axes, tuple(range(-len(axes), 0))) if axes else x
    keep = moved.shape[: moved.ndim - len(axes)]
    flat = moved.reshape(*keep, -1) if axes else moved[..., None]
    out = np.empty(keep, dtype=object)
    fn = _int_fn(op.scalar_op) if integer else _scalar_fn(op.scalar_op)
    as_float = _is_float(node.outputs[0])
    for idx in np.ndindex(*keep):
        items = [
            _element(v, True) if as_float and not _is_iv(v) else v for v in flat[idx]
        ]
        if not items:
            empty = (0, 1) if integer else (_POS_ZERO, iv.mpf(1))
            out[idx] = empty[0] if name == "Add" else empty[1]
            continue
        acc = items[0]
        for item in items[1:]:
            acc = fn(acc, item)
        out[idx] = acc
    return _typed(out, node.outputs[0].type.dtype)


def _matrix_inverse(node: Any, ins: list[np.ndarray]) -> list[np.ndarray]:
    """The inverse of each (batched) square matrix of enclosures, by mpmath's
    interval LU; a matrix the intervals cannot show regular is undecided, a
    singular one (over the rationals) has no inverse (:class:`Undefined`),
    and one holding nan has nan for its inverse (``adj(A) / det(A)`` with
    ``det(A)`` nan)."""
    (a,) = ins
    out = np.empty(a.shape, dtype=object)
    for batch in np.ndindex(a.shape[:-2]):
        block = a[batch]
        if any(_isnan(v) for v in block.flat):  # adj(A) / det(A), det(A) nan
            out[batch] = np.full(block.shape, _NAN, dtype=object)
            continue
        if any(not all(mp.isfinite(e) for e in _ends(v)) for v in block.flat):
            raise NoExactValue("inverse of a matrix holding inf")
        try:
            inv = iv.inverse(iv.matrix(block.tolist()))
        except (ZeroDivisionError, ValueError):  # a pivot of uncertain sign
            if not (all(_is_point(v) for v in block.flat) and _singular(block)):
                raise Undecided("a matrix the intervals cannot show regular") from None
            raise Undefined("the inverse of a singular matrix") from None
        for i, j in np.ndindex(block.shape):
            out[(*batch, i, j)] = inv[i, j]
    return [out]


def _fraction(x: Any) -> Fraction:
    man, exp = x.man_exp
    return Fraction(man) * Fraction(2) ** exp


def _singular(block: np.ndarray) -> bool:
    """Whether a matrix of exact points is singular, by elimination over the
    rationals."""
    rows = [[_fraction(mp.mpf(v.a)) for v in row] for row in block.tolist()]
    n = len(rows)
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col] != 0), None)
        if pivot is None:
            return True
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(col + 1, n):
            f = rows[r][col] / rows[col][col]
            rows[r] = [a - f * b for a, b in zip(rows[r], rows[col], strict=True)]
    return False


#: Ops that move elements but whose own perform casts to the output dtype,
#: which object arrays cannot take, and ops numpy cannot run on object
#: arrays: core op class -> (node, inputs) -> outputs.
_OBJECT_PERFORM: dict[type, Callable[[Any, list[np.ndarray]], list[np.ndarray]]] = {
    Join: lambda node, ins: [np.concatenate(ins, axis=node.op.axis)],
    MatrixInverse: _matrix_inverse,
}


def _perform(node: Any, ins: list[np.ndarray]) -> list[np.ndarray]:
    """Run an op's own perform (on object arrays for ops that move elements)."""
    special = _OBJECT_PERFORM.get(type(getattr(node.op, "core_op", node.op)))
    if special is not None and any(a.dtype == object for a in ins):
        return special(node, ins)
    storage = [[None] for _ in node.outputs]
    try:
        with np.errstate(all="ignore"):
            node.op.perform(node, ins, storage)
    except Undecided:
        raise
    except Exception as exc:
        raise NoExactValue(f"no exact value for {node.op}: {exc}") from None
    return [s[0] for s in storage]


def _is_float(v: Variable) -> bool:
    return str(getattr(v.type, "dtype", "")).startswith("float")


def _as_float64(a: np.ndarray) -> np.ndarray:
    if a.dtype != object:
        return a
    return np.asarray([float(_as_float(v)) for v in a.reshape(-1)]).reshape(a.shape)


def _run(
    inputs: Sequence[Variable], outputs: Sequence[Variable], env: dict[Variable, Any]
) -> list[Any]:
    """Evaluate ``outputs`` exactly from the values of ``inputs`` in ``env``
    (which collects every value computed on the way)."""
    for node in io_toposort(list(inputs), list(outputs)):
        ins = []
        for i in node.inputs:
            if i not in env:
                if isinstance(i, SharedVariable):  # pm.Data, coords
                    env[i] = _to_exact(i.get_value(borrow=True), i.type.dtype)
                elif isinstance(i, Constant):
                    env[i] = _to_exact(i.data, i.type.dtype)
                else:
                    raise NoExactValue(f"input {i} has no value")
            ins.append(env[i])
        op = node.op
        if isinstance(op, Elemwise):
            outs = _elemwise(node, ins)
        elif isinstance(op, CAReduce):
            outs = [_careduce(node, ins[0])]
        elif isinstance(op, OpFromGraph):  # LogSumExp, its derivative, ...
            inner = op.fgraph
            outs = _run(
                inner.inputs, inner.outputs, dict(zip(inner.inputs, ins, strict=True))
            )
        elif not any(_is_float(v) for v in node.outputs):
            # integer / boolean / shape computations: numpy is exact
            outs = _perform(node, [_as_float64(np.asarray(a)) for a in ins])
        else:
            outs = _perform(node, ins)
        for var, val in zip(node.outputs, outs, strict=True):
            env[var] = val
    return [env[o] if o in env else _to_exact(o.data, o.type.dtype) for o in outputs]


# -- rounding to the output dtype ------------------------------------------------


def _rounded(x: Any, dtype: str) -> float:
    """An mpf rounded to nearest in ``dtype`` (float64 or float32)."""
    if dtype == "float64":
        return float(x)
    bits = int(np.finfo(dtype).nmant) + 1
    with mp.workprec(bits):
        return float(+x)


def _tie(v: Any, lo: float, hi: float, dtype: str) -> float | None:
    """The value of an enclosure that spans two neighbouring values of
    ``dtype``: the rounding of their midpoint (to even), which it holds."""
    if np.nextafter(np.array(lo, dtype), np.array(hi, dtype)) != hi:
        return None
    mid = (mp.mpf(lo) + mp.mpf(hi)) / 2  # exact: one bit more than the dtype's
    a, b = _ends(v)
    return _rounded(mid, dtype) if a <= mid <= b else None


def _settle(
    arr: Any, dtype: str, ties: bool = False
) -> tuple[np.ndarray, np.ndarray] | None:
    """The array's elements rounded to ``dtype`` where every interval rounds
    to one value (None where one does not), and where their sign is free
    (a zero, or an infinity, of either sign). With ``ties``, an interval
    that holds the midpoint of two neighbouring values settles on the even
    one (1 - 1e16 is such a midpoint: no precision decides its side)."""
    arr = (
        np.asarray(arr, dtype=object) if dtype.startswith("float") else np.asarray(arr)
    )
    free = np.zeros(arr.shape, dtype=bool)
    if not dtype.startswith("float"):
        return _typed(arr, dtype), free  # beyond the dtype: Python ints
    out = np.empty(arr.shape, dtype="float64")
    flat, flat_free = out.reshape(-1), free.reshape(-1)
    for i, v in enumerate(arr.reshape(-1)):
        if v is _NEG_ZERO:
            flat[i] = -0.0
            continue
        if not _is_iv(v):
            v = _element(v, True)
        flat_free[i] = v is _ZERO or v is _FREE_INF
        if _isnan(v):
            flat[i] = np.nan
            continue
        lo, hi = (_rounded(e, dtype) for e in _ends(v))
        if lo != hi:
            tie = _tie(v, lo, hi, dtype) if ties else None
            if tie is None:
                return None
            lo = tie
        flat[i] = lo + 0.0  # a zero whose sign the interval leaves open is +0
        flat_free[i] |= lo == 0 and not _is_point(v)
    return out.astype(dtype), free


@contextlib.contextmanager
def _precision(digits: int) -> Iterator[None]:
    """mpmath's real and interval contexts at ``digits`` decimal digits (both
    process-wide in mpmath; restored on exit), with a fresh table of shared
    enclosures (:func:`_shared`)."""
    old_mp, old_iv = mp.mp.prec, iv.prec
    token = _SHARED.set({})
    try:
        mp.mp.dps = digits
        iv.dps = digits
        yield
    finally:
        mp.mp.prec, iv.prec = old_mp, old_iv
        _SHARED.reset(token)


def _magnitude_digits(
    inputs: Sequence[Variable], outputs: Sequence[Variable], values: Mapping
) -> int:
    """Decimal orders of magnitude spanned by the finite non-zero floats among
    the inputs and the graph's constants."""
    arrays = [np.asarray(values[v]) for v in inputs]
    arrays += [
        np.asarray(c.data) for c in ancestors(list(outputs)) if isinstance(c, Constant)
    ]
    arrays += [
        np.asarray(v.get_value(borrow=True))
        for v in ancestors(list(outputs))
        if isinstance(v, SharedVariable)
    ]
    exps = [0.0]
    for a in arrays:
        if a.dtype.kind != "f" or a.size == 0:
            continue
        a = np.abs(a[np.isfinite(a) & (a != 0)].astype("float64"))
        if a.size:
            exps += [float(np.log10(a.min())), float(np.log10(a.max()))]
    return int(max(exps) - min(exps)) + 1


def exact_value(
    inputs: Sequence[Variable],
    outputs: Sequence[Variable],
    values: Mapping[Variable, Any] | Sequence[Any],
    *,
    dps: int = DEFAULT_DPS,
    doublings: int = MAX_DOUBLINGS,
) -> ExactValue:
    """The outputs' exact values, each rounded once to its own dtype, with
    the digits of precision it took.

    ``values`` maps each input to a numpy value (or lists them in order).
    The first attempt works at ``dps`` digits plus the decimal range of the
    inputs' and constants' magnitudes; the precision doubles (at most
    ``doublings`` times, :data:`MAX_DOUBLINGS` by default) until every output's enclosure rounds to one
    value of its dtype, else :class:`NoExactValue` is raised. From
    :data:`TIE_DOUBLINGS` doublings on, an enclosure around the midpoint of
    two neighbouring values settles on the even one, as IEEE rounds a tie:
    an exact midpoint (log(e / e**1e16) is 1 - 1e16) is never decided by
    precision, and a value that close to one is half a ULP (and a hair)
    from both.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dscalar("x")
    >>> r = exact_value([x], [pt.log1p(-pt.sigmoid(x))], [201.0])
    >>> float(r.values[0]), r.digits  # 1 - sigmoid(201) is 1e-88
    (-201.0, 172)
    """
    if not isinstance(values, Mapping):
        values = dict(zip(inputs, values, strict=True))
    base = dps + _magnitude_digits(inputs, outputs, values)
    reason = ""
    for k in range(doublings + 1):
        digits = base * 2**k
        with _precision(digits):
            try:
                env = {v: _to_exact(values[v], v.type.dtype) for v in inputs}
                raw = _run(inputs, outputs, env)
            except Undecided as exc:
                reason = str(exc)
                continue
            settled = [
                _settle(r, o.type.dtype, ties=k >= TIE_DOUBLINGS)
                for r, o in zip(raw, outputs, strict=True)
            ]
        if all(s is not None for s in settled):
            return ExactValue(
                tuple(s[0] for s in settled), digits, tuple(s[1] for s in settled)
            )
        reason = "an enclosure still spans two values"
    raise Unsettled(f"no exact value settled up to {digits} digits ({reason})")


def exact_eval(
    inputs: Sequence[Variable],
    outputs: Sequence[Variable],
    values: Mapping[Variable, Any] | Sequence[Any],
    *,
    dps: int = DEFAULT_DPS,
) -> list[np.ndarray]:
    """:func:`exact_value`'s values only.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dscalar("x")
    >>> float(exact_eval([x], [pt.log(1 + x)], [1e-20])[0])  # float64 gives 0.0
    1e-20
    """
    return list(exact_value(inputs, outputs, values, dps=dps).values)
