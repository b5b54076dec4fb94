"""A/B timing of two functions: interleaved samples and a bootstrap interval.

The statistics of :func:`rewritelab.measure.bench.bench`, apart from what it
compiles and where: any two callables on the same arguments.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

__all__ = ["ABTiming", "COMPILE_NOISE", "time_ab"]

#: Two compilations of the very same graph run at speeds up to about 2%
#: apart on this machine (A/A runs of tests/test_bench.py: intervals about
#: 0.5% wide, centred anywhere in 0.985-1.013). No rule effect below that can
#: be told from it, so every reported interval is widened by this much.
COMPILE_NOISE = 0.02


@dataclass(frozen=True)
class ABTiming:
    """Paired per-call times of A (before) and B (after), in seconds."""

    a: tuple[float, ...]
    b: tuple[float, ...]
    calls_per_sample: int
    speedup: float
    ci_low: float
    ci_high: float

    @property
    def median_a(self) -> float:
        return float(np.median(self.a))

    @property
    def median_b(self) -> float:
        return float(np.median(self.b))


def _ratio(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    """Median of the paired ratios a_i / b_i: each pair was timed back to
    back, so slow changes of the machine's speed cancel within a pair."""
    return np.exp(np.median(np.log(a / b), axis=axis))


def time_ab(
    fa: Callable[..., Any],
    fb: Callable[..., Any],
    args: Sequence[Any],
    *,
    repeats: int = 21,
    min_sample_s: float = 0.01,
    confidence: float = 0.95,
    seed: int = 0,
    copies: tuple[Callable[..., Any], Callable[..., Any]] | None = None,
    interleave: str = "call",
) -> ABTiming:
    """Time two functions on the same arguments, interleaved.

    Each sample calls both functions ``n`` times, interleaved call by call
    and timed call by call (``n`` chosen so a sample of A takes at least
    ``min_sample_s``), so slow drifts and cache effects hit both alike. The
    speed-up is the median of the per-sample ratios A / B, with a percentile
    bootstrap interval.

    ``copies`` are second compilations ``(A', B')``, made in the opposite
    order (A B B' A'); odd samples time them. Two compilations of the very
    same graph can differ by about 1% (where the code and its storage land
    in memory; the first compiled was the slower one here), so alternating
    copies compiled in mirrored order cancels that effect instead of
    reporting it as a speed-up. With copies, the interval is also widened by
    :data:`COMPILE_NOISE`, the spread left between compilations.

    ``interleave="block"`` alternates the two by sample instead of by call
    (n calls of A, then n of B, the order swapped every sample): for two
    functions of very different size, where a large call between two small
    ones would evict the small one's data from the caches and slow it down
    (a 2 µs kernel measured 7 µs interleaved call by call with a 120 µs
    one), each is then timed in its own steady state, as a sampler calls it.
    """
    if interleave not in ("call", "block"):
        raise ValueError(f"interleave must be 'call' or 'block', not {interleave!r}")
    for f in (fa, fb, fa, fb):  # warm-up: caches, lazy initialisation
        f(*args)
    n, elapsed = 1, 0.0
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fa(*args)
        elapsed = time.perf_counter() - t
        if elapsed >= min_sample_s or n >= 1 << 20:
            break
        n *= 2 if elapsed <= 0 else max(2, min(10, int(min_sample_s / elapsed) + 1))

    clock = time.perf_counter
    swapped = [False]  # block interleaving: which ran first in the last sample

    def sample(fa: Callable[..., Any], fb: Callable[..., Any]) -> tuple[float, float]:
        """n calls of each, interleaved call by call (A B B A A B ...), so
        both always run in the same context: caches, frequency, neighbours."""
        funcs, spent = (fa, fb), [0.0, 0.0]  # by position: fa may be fb (A/A)
        if interleave == "block":
            swapped[0] = not swapped[0]
            for k in (1, 0) if swapped[0] else (0, 1):
                t0 = clock()
                for _ in range(n):
                    funcs[k](*args)
                spent[k] = clock() - t0
            return spent[0] / n, spent[1] / n
        for j in range(n):
            first, second = (1, 0) if j % 2 else (0, 1)
            t0 = clock()
            funcs[first](*args)
            t1 = clock()
            funcs[second](*args)
            t2 = clock()
            spent[first] += t1 - t0
            spent[second] += t2 - t1
        return spent[0] / n, spent[1] / n

    pairs = [(fa, fb)] + ([copies] if copies is not None else [])
    for pair in pairs:
        sample(*pair)  # warm-up at full length (CPU frequency, caches)
    ta, tb = [], []
    rounds = repeats * len(pairs)  # with copies: one sample of each pair per repeat
    for r in range(rounds):
        a_s, b_s = sample(*pairs[r % len(pairs)])
        ta.append(a_s)
        tb.append(b_s)
    a, b = np.array(ta), np.array(tb)
    if len(pairs) == 2:  # one value per repeat: geometric mean over both copies
        a, b = np.sqrt(a[0::2] * a[1::2]), np.sqrt(b[0::2] * b[1::2])
        ta, tb = list(a), list(b)
    res = stats.bootstrap(
        (a, b),
        _ratio,
        paired=True,
        vectorized=True,
        n_resamples=2000,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    ci = res.confidence_interval
    low, high = float(ci.low), float(ci.high)
    if copies is not None:  # separate compilations: add their own spread
        low, high = low / (1 + COMPILE_NOISE), high * (1 + COMPILE_NOISE)
    return ABTiming(tuple(ta), tuple(tb), n, float(_ratio(a, b)), low, high)
