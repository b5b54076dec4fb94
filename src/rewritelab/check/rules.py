"""Is a rule correct? Hypothesis-driven equivalence with an exact reference.

:func:`check_rule` builds graphs the rule fires on (its pattern instantiated
with fresh inputs of several shapes and dtypes, and likewise the expressions
in its ``graphs``; random expression graphs holding the ops a function rule
tracks, drawn by Hypothesis; the bundled models' logp and gradient),
compiles each graph and its rewrite once, and lets Hypothesis search the
inputs for a disagreement, judged by :mod:`rewritelab.check.compare` (values
and gradients). A failure is shrunk to a small counterexample: its inputs,
and for a random graph the graph too (``exp(x0)``, not the first graph drawn).

Graphs are compiled with PyTensor's Python linker and *no* rewrites
(:data:`CHECK_MODE`): a compile costs milliseconds instead of Numba's
seconds, and the graph evaluated is exactly the one written, so PyTensor's
own rewrites can neither hide nor cause a difference.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pytensor
import pytensor.tensor as pt
from hypothesis import HealthCheck, Phase, example, given, reject, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from pytensor.graph.basic import Constant, Variable
from pytensor.graph.op import Op
from pytensor.graph.rewriting.unify import OpPattern, PatternNode, PatternVar
from pytensor.graph.traversal import applys_between
from pytensor.graph.traversal import graph_inputs as graph_inputs_of
from pytensor.tensor.elemwise import Elemwise

from rewritelab.check.exact import NoExactValue
from rewritelab.check.graphs import (
    CONSTANTS,
    CheckGraph,
    describe_tracks,
    elemwise_catalogue,
    expression_label,
    matches,
    tracked_graph_kinds,
)
from rewritelab.check.kernel import (
    CHECK_MODE,
    CHECK_MODE_NAME,
    Comparison,
    Counterexample,
    Noted,
    OriginalFails,
    check_mode,
)
from rewritelab.check.strategies import (
    graph_inputs,
    independent_of_history,
    parse_assumptions,
    rooted_graphs,
)
from rewritelab.core.bundled import bundled_model_path
from rewritelab.core.models import model_graph
from rewritelab.core.sweep import Done, Job, distinct, sweep
from rewritelab.core.targets import load_target
from rewritelab.rewrite.apply import apply
from rewritelab.rewrite.registry import rule_set
from rewritelab.rewrite.rules import (
    LITERAL_PREFIX,
    DtypeIs,
    Rule,
    RuleError,
    as_rule,
    parse_expression,
)

__all__ = [
    "CHECK_MODE",
    "CHECK_MODE_NAME",
    "check_mode",
    "Counterexample",
    "RuleReport",
    "ERROR_HEADERS",
    "check_rule",
    "check_rules",
]

Verdict = Literal["passed", "counterexample", "not exercised", "error"]

#: Headers of :meth:`RuleReport.error_cells`.
ERROR_HEADERS = ("rewrite's worst ULPs", "original's worst ULPs")


@dataclass(frozen=True)
class RuleReport:
    """What :func:`check_rule` found for one rule.

    ``worst_ulps`` is the rewrite's worst error over every value and gradient
    compared (against the exact value where one was computed, else its
    distance from the original). Where the two disagreed and the exact value
    was computed, ``worst_ulps_exact`` and ``worst_ulps_original`` are the
    rewrite's and the original's worst errors against it, side by side (None
    where they always agreed within tolerance): a rewrite far from the exact
    value where the original is just as far is no fault of the rewrite.
    ``notes`` counts the points accepted with a note, by kind (no exact value
    settled where the two differ; the original's gradient graph refuted by
    the derivative), each with its first point.
    """

    rule: str
    source: str
    verdict: Verdict
    graphs_tried: int
    graphs_fired: int
    inputs_tried: int
    worst_ulps: float
    seconds: float
    mode: str = CHECK_MODE_NAME
    counterexample: Counterexample | None = None
    error: str = ""
    worst_ulps_exact: float | None = None
    worst_ulps_original: float | None = None
    #: for a rule never exercised: what it tracks and the graphs tried
    tried: str = ""
    #: where the rule itself raised (or returned what the graph rejects): the
    #: exception's last line, ``"OverflowError: ..."``
    crash: str = ""
    notes: tuple[Noted, ...] = ()
    #: the graph of the counterexample or crash (not serialised)
    graph: CheckGraph | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Passed (a rule that was never exercised is not ok)."""
        return self.verdict == "passed"

    def error_cells(self) -> tuple[str, str]:
        """The rewrite's and the original's worst errors against the exact
        value as table text (:data:`ERROR_HEADERS`); where no exact value was
        needed, the rewrite's distance from the original and ``-``."""
        if self.worst_ulps_exact is None or self.worst_ulps_original is None:
            return f"{self.worst_ulps:.3g} (vs original)", "-"
        return f"{self.worst_ulps_exact:.3g}", f"{self.worst_ulps_original:.3g}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = dict(vars(self))
        d.pop("graph")
        d["counterexample"] = (
            self.counterexample.to_dict() if self.counterexample else None
        )
        d["notes"] = [n.to_dict() for n in self.notes]
        return d


