"""Does the model sample faster? The same seeds with and without the rules.

:func:`bench_sampling` runs PyMC's NUTS (or nutpie) on a model with
PyTensor's default pipeline and with the rules added (``pm.sample(
compile_kwargs={"mode": rl.mode(rules)})``; for nutpie
:func:`rewritelab.named_mode`), seed by seed, and reports for each run the wall time
(compiling included), the sampling time, gradient evaluations per second
(leapfrog steps, warm-up included, over the sampling time), effective samples
per second (bulk and tail, ArviZ, the worst parameter), and divergences. The
two posteriors must agree: per parameter element a two-sample
Kolmogorov-Smirnov test on draws thinned to about one per effective sample
(p at least :data:`KS_ALPHA` divided by the number of elements), and R-hat
over the chains of both runs together at most :data:`RHAT_MAX`.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from rewritelab.core.errors import RewritelabError
from rewritelab.core.models import model_of
from rewritelab.rewrite.modes import mode as rules_mode
from rewritelab.rewrite.modes import named_mode

__all__ = [
    "SAMPLERS",
    "KS_ALPHA",
    "RHAT_MAX",
    "SamplingRun",
    "SamplingReport",
    "bench_sampling",
]

#: Samplers :func:`bench_sampling` can run: PyMC's NUTS (the rules through
#: ``compile_kwargs``) and nutpie (through :func:`rewritelab.named_mode`, as
#: nutpie compiles with the mode name "NUMBA").
SAMPLERS = ("pymc", "nutpie")

#: Family-wise level of the per-element KS tests (Bonferroni-corrected).
KS_ALPHA = 0.01

#: Largest R-hat over both runs' chains at which the posteriors agree.
RHAT_MAX = 1.05


@dataclass(frozen=True)
class SamplingRun:
    """One sampling run: with or without the rules, one seed."""

    rules: bool
    seed: int
    wall_s: float
    sampling_s: float
    grad_evals: int
    ess_bulk: float
    ess_tail: float
    divergences: int

    @property
    def grad_evals_per_s(self) -> float:
        return self.grad_evals / self.sampling_s

    @property
    def ess_bulk_per_s(self) -> float:
        return self.ess_bulk / self.sampling_s

    @property
    def ess_tail_per_s(self) -> float:
        return self.ess_tail / self.sampling_s


@dataclass(frozen=True)
class SamplingReport:
    """Runs with and without the rules, and whether the posteriors agree.

    ``agreement`` lists ``(parameter element, KS p-value, R-hat)`` per
    element (R-hat over the chains of both runs of the first seed);
    ``rhat_within`` is the largest R-hat inside each of those two runs: when
    either run has not converged, a difference between them says nothing
    about the rules, and the verdict is ``inconclusive``.
    """

    model: str
    sampler: str
    chains: int
    draws: int
    tune: int
    runs: tuple[SamplingRun, ...]
    agreement: tuple[tuple[str, float, float], ...]
    rhat_within: tuple[float, float] = (1.0, 1.0)

    @property
    def verdict(self) -> str:
        """``agree`` (every element passes the KS test and the R-hat bound),
        ``differ``, or ``inconclusive`` (a run did not converge)."""
        if max(self.rhat_within) > RHAT_MAX:
            return "inconclusive"
        level = KS_ALPHA / max(len(self.agreement), 1)
        ok = all(p >= level and r <= RHAT_MAX for _, p, r in self.agreement)
        return "agree" if ok else "differ"

    @property
    def agree(self) -> bool:
        """The posteriors were compared and agree."""
        return self.verdict == "agree"

    def ratio(self, what: str) -> float:
        """Median over seeds of ``what`` with the rules / without — for a
        time (``sampling_s``, ``wall_s``) without / with — so that above 1 is
        always better with the rules."""
        with_rules = [getattr(r, what) for r in self.runs if r.rules]
        without = [getattr(r, what) for r in self.runs if not r.rules]
        a, b = float(np.median(with_rules)), float(np.median(without))
        is_time = what.endswith("_s") and not what.endswith("per_s")
        return b / a if is_time else a / b

    def __str__(self) -> str:
        lines = [
            f"{self.model} · {self.sampler}: {self.chains} chains x {self.draws} draws "
            f"(+{self.tune} tune), seeds {sorted({r.seed for r in self.runs})}"
        ]
        for r in self.runs:
            lines.append(
                f"  {'rules  ' if r.rules else 'default'} seed {r.seed}: "
                f"{r.sampling_s:.2f} s sampling ({r.wall_s:.1f} s wall), "
                f"{r.grad_evals_per_s:,.0f} grad/s, ESS/s bulk {r.ess_bulk_per_s:.1f} "
                f"tail {r.ess_tail_per_s:.1f}, {r.divergences} divergences"
            )
        lines.append(
            f"  speed-up: sampling {self.ratio('sampling_s'):.3f}x, grad/s "
            f"{self.ratio('grad_evals_per_s'):.3f}x, ESS/s bulk "
            f"{self.ratio('ess_bulk_per_s'):.3f}x, tail {self.ratio('ess_tail_per_s'):.3f}x"
        )
        worst_p = min((p for _, p, _ in self.agreement), default=math.nan)
        worst_r = max((r for _, _, r in self.agreement), default=math.nan)
        word = {"agree": "agree", "differ": "DIFFER", "inconclusive": "not compared"}
        lines.append(
            f"  posteriors {word[self.verdict]}: smallest KS p {worst_p:.3g} "
            f"(>= {KS_ALPHA:g}/{len(self.agreement)}), largest R-hat {worst_r:.3f} "
            f"(<= {RHAT_MAX}); within each run {self.rhat_within[0]:.3f} / "
            f"{self.rhat_within[1]:.3f}"
            + (
                "  -> a run did not converge: sample longer"
                if self.verdict == "inconclusive"
                else ""
            )
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, with the per-second rates and the ratios."""
        runs = [
            asdict(r)
            | {
                "grad_evals_per_s": r.grad_evals_per_s,
                "ess_bulk_per_s": r.ess_bulk_per_s,
                "ess_tail_per_s": r.ess_tail_per_s,
            }
            for r in self.runs
        ]
        return {
            "model": self.model,
            "sampler": self.sampler,
            "chains": self.chains,
            "draws": self.draws,
            "tune": self.tune,
            "runs": runs,
            "agreement": [list(a) for a in self.agreement],
            "rhat_within": list(self.rhat_within),
            "verdict": self.verdict,
            "thresholds": {"ks_alpha": KS_ALPHA, "rhat_max": RHAT_MAX},
            "speedup": {
                k: self.ratio(k)
                for k in ("sampling_s", "grad_evals_per_s", "ess_bulk_per_s")
            },
        }


