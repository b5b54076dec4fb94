"""Do two random graphs draw from the same distribution?

For rewrites of generative graphs (RandomVariable graphs, what ``pm.draw``
samples) values cannot be compared one by one: :func:`check_draws` draws
from both with seeds and runs a two-sample test, Kolmogorov–Smirnov for
continuous outputs and chi-square on the counts for discrete ones, with a
picture of both histograms on request.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from rewritelab.core.errors import TargetError
from rewritelab.core.targets import resolve

__all__ = ["DrawsReport", "check_draws"]


@dataclass(frozen=True)
class DrawsReport:
    """The two-sample test: ``ok`` when the p-value is at least ``alpha``."""

    test: str
    statistic: float
    pvalue: float
    alpha: float
    draws: int
    ok: bool
    picture: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return asdict(self)


def _single_output(graph: Any, which: str) -> Any:
    t = resolve(graph)
    if len(t.outputs) != 1:
        raise TargetError(
            f"check_draws needs one output for {which}, not {len(t.outputs)}"
        )
    return t.outputs[0]


def check_draws(
    before: Any,
    after: Any,
    *,
    draws: int = 2000,
    seed: int = 0,
    alpha: float = 1e-3,
    picture: str | Path | None = None,
) -> DrawsReport:
    """Two-sample test between seeded draws of ``before`` and ``after``.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> z = pt.random.normal(0, 1)
    >>> check_draws(2 * z + 1, pt.random.normal(1, 2)).ok
    True
    >>> check_draws(z, pt.random.normal(0.3, 1)).ok
    False
    """
    import pymc as pm

    b, a = _single_output(before, "before"), _single_output(after, "after")
    xb = (
        np.asarray(pm.draw(b, draws=draws, random_seed=seed)).reshape(draws, -1).ravel()
    )
    xa = (
        np.asarray(pm.draw(a, draws=draws, random_seed=seed + 1))
        .reshape(draws, -1)
        .ravel()
    )
    discrete = xb.dtype.kind in "iub" and xa.dtype.kind in "iub"
    if discrete:
        support = np.union1d(xb, xa)
        counts = np.array([[np.sum(x == v) for v in support] for x in (xb, xa)])
        if len(support) < 2:
            test, stat, p = "identical constant", 0.0, 1.0
        else:
            res = stats.chi2_contingency(counts)
            test, stat, p = "chi-square", float(res.statistic), float(res.pvalue)
    else:
        res = stats.ks_2samp(xb, xa)
        test, stat, p = "Kolmogorov-Smirnov", float(res.statistic), float(res.pvalue)
    path = None
    if picture is not None:
        path = str(_histograms(xb, xa, Path(picture), discrete, f"{test}: p = {p:.3g}"))
    return DrawsReport(test, stat, p, alpha, draws, bool(p >= alpha), path)


def _histograms(
    xb: np.ndarray, xa: np.ndarray, path: Path, discrete: bool, title: str
) -> Path:
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    finite = np.concatenate([xb, xa])
    finite = finite[np.isfinite(finite)]
    if discrete:
        bins = np.arange(finite.min(), finite.max() + 2) - 0.5
    else:
        lo, hi = np.quantile(finite, [0.005, 0.995])
        bins = np.linspace(lo, hi, 50)
    ax.hist(xb, bins=bins, alpha=0.5, density=True, label="before")
    ax.hist(xa, bins=bins, alpha=0.5, density=True, label="after")
    ax.set_title(title)
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path
