"""Does a model still compute the same log-probability after the rules?

:func:`check_model` applies the rules to a PyMC model's joint logp, its
per-variable terms (``sum=False``) and its gradient, and compares before
and after (:mod:`rewritelab.check.compare`, exact reference where they disagree)
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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rewritelab.check.kernel import CHECK_MODE_NAME, Comparison, Counterexample
from rewritelab.check.strategies import independent_of_history
from rewritelab.core.compile import pytensor_rewritten
from rewritelab.core.errors import RewritelabError, TargetError
from rewritelab.core.models import model_graph, model_of
from rewritelab.core.points import model_points
from rewritelab.rewrite.apply import apply
from rewritelab.rewrite.modes import until_rules_mode
from rewritelab.rewrite.registry import rule_set
from rewritelab.rewrite.rules import RuleError

__all__ = ["STAGES", "ModelReport", "check_model"]


@dataclass(frozen=True)
class ModelReport:
    """Outcome of :func:`check_model`.

    ``verdict`` is ``passed``, ``counterexample``, ``unchanged`` (no rule
    fired: nothing to compare) or ``error`` (a rule broke: ``error`` says
    which); ``used`` says which points were compared; ``points`` counts the points compared, per
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
    used: str = ""
    skipped: int = 0
    error: str = ""

    def __str__(self) -> str:
        text = (
            f"model {self.model} ({self.stage}): {self.verdict}; {self.firings} "
            f"firings of {', '.join(self.fired) or 'no rule'}; points "
            f"{dict(self.points)}"
        )
        if self.used:
            text += f" ({self.used})"
        if self.skipped:
            text += f"; {self.skipped} hypothesis points skipped (logp not finite)"
        text += f"; worst {self.worst_ulps:.3g} ULPs"
        if self.error:
            text += f"\n  error: {self.error}"
        if self.counterexample is not None:
            text += f"\n  counterexample: {self.counterexample}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = dict(vars(self))
        d["counterexample"] = (
            self.counterexample.to_dict() if self.counterexample else None
        )
        return d


#: What :func:`check_model` can apply the rules to.
STAGES = ("built", "compiling")


def _the_model(model: Any) -> Any:
    """The pm.Model of ``model`` (a Model, or a Target holding one); a
    TargetError for anything else."""
    found = model_of(model)
    if found is None:
        raise TargetError(
            "check_model needs a pm.Model or a model target, "
            f"not {type(model).__name__}"
        )
    return found


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
    >>> from rewritelab.rewrite.registry import library
    >>> with pm.Model() as m:
    ...     s = pm.HalfNormal("s", 1)
    ...     y = pm.Normal("y", 0, s, observed=[0.3, -0.2])
    >>> check_model(m, library(), max_examples=5, draws=2).verdict
    'passed'
    """
    t0 = time.perf_counter()
    if stage not in STAGES:
        raise RewritelabError(f"unknown stage {stage!r}; expected one of {STAGES}")
    model = _the_model(model)
    graph, n_terms = _checked_graph(model, stage)
    rs = rule_set(rules)
    name = getattr(model, "name", "") or "model"
    try:
        result = apply(graph, rs)
    except RuleError as exc:  # a broken rule: nothing to compare, no crash
        return ModelReport(
            name,
            "error",
            0,
            (),
            (),
            0.0,
            time.perf_counter() - t0,
            stage=stage,
            error=str(exc),
        )
    fired, firings = result.fired, len(result.firings)
    if not firings:
        return ModelReport(
            name, "unchanged", 0, (), (), 0.0, time.perf_counter() - t0, stage=stage
        )
    inputs = list(result.before.inputs)
    # values first (the joint logp, then each term), gradients last
    before = list(result.before.outputs)
    n_values = 1 + n_terms
    labels = ["logp"]
    labels += [f"term {o.name or i}" for i, o in enumerate(before[1:n_values])]
    labels += [f"gradient wrt {v.name}" for v in inputs]

    def pair_of(outputs: Any) -> Comparison:
        return Comparison(
            inputs,
            before,
            list(outputs),
            n_values=n_values,
            labels=labels,
            gate_gradients=False,
            finite_only=True,
            name=name,
        )

    pair = pair_of(result.outputs)
    worst = [0.0]

    def record(v: Any) -> None:
        if np.isfinite(v.worst_ulps):
            worst[0] = max(worst[0], v.worst_ulps)

    counts: dict[str, int] = {"initial": 0, "prior": 0, "hypothesis": 0}
    pts = model_points(model, draws=draws, seed=seed)

    def report(found: Counterexample | None) -> ModelReport:
        if found is not None and len(fired) > 1:
            found = _blame(found, graph, rs.select(names=fired), pair_of)
        return ModelReport(
            model=name,
            verdict="counterexample" if found else "passed",
            firings=firings,
            fired=fired,
            points=tuple(counts.items()),
            worst_ulps=worst[0],
            seconds=time.perf_counter() - t0,
            mode=pair.mode_name,
            counterexample=found,
            stage=stage,
            used=str(pts),
            skipped=pair.skipped,
        )

    for p in pts:
        counts["initial" if p.label == "initial point" else "prior"] += 1
        if found := pair.judge(p.values, where=p.label, on_verdict=record):
            return report(found)

    class _Found(Exception):
        pass

    shapes = {k: np.shape(v) for k, v in model.initial_point().items()}
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
        found = pair.judge(point, where="hypothesis point", on_verdict=record)
        if found:
            hit[:] = [found]
            raise _Found

    try:
        with independent_of_history():
            search()
    except _Found:
        return report(hit[0])
    return report(None)


def _blame(
    found: Counterexample, graph: Any, fired: Any, pair_of: Any
) -> Counterexample:
    """``found`` with the rule to blame: the first fired rule that, applied
    alone, fails at the same point; else the names of all of them."""
    for r in fired:
        alone = apply(graph, r)
        if not alone.firings:
            continue
        hit = pair_of(alone.outputs).judge(found.inputs, where=found.graph)
        if hit is not None:
            return replace(hit, rule=r.name, graph=found.graph)
    return replace(found, rule=" + ".join(fired.names) + " (together only)")