# -- graphs to check ---------------------------------------------------------


def _instantiate(pattern: Any, dtype: str, shapes: dict[str, tuple], env: dict) -> Any:
    """A graph matching an in-pattern: rewritelab tuples or PyTensor's own
    PatternNode / PatternVar, with fresh inputs for the pattern variables."""
    if isinstance(pattern, PatternVar):
        return _instantiate(pattern.token, dtype, shapes, env)
    if isinstance(pattern, PatternNode):
        op = pattern.op_match
        if isinstance(op, OpPattern):  # the first op of PyTensor's it matches
            op = next((e for e in elemwise_catalogue() if op.match_op(e)), None)
        if not isinstance(op, Op):
            raise TypeError(f"cannot build {pattern.op_match!r}")
        args = (_instantiate(a, dtype, shapes, env) for a in pattern.inputs)
        return op(*args)
    if isinstance(pattern, Constant):
        return pattern
    if isinstance(pattern, str):
        if pattern not in env:
            env[pattern] = pt.tensor(
                pattern, dtype=dtype, shape=shapes.get(pattern, ())
            )
        return env[pattern]
    if isinstance(pattern, dict):
        name = pattern["pattern"]
        if name.startswith(LITERAL_PREFIX):
            return pt.constant(np.asarray(pattern["value"], dtype=dtype))
        constraint = pattern.get("constraint")
        if isinstance(constraint, DtypeIs) and dtype not in constraint.dtypes:
            raise TypeError(f"{name} is only ever of {constraint.dtypes}")
        if (
            constraint is not None
            and name not in env
            and not isinstance(constraint, DtypeIs)
        ):
            const = _satisfying(constraint, dtype)
            if const is not None:
                env[name] = const
        return _instantiate(name, dtype, shapes, env)
    if isinstance(pattern, tuple):  # an Op, or a function in a graphs= text
        op, *args = pattern
        if not callable(op):
            raise TypeError(f"cannot build {op!r}")
        return op(*(_instantiate(a, dtype, shapes, env) for a in args))
    return pt.constant(np.asarray(pattern, dtype=dtype))


def _satisfying(constraint: Callable[[Variable], bool], dtype: str) -> Variable | None:
    """A constant that meets a pattern variable's constraint (PyTensor's
    ``log(1 - sigmoid(x))`` pattern asks its 1 to be close to 1), else None
    (then the variable is a fresh input)."""
    for c in CONSTANTS:
        const = pt.constant(np.asarray(c, dtype=dtype))
        try:
            if constraint(const):
                return const
        except Exception:
            continue
    return None


