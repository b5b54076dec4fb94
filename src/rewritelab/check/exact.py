"""Evaluate a PyTensor graph exactly: every float operation in mpmath.

The checker uses this as the reference when a rewritten graph and its
original disagree: the original *expression* evaluated at high precision
(60 digits by default), then rounded once to the output dtype. Inputs are
floats, so they are exact in mpmath; every intermediate keeps its precision.

Float values travel as numpy object arrays of ``mpmath.mpf``; integer and
boolean values as ordinary arrays. Elemwise ops use :data:`SCALAR_OPS`;
reductions, ``dot`` and ops that only move elements (DimShuffle, Reshape,
Subtensor, Join, Alloc, ...) run their own ``perform`` on the object arrays.
An op with no exact meaning raises :class:`NoExactValue`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import mpmath as mp
import numpy as np
from pytensor.compile.builders import OpFromGraph
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.graph.basic import Constant, Variable
from pytensor.graph.traversal import ancestors, io_toposort
from pytensor.scalar.basic import Composite
from pytensor.tensor.basic import Join
from pytensor.tensor.elemwise import CAReduce, Elemwise

__all__ = ["NoExactValue", "SCALAR_OPS", "exact_eval", "DEFAULT_DPS"]

#: Working precision: this many decimal digits beyond the widest range of
#: magnitudes among the inputs and constants (exp(5e-324) - 1 cancels 324
#: digits, so the digits needed grow with the smallest input). The result is
#: accepted once it rounds to the same floats at two successive precisions
#: among 1, 2, 4 and 8 times that (Ziv's strategy).
DEFAULT_DPS = 40


class NoExactValue(Exception):
    """The graph holds an op without an exact (mpmath) meaning."""


_NAN, _INF = mp.mpf("nan"), mp.mpf("inf")

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
    """fn, but ``high``/``low`` (values or functions of the argument) for
    arguments beyond ±_BIG."""

    def wrapped(a: Any) -> Any:
        if a > _BIG:
            return high(a) if callable(high) else high
        if a < -_BIG:
            return low(a) if callable(low) else low
        return fn(a)

    return wrapped


def _real(v: Any) -> Any:
    """mpmath returns complex numbers outside a real domain: IEEE gives nan."""
    if isinstance(v, mp.mpc):
        return v.real if v.imag == 0 else _NAN
    return v


def _isnan(a: Any) -> bool:
    return isinstance(a, mp.mpf) and mp.isnan(a)


def _div(a: Any, b: Any) -> Any:
    if b == 0:
        if a == 0 or _isnan(a):
            return _NAN
        return _INF if a > 0 else -_INF
    if mp.isinf(a) and mp.isinf(b):
        return _NAN
    return a / b


def _mul(*xs: Any) -> Any:
    out = mp.mpf(1)
    for x in xs:
        if (x == 0 and mp.isinf(out)) or (mp.isinf(x) and out == 0):
            return _NAN
        out = out * x
    return out


def _add(*xs: Any) -> Any:
    out = mp.mpf(0)
    for x in xs:
        if mp.isinf(x) and mp.isinf(out) and (x > 0) != (out > 0):
            return _NAN
        out = out + x
    return out


def _log(a: Any) -> Any:
    if _isnan(a) or a < 0:
        return _NAN
    return -_INF if a == 0 else mp.log(a)


def _log1p(a: Any) -> Any:
    return _log(1 + a) if not mp.isinf(a) else _log(a)


def _pow(a: Any, b: Any) -> Any:
    if _isnan(a) or _isnan(b):
        return mp.mpf(1) if b == 0 or a == 1 else _NAN
    if b == 0:
        return mp.mpf(1)
    if a == 0:
        return _INF if b < 0 else mp.mpf(0)
    if a < 0 and not mp.isint(b):
        return _NAN
    if not (mp.isinf(a) or mp.isinf(b)):
        t = b * mp.log(abs(a))
        if t > _BIG:
            return -_INF if a < 0 and mp.isint(b) and int(b % 2) == 1 else _INF
        if t < -_BIG:
            return mp.mpf(0)
    return _real(mp.power(a, b))


def _log1mexp(a: Any) -> Any:  # log(1 - exp(a))
    return _log(-mp.expm1(a)) if not _isnan(a) else _NAN


def _xlogy(a: Any, b: Any) -> Any:
    if a == 0 and not _isnan(b):
        return mp.mpf(0)
    return _mul(a, _log(b))


def _gammaln(a: Any) -> Any:
    if a <= 0 and mp.isint(a):
        return _INF
    return mp.log(abs(mp.gamma(a))) if not mp.isinf(a) else _INF


def _gamma(a: Any) -> Any:
    if a <= 0 and mp.isint(a):
        return _NAN
    return mp.gamma(a) if a != _INF else _INF


def _nan_aware(fn: Callable) -> Callable:
    def wrapped(*xs: Any) -> Any:
        if any(_isnan(x) for x in xs):
            return _NAN
        return _real(fn(*xs))

    return wrapped


def _switch(c: Any, a: Any, b: Any) -> Any:
    return a if c else b


def _sign(a: Any) -> Any:
    return _NAN if _isnan(a) else mp.mpf(mp.sign(a))


def _ieee(a: Any, b: Any, fn: Callable) -> Any:
    return _NAN if _isnan(a) or _isnan(b) else fn(a, b)


#: Scalar op class name -> exact function of mpf (and bool/int) arguments.
SCALAR_OPS: dict[str, Callable[..., Any]] = {
    "Add": _add,
    "Sub": lambda a, b: _add(a, -b),
    "Mul": _mul,
    "TrueDiv": _div,
    "Reciprocal": lambda a: _div(mp.mpf(1), a),
    "Neg": lambda a: -a,
    "Abs": lambda a: abs(a),
    "Sqr": lambda a: _mul(a, a),
    "Sqrt": lambda a: _NAN if _isnan(a) or a < 0 else mp.sqrt(a),
    "Pow": _pow,
    "Exp": _nan_aware(_saturating(_exp, _INF, mp.mpf(0))),
    "Exp2": _nan_aware(_saturating(lambda a: mp.power(2, a), _INF, mp.mpf(0))),
    "Expm1": _nan_aware(_saturating(mp.expm1, _INF, mp.mpf(-1))),
    "Log": _log,
    "Log2": lambda a: _div(_log(a), mp.log(2)),
    "Log10": lambda a: _div(_log(a), mp.log(10)),
    "Log1p": _log1p,
    "Log1mexp": _log1mexp,
    "Sigmoid": _nan_aware(
        _saturating(lambda a: 1 / (1 + _exp(-a)), mp.mpf(1), mp.mpf(0))
    ),
    "Softplus": _nan_aware(
        _saturating(
            lambda a: mp.log1p(_exp(a)) if a < 700 else a + mp.log1p(_exp(-a)),
            lambda a: a,
            mp.mpf(0),
        )
    ),
    "Tanh": _nan_aware(_saturating(mp.tanh, mp.mpf(1), mp.mpf(-1))),
    "Sinh": _nan_aware(_saturating(mp.sinh, _INF, -_INF)),
    "Cosh": _nan_aware(_saturating(mp.cosh, _INF, _INF)),
    "Sin": _nan_aware(lambda a: _NAN if mp.isinf(a) else mp.sin(a)),
    "Cos": _nan_aware(lambda a: _NAN if mp.isinf(a) else mp.cos(a)),
    "Erf": _nan_aware(_saturating(mp.erf, mp.mpf(1), mp.mpf(-1))),
    "Erfc": _nan_aware(_saturating(mp.erfc, mp.mpf(0), mp.mpf(2))),
    "Gamma": _nan_aware(_saturating(_gamma, _INF, _NAN)),
    "GammaLn": _nan_aware(_gammaln),
    "Psi": _nan_aware(lambda a: _NAN if a <= 0 and mp.isint(a) else mp.digamma(a)),
    "TriGamma": _nan_aware(lambda a: _NAN if a <= 0 and mp.isint(a) else mp.psi(1, a)),
    "XLogY": _xlogy,
    "XLogX": lambda a: _xlogy(a, a),
    "Maximum": lambda a, b: _ieee(a, b, max),
    "Minimum": lambda a, b: _ieee(a, b, min),
    "Sign": _sign,
    "Floor": _nan_aware(lambda a: a if mp.isinf(a) else mp.floor(a)),
    "Ceil": _nan_aware(lambda a: a if mp.isinf(a) else mp.ceil(a)),
    "Switch": _switch,
    "Clip": lambda a, lo, hi: _NAN if _isnan(a) else min(max(a, lo), hi),
    "Second": lambda a, b: b,
    "Identity": lambda a: a,
    "GT": lambda a, b: bool(a > b),
    "GE": lambda a, b: bool(a >= b),
    "LT": lambda a, b: bool(a < b),
    "LE": lambda a, b: bool(a <= b),
    "EQ": lambda a, b: bool(a == b),
    "NEQ": lambda a, b: not bool(a == b),
    "IsNan": lambda a: _isnan(a),
    "IsInf": lambda a: isinstance(a, mp.mpf) and mp.isinf(a),
    "AND": lambda a, b: a & b,
    "OR": lambda a, b: a | b,
    "Invert": lambda a: ~a if not isinstance(a, bool) else not a,
}


def _to_exact(value: Any, dtype: str) -> np.ndarray:
    arr = np.asarray(value)
    if dtype.startswith("float"):
        out = np.empty(arr.shape, dtype=object)
        flat = out.reshape(-1)
        for i, v in enumerate(arr.reshape(-1)):
            flat[i] = mp.mpf(float(v))
        return out
    return arr


def _scalar_fn(scalar_op: Any) -> Callable[..., Any]:
    if isinstance(scalar_op, Composite):
        return _composite_fn(scalar_op)
    name = type(scalar_op).__name__
    if name == "Cast":
        dtype = scalar_op.o_type.dtype
        if dtype.startswith("float"):
            return lambda a: mp.mpf(a) if not isinstance(a, mp.mpf) else a
        if dtype == "bool":
            return lambda a: bool(a)
        return lambda a: int(a)
    fn = SCALAR_OPS.get(name)
    if fn is None:
        raise NoExactValue(f"no exact value for scalar op {name}")
    return fn


def _composite_fn(comp: Composite) -> Callable[..., Any]:
    nodes = io_toposort(comp.inputs, comp.outputs)
    fns = [(n, _scalar_fn(n.op)) for n in nodes]

    def run(*args: Any) -> Any:
        env: dict[Variable, Any] = dict(zip(comp.inputs, args, strict=True))
        for n, fn in fns:
            ins = [env[i] if i in env else _constant_scalar(i) for i in n.inputs]
            env[n.outputs[0]] = fn(*ins)
        outs = [env[o] if o in env else _constant_scalar(o) for o in comp.outputs]
        return outs[0] if len(outs) == 1 else tuple(outs)

    return run


def _constant_scalar(v: Variable) -> Any:
    data = np.asarray(v.data)
    return mp.mpf(float(data)) if data.dtype.kind == "f" else data.item()


def _elemwise(node: Any, ins: list[np.ndarray]) -> list[np.ndarray]:
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
    """Object arrays for floats; plain arrays for ints and bools."""
    if dtype.startswith("float"):
        return arr
    return np.asarray(arr.tolist(), dtype=dtype).reshape(arr.shape)


_REDUCE = {
    "Add": _add,
    "Mul": _mul,
    "Maximum": max,
    "Minimum": min,
    "AND": all,
    "OR": any,
}


def _careduce(node: Any, x: np.ndarray) -> np.ndarray:
    op = node.op
    name = type(op.scalar_op).__name__
    if name not in _REDUCE:
        raise NoExactValue(f"no exact value for reduction {name}")
    axes = tuple(range(x.ndim)) if op.axis is None else tuple(op.axis)
    x = np.asarray(x, dtype=object)
    if x.size == 0 and name in ("Maximum", "Minimum"):
        raise NoExactValue("max/min of an empty array")
    moved = np.moveaxis(x, axes, tuple(range(-len(axes), 0))) if axes else x
    keep = moved.shape[: moved.ndim - len(axes)]
    flat = moved.reshape(*keep, -1) if axes else moved[..., None]
    out = np.empty(keep, dtype=object)
    fn = _REDUCE[name]
    for idx in np.ndindex(*keep):
        items = list(flat[idx])
        if name in ("AND", "OR"):
            out[idx] = fn(bool(v) for v in items)
        elif any(_isnan(v) for v in items):
            out[idx] = _NAN
        elif not items:
            out[idx] = mp.mpf(0) if name == "Add" else mp.mpf(1)
        else:
            out[idx] = fn(*items) if name in ("Add", "Mul") else fn(items)
    return _typed(out, node.outputs[0].type.dtype)


#: Ops that move elements but whose own perform casts to the output dtype,
#: which object arrays cannot take: op class -> (node, inputs) -> outputs.
_OBJECT_PERFORM: dict[type, Callable[[Any, list[np.ndarray]], list[np.ndarray]]] = {
    Join: lambda node, ins: [np.concatenate(ins, axis=node.op.axis)],
}


def _perform(node: Any, ins: list[np.ndarray]) -> list[np.ndarray]:
    """Run an op's own perform on object arrays (ops that move elements)."""
    special = _OBJECT_PERFORM.get(type(node.op))
    if special is not None and any(a.dtype == object for a in ins):
        return special(node, ins)
    storage = [[None] for _ in node.outputs]
    try:
        node.op.perform(node, ins, storage)
    except Exception as exc:
        raise NoExactValue(f"no exact value for {node.op}: {exc}") from None
    return [s[0] for s in storage]