def _the_model(target: Any) -> Any:
    model = model_of(target)
    if model is None:
        raise RewritelabError(
            f"sampling needs a PyMC model, not {type(target).__name__}"
        )
    if model.discrete_value_vars:
        names = ", ".join(v.name for v in model.discrete_value_vars)
        raise RewritelabError(
            f"the model has discrete variables ({names}): NUTS, a gradient-based "
            "sampler, cannot sample it"
        )
    return model


def _elements(posterior: Any) -> dict[str, np.ndarray]:
    """Each scalar element of each parameter: ``(chains, draws)`` arrays."""
    out = {}
    for name, da in posterior.data_vars.items():
        values = np.asarray(da.values)  # (chain, draw, ...)
        flat = values.reshape(values.shape[0], values.shape[1], -1)
        for k in range(flat.shape[2]):
            label = name if flat.shape[2] == 1 else f"{name}[{k}]"
            out[label] = flat[:, :, k]
    return out


def _summary(
    idata: Any, rules: bool, seed: int, wall: float, sampling: float
) -> tuple[SamplingRun, dict[str, np.ndarray]]:
    """A run's figures from its trace (PyMC's or nutpie's: both keep
    ``n_steps`` and ``diverging``, warm-up included)."""
    import arviz as az

    post = idata.posterior
    steps = int(idata.sample_stats["n_steps"].sum())
    if "warmup_sample_stats" in idata.children:
        steps += int(idata.warmup_sample_stats["n_steps"].sum())

    def worst(ds: Any) -> float:
        return float(min(np.min(v.values) for v in ds.data_vars.values()))

    run = SamplingRun(
        rules=rules,
        seed=seed,
        wall_s=wall,
        sampling_s=sampling,
        grad_evals=steps,
        ess_bulk=worst(az.ess(post, method="bulk")),
        ess_tail=worst(az.ess(post, method="tail")),
        divergences=int(idata.sample_stats["diverging"].sum()),
    )
    return run, _elements(post)


