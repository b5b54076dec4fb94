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

from rewritelab.core.compile import REFERENCE_MODE, evaluation_mode

__all__ = [
    "Point",
    "Points",
    "model_points",
    "graph_points",
    "MAX_DRAWS_PER_POINT",
    "GRAPH_POINT_LENGTH",
]

#: A prior draw is tried at most this many times per point wanted.
MAX_DRAWS_PER_POINT = 20

#: The length of every dimension of a graph input its type leaves unknown.
GRAPH_POINT_LENGTH = 64

# Families of values for a graph's float inputs, tried in this order until
# the outputs are finite: any real, positive (log, sqrt), inside (0, 1)
# (logit, log1p(-x)).
_FLOAT_FAMILIES = (
    ("normal", lambda rng, shape: rng.standard_normal(shape)),
    ("positive", lambda rng, shape: np.exp(0.5 * rng.standard_normal(shape))),
    ("unit interval", lambda rng, shape: rng.uniform(0.05, 0.95, shape)),
)


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

    ``rejected`` counts draws that were not usable, for the reason
    ``rejected_because`` (for a model: logp or gradient not finite in value
    space); ``notes`` says what else was skipped and why.
    """

    points: tuple[Point, ...]
    drawn: int = 0
    rejected: int = 0
    notes: tuple[str, ...] = ()
    rejected_because: str = "logp or gradient not finite in value space"

    def __iter__(self) -> Iterator[Point]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.points)

    def __str__(self) -> str:
        initial = sum(p.label == "initial point" for p in self.points)
        prior = sum(p.label.startswith("prior draw") for p in self.points)
        drawn = len(self.points) - initial - prior
        parts = ["the initial point"] if initial else []
        if prior or not drawn:
            parts.append(f"{prior} prior draw{'s' * (prior != 1)}")
        if drawn:
            parts.append(f"{drawn} random draw{'s' * (drawn != 1)}")
        text = " and ".join(parts)
        if self.rejected:
            text += (
                f" ({self.rejected} of {self.drawn} draws rejected: "
                f"{self.rejected_because})"
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
    fn = pytensor.function(
        values, outs, mode=evaluation_mode(outs), on_unused_input="ignore"
    )

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


def _draw_input(
    v: Any, family: Any, rng: np.random.Generator, length: int
) -> np.ndarray:
    shape = tuple(length if s is None else s for s in v.type.shape)
    dtype = np.dtype(v.type.dtype)
    if dtype.kind == "f":
        return family(rng, shape).astype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    return rng.integers(0, 4, shape).astype(dtype)


def graph_points(
    inputs: Any,
    outputs: Any,
    *,
    draws: int = 2,
    seed: int = 0,
    length: int = GRAPH_POINT_LENGTH,
) -> Points:
    """``draws`` points for a graph that is not a model: random values of
    each input's dtype and static shape (unknown dimensions ``length`` long,
    one common length so inputs broadcast), where every output is finite.

    Float inputs are drawn from a normal, then a positive, then a (0, 1)
    family, and the first family whose draws give finite outputs is used;
    integers are drawn in 0..3, bools at random. Inputs are looked up by
    name, so they must be named and distinct (clone and name them first).

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dvector("x")
    >>> pts = graph_points([x], [pt.log(x)], length=3)
    >>> pts.labels, bool((pts.points[0].values["x"] > 0).all())
    (('random draw 0 (positive)', 'random draw 1 (positive)'), True)
    """
    inputs, outputs = list(inputs), list(outputs)
    names = [v.name for v in inputs]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise ValueError(f"graph inputs must be named and distinct, not {names}")
    fn = pytensor.function(
        inputs, outputs, mode=evaluation_mode(outputs), on_unused_input="ignore"
    )

    def finite(args: list[np.ndarray]) -> bool:
        try:
            with np.errstate(all="ignore"):
                res = fn(*args)
        except Exception:  # an input the graph refuses: not usable
            return False
        return all(
            np.all(np.isfinite(r)) for r in res if np.asarray(r).dtype.kind in "fc"
        )

    because = "an output not finite"
    drawn = rejected = 0
    for family_name, family in _FLOAT_FAMILIES:
        rng = np.random.default_rng(seed)
        found = []
        for i in range(draws):
            args = [_draw_input(v, family, rng, length) for v in inputs]
            drawn += 1
            if not finite(args):
                rejected += 1
                break
            label = f"random draw {i} ({family_name})"
            found.append(Point(label, dict(zip(names, args, strict=True))))
        else:
            return Points(tuple(found), drawn, rejected, (), because)
    return Points(
        (),
        drawn,
        rejected,
        (
            "no finite point: the outputs were not finite for normal, positive "
            "or (0, 1) inputs",
        ),
        because,
    )
