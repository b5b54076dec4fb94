"""What each scalar op costs on this machine's Numba backend, as an extraction cost.

:func:`calibrate` times every op of the term language
(:data:`rewritelab.discover.terms.OPS`) compiled by PyTensor's Numba
backend on a float64 vector, against a copy of the vector, and gives each
op its nanoseconds per element (:class:`OpCosts`). The figures are kept
with a description of the machine (:func:`machine`); :func:`load_costs`
returns the calibration made on this machine if one is stored, else the
shipped table (:data:`DEFAULT_COSTS`, measured on the 2-core machine the
project is developed on). :meth:`OpCosts.dag_model` turns them into an
egglog ``DagCostModel``: a term's cost is the sum of its distinct nodes'
costs, so two outputs sharing one ``exp(-abs(x))`` pay for it once.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytensor
import pytensor.tensor as pt
from egglog import DagCostModel, EGraph, get_callable_args

from rewritelab.core.files import cache_dir
from rewritelab.discover.terms import OPS, op_name

__all__ = [
    "DEFAULT_COSTS",
    "OpCosts",
    "calibrate",
    "costs_path",
    "load_costs",
    "machine",
]

#: ns per float64 element on Numba, measured 2026-12-06 on the development
#: machine (2 cores, x86_64) by :func:`calibrate` (4,096 elements, two
#: runs of five passes: each op within 0.5 ns between them, GammaLn within
#: 4); "leaf" and "constant" are free. Arithmetic, comparisons and selects
#: are below what a copy of the vector costs and are given a fused op's
#: 0.3 ns (one cycle). PyTensor's Numba softplus (15.1 ns) costs more than
#: an exp and a log1p together (12.6 ns).
DEFAULT_COSTS: Mapping[str, float] = {
    "Add": 0.3, "Sub": 0.3, "Mul": 0.3, "TrueDiv": 0.3, "Pow": 13.9,
    "Neg": 0.3, "Exp": 5.1, "Log": 4.4, "Log1p": 7.5, "Expm1": 9.3,
    "Log1mexp": 12.4, "Softplus": 15.1, "Sigmoid": 6.8, "Sqr": 0.3,
    "Sqrt": 0.5, "Abs": 0.3, "Sign": 0.3, "Reciprocal": 0.3, "Tanh": 14.9, "Erf": 12.5,
    "Erfc": 12.9, "GammaLn": 12.8, "Maximum": 0.3, "Minimum": 0.3,
    "GT": 0.3, "GE": 0.3, "LT": 0.3, "LE": 0.3, "EQ": 0.3, "Switch": 0.3,
}  # fmt: skip

#: Passes over every op in :func:`calibrate` (the median is kept).
ROUNDS = 5

#: A measured cost below the copy's noise is taken as one fused cycle.
CHEAPEST = 0.3

#: What costs nothing: an opaque leaf, a constant, and what is no op at all
#: (the Roots wrapper, egglog's literals: extraction prices them too).
FREE = ("leaf", "constant", "other")


def machine() -> str:
    """A short description of this machine: processor, cores, OS, Python."""
    return (
        f"{platform.machine()} {platform.processor() or 'cpu'}, "
        f"{os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PyTensor {pytensor.__version__}"
    )


@dataclass(frozen=True)
class OpCosts:
    """Nanoseconds per element of each scalar op, where they were measured."""

    costs: Mapping[str, float]
    machine: str = "the development machine (shipped table)"
    when: str = "2026-12-06"
    elements: int = 0
    notes: tuple[str, ...] = field(default=())

    def of(self, name: str) -> float:
        """The cost of one op by name (0 for leaves and constants; the most
        expensive op's for one not measured)."""
        if name in FREE:
            return 0.0
        return self.costs.get(name, max(self.costs.values()))

    def term(self, term: Any) -> float:
        """A term's cost as extraction counts it: each distinct subterm
        its op's cost once."""
        seen: dict[str, float] = {}

        def walk(t: Any) -> None:
            key = str(t)
            if key in seen:
                return
            seen[key] = self.of(op_name(t))
            for a in get_callable_args(t) or ():
                if op_name(a) != "other":
                    walk(a)

        walk(term)
        return sum(seen.values())

    def dag_model(self) -> DagCostModel:
        """The egglog cost model: each distinct node its op's cost."""

        def marginal(egraph: EGraph, expr: Any) -> float:
            return self.of(op_name(expr))

        return DagCostModel(marginal, 0.0)

    def __str__(self) -> str:
        top = sorted(self.costs.items(), key=lambda kv: -kv[1])[:6]
        shown = ", ".join(f"{k} {v:.1f}" for k, v in top)
        return f"op costs (ns/element, {self.machine}, {self.when}): {shown}, ..."

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "costs": dict(self.costs),
            "machine": self.machine,
            "when": self.when,
            "elements": self.elements,
            "notes": list(self.notes),
        }