def _pattern_names(pattern: Any) -> list[str]:
    if isinstance(pattern, PatternVar):
        return [pattern.token]
    if isinstance(pattern, PatternNode):
        return [n for a in pattern.inputs for n in _pattern_names(a)]
    if isinstance(pattern, str):
        return [pattern]
    if isinstance(pattern, dict):
        n = pattern["pattern"]
        return [] if n.startswith(LITERAL_PREFIX) else [n]
    if isinstance(pattern, tuple):
        return [n for a in pattern[1:] for n in _pattern_names(a)]
    return []


def _expression_graphs(
    in_pattern: Any, assume: tuple[str, ...]
) -> Iterator[CheckGraph]:
    """The graph an in-pattern describes, as float64 scalars and vectors, its
    reciprocal (where the sign of a zero shows: 1/-0.0 is -inf), int8 and
    uint8 scalars (where integers wrap around), a broadcast mix and float32
    vectors."""
    names = list(dict.fromkeys(_pattern_names(in_pattern)))
    vectors = {n: (None,) for n in names}
    variants = [
        ("float64", {n: () for n in names}, "scalars"),
        ("float64", vectors, "vectors"),
        ("float64", {n: () for n in names}, "reciprocal of scalars"),
        ("int8", {n: () for n in names}, "int8 scalars"),
        ("uint8", {n: () for n in names}, "uint8 scalars"),
        (
            "float64",
            {n: ((None,) if i == 0 else (1,)) for i, n in enumerate(names)},
            "broadcast",
        ),
        ("float32", vectors, "float32 vectors"),
    ]
    for dtype, shapes, label in variants:
        env: dict[str, Variable] = {}
        try:
            out = _instantiate(in_pattern, dtype, shapes, env)
            if label.startswith("reciprocal"):
                if not str(out.type.dtype).startswith("float"):
                    continue
                out = pt.reciprocal(out)
        except Exception:
            continue
        probe = label.startswith("reciprocal")  # signed zeros, not huge values
        yield CheckGraph(
            f"{label}: {expression_label(out)}",
            tuple(
                env[n] for n in names if n in env and not isinstance(env[n], Constant)
            ),
            (out,),
            (*assume, *(PROBE_BOUNDS if probe else ())),
            differentiate=not probe,
        )


#: The plain graphs (each tracked op on each dtype) take at least this share
#: of the budget of graphs built from a rule's tracks.
PLAIN_SHARE = 0.4

#: Inputs of the reciprocal probe stay moderate: it is there for the sign of
#: zeros, and 1 / log(sigmoid(1e16)) has an exact value no precision reaches.
#: Its values alone are compared: the gradient of 1 / (1 / x) overflows at
#: x = 5e-268 where the gradient of 1 / x does not.
PROBE_BOUNDS = ("* > -800", "* < 800")


def _elemwise_ops(tracks: Any) -> list[tuple[Elemwise, int]]:
    ops = []
    for t in tracks or ():
        if isinstance(t, Elemwise):
            nin = t.scalar_op.nin
            ops.append((t, nin if nin > 0 else 2))  # add / mul are variadic
    return ops


def _random_graphs(r: Rule) -> st.SearchStrategy:
    """Random small graphs rooted at (or just above) an op the rule tracks,
    as a Hypothesis strategy (:func:`rewritelab.check.strategies.rooted_graphs`)
    so that a failing graph shrinks."""
    tracks = r.rewriter.tracks()
    roots = _elemwise_ops(tracks)
    elemwise_only = bool(tracks) and len(roots) == len(tracks)

    def holds_tracked(graph: tuple[list[Variable], Variable]) -> bool:
        inputs, out = graph
        return not tracks or any(
            matches(a.op, tracks) for a in applys_between(inputs, [out])
        )

    def as_graph(graph: tuple[list[Variable], Variable]) -> CheckGraph:
        inputs, out = graph
        return CheckGraph(
            f"random: {expression_label(out)}", tuple(inputs), (out,), r.assume
        )

    graphs = rooted_graphs(roots, structural=not elemwise_only)
    return graphs.filter(holds_tracked).map(as_graph)


