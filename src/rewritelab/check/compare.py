"""Compare a rewritten graph's values with the original's, ULP by ULP.

The contract (DESIGN.md, correctness policy): same shape and dtype; where the
two agree to within ``tol_ulps`` units in the last place (same nan and ±inf
positions included) the rewrite passes; elsewhere the original expression is
evaluated exactly (:mod:`rewritelab.check.exact`) and the rewrite passes where it is
at least as close to the exact value as the original was, or no farther from
it than the original lands under random rounding (its noise floor,
:mod:`rewritelab.check.noise`).

The noise floor matters where an output cancels: a gradient that sums terms
of size 1 to a result of size 0.03 is some 50 ULPs uncertain in any order of
evaluation, and which of two forms lands nearer the exact value is chance.
An error the original itself reaches by rounding differently is no evidence
against a rewrite.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rewritelab.check.derivative import exact_derivative
from rewritelab.check.exact import (
    MAX_DOUBLINGS,
    ExactValue,
    NoExactValue,
    Undefined,
    Unsettled,
    exact_value,
)

__all__ = [
    "GRADIENT_REFUTED",
    "NOTES",
    "UNDECIDED",
    "Verdict",
    "ulps",
    "compare_values",
    "compare_outputs",
    "DEFAULT_TOL_ULPS",
]

#: Disagreement tolerated without looking at the exact value, per dtype.
DEFAULT_TOL_ULPS = {"float64": 8.0, "float32": 8.0, "float16": 4.0}

#: Why an accepted verdict was not judged as usual. ``UNDECIDED``: the two
#: differ beyond the noise floor and no exact value settled (``log1p(expm1(
#: x))`` at x = -26,499 cancels 11,509 digits; ``arctanh(tanh(1e16))`` about
#: 1e16) or there is none (the inverse of a singular matrix): the checker
#: cannot say which is right, as at a point outside a domain. ``GRADIENT_REFUTED``: the original's gradient graph is not the
#: derivative of its value there (:mod:`rewritelab.check.derivative`), and the
#: rewrite was judged against the derivative.
UNDECIDED = "no exact value to judge by"
GRADIENT_REFUTED = "the original's gradient graph is not the derivative"
NOTES = (UNDECIDED, GRADIENT_REFUTED)

#: How far beyond the original's rounding noise (root mean square, in ULPs,
#: of its values under random rounding) a rewrite may land: rounding errors
#: of a sum are near normal, and 4 sigma is passed by chance about once in
#: 16,000 elements.
NOISE_SIGMAS = 4.0

#: Gradients chain many more roundings than the values they come from: their
#: tolerance is this multiple of the value tolerance.
GRADIENT_TOL_FACTOR = 4.0


def ulps(value: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """Error of ``value`` in units in the last place of ``exact`` (in the
    dtype of ``value``); 0 where both are the same nan or ±inf, inf where
    only one is finite or nan. For integers, the distance between them
    (the exact value may lie beyond the dtype: the original overflowed);
    for booleans 0 or inf.

    Differences smaller than the dtype's smallest normal number count as 0:
    subnormal results are flushed to zero by many compiled kernels (Numba's
    fastmath, FTZ hardware), so an ULP of a subnormal is no evidence.
    """
    value = np.asarray(value)
    if value.dtype.kind != "f":  # integers: how far apart (the exact one may
        # lie beyond the dtype, where the original overflowed)
        exact = np.asarray(exact)
        if value.dtype == bool or exact.dtype == bool:
            return np.where(value == exact, 0.0, np.inf)
        gap = np.abs(value.astype(object) - exact.astype(object))
        return np.asarray(gap, dtype="float64").reshape(value.shape)
    exact = np.asarray(exact, dtype=value.dtype)
    same = (value == exact) | (np.isnan(value) & np.isnan(exact))
    finite = np.isfinite(value) & np.isfinite(exact)
    with np.errstate(all="ignore"):
        spacing = np.spacing(np.abs(exact).astype(value.dtype))
        gap = np.abs(value.astype("float64") - exact.astype("float64"))
        err = np.where(gap < np.finfo(value.dtype).tiny, 0.0, gap / spacing)
    return np.where(same, 0.0, np.where(finite, err, np.inf))


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing one output at one input.

    ``ok`` tells whether the rewrite is acceptable; ``worst_ulps`` is the
    rewritten value's worst error (against the exact value where it was
    computed, else against the original), and ``original_ulps`` the
    original's worst error against the same exact value (None where no exact
    value was needed); ``index`` is the first bad element and ``reason`` says
    why it is bad; ``exact_digits`` the decimal digits of precision the exact
    value needed to settle. ``note`` says why an accepted verdict was not
    judged as usual (:data:`NOTES`); the callers count such points.
    """

    ok: bool
    worst_ulps: float
    reason: str = ""
    index: tuple[int, ...] | None = None
    exact: np.ndarray | None = None
    ulps_before: float | None = None
    ulps_after: float | None = None
    original_ulps: float | None = None
    exact_digits: int | None = None
    note: str = ""


