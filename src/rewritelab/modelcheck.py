"""Does a model still compute the same log-probability after the rules?

:func:`check_model` applies the rules to a PyMC model's joint logp, its
per-variable terms (``sum=False``) and its gradient, and compares before
and after (:mod:`rewritelab.compare`, exact reference where they disagree)
at the initial point, at prior draws mapped into the unconstrained value
space, and at Hypothesis-drawn points. It does so on the graphs as PyMC
builds them, or (``stage="compiling"``) as PyTensor has rewritten them by
the time the rules run when compiling.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytensor
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rewritelab.apply import apply
from rewritelab.check import CHECK_MODE, CHECK_MODE_NAME, Counterexample, check_mode
from rewritelab.compare import compare_outputs
from rewritelab.errors import RewritelabError
from rewritelab.models import model_graph
from rewritelab.modes import pytensor_rewritten, until_rules_mode
from rewritelab.noise import RoundingNoise

__all__ = ["STAGES", "ModelReport", "check_model", "prior_points"]


@dataclass(frozen=True)
class ModelReport:
    """Outcome of :func:`check_model`.

    ``verdict`` is ``passed``, ``counterexample`` or ``unchanged`` (no rule
    fired: nothing to compare); ``points`` counts the points compared, per
    kind (``initial``, ``prior``, ``hypothesis``); ``stage`` is the graph
    the rules were applied to (see :func:`check_model`).
    """

    model: str
    verdict: str
    firings: int
    fired: tuple[str, ...]
    points: tuple[tuple[str, int], ...]
    worst_ulps: float
    seconds: float
    mode: str = CHECK_MODE_NAME
    counterexample: Counterexample | None = None
    stage: str = "built"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = dict(vars(self))
        d["counterexample"] = (
            self.counterexample.to_dict() if self.counterexample else None
        )
        return d


#: What :func:`check_model` can apply the rules to.
STAGES = ("built", "compiling")


def _checked_graph(model: Any, stage: str) -> tuple[Any, int]:
    """One graph of the joint logp, every term and the gradient (in that
    order) at ``stage``, and the number of terms."""
    full, terms = model_graph(model, "logp+grad"), model_graph(model, "terms")
    logp, *grads = full.outputs
    outputs = (logp, *terms.outputs, *grads)
    target = replace(full, outputs=outputs, name=f"{full.name}+terms")
    if stage == "compiling":
        target = pytensor_rewritten(target, until_rules_mode())
    return target, len(terms.outputs)


def prior_points(
    model: Any, draws: int = 5, seed: int = 0
) -> list[dict[str, np.ndarray]]:
    """Prior draws of the free variables mapped into the value space (the
    space the sampler moves in: log for positive variables, log-odds for
    bounded ones), as points ``{value variable name: array}``."""
    import pymc as pm

    rvs = list(model.free_RVs)
    if not rvs:
        return []
    forward = []
    for rv in rvs:
        tr = model.rvs_to_transforms.get(rv)
        forward.append(rv if tr is None else tr.forward(rv, *rv.owner.inputs))
    to_values = pytensor.function(
        rvs, forward, on_unused_input="ignore", mode=CHECK_MODE
    )
    samples = pm.draw(rvs, draws=draws, random_seed=seed)
    if not isinstance(samples, list | tuple):  # one variable: the array itself
        samples = [samples]
    if draws == 1:  # pm.draw drops the draws axis for a single draw
        samples = [np.asarray(s)[None] for s in samples]
    names = [model.rvs_to_values[rv].name for rv in rvs]
    points = []
    for i in range(draws):
        vals = to_values(*(np.asarray(s[i]) for s in samples))
        points.append({n: np.asarray(v) for n, v in zip(names, vals, strict=True)})
    return points


def check_model(
    model: Any,
    rules: Any,
    *,
    max_examples: int = 30,
    draws: int = 5,
    seed: int = 0,
    stage: str = "built",
) -> ModelReport:
    """Check ``rules`` on ``model``'s logp, terms and gradient (see module doc).

    ``stage="built"`` applies the rules to the graphs as PyMC builds them;
    ``stage="compiling"`` first runs PyTensor's own rewrites up to where
    :func:`rewritelab.mode` runs the rules (canonicalize, stabilize), so
    rules that match the forms PyTensor makes (``softplus`` from
    ``log1p(exp(x))``) are checked on the graph they fire on when compiling.

    Examples
    --------
    >>> import pymc as pm
    >>> from rewritelab.registry import library
    >>> with pm.Model() as m:
    ...     s = pm.HalfNormal("s", 1)
    ...     y = pm.Normal("y", 0, s, observed=[0.3, -0.2])
    >>> check_model(m, library(), max_examples=5, draws=2).verdict
    'passed'
    """
    t0 = time.perf_counter()
    if stage not in STAGES:
        raise RewritelabError(f"unknown stage {stage!r}; expected one of {STAGES}")
    graph, n_terms = _checked_graph(model, stage)
    result = apply(graph, rules)
    fired, firings = result.fired, len(result.firings)
    name = getattr(model, "name", "") or "model"
    if not firings:
        return ModelReport(
            name, "unchanged", 0, (), (), 0.0, time.perf_counter() - t0, stage=stage
        )
    inputs = list(result.before.inputs)
    # values first (the joint logp, then each term), gradients last
    before, after = list(result.before.outputs), list(result.outputs)
    n_values = 1 + n_terms
    labels = ["logp"]
    labels += [f"term {o.name or i}" for i, o in enumerate(before[1:n_values])]
    labels += [f"gradient wrt {v.name}" for v in inputs]
    mode, mode_name = check_mode(before + after)
    f_before = pytensor.function(inputs, before, mode=mode, on_unused_input="ignore")
    f_after = pytensor.function(inputs, after, mode=mode, on_unused_input="ignore")
    noise = RoundingNoise(inputs, before)
    worst = [0.0]

    def compare(point: dict[str, np.ndarray], where: str) -> Counterexample | None:
        args = [np.asarray(point[v.name], dtype=v.type.dtype) for v in inputs]
        with np.errstate(all="ignore"):
            vb, va = f_before(*args), f_after(*args)

        def record(v: Any) -> None:
            if np.isfinite(v.worst_ulps):
                worst[0] = max(worst[0], v.worst_ulps)

        found = compare_outputs(
            inputs,
            before,
            vb,
            va,
            args,
            n_values=n_values,
            gate_gradients=False,
            on_verdict=record,
            noise=noise,
        )
        if found is None:
            return None
        k, v = found
        return Counterexample(
            graph=f"{name} ({where})",
            output=labels[k],
            reason=v.reason,
            inputs=dict(point),
            before=vb[k],
            after=va[k],
            exact=v.exact,
            index=v.index,
            ulps_before=v.ulps_before,
            ulps_after=v.ulps_after,
        )

    counts: dict[str, int] = {"initial": 0, "prior": 0, "hypothesis": 0}

    def report(found: Counterexample | None) -> ModelReport:
        return ModelReport(
            model=name,
            verdict="counterexample" if found else "passed",
            firings=firings,
            fired=fired,
            points=tuple(counts.items()),
            worst_ulps=worst[0],
            seconds=time.perf_counter() - t0,
            mode=mode_name,
            counterexample=found,
            stage=stage,
        )

    start = {k: np.asarray(v) for k, v in model.initial_point().items()}
    counts["initial"] += 1
    if found := compare(start, "initial point"):
        return report(found)
    for i, point in enumerate(prior_points(model, draws, seed)):
        counts["prior"] += 1
        if found := compare(point, f"prior draw {i}"):
            return report(found)

    class _Found(Exception):
        pass

    shapes = {k: v.shape for k, v in start.items()}
    strategy = st.fixed_dictionaries(
        {
            k: hnp.arrays("float64", s, elements=st.floats(-5, 5))
            for k, s in shapes.items()
        }
    )
    hit: list[Counterexample] = []

    @settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
    )
    @hypothesis_seed(seed)
    @given(strategy)
    def search(point: dict[str, np.ndarray]) -> None:
        counts["hypothesis"] += 1
        found = compare(point, "hypothesis point")
        if found:
            hit[:] = [found]
            raise _Found

    try:
        search()
    except _Found:
        return report(hit[0])
    return report(None)