#: The bundled models every rule is also checked on (logp + gradient); the
#: demo's logistic regression (5,000 observations) would add minutes.
CHECK_MODELS = ("eight_schools", "regression")


def _model_graphs() -> Iterator[CheckGraph]:

    for name in CHECK_MODELS:
        t = load_target(str(bundled_model_path(name)))
        g = model_graph(t, "logp+grad")
        yield CheckGraph(
            f"model {name} logp+grad", tuple(g.inputs), tuple(g.outputs), bounded=True
        )


# -- comparing one graph -----------------------------------------------------


def _gradient_cost(g: CheckGraph, outputs: Sequence[Variable]) -> Variable | None:
    """The scalar whose gradient the checker compares: every float output
    summed (None where an output is not a float or no input is)."""
    float_in = [v for v in g.inputs if str(v.type.dtype).startswith("float")]
    if not float_in or not all(str(o.type.dtype).startswith("float") for o in outputs):
        return None
    return pt.add(*(o.sum() for o in outputs))


def _with_gradients(g: CheckGraph, cost: Variable | None) -> list[Variable]:
    float_in = [v for v in g.inputs if str(v.type.dtype).startswith("float")]
    if cost is None:
        return []
    try:
        return list(
            pytensor.grad(
                cost, float_in, disconnected_inputs="ignore", return_disconnected="zero"
            )
        )
    except Exception:
        return []


class _Stats:
    def __init__(self) -> None:
        self.inputs = 0
        self.worst = 0.0
        # where an exact value was computed: the rewrite's and the original's
        # worst errors against it
        self.exact_after: float | None = None
        self.exact_before: float | None = None
        # points accepted with a note, by kind (kernel.Noted)
        self.notes: dict[str, Noted] = {}


class _Mismatch(Exception):
    def __init__(self, found: Counterexample):
        super().__init__(str(found))
        self.found = found


class _TypeChanged(Exception):
    """The rewrite changed an output's dtype: the rule is broken (PyTensor
    rejects such a replacement when compiling), there is nothing to judge."""


def _explicit(
    inputs: Sequence[Variable], examples: Sequence[Mapping[str, Any]]
) -> list[dict[Variable, np.ndarray]]:
    """The rule's examples that name every input of a graph, as its values
    (a scalar filling a tensor input's shape, 1 where a length is unknown)."""
    found = []
    for given_values in examples:
        if not all(v.name in given_values for v in inputs):
            continue
        values = {}
        for v in inputs:
            shape = tuple(1 if s is None else s for s in v.type.shape)
            value = np.asarray(given_values[v.name], dtype=v.type.dtype)
            values[v] = value if value.ndim else np.full(shape, value)
        if all(v.type.is_valid_value(a) for v, a in values.items()):
            found.append(values)
    return found


#: Values every input takes at once before Hypothesis draws: where signed
#: zeros, nan and infinities show (``x + 0`` at -0.0, ``x >= x`` at nan).
SPECIAL_VALUES = (-0.0, 0.0, float("nan"), float("inf"), float("-inf"), 1.0, -1.0)


def _special_points(
    inputs: Sequence[Variable], assume: Sequence[str]
) -> list[dict[Variable, np.ndarray]]:
    """Every input at one of :data:`SPECIAL_VALUES` (integers at 0, 1, -1 and
    their dtype's extremes), where the assumptions allow it."""
    preds = parse_assumptions(assume)
    points = []
    for k, value in enumerate(SPECIAL_VALUES):
        point = {}
        for v in inputs:
            dtype = v.type.dtype
            shape = tuple(1 if n is None else n for n in v.type.shape)
            if dtype.startswith("float"):
                item = value
            elif dtype == "bool":
                item = bool(k % 2)
            else:
                info = np.iinfo(dtype)
                item = (0, 1, int(info.max), int(info.min), 1, -1 if info.min else 2)[
                    k % 6
                ]
            arr = np.full(shape, item, dtype=dtype)
            mine = [*preds.get(v.name or "", ()), *preds.get("*", ())]
            if not all(p(arr) for p in mine):
                break
            point[v] = arr
        else:
            points.append(point)
    return points