def compare_values(
    before: np.ndarray,
    after: np.ndarray,
    exact: Callable[[], np.ndarray | ExactValue] | None,
    *,
    tol_ulps: float | None = None,
    nan_original_ok: bool = False,
    noise: Callable[[], Sequence[np.ndarray]] | None = None,
) -> Verdict:
    """Judge ``after`` against ``before``; ``exact()`` is called only where the
    two disagree (it returns the exact array or a
    :class:`rewritelab.check.exact.ExactValue` of one output, and may raise
    :class:`rewritelab.check.exact.NoExactValue`).

    ``noise()`` returns the original's values under random rounding (see the
    module doc); it is called only where the rewrite would otherwise fail.
    Where the exact value is unknown the rewrite then passes if it is no
    farther from the original than that noise floor.

    ``nan_original_ok`` marks a gradient: its tolerance is
    :data:`GRADIENT_TOL_FACTOR` times larger, and any value is accepted where
    the original expression is nan even exactly: where the original's gradient graph
    can be 0/0 at a point where the function itself is fine (the gradient of
    sqrt(x**2) at 0), and a rewrite that resolves it is no error.
    """
    before, after = np.asarray(before), np.asarray(after)
    if before.dtype != after.dtype:
        return Verdict(
            False, np.inf, f"dtype {after.dtype} where the original has {before.dtype}"
        )
    if before.shape != after.shape:
        return Verdict(
            False, np.inf, f"shape {after.shape} where the original has {before.shape}"
        )
    tol = DEFAULT_TOL_ULPS.get(str(before.dtype), 0.0) if tol_ulps is None else tol_ulps
    if nan_original_ok:  # a gradient
        tol *= GRADIENT_TOL_FACTOR
    close = ulps(after, before)
    if before.size == 0 or np.all(close <= tol):
        return Verdict(True, float(close.max(initial=0.0)))
    if exact is None:
        idx = np.unravel_index(int(np.argmax(close > tol)), before.shape)
        return Verdict(False, float(close.max()), "differs from the original", idx)

    try:
        found = exact()
    except NoExactValue as exc:
        bad = (close > tol) & (_gap(after, before) > _spread(noise, before))
        if not bad.any():
            return Verdict(True, float(close.max()))
        idx = np.unravel_index(int(np.argmax(bad)), before.shape)
        reason = f"differs from the original and {exc}"
        # a value no precision settled, or none to settle: not judged; an op
        # without an exact meaning: fails (the checker cannot judge the rule)
        if isinstance(exc, Unsettled | Undefined):
            return Verdict(True, float(close.max()), reason, idx, note=UNDECIDED)
        return Verdict(False, float(close.max()), reason, idx)
    digits = found.digits if isinstance(found, ExactValue) else None
    ref = found.values[0] if isinstance(found, ExactValue) else found
    ref = (
        np.asarray(ref) if before.dtype.kind in "iu" else np.asarray(ref, before.dtype)
    )
    err_after, err_before = ulps(after, ref), ulps(before, ref)
    free = None  # zeros and infinities whose sign the original leaves open
    if isinstance(found, ExactValue) and found.sign_free:
        sign_free = np.asarray(found.sign_free[0])
        with np.errstate(invalid="ignore"):
            free = sign_free & (np.abs(after) == np.abs(ref))
            err_after = np.where(free, 0.0, err_after)
            err_before = np.where(
                sign_free & (np.abs(before) == np.abs(ref)), 0.0, err_before
            )
    bad = (close > tol) & (err_after > np.maximum(err_before, tol))
    if nan_original_ok and ref.dtype.kind == "f":
        bad &= ~np.isnan(ref)
    if bad.any() and noise is not None:
        bad &= _gap(after, ref) > _spread(noise, ref)
    worst = float(err_after.max(initial=0.0))
    original = float(err_before.max(initial=0.0))
    if not bad.any():
        return Verdict(
            True, worst, exact=ref, original_ulps=original, exact_digits=digits
        )
    idx = np.unravel_index(int(np.argmax(bad)), before.shape)
    return Verdict(
        False,
        worst,
        "farther from the exact value than the original",
        idx,
        ref,
        float(err_before[idx]),
        float(err_after[idx]),
        original,
        digits,
    )