def costs_path() -> Path:
    """Where this machine's calibration is kept: ``op_costs.json`` in
    :func:`rewritelab.core.files.cache_dir`."""
    return cache_dir() / "op_costs.json"


def load_costs() -> OpCosts:
    """This machine's calibration if one is stored for it, else the shipped
    table."""
    path = costs_path()
    if path.exists():
        data = json.loads(path.read_text())
        if data.get("machine") == machine():
            return OpCosts(
                data["costs"], data["machine"], data["when"], data["elements"]
            )
    return OpCosts(DEFAULT_COSTS)


def _inputs(name: str, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Arguments in each op's domain: positive for logs and roots, negative
    for log1mexp, a bool-ish first argument for switch."""
    if name in ("Log", "Sqrt", "Pow", "GammaLn"):
        return [rng.uniform(0.1, 5.0, n) for _ in range(OPS[name].arity)]
    if name == "Log1mexp":
        return [-rng.uniform(0.1, 5.0, n)]
    return [rng.normal(0.0, 2.0, n) for _ in range(OPS[name].arity)]


def calibrate(
    elements: int = 4096, seconds: float = 0.2, *, save: bool = True
) -> OpCosts:
    """Time every op of the term language on Numba (one op over ``elements``
    float64 values, each op for about ``seconds``), minus a copy of the
    vector, and keep the result for this machine (``save``).

    Examples
    --------
    >>> c = calibrate(elements=256, seconds=0.01, save=False)
    >>> c.of("Exp") > c.of("Add") >= 0.0
    True
    """
    rng = np.random.default_rng(0)
    base = [rng.normal(size=elements)]
    jobs = {"Identity": (_compiled("Identity", 1), base)}
    for name, op in OPS.items():
        args = _inputs(name, elements, rng)
        if name == "Switch":
            args[0] = (args[0] > 0).astype("float64")
        jobs[name] = (_compiled(name, op.arity), args)
    # every op timed in each of ROUNDS passes, the median kept: one pass is
    # at the mercy of what else the machine did meanwhile
    seen: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(ROUNDS):
        for name, (fn, args) in jobs.items():
            seen[name].append(_per_element(fn, args, seconds / ROUNDS))
    copy = float(np.median(seen.pop("Identity")))
    costs = {
        name: max(float(np.median(t)) - copy, CHEAPEST) for name, t in seen.items()
    }
    found = OpCosts(costs, machine(), time.strftime("%Y-%m-%d"), elements)
    if save:
        path = costs_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(found.to_dict(), indent=1))
    return found


def _compiled(name: str, arity: int) -> Any:
    xs = [pt.dvector(f"x{i}") for i in range(arity)]
    out = xs[0].copy() if name == "Identity" else OPS[name].build(*xs)
    fn = pytensor.function(xs, out, mode="NUMBA", trust_input=True)
    return fn.vm.jit_fn


def _per_element(fn: Any, args: list[np.ndarray], seconds: float) -> float:
    """Median ns per element of ``fn(*args)`` over repeated batches."""
    fn(*args)  # compile
    n = args[0].size
    calls, samples, spent = 16, [], 0.0
    while spent < seconds or len(samples) < 5:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn(*args)
        dt = time.perf_counter() - t0
        samples.append(dt / calls / n * 1e9)
        spent += dt
    return float(np.median(samples))