def _check_graph(
    g: CheckGraph,
    after: Sequence[Variable],
    max_examples: int,
    stats: _Stats,
    seed: int,
    examples: Sequence[Mapping[str, Any]] = (),
) -> Counterexample | None:
    before = list(g.outputs)
    for b, a in zip(before, after, strict=True):
        if b.type.dtype != a.type.dtype:  # not a value to judge: a broken rule
            raise _TypeChanged(f"{g.label}: changed {b.type} to {a.type}")
        if b.type.broadcastable != a.type.broadcastable:  # a wrong shape
            return Counterexample(g.label, "type", f"changed from {b.type} to {a.type}")
    float_in = [v for v in g.inputs if str(v.type.dtype).startswith("float")]
    n_values = len(before) if g.n_values is None else g.n_values
    names = [f"value {i}" for i in range(n_values)]
    gb, ga = [], []  # a graph that holds its gradients is not differentiated
    cost = None
    if g.n_values is None and g.differentiate:
        cost = _gradient_cost(g, before)
        gb = _with_gradients(g, cost)
        ga = _with_gradients(g, _gradient_cost(g, list(after)))
    grads = len(gb) == len(ga) and bool(gb)
    if grads or g.n_values is not None:
        names += [f"gradient wrt {v.name}" for v in float_in]
    pair = Comparison(
        g.inputs,
        before + (gb if grads else []),
        list(after) + (ga if grads else []),
        n_values=n_values,
        labels=names,
        name=g.label,
        derivatives=[(cost, v) for v in float_in] if grads else (),
    )

    if g.bounded:
        strategy = _bounded_points(g.inputs)
    else:
        strategy = graph_inputs(list(g.inputs), g.assume)

    def record(v: Any) -> None:
        if np.isfinite(v.worst_ulps):
            stats.worst = max(stats.worst, v.worst_ulps)
        if v.original_ulps is not None:
            stats.exact_after = max(stats.exact_after or 0.0, v.worst_ulps)
            stats.exact_before = max(stats.exact_before or 0.0, v.original_ulps)

    def run(values: dict[Variable, np.ndarray]) -> None:
        stats.inputs += 1
        # gradients matter where the function has a value: skipped elsewhere
        found = pair.judge(values, on_verdict=record)
        if found is not None:
            raise _Mismatch(found)

    test = given(strategy)(run)
    explicit = _explicit(g.inputs, examples)
    if not g.bounded:
        explicit += _special_points(g.inputs, g.assume)
    for values in explicit:  # tried first, never shrunk
        test = example(values)(test)
    test = settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        report_multiple_bugs=False,
    )(hypothesis_seed(seed)(test))
    try:
        with independent_of_history():
            test()
    except _Mismatch as m:
        return m.found
    finally:
        for kind, n in pair.notes.items():
            seen = stats.notes.get(kind)
            total = n.count + (seen.count if seen else 0)
            stats.notes[kind] = Noted(kind, total, seen.first if seen else n.first)
    return None


def _bounded_points(inputs: Sequence[Variable]) -> st.SearchStrategy:
    from hypothesis.extra import numpy as hnp

    @st.composite
    def points(draw: st.DrawFn) -> dict[Variable, np.ndarray]:
        out = {}
        for v in inputs:
            shape = tuple(1 if s is None else s for s in v.type.shape)
            out[v] = draw(hnp.arrays(v.type.dtype, shape, elements=st.floats(-3, 3)))
        return out

    return points()


# -- the rule ------------------------------------------------------------------