def _is_float(v: Variable) -> bool:
    return str(getattr(v.type, "dtype", "")).startswith("float")


def exact_eval(
    inputs: Sequence[Variable],
    outputs: Sequence[Variable],
    values: Mapping[Variable, Any] | Sequence[Any],
    *,
    dps: int = DEFAULT_DPS,
) -> list[np.ndarray]:
    """The outputs' exact values, each rounded once to its own dtype.

    ``values`` maps each input to a numpy value (or lists them in order).
    Precision is ``dps`` digits plus the decimal range of the inputs' and
    constants' magnitudes, and rises until two successive evaluations agree;
    if none do, :class:`NoExactValue` is raised. A value that stays below the
    resolution of each precision is a cancellation residue: its exact value
    is 0.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dscalar("x")
    >>> float(exact_eval([x], [pt.log(1 + x)], [1e-20])[0])  # float64 gives 0.0
    1e-20
    """
    if not isinstance(values, Mapping):
        values = dict(zip(inputs, values, strict=True))
    base = dps + _magnitude_digits(inputs, outputs, values)
    history: list[tuple[int, list[np.ndarray]]] = []
    for digits in (base, 2 * base, 4 * base, 8 * base):
        history.append((digits, _eval_at(inputs, outputs, values, digits)))
        if len(history) < 2:
            continue
        settled = [
            _settled([(d, h[k]) for d, h in history]) for k in range(len(outputs))
        ]
        if all(v is not None for v in settled):
            return settled
    raise NoExactValue(f"no stable exact value up to {8 * base} digits")


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


