"""Is a rule correct? Hypothesis-driven equivalence with an exact reference.

:func:`check_rule` builds graphs the rule fires on (its pattern instantiated
with fresh inputs of several shapes and dtypes, and likewise the expressions
in its ``graphs``; random expression graphs holding the ops a function rule
tracks; the bundled models' logp and
gradient), compiles each graph and its rewrite once, and lets Hypothesis
search the inputs for a disagreement, judged by :mod:`rewritelab.check.compare`
(values and gradients). A failure is shrunk to a small counterexample.

Graphs are compiled with PyTensor's Python linker and *no* rewrites
(:data:`CHECK_MODE`): a compile costs milliseconds instead of Numba's
seconds, and the graph evaluated is exactly the one written, so PyTensor's
own rewrites can neither hide nor cause a difference.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pytensor
import pytensor.tensor as pt
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from pytensor.graph.basic import Constant, Variable
from pytensor.graph.op import Op
from pytensor.graph.rewriting.unify import PatternNode, PatternVar
from pytensor.graph.traversal import applys_between
from pytensor.tensor.elemwise import Elemwise

from rewritelab.check.exact import NoExactValue
from rewritelab.check.kernel import (
    CHECK_MODE,
    CHECK_MODE_NAME,
    Comparison,
    Counterexample,
    OriginalFails,
    check_mode,
)
from rewritelab.check.strategies import BINARY_OPS, UNARY_OPS, graph_inputs
from rewritelab.core.bundled import bundled_model_path, bundled_models
from rewritelab.core.models import model_graph
from rewritelab.core.targets import load_target
from rewritelab.rewrite.apply import apply
from rewritelab.rewrite.registry import rule_set
from rewritelab.rewrite.rules import (
    LITERAL_PREFIX,
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
    "check_rule",
    "check_rules",
]

Verdict = Literal["passed", "counterexample", "not exercised", "error"]


@dataclass(frozen=True)
class RuleReport:
    """What :func:`check_rule` found for one rule."""

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

    @property
    def ok(self) -> bool:
        """Passed (a rule that was never exercised is not ok)."""
        return self.verdict == "passed"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = dict(vars(self))
        d["counterexample"] = (
            self.counterexample.to_dict() if self.counterexample else None
        )
        return d


# -- graphs to check ---------------------------------------------------------


@dataclass(frozen=True)
class _Graph:
    label: str
    inputs: tuple[Variable, ...]
    outputs: tuple[Variable, ...]
    assume: tuple[str, ...] = ()
    bounded: bool = False  # model graphs: moderate values in value space
    #: outputs after the first ``n_values`` are gradients already: compared
    #: as such, and not differentiated again (None: all are values)
    n_values: int | None = None


def _instantiate(pattern: Any, dtype: str, shapes: dict[str, tuple], env: dict) -> Any:
    """A graph matching an in-pattern: rewritelab tuples or PyTensor's own
    PatternNode / PatternVar, with fresh inputs for the pattern variables."""
    if isinstance(pattern, PatternVar):
        return _instantiate(pattern.token, dtype, shapes, env)
    if isinstance(pattern, PatternNode):
        if not isinstance(pattern.op_match, Op):
            raise TypeError(f"cannot build {pattern.op_match!r}")
        args = (_instantiate(a, dtype, shapes, env) for a in pattern.inputs)
        return pattern.op_match(*args)
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
        return _instantiate(name, dtype, shapes, env)
    if isinstance(pattern, tuple):  # an Op, or a function in a graphs= text
        op, *args = pattern
        if not callable(op):
            raise TypeError(f"cannot build {op!r}")
        return op(*(_instantiate(a, dtype, shapes, env) for a in args))
    return pt.constant(np.asarray(pattern, dtype=dtype))


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


def _expression_graphs(in_pattern: Any, assume: tuple[str, ...]) -> Iterator[_Graph]:
    """The graph an in-pattern describes, as scalars, vectors, a broadcast
    mix and float32 vectors."""
    names = list(dict.fromkeys(_pattern_names(in_pattern)))
    variants = [
        ("float64", {n: () for n in names}, "scalars"),
        ("float64", {n: (None,) for n in names}, "vectors"),
        (
            "float64",
            {n: ((None,) if i == 0 else (1,)) for i, n in enumerate(names)},
            "broadcast",
        ),
        ("float32", {n: (None,) for n in names}, "float32 vectors"),
    ]
    for dtype, shapes, label in variants:
        env: dict[str, Variable] = {}
        try:
            out = _instantiate(in_pattern, dtype, shapes, env)
        except Exception:
            continue
        yield _Graph(
            f"{label}: {_expr(out)}",
            tuple(env[n] for n in names if n in env),
            (out,),
            assume,
        )


_LEAF_CONSTANTS = (0.0, 1.0, 2.0, -1.0, 0.5)

#: Non-elementwise roots for random graphs (vectors): reductions, slicing,
#: reordering, products, scans, so rules on such ops get exercised too.
STRUCTURAL = {
    "sum": lambda v: v.sum(),
    "prod": lambda v: v.prod(),
    "max": lambda v: v.max(),
    "reverse": lambda v: v[::-1],
    "tail": lambda v: v[1:],
    "first": lambda v: v[0],
    "cumsum": lambda v: pt.cumsum(v),
    "dot": lambda v: pt.dot(v, v[::-1]),
    "sort": lambda v: pt.sort(v),
    "outer_sum": lambda v: v[:, None] + v[None, :],
}


def _matches(op: Op, tracks: Any) -> bool:
    for t in tracks or ():
        if (isinstance(t, type) and isinstance(op, t)) or op == t:
            return True
        if (
            isinstance(t, Elemwise)
            and isinstance(op, Elemwise)
            and op.scalar_op == t.scalar_op
        ):
            return True
    return False


def _elemwise_ops(tracks: Any) -> list[tuple[Elemwise, int]]:
    ops = []
    for t in tracks or ():
        if isinstance(t, Elemwise):
            nin = t.scalar_op.nin
            ops.append((t, nin if nin > 0 else 2))  # add / mul are variadic
    return ops


def _random_graphs(r: Rule, seed: int, n: int) -> Iterator[_Graph]:
    """Random small graphs rooted at (or just above) an op the rule tracks."""
    rng = np.random.default_rng(seed)
    tracks = r.rewriter.tracks()
    tracked = _elemwise_ops(tracks)
    pool_u = list(UNARY_OPS.values())
    pool_b = list(BINARY_OPS.values()) + [pt.pow]
    structural = list(STRUCTURAL.values())
    elemwise_only = bool(tracks) and len(tracked) == len(tracks)
    if not tracked:
        tracked = [(op, 1) for op in pool_u] + [(op, 2) for op in pool_b]
    for k in range(n):
        ndim = int(rng.integers(0, 2)) if elemwise_only else 1
        xs = [
            pt.tensor(f"x{i}", dtype="float64", shape=(None,) * ndim) for i in range(3)
        ]
        used: list[Variable] = []
        op, arity = tracked[int(rng.integers(len(tracked)))]
        try:
            out = op(
                *(_subexpr(rng, xs, used, pool_u, pool_b, 2) for _ in range(arity))
            )
            if not elemwise_only and out.ndim == 1:
                out = structural[int(rng.integers(len(structural)))](out)
            if rng.random() < 0.3:
                out = pool_u[int(rng.integers(len(pool_u)))](out)
        except Exception:
            continue
        if not used or isinstance(out, Constant):
            continue
        nodes = applys_between(xs, [out])
        if tracks and not any(_matches(a.op, tracks) for a in nodes):
            continue
        inputs = tuple(v for v in xs if v in used)
        yield _Graph(f"random {k}: {_expr(out)}", inputs, (out,), r.assume)


def _subexpr(
    rng: np.random.Generator,
    xs: list[Variable],
    used: list[Variable],
    pool_u: list,
    pool_b: list,
    depth: int,
) -> Variable:
    """A random expression of the inputs ``xs`` (recording those it uses)
    and small constants, at most ``depth`` ops deep."""
    u = rng.random()
    if depth == 0 or u < 0.4:
        if rng.random() < 0.3:
            return pt.constant(float(rng.choice(_LEAF_CONSTANTS)))
        v = xs[int(rng.integers(0, len(xs)))]
        used.append(v)
        return v
    args = [
        _subexpr(rng, xs, used, pool_u, pool_b, depth - 1)
        for _ in range(1 if u < 0.7 else 2)
    ]
    pool = pool_u if len(args) == 1 else pool_b
    return pool[int(rng.integers(len(pool)))](*args)


def _model_graphs() -> Iterator[_Graph]:

    for name in bundled_models():
        t = load_target(str(bundled_model_path(name)))
        g = model_graph(t, "logp+grad")
        yield _Graph(
            f"model {name} logp+grad", tuple(g.inputs), tuple(g.outputs), bounded=True
        )


def _expr(v: Variable, depth: int = 0) -> str:
    if v.owner is None:
        if isinstance(v, Constant):
            return str(np.asarray(v.data).tolist())
        return v.name or "?"
    if depth > 6:
        return "..."
    op = v.owner.op
    name = str(op.scalar_op if isinstance(op, Elemwise) else op).lower()
    args = ", ".join(_expr(i, depth + 1) for i in v.owner.inputs)
    return f"{name}({args})"


# -- comparing one graph -----------------------------------------------------


def _with_gradients(g: _Graph, outputs: Sequence[Variable]) -> list[Variable]:
    float_in = [v for v in g.inputs if str(v.type.dtype).startswith("float")]
    if not float_in or not all(str(o.type.dtype).startswith("float") for o in outputs):
        return []
    cost = pt.add(*(o.sum() for o in outputs))
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


def _check_graph(
    g: _Graph,
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
    if g.n_values is None:
        gb, ga = _with_gradients(g, before), _with_gradients(g, list(after))
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
    )

    if g.bounded:
        strategy = _bounded_points(g.inputs)
    else:
        strategy = graph_inputs(list(g.inputs), g.assume)

    def record(v: Any) -> None:
        if np.isfinite(v.worst_ulps):
            stats.worst = max(stats.worst, v.worst_ulps)

    def run(values: dict[Variable, np.ndarray]) -> None:
        stats.inputs += 1
        # gradients matter where the function has a value: skipped elsewhere
        found = pair.judge(values, on_verdict=record)
        if found is not None:
            raise _Mismatch(found)

    test = given(strategy)(run)
    for values in _explicit(g.inputs, examples):  # tried first, never shrunk
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
        test()
    except _Mismatch as m:
        return m.found
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
    models: bool = True,
    seed: int = 0,
) -> RuleReport:
    """Check one rule: ``passed``, ``counterexample``, ``not exercised`` or
    ``error`` (the rule could not be applied, compiled or evaluated).

    Parameters
    ----------
    rule
        A Rule or a PyTensor NodeRewriter.
    max_examples
        Hypothesis examples (input sets) per graph the rule fires on.
    random_graphs, wanted_graphs
        For rules without a pattern: how many random graphs to try at most,
        and after how many that the rule fires on to stop.
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

    def report(
        verdict: Verdict, found: Counterexample | None = None, error: str = ""
    ) -> RuleReport:
        return RuleReport(
            rule=r.name,
            source=r.source,
            verdict=verdict,
            graphs_tried=tried,
            graphs_fired=fired,
            inputs_tried=stats.inputs,
            worst_ulps=stats.worst,
            seconds=time.perf_counter() - t0,
            counterexample=found,
            error=error,
        )

    def expressions() -> list[Iterator[_Graph]]:
        found = [_expression_graphs(parse_expression(t), r.assume) for t in r.graphs]
        if r.in_pattern is not None:
            found.insert(0, _expression_graphs(r.in_pattern, r.assume))
        return found

    def with_gradients() -> Iterator[_Graph]:
        """The expression graphs with their gradients as outputs, as a model's
        logp + gradient is compiled: for rules that act on gradient graphs
        (tried only where no value graph made the rule fire)."""
        if fired:
            return
        for source in expressions():
            for g in source:
                grads = _with_gradients(g, g.outputs)
                if grads:
                    yield _Graph(
                        f"{g.label} with its gradient",
                        g.inputs,
                        (*g.outputs, *grads),
                        g.assume,
                        n_values=len(g.outputs),
                    )

    graphs = expressions()
    if r.in_pattern is None:
        graphs.append(_random_graphs(r, seed, random_graphs))
    graphs.append(with_gradients())
    if models:
        graphs.append(_model_graphs())
    for source in graphs:
        fired_here = 0
        for g in source:
            if fired_here >= wanted_graphs:
                break
            tried += 1
            try:
                result = apply(g.outputs, r)
            except RuleError as exc:  # the rule broke: no values to judge
                return report("error", error=f"{g.label}: {exc}")
            if not result.firings:
                continue
            try:
                found = _check_graph(
                    g, result.outputs, max_examples, stats, seed, r.examples
                )
            except OriginalFails:
                continue  # not the rule's doing, and nothing to compare
            except _TypeChanged as exc:
                return report("error", error=str(exc))
            except NoExactValue as exc:
                return report("error", error=f"{g.label}: {exc}")
            except Exception as exc:
                return report("error", error=f"{g.label}: {type(exc).__name__}: {exc}")
            fired += 1
            fired_here += 1
            if found is not None:
                return report("counterexample", found)
    return report("passed" if fired else "not exercised")


def check_rules(
    rules: Any, *, progress: Callable[[int, str], None] | None = None, **kwargs: Any
) -> tuple[RuleReport, ...]:
    """:func:`check_rule` for every rule of a rule set (or path); a rule that
    breaks the checker is reported as an ``error`` and the others go on.
    ``progress(i, name)`` is called before the i-th rule."""
    out = []
    for i, r in enumerate(rule_set(rules)):
        if progress is not None:
            progress(i, r.name)
        try:
            out.append(check_rule(r, **kwargs))
        except Exception as exc:
            out.append(
                RuleReport(
                    r.name,
                    r.source,
                    "error",
                    0,
                    0,
                    0,
                    0.0,
                    0.0,
                    error=f"{type(exc).__name__}: {exc}",
                )
            )
    return tuple(out)
