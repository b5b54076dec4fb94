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

Anchors (:mod:`rewritelab.measure.anchors`) time the rules' kernel against
other implementations of the same function in the same run: PyTensor's JAX
backend and, where given, a hand-written NumPy logp + gradient.
:meth:`BenchReport.geomean` sums a run up in one figure with its interval.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pytensor
from scipy import stats
from threadpoolctl import threadpool_info, threadpool_limits

from rewritelab.check.kernel import Comparison
from rewritelab.core.compile import as_mode
from rewritelab.core.errors import RewritelabError
from rewritelab.core.models import model_graph, model_of
from rewritelab.core.points import Point, graph_points, model_points
from rewritelab.core.sweep import Job, distinct, sweep, worker_name
from rewritelab.core.targets import resolve
from rewritelab.measure.anchors import ANCHORS, require_jax
from rewritelab.measure.paths import (
    PATHS,
    RAVELED_PATHS,
    function_call,
    kernel_call,
    pymc_call,
    raveled_call,
    raveled_function,
)
from rewritelab.measure.timing import time_ab
from rewritelab.rewrite.modes import mode as rules_mode
from rewritelab.rewrite.registry import rule_set

__all__ = [
    "BACKENDS",
    "kernel_row",
    "CELL_HEADERS",
    "KEY_HEADERS",
    "BenchRow",
    "DEFAULT_BASELINE",
    "BenchReport",
    "Geomean",
    "bench",
    "headline_rows",
]

#: Backend name -> PyTensor mode. Numba is PyTensor 3's default; CVM is C;
#: JAX needs the optional ``rewritelab[jax]``.
BACKENDS = {"numba": "NUMBA", "c": "CVM", "jax": "JAX"}

#: What is compiled and timed for each model.
FUNCTIONS = ("logp", "logp+grad")
#: The function name of a bench row for a target that is not a model.
GRAPH_FUNCTION = "graph"

#: Where :func:`bench` can time the functions.
TIMED_AT = ("initial", "prior")

#: Column names of :meth:`BenchRow.cells`, for tables.
CELL_HEADERS = ("applies", "µs before", "µs after", "speed-up [95% CI]")
#: Headers of the columns that say which row it is.
KEY_HEADERS = ("target", "backend", "function", "path", "baseline")
#: The baseline of an ordinary row: PyTensor's default pipeline, same backend.
DEFAULT_BASELINE = "default"


@dataclass(frozen=True)
class BenchRow:
    """One model, backend and function: before vs after the rules.

    ``speedup`` is time before / time after (above 1: the rules made it
    faster), with its bootstrap interval; ``agree`` False means the
    compiled functions disagreed and nothing was timed (``note`` says
    where); ``error`` is set when compiling or running failed. ``path`` is
    the call path (:data:`rewritelab.measure.paths.PATHS`); ``baseline``
    what "before" is: ``"default"``, PyTensor's default pipeline on the same
    backend, or an anchor (``"jax"``, ``"numpy"``,
    :mod:`rewritelab.measure.anchors`) timed against the rules' kernel.
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
    baseline: str = DEFAULT_BASELINE

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """``(target, backend, function, path, baseline)``: the row's
        :data:`KEY_HEADERS` cells."""
        return self.target, self.backend, self.function, self.path, self.baseline

    @property
    def label(self) -> str:
        """The key as one line: ``logistic · numba · logp · kernel``, and
        ``vs jax`` for an anchor's row."""
        text = " · ".join(k for k in self.key[:4] if k)
        return (
            text if self.baseline == DEFAULT_BASELINE else f"{text} vs {self.baseline}"
        )

    @property
    def timed(self) -> bool:
        """Whether the row holds a timing (no error, the pair agreed)."""
        return self.agree and not self.error

    def cells(self) -> tuple[str, str, str, str]:
        """``(applies before → after, µs before, µs after, speed-up [CI])`` as
        text for tables (:data:`CELL_HEADERS`); blank where there is nothing
        to show."""
        if self.error:
            return "", "", "", ""
        before = "by hand" if self.baseline == "numpy" else self.n_apply_before
        applies = f"{before} → {self.n_apply_after}"
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
class Geomean:
    """The geometric mean of some rows' speed-ups, with an interval.

    The interval combines the rows' own intervals as independent errors on
    the log scale (each row's half-width in log units over the normal
    quantile of ``confidence``): it holds the noise within the run; the
    spread between separate runs (``benchmarks/bench_noise.py``) comes on
    top of it. ``rows`` are the labels of the rows averaged.
    """

    value: float
    low: float
    high: float
    rows: tuple[str, ...]
    confidence: float = 0.95

    def __str__(self) -> str:
        if not self.rows:
            return "no timed rows"
        return (
            f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}] "
            f"over {len(self.rows)} rows"
        )


