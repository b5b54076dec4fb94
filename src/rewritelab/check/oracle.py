"""An independent oracle for PyMC logp terms: scipy.stats densities.

:func:`check_against_scipy` compares each random variable's logp term (in
the value space the sampler uses, Jacobian included) with the matching
``scipy.stats`` density plus the log-Jacobian of the value transform,
written out here independently of PyMC's transform code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pytensor
from scipy import special, stats

from rewritelab.check.kernel import CHECK_MODE
from rewritelab.core.errors import TargetError
from rewritelab.core.points import model_points

__all__ = ["SCIPY_DISTRIBUTIONS", "OracleRow", "OracleReport", "check_against_scipy"]

#: PyTensor RandomVariable op name -> scipy.stats frozen distribution from the
#: op's parameters (in PyTensor's parametrisation: scale, not rate).
SCIPY_DISTRIBUTIONS: dict[str, Callable[..., Any]] = {
    "NormalRV": lambda mu, sigma: stats.norm(mu, sigma),
    "HalfNormalRV": lambda loc, scale: stats.halfnorm(loc, scale),
    "ExponentialRV": lambda scale: stats.expon(scale=scale),
    "GammaRV": lambda alpha, scale: stats.gamma(alpha, scale=scale),
    "BetaRV": lambda a, b: stats.beta(a, b),
    "LogNormalRV": lambda mu, sigma: stats.lognorm(s=sigma, scale=np.exp(mu)),
    "StudentTRV": lambda nu, mu, sigma: stats.t(nu, mu, sigma),
    "CauchyRV": lambda loc, scale: stats.cauchy(loc, scale),
    "UniformRV": lambda lower, upper: stats.uniform(lower, upper - lower),
    "PoissonRV": lambda mu: stats.poisson(mu),
    "BinomialRV": lambda n, p: stats.binom(n, p),
    "NegBinomialRV": lambda n, p: stats.nbinom(n, p),
}


def _log_sigmoid(v: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -v)


def _backward(transform: Any, op_name: str, value: np.ndarray, params: list) -> tuple:
    """(constrained value, log |d constrained / d value|) for the transforms
    PyMC uses by default, from their textbook formulas."""
    kind = type(transform).__name__
    if transform is None:
        return value, np.zeros_like(value, dtype="float64")
    if kind == "LogTransform":
        return np.exp(value), value
    if kind == "LogOddsTransform":
        return special.expit(value), _log_sigmoid(value) + _log_sigmoid(-value)
    if kind == "Interval" and op_name == "UniformRV":
        lo, hi = params
        x = lo + (hi - lo) * special.expit(value)
        return x, np.log(hi - lo) + _log_sigmoid(value) + _log_sigmoid(-value)
    raise TargetError(f"no independent formula for the {kind} transform")


@dataclass(frozen=True)
class OracleRow:
    """One variable at one point: PyMC's term and SciPy's."""

    variable: str
    distribution: str
    point: str
    pymc: float
    scipy: float
    rel_error: float
    ok: bool


@dataclass(frozen=True)
class OracleReport:
    """All rows; ``skipped`` lists variables with no SciPy match, and why."""

    rows: tuple[OracleRow, ...]
    skipped: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        """Every compared term matched."""
        return all(r.ok for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the rows, the skipped variables and ``ok``."""
        return {
            "ok": self.ok,
            "rows": [asdict(r) for r in self.rows],
            "skipped": [{"variable": v, "why": why} for v, why in self.skipped],
        }


def check_against_scipy(
    model: Any, *, draws: int = 3, seed: int = 0, rtol: float = 1e-7
) -> OracleReport:
    """Compare each variable's logp term with SciPy at the initial point and
    at prior draws (see module doc). ``rtol`` allows for SciPy's own
    accuracy and for float32 constants in PyMC's graphs.

    Examples
    --------
    >>> import pymc as pm
    >>> with pm.Model() as m:
    ...     s = pm.HalfNormal("s", 2)
    ...     y = pm.Normal("y", 1, s, observed=[0.5, 2.0])
    >>> check_against_scipy(m, draws=1).ok
    True
    """
    import pymc as pm

    if not isinstance(model, pm.Model):
        raise TargetError(
            f"check_against_scipy needs a pm.Model, not {type(model).__name__}"
        )
    values = list(model.value_vars)
    rows: list[OracleRow] = []
    skipped: list[tuple[str, str]] = []
    todo = []
    for rv in model.basic_RVs:
        name = type(rv.owner.op).__name__
        if name not in SCIPY_DISTRIBUTIONS:
            skipped.append((rv.name, f"no SciPy match for {name}"))
            continue
        params = rv.owner.op.dist_params(rv.owner)
        term = model.logp(vars=[rv], sum=False)[0]
        value = model.rvs_to_values[rv]
        outs = model.replace_rvs_by_values([*params, term])
        todo.append((rv, name, outs, value))
    if not todo:
        return OracleReport((), tuple(skipped))
    fn_outputs = [o for _, _, outs, v in todo for o in (*outs, v)]
    fn = pytensor.function(
        values, fn_outputs, mode=CHECK_MODE, on_unused_input="ignore"
    )
    points = [(p.label, p.values) for p in model_points(model, draws=draws, seed=seed)]
    for where, point in points:
        with np.errstate(all="ignore"):
            got = fn(*(point[v.name] for v in values))
        k = 0
        for rv, name, outs, _ in todo:
            n = len(outs)
            *params, term = got[k : k + n]
            # PyMC keeps small constants as int8: numpy's log of int8 is float16
            params = [np.asarray(p, dtype="float64") for p in params]
            value = got[k + n]
            k += n + 1
            tr = model.rvs_to_transforms.get(rv)
            try:
                x, log_jac = _backward(tr, name, np.asarray(value), params)
            except TargetError as exc:
                skipped.append((rv.name, str(exc)))
                continue
            dist = SCIPY_DISTRIBUTIONS[name](*params)
            logp = dist.logpmf(x) if hasattr(dist, "logpmf") else dist.logpdf(x)
            expected = float(np.sum(logp + log_jac))
            actual = float(np.sum(term))
            rel = abs(actual - expected) / max(abs(expected), 1.0)
            rows.append(
                OracleRow(
                    rv.name, name, where, actual, expected, rel, bool(rel <= rtol)
                )
            )
    return OracleReport(tuple(rows), tuple(dict.fromkeys(skipped)))
