"""Points a model can be compared and timed at: finite logp and gradient only.

A sampler moves in the value space (log of a positive variable, log-odds of
a bounded one, the ordered transform's log-increments), so every point here
is a value-space point ``{value variable name: array}``. Prior draws are
mapped through each variable's transform; a draw whose logp or gradient is
not finite there (an unsorted draw of ordered cutpoints has a nan value) is
rejected and another drawn, up to a bound, and the rejections are counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytensor

from rewritelab.core.compile import REFERENCE_MODE, python_linker_runs

__all__ = ["Point", "Points", "model_points", "MAX_DRAWS_PER_POINT"]

#: A prior draw is tried at most this many times per point wanted.
MAX_DRAWS_PER_POINT = 20


@dataclass(frozen=True)
class Point:
    """One value-space point, labelled (``initial point``, ``prior draw 3``)."""

    label: str
    values: Mapping[str, np.ndarray]

    def args(self, inputs: Any) -> list[np.ndarray]:
        """The values of ``inputs`` (Variables, by name) as arrays of their dtype."""
        return [np.asarray(self.values[v.name], dtype=v.type.dtype) for v in inputs]


@dataclass(frozen=True)
class Points:
    """The usable points of a model and what was left out.

    ``rejected`` counts prior draws whose logp or gradient was not finite
    in value space; ``notes`` says what else was skipped and why.
    """

    points: tuple[Point, ...]
    drawn: int = 0
    rejected: int = 0
    notes: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Point]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.points)

    def __str__(self) -> str:
        initial = sum(p.label == "initial point" for p in self.points)
        prior = len(self.points) - initial
        parts = ["the initial point"] if initial else []
        parts.append(f"{prior} prior draw{'s' * (prior != 1)}")
        text = " and ".join(parts)
        if self.rejected:
            text += (
                f" ({self.rejected} of {self.drawn} draws rejected: "
                "logp or gradient not finite in value space)"
            )
        return "; ".join([text, *self.notes])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (labels, counts and notes; not the values)."""
        return {
            "labels": list(self.labels),
            "drawn": self.drawn,
            "rejected": self.rejected,
            "notes": list(self.notes),
            "summary": str(self),
        }


def _finite_checker(model: Any) -> Any:
    """A function of a value-space point: True where logp and its gradient
    are finite (False where they are not, or the graph raises there)."""

    logp = model.logp()
    values = list(model.value_vars)
    grads = pytensor.grad(logp, values) if values else []
    outs = [logp, *grads]
    mode = "FAST_COMPILE" if python_linker_runs(outs) else "CVM"
    fn = pytensor.function(values, outs, mode=mode, on_unused_input="ignore")

    def finite(point: Mapping[str, np.ndarray]) -> bool:
        try:
            with np.errstate(all="ignore"):
                res = fn(*(point[v.name] for v in values))
        except Exception:  # ParameterValueError and friends: not usable
            return False
        return all(np.all(np.isfinite(r)) for r in res)

    return finite


def _to_value_space(model: Any) -> tuple[list[Any], Any]:
    """The free RVs and a function mapping their draws to value space."""

    rvs = list(model.free_RVs)
    forward = []
    for rv in rvs:
        tr = model.rvs_to_transforms.get(rv)
        forward.append(rv if tr is None else tr.forward(rv, *rv.owner.inputs))
    fn = pytensor.function(rvs, forward, on_unused_input="ignore", mode=REFERENCE_MODE)
    return rvs, fn


def model_points(
    model: Any,
    *,
    draws: int = 5,
    seed: int = 0,
    initial: bool = True,
    max_draws: int | None = None,
) -> Points:
    """The model's initial point (if ``initial``) and ``draws`` prior draws,
    in value space, where logp and gradient are finite.

    A draw that is not usable is replaced by another, up to ``max_draws``
    draws in all (default :data:`MAX_DRAWS_PER_POINT` per point wanted);
    the result counts the rejected ones and notes a shortfall.

    Examples
    --------
    >>> import pymc as pm
    >>> with pm.Model() as m:
    ...     c = pm.Normal("c", 0, 3, shape=3, transform=pm.distributions.transforms.ordered,
    ...                   initval=[-1.0, 0.0, 1.0])
    >>> pts = model_points(m, draws=3, seed=1)
    >>> len(pts), pts.rejected > 0
    (4, True)
    """
    import pymc as pm

    if draws < 0:
        raise ValueError(f"draws must be at least 0, not {draws}")
    finite = _finite_checker(model)
    found: list[Point] = []
    notes: list[str] = []
    if initial:
        start = {k: np.asarray(v) for k, v in model.initial_point().items()}
        if finite(start):
            found.append(Point("initial point", start))
        else:
            notes.append("initial point skipped: logp or gradient not finite there")
    drawn = rejected = 0
    if draws and model.free_RVs:
        limit = max_draws if max_draws is not None else MAX_DRAWS_PER_POINT * draws
        rvs, to_values = _to_value_space(model)
        names = [model.rvs_to_values[rv].name for rv in rvs]
        wanted, batch_seed = draws, seed
        while wanted > 0 and drawn < limit:
            n = min(limit - drawn, max(2 * wanted, 4))
            samples = pm.draw(rvs, draws=n, random_seed=batch_seed)
            if not isinstance(samples, list | tuple):
                samples = [samples]
            if n == 1:  # pm.draw drops the draws axis for a single draw
                samples = [np.asarray(s)[None] for s in samples]
            batch_seed += 1
            for i in range(n):
                drawn += 1
                with np.errstate(all="ignore"):
                    vals = to_values(*(np.asarray(s[i]) for s in samples))
                point = {k: np.asarray(v) for k, v in zip(names, vals, strict=True)}
                if finite(point):
                    found.append(Point(f"prior draw {draws - wanted}", point))
                    wanted -= 1
                    if not wanted:
                        break
                else:
                    rejected += 1
        if wanted:
            notes.append(
                f"only {draws - wanted} of {draws} prior draws usable "
                f"after {drawn} tries"
            )
    return Points(tuple(found), drawn, rejected, tuple(notes))