def geomean(rows: Sequence[BenchRow], confidence: float = 0.95) -> Geomean:
    """The :class:`Geomean` of the timed ``rows``' speed-ups."""
    timed = [r for r in rows if r.timed and r.speedup > 0]
    if not timed:
        return Geomean(float("nan"), float("nan"), float("nan"), (), confidence)
    logs = np.log([r.speedup for r in timed])
    z = stats.norm.ppf(0.5 + confidence / 2)
    half = np.array([np.log(r.ci_high / r.ci_low) / 2 for r in timed])
    centre = float(np.mean(logs))
    spread = float(np.sqrt(np.sum((half / z) ** 2)) / len(timed)) * z
    return Geomean(
        float(np.exp(centre)),
        float(np.exp(centre - spread)),
        float(np.exp(centre + spread)),
        tuple(r.label for r in timed),
        confidence,
    )


#: The call path a function's headline figure is timed on, best first: a
#: model's logp + gradient as samplers run it (nutpie and PyMC call one
#: raveled function), anything else as its compiled kernel.
HEADLINE_PATHS = {"logp+grad": ("raveled", "kernel")}


def headline_rows(
    rows: Sequence[BenchRow], baseline: str = DEFAULT_BASELINE
) -> list[BenchRow]:
    """The timed row of each target, backend and function on its headline
    path (:data:`HEADLINE_PATHS`, else ``kernel``, else the first timed)."""
    groups: dict[tuple[str, str, str], list[BenchRow]] = {}
    for r in rows:
        if r.timed and r.baseline == baseline:
            groups.setdefault(r.key[:3], []).append(r)
    picked = []
    for (_, _, function), group in groups.items():
        by_path = {r.path: r for r in group}
        best = [*HEADLINE_PATHS.get(function, ()), "kernel"]
        picked.append(next((by_path[p] for p in best if p in by_path), group[0]))
    return picked


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

    def geomean(
        self,
        *,
        backend: str = "numba",
        function: str = "logp+grad",
        path: str | None = None,
        baseline: str = DEFAULT_BASELINE,
    ) -> Geomean:
        """The geometric-mean speed-up over the targets of the timed rows of
        one backend, function, call path and baseline. By default the
        headline: the rules over PyTensor's default Numba pipeline, logp +
        gradient, on each target's :func:`headline_rows` path (the raveled
        kernel for a model, as nutpie calls it)."""
        if path is None:
            rows = [
                r
                for r in headline_rows(self.rows, baseline)
                if r.backend == backend and r.function == function
            ]
        else:
            want = (backend, function, path, baseline)
            rows = [r for r in self.rows if r.key[1:] == want]
        return geomean(rows, self.settings.get("confidence", 0.95))

    def geomeans(self) -> dict[tuple[str, str, str, str], Geomean]:
        """:meth:`geomean` of every ``(backend, function, path, baseline)``
        with a timed row, in the rows' order."""
        keys = dict.fromkeys(r.key[1:] for r in self.rows if r.timed)
        return {
            k: self.geomean(backend=k[0], function=k[1], path=k[2], baseline=k[3])
            for k in keys
        }

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
    anchors: Sequence[str] = (),
    hand_written: Mapping[str, Callable[..., Any]] | None = None,
    client: Any = None,
) -> BenchReport:
    """Benchmark ``rules`` on any targets (see module doc).

    ``targets`` are anything :func:`rewritelab.resolve` accepts: a model is
    timed as its ``functions`` at value-space points; any other graph
    (Variable, list, FunctionGraph, compiled Function) as itself, function
    ``"graph"``, at random points where its outputs are finite
    (:func:`rewritelab.core.points.graph_points`). ``names`` labels them. A model that fails to compile or a backend that cannot be
    used is reported in its row's ``error`` and the rest still runs.
    ``progress`` is called with a label before each model/backend pair (on
    a cluster: as each comes back). ``client``: a Dask client
    (:func:`rewritelab.core.sweep.cluster`); each target and backend is one
    job on its workers, one timing at a time per worker process, each
    local worker's timing on a core of its own; the rows come in the
    serial run's order.
    ``skip`` maps a name to ``{backend: reason}`` pairs not to run (reported
    as skipped, with the reason). ``threads`` pins the BLAS and OpenMP thread
    pools (threadpoolctl) while compiling and timing; the libraries found are
    in the settings. ``paths`` picks the call paths
    (:data:`rewritelab.measure.paths.PATHS`). ``at`` is the point timed: ``"initial"``
    (the model's initial point, often all zeros) or ``"prior"`` (a prior
    draw in value space, nearer what a sampler sees: data-dependent branches
    such as softplus's predict perfectly at zero); a graph that is not a
    model is always timed at its first random point.

    ``anchors`` (:data:`rewritelab.measure.anchors.ANCHORS`) adds rows that
    time the rules' kernel on the first backend listed other than JAX
    against: ``"jax"``, PyTensor's JAX backend with its default pipeline;
    ``"numpy"``, the hand-written logp + gradient that ``hand_written``
    gives for a model's name (called with the value-space arrays in the
    order of ``model.value_vars``, returning the logp and one gradient per
    value variable; checked against PyTensor's before it is timed). The
    JAX backend and the JAX anchor need ``rewritelab[jax]``; the ``pymc``
    path is not timed on JAX (JAX samplers do not call PyMC's function).
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
    bad = [a for a in anchors if a not in ANCHORS]
    if bad:
        raise RewritelabError(f"unknown anchor {bad[0]!r}; expected some of {ANCHORS}")
    anchored_on = next((b for b in backends if b != "jax"), None)
    if anchors and anchored_on is None:
        raise RewritelabError(
            "anchors are timed against the rules on numba or c; "
            "add one of them to the backends"
        )
    if "jax" in backends or "jax" in anchors:
        require_jax()
    hand_written = dict(hand_written or {})
    labels = (
        list(names)
        if names is not None
        else [getattr(t, "name", "") or f"target{i}" for i, t in enumerate(targets)]
    )
    plan = dict(
        functions=tuple(functions),
        at=at,
        timing=(repeats, min_sample_s, confidence),
        profile=profile,
        paths=tuple(paths),
        threads=threads,
    )
    shown = distinct(labels)  # job names are unique
    jobs = [
        Job(
            f"{name} · {backend}",
            _bench_pair,
            (label, target, backend, rs),
            dict(
                plan,
                skipped=(skip or {}).get(label, {}).get(backend, ""),
                anchors=tuple(anchors) if backend == anchored_on else (),
                hand_written=hand_written.get(label),
            ),
        )
        for name, label, target in zip(shown, labels, targets, strict=True)
        for backend in backends
    ]

    def step(i: int, n: int, name: str) -> None:
        if progress:
            progress(name)

    rows: list[BenchRow] = []
    found = sweep(jobs, client=client, progress=step, history="bench")
    for job, done in zip(jobs, found, strict=True):
        label, target, backend, _ = job.args
        if done.ok:
            rows += done.value
        else:  # the job itself failed (its worker kept dying)
            kinds = functions if model_of(target) is not None else (GRAPH_FUNCTION,)
            rows += [BenchRow(label, backend, f, error=done.error) for f in kinds]
    with threadpool_limits(limits=threads):
        pools = _thread_pools()
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
        "anchors": list(anchors),
        "anchored_on": anchored_on if anchors else None,
        "hand_written": sorted(hand_written),
        "numpy": np.__version__,
        "pytensor": pytensor.__version__,
    }
    return BenchReport(tuple(rows), rs.names, settings)


#: One timing at a time in a process, whatever its threads (a Dask worker of
#: several threads would otherwise time two kernels on one core at once).
_ONE_TIMING = threading.Lock()


def _bench_pair(
    label: str,
    target: Any,
    backend: str,
    rs: Any,
    *,
    functions: Sequence[str],
    at: str,
    timing: tuple[int, float, float],
    profile: bool,
    paths: Sequence[str],
    threads: int,
    skipped: str,
    anchors: Sequence[str],
    hand_written: Callable[..., Any] | None,
) -> list[BenchRow]:
    """The rows of one target on one backend (a sweep job): compiled and
    timed with the BLAS and OpenMP pools pinned to ``threads``, one timing
    at a time in this process, on one core where it runs on a Dask worker
    (worker K on core K modulo the cores)."""
    # BLAS and OpenMP pools pinned while compiling and timing (a linear-algebra
    # kernel otherwise runs at whatever the other core is doing); PyTensor's JAX
    # backend warns once per assertion that it drops them (a model's parameter
    # checks): the anchor is meant to compute the same values, not to check
    with (
        _ONE_TIMING,
        _on_one_core(),
        threadpool_limits(limits=threads),
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", message="Skipping .* as JAX tracing")
        try:
            graphs, points_raw, used = _plan(target, functions, at)
        except Exception as exc:
            kinds = functions if model_of(target) is not None else (GRAPH_FUNCTION,)
            return [BenchRow(label, backend, f, error=_short(exc)) for f in kinds]
        if skipped:
            return [
                BenchRow(label, backend, f, error=f"skipped: {skipped}") for f in graphs
            ]
        try:
            base = as_mode(BACKENDS[backend])
            after_mode = rules_mode(rs, base=base)
        except Exception as exc:
            return [BenchRow(label, backend, f, error=_short(exc)) for f in graphs]
        rows: list[BenchRow] = []
        for fname in graphs:
            found = _bench_one(
                label,
                backend,
                fname,
                graphs[fname],
                base,
                after_mode,
                points_raw,
                timing,
                profile and backend == "c",
                paths if backend != "jax" else [p for p in paths if p != "pymc"],
                model_of(target),
                anchors,
                hand_written,
            )
            rows += [replace(r, points=used) for r in found]
        return rows


@contextlib.contextmanager
def _on_one_core() -> Iterator[None]:
    """On a Dask worker named K (a local cluster's): this thread on core K
    modulo the cores while it times, so two workers never share one."""
    name = worker_name()
    if not isinstance(name, int) or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    cores = sorted(before)
    os.sched_setaffinity(0, {cores[name % len(cores)]})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


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
    anchors: Sequence[str] = (),
    hand: Callable[..., Any] | None = None,
) -> list[BenchRow]:
    """The rows of one target, backend and function: one per call path, then
    one per anchor."""
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
    raveled: dict[str, tuple[Any, Any]] = {}  # one PyMC function per side
    raveled_common = dict(common)  # its own graph sizes and compile times
    for path in paths:
        if path in RAVELED_PATHS and (model is None or fname != "logp+grad"):
            continue  # PyMC's raveled function is a model's logp + gradient
        try:
            if path in RAVELED_PATHS:
                if not raveled:
                    point = dict(points_raw[0].values)
                    for side, mode in (("before", base), ("after", after_mode)):
                        t = time.perf_counter()
                        raveled[side] = raveled_function(model, mode, point)
                        compiled = raveled[side][0]._pytensor_function
                        raveled_common[f"compile_{side}_s"] = time.perf_counter() - t
                        raveled_common[f"n_apply_{side}"] = len(
                            compiled.maker.fgraph.apply_nodes
                        )
                call = pymc_call if path == "pymc" else raveled_call
                pair = (call(*raveled["before"]), call(*raveled["after"]))
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
                **(raveled_common if path in RAVELED_PATHS else common),
            )
        )
    for anchor in anchors:
        if anchor == "numpy" and (hand is None or fname != "logp+grad"):
            continue  # a hand-written function is a model's logp + gradient
        rows.append(
            _anchor_row(
                BenchRow(label, backend, fname, path="kernel", baseline=anchor),
                (inputs, outputs, fb, fa, fa2),
                hand,
                points_raw,
                timing_settings,
                common,
            )
        )
    return rows


def _anchor_row(
    row: BenchRow,
    compiled: tuple[list, list, Any, Any, Any],
    hand: Callable[..., Any] | None,
    points_raw: list,
    timing_settings: tuple[int, float, float],
    common: dict[str, Any],
) -> BenchRow:
    """``row`` filled in: its anchor (before) against the rules' kernel
    (after), once the anchor is shown to agree with PyTensor's default
    pipeline ``fb`` at every point."""
    inputs, outputs, fb, fa, fa2 = compiled
    args = points_raw[0].args(inputs)
    try:
        if row.baseline == "jax":
            t = time.perf_counter()
            fj = pytensor.function(
                inputs, outputs, mode=as_mode("JAX"), on_unused_input="ignore"
            )
            compile_s = time.perf_counter() - t
            fj2 = pytensor.function(
                inputs, outputs, mode=as_mode("JAX"), on_unused_input="ignore"
            )
            n_nodes = len(fj.maker.fgraph.apply_nodes)
            anchor = fj
            calls = kernel_call(fj, args), kernel_call(fj2, args)
        else:

            def anchor(*xs: np.ndarray) -> list[np.ndarray]:
                return [np.asarray(o) for o in hand(*xs)]

            compile_s, n_nodes = 0.0, 0
            calls = (lambda: hand(*args),) * 2
        note = _agreement(inputs, outputs, fb, anchor, points_raw)
        common = {**common, "n_apply_before": n_nodes, "compile_before_s": compile_s}
        if note:
            return replace(row, agree=False, note=note, **common)
        repeats, min_sample_s, confidence = timing_settings
        timing = time_ab(
            calls[0],
            kernel_call(fa, args),
            (),
            repeats=repeats,
            min_sample_s=min_sample_s,
            confidence=confidence,
            copies=(calls[1], kernel_call(fa2, args)),
            interleave="block",  # an anchor may be many times the kernel's size
        )
    except Exception as exc:
        return replace(row, error=_short(exc))
    return replace(
        row,
        call_before_s=timing.median_a,
        call_after_s=timing.median_b,
        speedup=timing.speedup,
        ci_low=timing.ci_low,
        ci_high=timing.ci_high,
        **common,
    )


def kernel_row(target: Any, rules: Any, *, repeats: int = 9) -> BenchRow | None:
    """The speed-up of ``rules`` on ``target``'s logp + gradient, Numba kernel
    path, at a prior draw, against PyTensor's default pipeline: the one row
    (None where it could not be timed). What discovery keeps a rule set by.
    """
    report = bench(
        [target],
        rules,
        backends=("numba",),
        functions=("logp+grad",),
        paths=("kernel",),
        repeats=repeats,
        profile=False,
        at="prior",
    )
    rows = [r for r in report.rows if r.timed]
    return rows[0] if rows else None