def _run_pymc(model: Any, rules: Any, seed: int, settings: dict) -> tuple:
    import pymc as pm

    t0 = time.perf_counter()
    with model:
        idata = pm.sample(
            random_seed=seed,
            progressbar=False,
            compute_convergence_checks=False,
            discard_tuned_samples=False,
            # PyMC's own NUTS: with nutpie installed, PyMC would hand the model
            # to nutpie, which ignores compile_kwargs' mode
            nuts_sampler="pymc",
            compile_kwargs={"mode": rules_mode(rules) if rules is not None else None},
            **settings,
        )
    wall = time.perf_counter() - t0
    sampling = float(idata.posterior.attrs.get("sampling_time", wall))
    return _summary(idata, rules is not None, seed, wall, sampling)


def _run_nutpie(model: Any, rules: Any, seed: int, settings: dict) -> tuple:
    try:
        import nutpie
    except ImportError:
        raise RewritelabError(
            "the sampler nutpie is not installed: pip install nutpie "
            "(or rewritelab[nutpie])"
        ) from None
    t0 = time.perf_counter()
    if rules is None:
        compiled = nutpie.compile_pymc_model(model)
    else:
        with named_mode(rules, "NUMBA"):
            compiled = nutpie.compile_pymc_model(model)
    t1 = time.perf_counter()
    idata = nutpie.sample(
        compiled,
        chains=settings["chains"],
        draws=settings["draws"],
        tune=settings["tune"],
        seed=seed,
        cores=1,
        progress_bar=False,
    )
    t2 = time.perf_counter()
    return _summary(idata, rules is not None, seed, t2 - t0, t2 - t1)


def bench_sampling(
    model: Any,
    rules: Any,
    *,
    sampler: str = "pymc",
    chains: int = 2,
    draws: int = 500,
    tune: int = 500,
    seeds: tuple[int, ...] = (0,),
    name: str = "",
) -> SamplingReport:
    """Sample ``model`` with and without ``rules`` for every seed (see module doc).

    ``model`` is a ``pm.Model`` or a model target; one core, chains one
    after the other, so the two runs compete for nothing.
    """
    if sampler not in SAMPLERS:
        raise RewritelabError(
            f"sampler {sampler!r} is not supported; expected one of {SAMPLERS}"
        )
    if chains < 2 or draws < 10 or tune < 0 or not seeds:
        raise RewritelabError(
            "sampling needs at least 2 chains, 10 draws, tune >= 0 and one seed"
        )
    pm_model = _the_model(model)
    settings = {"chains": chains, "draws": draws, "tune": tune, "cores": 1}
    runs, first = [], {}
    sample = _run_pymc if sampler == "pymc" else _run_nutpie
    for seed in seeds:
        for with_rules in (False, True):
            run, elements = sample(
                pm_model, rules if with_rules else None, seed, settings
            )
            runs.append(run)
            first.setdefault(with_rules, elements)
    within = tuple(
        max(_rhat(chains) for chains in first[side].values()) for side in (False, True)
    )
    agreement = []
    for label, before in first[False].items():
        after = first[True][label]
        ess = max(min(runs[0].ess_bulk, runs[1].ess_bulk), 1.0)
        step = max(1, int(before.size / ess))
        p = float(stats.ks_2samp(before.ravel()[::step], after.ravel()[::step]).pvalue)
        agreement.append((label, p, _rhat(np.concatenate([before, after]))))
    return SamplingReport(
        name or getattr(model, "name", "") or "model",
        sampler,
        chains,
        draws,
        tune,
        tuple(runs),
        tuple(agreement),
        within,
    )


def _rhat(chains: np.ndarray) -> float:
    """ArviZ's rank-normalised R-hat of ``(chain, draw)`` draws."""
    import arviz as az

    return float(az.rhat(chains))