def _settled(values: list[tuple[int, np.ndarray]]) -> np.ndarray | None:
    """The last of one output's ``(digits, value)`` at rising precision if it
    agrees with the one before, else None. A value below ``10**-(digits/2)``
    at each of the last three precisions, but not the same at the last two,
    is a cancellation residue: it counts as 0."""
    a, b = np.asarray(values[-2][1]), np.asarray(values[-1][1])
    if _same(a, b):
        return values[-1][1]
    if b.dtype.kind != "f" or len(values) < 3:
        return None
    gone = np.ones(b.shape, dtype=bool)
    for digits, v in values[-3:]:
        with np.errstate(all="ignore"):
            gone &= np.abs(np.asarray(v, dtype="float64")) <= 10.0 ** -(digits / 2)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    if not np.all(same | gone):
        return None
    return np.where(gone, 0.0, b).astype(b.dtype)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f":
        return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))
    return bool(np.array_equal(a, b))


def _eval_at(
    inputs: Sequence[Variable],
    outputs: Sequence[Variable],
    values: Mapping[Variable, Any],
    dps: int,
) -> list[np.ndarray]:
    with mp.workdps(dps):
        env: dict[Variable, Any] = {
            v: _to_exact(values[v], v.type.dtype) for v in inputs
        }
        return [
            _round(val, o.type.dtype)
            for val, o in zip(_run(inputs, outputs, env), outputs, strict=True)
        ]


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
            plain = [
                np.asarray(a.tolist(), dtype="float64") if a.dtype == object else a
                for a in ins
            ]
            outs = _perform(node, plain)
        else:
            outs = _perform(node, ins)
        for var, val in zip(node.outputs, outs, strict=True):
            env[var] = val
    return [env[o] if o in env else _to_exact(o.data, o.type.dtype) for o in outputs]


def _round(val: Any, dtype: str) -> np.ndarray:
    arr = (
        np.asarray(val, dtype=object) if dtype.startswith("float") else np.asarray(val)
    )
    if not dtype.startswith("float"):
        return arr.astype(dtype)
    out = np.empty(arr.shape, dtype="float64")
    flat = out.reshape(-1)
    for i, v in enumerate(arr.reshape(-1)):
        flat[i] = float(v)
    return out.astype(dtype)