def check_rule(
    rule: Any,
    *,
    max_examples: int = 100,
    random_graphs: int = 200,
    wanted_graphs: int = 6,
    tracked_graphs_tried: int = 400,
    models: bool = True,
    seed: int = 0,
) -> RuleReport:
    """Check one rule: ``passed``, ``counterexample``, ``not exercised`` or
    ``error`` (the rule raised, or could not be compiled or evaluated).

    Graphs come, in order, from the rule's pattern and its ``graphs``; from
    what it tracks (:func:`rewritelab.check.graphs.tracked_graphs`: every
    tracked op on each dtype, constants in PyTensor's canonical forms, inner
    ops, canonicalize / stabilize contexts); from random graphs around its
    tracked ops; and from the bundled models.

    Parameters
    ----------
    rule
        A Rule or a PyTensor NodeRewriter.
    max_examples
        Hypothesis examples (input sets) per graph the rule fires on.
    random_graphs, wanted_graphs
        How many random graphs to try at most, and after how many graphs that
        the rule fires on (from each source) to stop.
    tracked_graphs_tried
        How many graphs built from the rule's tracks to try at most.
    models
        Also check the bundled models' logp + gradient graphs.

    Examples
    --------
    >>> from rewritelab.rewrite.rules import pattern
    >>> check_rule(pattern("exp(x) - 1 -> expm1(x)"), max_examples=30).verdict
    'passed'
    >>> r = check_rule(pattern("log1p(x) -> log(1 + x)"), max_examples=30)
    >>> r.verdict, r.counterexample.reason
    ('counterexample', 'farther from the exact value than the original')
    """
    t0 = time.perf_counter()
    r = as_rule(rule)
    stats = _Stats()
    tried = fired = 0
    sources: dict[str, int] = {}  # graphs tried, by source

    def report(
        verdict: Verdict,
        found: Counterexample | None = None,
        error: str = "",
        graph: CheckGraph | None = None,
        crash: str = "",
    ) -> RuleReport:
        return RuleReport(
            rule=r.name,
            source=r.source,
            verdict=verdict,
            graphs_tried=tried,
            graphs_fired=fired,
            inputs_tried=stats.inputs,
            worst_ulps=stats.worst,
            worst_ulps_exact=stats.exact_after,
            worst_ulps_original=stats.exact_before,
            notes=tuple(stats.notes.values()),
            seconds=time.perf_counter() - t0,
            counterexample=found,
            error=error,
            tried=_tried_text(r, sources) if verdict == "not exercised" else "",
            crash=crash,
            graph=graph,
        )

    def expressions() -> list[Iterator[CheckGraph]]:
        found = [_given_graphs(r)]
        if r.in_pattern is not None:
            found.insert(0, _expression_graphs(r.in_pattern, r.assume))
        return found

    def with_gradients() -> Iterator[CheckGraph]:
        """The expression graphs with their gradients as outputs, as a model's
        logp + gradient is compiled: for rules that act on gradient graphs
        (tried only where no value graph made the rule fire)."""
        if fired:
            return
        for source in expressions():
            for g in source:
                grads = _with_gradients(g, _gradient_cost(g, g.outputs))
                if grads:
                    yield CheckGraph(
                        f"{g.label} with its gradient",
                        g.inputs,
                        (*g.outputs, *grads),
                        g.assume,
                        n_values=len(g.outputs),
                    )

    def attempt(g: CheckGraph, source: str = "random graphs") -> RuleReport | bool:
        """Check the rule on ``g``: False where it does not fire (or the
        original cannot be evaluated), True where it passed, else the
        failing report."""
        nonlocal tried, fired
        tried += 1
        sources[source] = sources.get(source, 0) + 1
        try:
            result = apply(g.outputs, r)
        except RuleError as exc:  # the rule broke: no values to judge
            crash = _last_line(exc.__cause__) if exc.__cause__ else str(exc)
            return report("error", error=f"{g.label}: {exc}", graph=g, crash=crash)
        if not result.firings:
            return False
        try:
            found = _check_graph(
                g, result.outputs, max_examples, stats, seed, r.examples
            )
        except OriginalFails:
            return False  # not the rule's doing, and nothing to compare
        except (_TypeChanged, NoExactValue) as exc:
            text = str(exc) if isinstance(exc, _TypeChanged) else f"{g.label}: {exc}"
            return report("error", error=text)
        except Exception as exc:
            return report("error", error=f"{g.label}: {type(exc).__name__}: {exc}")
        fired += 1
        return True if found is None else report("counterexample", found, graph=g)

    def first_failure(
        named: Sequence[tuple[str, Iterator[CheckGraph]]],
        limit: int | None = None,
        wanted: int | None = wanted_graphs,
    ) -> RuleReport | None:
        """Try each source's graphs, at most ``limit`` of them and until
        ``wanted`` cases fired (None: all of them); a graph that differs only
        in rank from one that fired (one label) is not tried again, and the
        graphs of one family (a constant in several dtypes) are one case."""
        for source, graphs in named:
            fired_here: set[str] = set()
            cases: set[str] = set()
            tried_here = 0
            for g in graphs:
                enough = wanted is not None and len(cases) >= wanted
                if enough or (limit is not None and tried_here >= limit):
                    break
                if g.label in fired_here:
                    continue
                tried_here += 1
                outcome = attempt(g, source)
                if isinstance(outcome, RuleReport):
                    return outcome
                if outcome:
                    fired_here.add(g.label)
                    cases.add(g.family or g.label)
        return None

    tracks = r.rewriter.tracks()
    failed = first_failure(
        [("its pattern and graphs", s) for s in expressions()], wanted=None
    )
    # a pattern's own graphs are what it needs; built graphs where they fail
    if failed is None and tracks and (r.in_pattern is None or not fired):
        # each kind its share of the budget (what one leaves goes to the
        # next) and of the firings: the plain graphs of every dtype and the
        # constants of every value most
        kinds = tracked_graph_kinds(tracks, exclude=[r.name], assume=r.assume)
        start = tried
        for k, (kind, built) in enumerate(kinds):
            share = (tracked_graphs_tried - (tried - start)) // (len(kinds) - k)
            if kind == "plain":  # every dtype of every tracked op
                share = max(share, int(tracked_graphs_tried * PLAIN_SHARE))
            many = kind in ("plain", "constants")  # each dtype, each value
            enough = wanted_graphs if many else max(1, wanted_graphs // 3)
            named = [("graphs built from its tracks", built)]
            failed = first_failure(named, share, enough)
            if failed is not None:
                break
    if failed is None and r.in_pattern is None and fired < wanted_graphs:
        failed = _search_graphs(
            _random_graphs(r), attempt, random_graphs, wanted_graphs, seed
        )
    if failed is None:
        more = [("its graphs with their gradients", with_gradients())]
        if models:
            more.append(("the bundled models", _model_graphs()))
        failed = first_failure(more)
    return failed or report("passed" if fired else "not exercised")


def _given_graphs(r: Rule) -> Iterator[CheckGraph]:
    """The rule's ``graphs``: pattern-syntax texts, or PyTensor Variables (or
    lists of them) handed to :func:`rewritelab.rewrite.rules.as_rule`."""
    for g in r.graphs:
        if isinstance(g, str):
            yield from _expression_graphs(parse_expression(g), r.assume)
            continue
        outs = list(g) if isinstance(g, list | tuple) else [g]
        inputs = tuple(
            v
            for v in graph_inputs_of(outs)
            if v.owner is None and not isinstance(v, Constant)
        )
        yield CheckGraph(
            f"given: {expression_label(outs[0])}", inputs, tuple(outs), r.assume
        )


def _last_line(exc: BaseException) -> str:
    """A traceback's last line: ``OverflowError: cannot convert ...``."""
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def _tried_text(r: Rule, sources: Mapping[str, int]) -> str:
    """What a rule that never fired looks at, and which graphs it was tried on."""
    tried = "; ".join(f"{n} {source}" for source, n in sources.items() if n) or "none"
    return f"tracks {describe_tracks(r.rewriter.tracks())}; tried {tried}"


class _Failed(Exception):
    def __init__(self, report: RuleReport):
        super().__init__(report.rule)
        self.report = report


#: After a failure, at most this many new graphs are tried while shrinking it.
MAX_SHRINK_GRAPHS = 40


def _search_graphs(
    graphs: st.SearchStrategy,
    attempt: Callable[[CheckGraph], RuleReport | bool],
    budget: int,
    wanted: int,
    seed: int,
) -> RuleReport | None:
    """Let Hypothesis draw graphs and ``attempt`` each, until ``wanted`` fired
    or ``budget`` were tried; a failure is shrunk (at most
    :data:`MAX_SHRINK_GRAPHS` further graphs) and the smallest failing
    graph's report returned."""
    outcomes: dict[tuple[str, ...], RuleReport | bool] = {}
    count = {"tried": 0, "after_failure": 0}

    def run(g: CheckGraph) -> None:
        key = (g.label, *(str(v.type) for v in g.inputs))
        outcome = outcomes.get(key)
        if outcome is None:
            failing = any(isinstance(o, RuleReport) for o in outcomes.values())
            spent = count["after_failure"] if failing else count["tried"]
            if spent >= (MAX_SHRINK_GRAPHS if failing else budget):
                return  # out of budget: taken as passing, so never the smallest
            count["after_failure" if failing else "tried"] += 1
            outcome = outcomes[key] = attempt(g)
        if isinstance(outcome, RuleReport):
            raise _Failed(outcome)
        if outcome is False:
            reject()  # the rule does not fire here: not an example

    test = settings(
        max_examples=wanted,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        report_multiple_bugs=False,
    )(hypothesis_seed(seed)(given(graphs)(run)))
    try:
        with independent_of_history():
            test()
    except _Failed as failure:
        return failure.report
    except Unsatisfiable:  # no graph drawn made the rule fire
        return None
    return None


def check_rules(
    rules: Any,
    *,
    progress: Callable[[int, str], None] | None = None,
    client: Any = None,
    time_limit: float | None = None,
    **kwargs: Any,
) -> tuple[RuleReport, ...]:
    """:func:`check_rule` for every rule of a rule set (or path); a rule that
    breaks the checker is reported as an ``error`` and the others go on.
    ``progress(i, name)`` is called before the i-th rule (on a cluster: as
    it comes back). ``client``: a Dask client
    (:func:`rewritelab.core.sweep.cluster`), one job per rule on its
    workers, the reports the serial run's, in its order. ``time_limit``:
    seconds per rule, after which it is an ``error`` saying it timed out.
    """
    rs = list(rule_set(rules))
    names = distinct([r.name for r in rs])  # rule names may repeat

    def step(k: int, n: int, name: str) -> None:
        if progress is not None:
            i = k if client is None else names.index(name)
            progress(i, rs[i].name)

    jobs = [
        Job(n, _checked_or_error, (r, kwargs)) for n, r in zip(names, rs, strict=True)
    ]
    found = sweep(
        jobs, client=client, time_limit=time_limit, progress=step, history="check"
    )
    return tuple(
        d.value if d.ok else _job_failed(r, d, time_limit)
        for r, d in zip(rs, found, strict=True)
    )


def _checked_or_error(r: Rule, kwargs: Mapping[str, Any]) -> RuleReport:
    """:func:`check_rule`, a rule that breaks the checker an ``error`` report
    (one sweep job)."""
    try:
        return check_rule(r, **kwargs)
    except Exception as exc:
        return RuleReport(
            r.name, r.source, "error", 0, 0, 0, 0.0, 0.0,
            error=f"{type(exc).__name__}: {exc}",
        )  # fmt: skip


def _job_failed(r: Rule, done: Done, time_limit: float | None) -> RuleReport:
    """The ``error`` report of a rule whose job timed out or failed."""
    why = (
        f"timed out: still checking after {time_limit:g} s"
        if done.timed_out
        else f"its job failed: {done.error}"
    )
    return RuleReport(r.name, r.source, "error", 0, 0, 0, 0.0, done.seconds, error=why)