def _gap(value: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """How far ``value`` lies from ``centre``, absolutely: 0 where both are
    the same nan or infinity, inf where only one is finite."""
    value, centre = np.asarray(value), np.asarray(centre)
    if value.dtype.kind not in "fiu":
        return ulps(value, centre)
    a, b = value.astype("float64"), centre.astype("float64")
    with np.errstate(all="ignore"):
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        return np.where(same, 0.0, np.where(np.isfinite(a - b), np.abs(a - b), np.inf))


def _spread(noise: Callable[[], Sequence[np.ndarray]] | None, centre: np.ndarray):
    """Elementwise noise floor: :data:`NOISE_SIGMAS` times the root mean
    square distance of the original's values under random rounding from
    ``centre``. Absolute, not in ULPs: where the exact value is 0 (a
    gradient element that cancels) an ULP of it is a subnormal, and every
    rounded value would be infinitely many away. Non-finite values say
    nothing."""
    if noise is None:
        return np.zeros(centre.shape)
    gaps = [_gap(np.asarray(v, dtype=centre.dtype), centre) for v in noise()]
    if not gaps:
        return np.zeros(centre.shape)
    gaps = np.array(gaps)
    seen = np.isfinite(gaps)
    with np.errstate(all="ignore"):
        squares = (np.where(seen, gaps, 0.0) ** 2).sum(0)
        rms = np.sqrt(squares / np.maximum(seen.sum(0), 1))
    return NOISE_SIGMAS * rms


def compare_outputs(
    inputs: Sequence[Any],
    before_outputs: Sequence[Any],
    vb: Sequence[Any],
    va: Sequence[Any],
    values: Mapping[Any, Any] | Sequence[Any],
    *,
    n_values: int,
    gate_gradients: bool = True,
    rtol: float | None = None,
    on_verdict: Callable[[Verdict], None] | None = None,
    noise: Callable[..., Sequence[Sequence[Any]]] | None = None,
    on_note: Callable[[int, Verdict], None] | None = None,
    derivatives: Sequence[tuple[Any, Any]] = (),
    doublings: int = MAX_DOUBLINGS,
) -> tuple[int, Verdict] | None:
    """Judge every output of one before/after evaluation at one point.

    ``vb``/``va`` are the outputs of the original graph ``before_outputs``
    and of its rewrite, evaluated at ``values`` of ``inputs``; the first
    ``n_values`` are values, the rest gradients (compared as such by
    :func:`compare_values`). With ``gate_gradients`` the gradients are only
    compared where every value is finite. With ``rtol`` outputs that close
    need no further look. The exact reference is the original graph
    evaluated by :func:`rewritelab.check.exact.exact_value`, only where needed.
    ``noise`` evaluates the original graph with random rounding
    (:class:`rewritelab.check.noise.RoundingNoise`; positional inputs): with it the
    noise floor is measured where a rewrite would otherwise fail
    (:func:`compare_values`). ``derivatives`` gives, for each gradient in
    order, ``(cost, wrt)``: the scalar it is the gradient of and the input it
    is taken with respect to; where the rewrite's gradient fails against the
    original's, the failing element is asked of the derivative itself
    (:func:`rewritelab.check.derivative.exact_derivative`), and where that
    refutes the original's gradient graph it becomes the reference.
    ``doublings`` caps the exact value's precision
    (:func:`rewritelab.check.exact.exact_value`). Returns the first failing ``(output index, verdict)``, or None;
    ``on_verdict`` sees every verdict made, and ``on_note`` each accepted
    ``(output index, verdict)`` with a note (:data:`NOTES`).
    """

    args = [values[v] for v in inputs] if isinstance(values, Mapping) else list(values)
    noisy: list[Sequence[Any]] | None = None  # measured once, where needed

    def noise_of(k: int) -> list[np.ndarray]:
        nonlocal noisy
        if noisy is None:
            noisy = []
            # the original may not run there: then there is no floor
            with np.errstate(all="ignore"), contextlib.suppress(Exception):
                noisy = list(noise(*args))
        return [np.asarray(v[k]) for v in noisy]

    finite = not gate_gradients or all(
        np.all(np.isfinite(x)) for x in (*vb[:n_values], *va[:n_values])
    )
    # a gradient's own dtype is its input's: where the original's gradient
    # strays from it (PyTensor upcasts the gradient of a mixed float32 /
    # int64 graph to float64) and the rewrite's does not, that is no fault
    wrt = [str(getattr(v.type, "dtype", "")) for v in inputs]
    wrt = [d for d in wrt if d.startswith("float")]
    for k, (b, a) in enumerate(zip(vb, va, strict=True)):
        gradient = k >= n_values
        if gradient and not finite:
            break
        b, a = np.asarray(b), np.asarray(a)
        own = wrt[k - n_values] if gradient and k - n_values < len(wrt) else None
        if own is not None and a.dtype == own != b.dtype:
            b = b.astype(own)
        if (
            rtol is not None
            and b.shape == a.shape
            and np.allclose(a, b, rtol=rtol, atol=rtol, equal_nan=True)
        ):
            continue

        def exact(k: int = k) -> ExactValue:
            with np.errstate(all="ignore"):
                return exact_value(
                    list(inputs), [before_outputs[k]], values, doublings=doublings
                )

        floor = None if noise is None else (lambda k=k: noise_of(k))
        v = compare_values(b, a, exact, nan_original_ok=gradient, noise=floor)
        if not v.ok and gradient and k - n_values < len(derivatives):
            cost, wrt_input = derivatives[k - n_values]
            v = _against_derivative(v, b, a, floor, (inputs, cost, wrt_input, values))
        if on_verdict is not None:
            on_verdict(v)
        if not v.ok:
            return k, v
        if v.note and on_note is not None:
            on_note(k, v)
    return None


#: At most this many elements of one gradient are asked of the derivative.
DERIVATIVE_ELEMENTS = 16


def _against_derivative(
    v: Verdict,
    before: np.ndarray,
    after: np.ndarray,
    noise: Callable[[], Sequence[np.ndarray]] | None,
    problem: tuple[Any, Any, Any, Any],
) -> Verdict:
    """Judge a failing gradient again where the derivative of the value
    refutes the original's gradient graph, element by element: the
    reference takes the derivative there (see :func:`compare_outputs`)."""
    if v.exact is None or v.index is None or before.dtype.kind != "f":
        return v
    inputs, cost, wrt, values = problem
    ref = np.array(v.exact, dtype=before.dtype)
    refuted: list[str] = []
    for _ in range(DERIVATIVE_ELEMENTS):
        idx = tuple(int(i) for i in v.index)
        d = exact_derivative(inputs, cost, wrt, values, idx)
        if d is None or ulps(np.asarray(ref[idx]), np.asarray(d, ref.dtype)) <= 1:
            return v  # no refutation: the gradient graph stands
        where = f"element {list(idx)}: " if idx else ""
        refuted.append(f"{where}{ref[idx]:.17g} where the derivative is {d:.17g}")
        ref[idx] = d
        fixed = ref.copy()
        v = compare_values(
            before, after, lambda f=fixed: f, nan_original_ok=True, noise=noise
        )
        if v.ok:
            reason = "judged against the derivative: the original's gradient "
            reason += f"graph gives {'; '.join(refuted)}"
            return dataclasses.replace(v, reason=reason, note=GRADIENT_REFUTED)
        if v.index is None or v.exact is None:
            return v
    return v
