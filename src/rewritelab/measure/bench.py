"""Does a rule set make a model faster? A before/after timing harness.

For each model and backend, :func:`bench` compiles the logp and the
logp + gradient function (for any other graph target: the graph itself)
twice, with PyTensor's default pipeline and with the rules added
(:func:`rewritelab.mode`), checks that the two agree at the initial point
and prior draws (and refuses to time them if not), then times them A/B
interleaved with :func:`rewritelab.measure.timing.time_ab`: warm-up,
repeated samples of many calls each, median per call, and a bootstrap
confidence interval of the speed-up (``before / after``: above 1 is faster)
from ``scipy.stats.bootstrap`` on the paired samples. On the C backend PyTensor's ProfileStats shows which
Op classes the time goes to, before and after (Numba compiles the whole
graph into one function, so there is no per-Op profile there).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pytensor
from threadpoolctl import threadpool_info, threadpool_limits

from rewritelab.check.kernel import Comparison
from rewritelab.core.compile import as_mode
from rewritelab.core.errors import RewritelabError
from rewritelab.core.models import model_graph, model_of
from rewritelab.core.points import Point, graph_points, model_points
from rewritelab.core.targets import resolve
from rewritelab.measure.paths import PATHS, function_call, kernel_call, pymc_call
from rewritelab.measure.timing import time_ab
from rewritelab.rewrite.modes import mode as rules_mode
from rewritelab.rewrite.registry import rule_set

__all__ = [
    "BACKENDS",
    "CELL_HEADERS",
    "KEY_HEADERS",
    "BenchRow",
    "BenchReport",
    "bench",
]

#: Backend name -> PyTensor mode. Numba is PyTensor 3's default; CVM is C.
BACKENDS = {"numba": "NUMBA", "c": "CVM"}

#: What is compiled and timed for each model.
FUNCTIONS = ("logp", "logp+grad")
#: The function name of a bench row for a target that is not a model.
GRAPH_FUNCTION = "graph"

#: Where :func:`bench` can time the functions.
TIMED_AT = ("initial", "prior")

#: Column names of :meth:`BenchRow.cells`, for tables.
CELL_HEADERS = ("applies", "µs before", "µs after", "speed-up [95% CI]")
#: Headers of the columns that say which row it is.
KEY_HEADERS = ("target", "backend", "function", "path")


@dataclass(frozen=True)
class BenchRow:
    """One model, backend and function: before vs after the rules.

    ``speedup`` is time before / time after (above 1: the rules made it
    faster), with its bootstrap interval; ``agree`` False means the
    compiled functions disagreed and nothing was timed (``note`` says
    where); ``error`` is set when compiling or running failed.
    """

    target: str
    backend: str
    function: str
    n_apply_before: int = 0
    n_apply_after: int = 0
    compile_before_s: float = 0.0
    compile_after_s: float = 0.0
    call_before_s: float = float("nan")
    call_after_s: float = float("nan")
    speedup: float = float("nan")
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    agree: bool = True
    note: str = ""
    error: str = ""
    ops_before: tuple[tuple[str, float], ...] = ()
    ops_after: tuple[tuple[str, float], ...] = ()
    points: str = ""
    path: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """``(target, backend, function, path)``: the row's
        :data:`KEY_HEADERS` cells."""
        return self.target, self.backend, self.function, self.path

    @property
    def label(self) -> str:
        """The key as one line: ``logistic · numba · logp · kernel``."""
        return " · ".join(k for k in self.key if k)

    def cells(self) -> tuple[str, str, str, str]:
        """``(applies before → after, µs before, µs after, speed-up [CI])`` as
        text for tables (:data:`CELL_HEADERS`); blank where there is nothing
        to show."""
        if self.error:
            return "", "", "", ""
        applies = f"{self.n_apply_before} → {self.n_apply_after}"
        if not self.agree:
            return applies, "", "", "not timed"
        return (
            applies,
            f"{self.call_before_s * 1e6:.1f}",
            f"{self.call_after_s * 1e6:.1f}",
            f"{self.speedup:.3f} [{self.ci_low:.3f}, {self.ci_high:.3f}]",
        )

    @property
    def remark(self) -> str:
        """The error, the disagreement, or the note."""
        if self.error:
            return f"error: {self.error}"
        return self.note if self.agree else f"disagree: {self.note}"


@dataclass(frozen=True)
class BenchReport:
    """All rows of a :func:`bench` run and its settings."""

    rows: tuple[BenchRow, ...]
    rules: tuple[str, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        # a frozen report holds read-only data: lists become tuples
        frozen = {
            k: tuple(v) if isinstance(v, list) else v for k, v in self.settings.items()
        }
        object.__setattr__(self, "settings", MappingProxyType(frozen))

    @property
    def problem(self) -> str:
        """Why the run failed ('' when it did not): a pair refused as
        disagreeing, or nothing timed at all."""
        refused = [r for r in self.rows if not r.error and not r.agree]
        if refused:
            r = refused[0]
            return (
                f"{len(refused)} pair(s) refused: the rules change the values "
                f"({r.label})"
            )
        if not any(r.agree and not r.error for r in self.rows):
            return "nothing was timed: every row failed or was skipped"
        return ""

    @property
    def ok(self) -> bool:
        """Every compared pair agreed and at least one was timed."""
        return not self.problem

    def __str__(self) -> str:
        lines = [
            f"{r.label}: " + (r.cells()[3] if r.agree and not r.error else r.remark)
            for r in self.rows
        ]
        return "\n".join([*lines, self.problem] if self.problem else lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "rules": list(self.rules),
            "settings": {
                k: list(v) if isinstance(v, tuple) else v
                for k, v in self.settings.items()
            },
            "rows": [asdict(r) for r in self.rows],
        }


def _profile(inputs: list, outputs: list, mode: Any, args: list, calls: int) -> tuple:
    fn = pytensor.function(
        inputs, outputs, mode=mode, profile=True, on_unused_input="ignore"
    )
    for _ in range(calls):
        fn(*args)
    times = fn.profile.class_time()
    total = sum(times.values()) or 1.0
    top = sorted(times.items(), key=lambda kv: -kv[1])[:6]
    return tuple((getattr(k, "__name__", str(k)), v / total) for k, v in top)


def _agreement(inputs: list, outputs: list, fb: Any, fa: Any, points: Any) -> str:
    """'' when the two compiled functions agree at every point, else where not
    (judged by the one comparison kernel, :class:`rewritelab.check.kernel.Comparison`,
    as a model check judges them)."""

    pair = Comparison(
        inputs, outputs, outputs, n_values=1, functions=(fb, fa), gate_gradients=False
    )
    for p in points:
        found = pair.judge(p.values, where=p.label)
        if found is not None:
            return str(found)
    return ""


def bench(
    targets: Sequence[Any],
    rules: Any,
    *,
    backends: Sequence[str] = ("numba", "c"),
    functions: Sequence[str] = FUNCTIONS,
    repeats: int = 21,
    min_sample_s: float = 0.01,
    profile: bool = True,
    names: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    skip: dict[str, dict[str, str]] | None = None,
    confidence: float = 0.95,
    at: str = "initial",
    paths: Sequence[str] = PATHS,
    threads: int = 1,
) -> BenchReport:
    """Benchmark ``rules`` on any targets (see module doc).

    ``targets`` are anything :func:`rewritelab.resolve` accepts: a model is
    timed as its ``functions`` at value-space points; any other graph
    (Variable, list, FunctionGraph, compiled Function) as itself, function
    ``"graph"``, at random points where its outputs are finite
    (:func:`rewritelab.core.points.graph_points`). ``names`` labels them. A model that fails to compile or a backend that cannot be
    used is reported in its row's ``error`` and the rest still runs.
    ``progress`` is called with a label before each model/backend pair.
    ``skip`` maps a name to ``{backend: reason}`` pairs not to run (reported
    as skipped, with the reason). ``threads`` pins the BLAS and OpenMP thread
    pools (threadpoolctl) while compiling and timing; the libraries found are
    in the settings. ``paths`` picks the call paths
    (:data:`rewritelab.measure.paths.PATHS`). ``at`` is the point timed: ``"initial"``
    (the model's initial point, often all zeros) or ``"prior"`` (a prior
    draw in value space, nearer what a sampler sees: data-dependent branches
    such as softplus's predict perfectly at zero); a graph that is not a
    model is always timed at its first random point.
    """

    rs = rule_set(rules)
    bad = [b for b in backends if b not in BACKENDS]
    if bad:
        raise RewritelabError(
            f"unknown backend {bad[0]!r}; expected one of {sorted(BACKENDS)}"
        )
    if at not in TIMED_AT:
        raise RewritelabError(f"unknown point {at!r}; expected one of {TIMED_AT}")
    bad = [p for p in paths if p not in PATHS] or ([] if paths else ["(none)"])
    if bad:
        raise RewritelabError(f"unknown call path {bad[0]!r}; expected some of {PATHS}")
    bad = [f for f in functions if f not in FUNCTIONS]
    if bad:
        raise RewritelabError(
            f"unknown function {bad[0]!r}; expected one of {FUNCTIONS}"
        )
    rows: list[BenchRow] = []
    labels = (
        list(names)
        if names is not None
        else [getattr(t, "name", "") or f"target{i}" for i, t in enumerate(targets)]
    )
    # BLAS and OpenMP pools pinned while compiling and timing (a linear-algebra
    # kernel otherwise runs at whatever the other core is doing)
    with threadpool_limits(limits=threads):
        pools = _thread_pools()
        for label, target in zip(labels, targets, strict=True):
            try:
                graphs, points_raw, used = _plan(target, functions, at)
            except Exception as exc:
                kinds = functions if model_of(target) is not None else (GRAPH_FUNCTION,)
                rows += [
                    BenchRow(label, b, f, error=_short(exc))
                    for b in backends
                    for f in kinds
                ]
                continue
            for backend in backends:
                if progress:
                    progress(f"{label} · {backend}")
                reason = (skip or {}).get(label, {}).get(backend)
                if reason:
                    rows += [
                        BenchRow(label, backend, f, error=f"skipped: {reason}")
                        for f in graphs
                    ]
                    continue
                try:
                    base = as_mode(BACKENDS[backend])
                    after_mode = rules_mode(rs, base=base)
                except Exception as exc:
                    rows += [
                        BenchRow(label, backend, f, error=_short(exc)) for f in graphs
                    ]
                    continue
                for fname in graphs:
                    found = _bench_one(
                        label,
                        backend,
                        fname,
                        graphs[fname],
                        base,
                        after_mode,
                        points_raw,
                        (repeats, min_sample_s, confidence),
                        profile and backend == "c",
                        paths,
                        model_of(target),
                    )
                    rows += [replace(r, points=used) for r in found]
    settings = {
        "backends": list(backends),
        "functions": list(functions),
        "repeats": repeats,
        "min_sample_s": min_sample_s,
        "confidence": confidence,
        "timed_at": at,
        "paths": list(paths),
        "threads": threads,
        "thread_pools": pools,
        "numpy": np.__version__,
        "pytensor": pytensor.__version__,
    }
    return BenchReport(tuple(rows), rs.names, settings)


def _thread_pools() -> tuple[str, ...]:
    """The BLAS and OpenMP libraries loaded, as ``api version (n threads)``."""
    return tuple(
        f"{p.get('internal_api')} {p.get('version')} ({p.get('num_threads')} threads)"
        for p in threadpool_info()
    )


def _plan(
    target: Any, functions: Sequence[str], at: str
) -> tuple[dict[str, Any], list[Point], str]:
    """The graphs to time (by function name), the points (the first is the
    one timed) and a sentence saying which were used.

    A model gives its ``functions`` at value-space points (initial point and
    prior draws); any other target gives itself, as ``"graph"``, at random
    finite points (:func:`rewritelab.core.points.graph_points`), its inputs
    named on a private clone so that the points can name them.
    """
    model = model_of(target)
    if model is not None:
        graphs = {f: model_graph(model, f) for f in functions}
        pts = model_points(model, draws=2)
        timed = list(pts)
        if at == "prior":  # the first point is the one timed
            timed = timed[1:] + timed[:1]
    else:
        graph, _ = resolve(target).clone()
        seen: set[str] = set()
        for i, v in enumerate(graph.inputs):
            if not v.name or v.name in seen:
                v.name = f"{v.name or 'input'}_{i}"
            seen.add(v.name)
        graphs = {GRAPH_FUNCTION: graph}
        pts = graph_points(graph.inputs, graph.outputs, draws=2)
        timed = list(pts)
    if not timed:
        raise RewritelabError(f"no usable point: {pts}")
    return graphs, timed, f"timed at {timed[0].label}; checked at {pts}"


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]


def _bench_one(
    label: str,
    backend: str,
    fname: str,
    graph: Any,
    base: Any,
    after_mode: Any,
    points_raw: list,
    timing_settings: tuple[int, float, float],
    profile: bool,
    paths: Sequence[str],
    model: Any,
) -> list[BenchRow]:
    """The rows of one target, backend and function: one per call path."""
    inputs, outputs = list(graph.inputs), list(graph.outputs)
    kw = {"on_unused_input": "ignore"}
    try:
        t = time.perf_counter()
        fb = pytensor.function(inputs, outputs, mode=base, **kw)
        compile_b = time.perf_counter() - t
        t = time.perf_counter()
        fa = pytensor.function(inputs, outputs, mode=after_mode, **kw)
        compile_a = time.perf_counter() - t
        # second copies in mirrored order (see time_ab); cached, so cheap
        fa2 = pytensor.function(inputs, outputs, mode=after_mode, **kw)
        fb2 = pytensor.function(inputs, outputs, mode=base, **kw)
        sizes = len(fb.maker.fgraph.apply_nodes), len(fa.maker.fgraph.apply_nodes)
        note = _agreement(inputs, outputs, fb, fa, points_raw)
    except Exception as exc:
        return [BenchRow(label, backend, fname, error=_short(exc))]
    common = dict(
        n_apply_before=sizes[0],
        n_apply_after=sizes[1],
        compile_before_s=compile_b,
        compile_after_s=compile_a,
    )
    if note:
        return [BenchRow(label, backend, fname, agree=False, note=note, **common)]
    args = points_raw[0].args(inputs)
    repeats, min_sample_s, confidence = timing_settings
    ops_b = ops_a = ()
    if profile:
        try:
            ops_b = _profile(inputs, outputs, base, args, 50)
            ops_a = _profile(inputs, outputs, after_mode, args, 50)
        except Exception:  # profiling is a bonus; never lose the timing for it
            pass
    rows = []
    for path in paths:
        if path == "pymc" and (model is None or fname != "logp+grad"):
            continue  # PyMC's raveled function is a model's logp + gradient
        try:
            if path == "pymc":
                point = dict(points_raw[0].values)
                pair = (
                    pymc_call(model, base, point),
                    pymc_call(model, after_mode, point),
                )
                copies = None  # PyMC caches the compiled function: no second copy
            else:
                call = kernel_call if path == "kernel" else function_call
                pair = (call(fb, args), call(fa, args))
                copies = (call(fb2, args), call(fa2, args))
            timing = time_ab(
                *pair,
                (),
                repeats=repeats,
                min_sample_s=min_sample_s,
                confidence=confidence,
                copies=copies,
            )
        except Exception as exc:
            rows.append(BenchRow(label, backend, fname, path=path, error=_short(exc)))
            continue
        rows.append(
            BenchRow(
                label,
                backend,
                fname,
                path=path,
                call_before_s=timing.median_a,
                call_after_s=timing.median_b,
                speedup=timing.speedup,
                ci_low=timing.ci_low,
                ci_high=timing.ci_high,
                ops_before=ops_b if path == paths[0] else (),
                ops_after=ops_a if path == paths[0] else (),
                **common,
            )
        )
    return rows
