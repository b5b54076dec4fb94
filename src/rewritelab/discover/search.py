"""Discovery: saturate a graph's elementwise part, extract the cheapest form, keep what is proved and faster.

:func:`discover` runs the whole loop on one target:

1. the graph the rules see when compiling (a model's logp + gradient after
   PyTensor's canonicalize and stabilize, :func:`rewritelab.rewrite.modes.
   until_rules_mode`); its elementwise regions as terms
   (:func:`rewritelab.discover.terms.to_terms`), one e-graph for all of them;
2. the identities of :mod:`rewritelab.discover.identities`, round after round,
   until the e-graph stops growing, passes a node limit or the time budget;
3. extraction of all regions at once by the op costs of this machine
   (:mod:`rewritelab.discover.cost`), so shared subterms are paid once;
4. each place where the cheapest form parts from the original, generalised
   to a pattern rule (:mod:`rewritelab.discover.candidates`) and checked by
   :func:`rewritelab.check.rules.check_rule`; the rules that pass, checked
   together on the model (:func:`rewritelab.check.model.check_model`) and
   timed on the kernel path against PyTensor's default pipeline
   (:func:`rewritelab.measure.bench.bench`). Only a verified, measured win is
   kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from egglog import EggSmolError, EGraph, eq
from pytensor.graph.basic import Variable
from pytensor.graph.traversal import graph_inputs, io_toposort
from pytensor.tensor.elemwise import Elemwise

from rewritelab.check.model import check_model
from rewritelab.check.rules import RuleReport, check_rule
from rewritelab.core.compile import pytensor_rewritten
from rewritelab.core.errors import RewritelabError
from rewritelab.core.limits import TimedOut, time_limit_of
from rewritelab.core.models import model_graph, model_of
from rewritelab.core.sweep import Done, Job, distinct, sweep
from rewritelab.core.targets import resolve
from rewritelab.discover.candidates import Candidate, candidates
from rewritelab.discover.cost import OpCosts, load_costs
from rewritelab.discover.extract import extract_optimal
from rewritelab.discover.identities import FAMILIES, identities
from rewritelab.discover.terms import roots_of, terms_of, to_terms
from rewritelab.measure.bench import BenchRow, kernel_row
from rewritelab.rewrite.modes import until_rules_mode
from rewritelab.rewrite.registry import RuleSet
from rewritelab.rewrite.rules import RuleError

__all__ = [
    "DiscoverReport",
    "Timed",
    "Tried",
    "discover",
    "discover_each",
    "rules_file",
]

#: The steps :func:`discover` reports progress on.
STEPS = (
    "reading the graph",
    "saturating",
    "checking candidates",
    "checking on the model",
    "timing",
)

#: Stop saturating when the e-graph holds this many nodes, or when it grew
#: less than 1% in STALL_ROUNDS rounds (egg's backoff lets a banned rule
#: back every few rounds, so a saturated graph may still wobble).
NODE_LIMIT = 20_000
STALL_ROUNDS = 10

#: Seconds the checker may spend on one candidate; past them it is rejected
#: (an unproved candidate is never kept).
CHECK_SECONDS = 60.0

#: How many blamed rules the model check may drop before the set is given up.
MODEL_RETRIES = 3

#: Seconds HiGHS may spend on the optimal extraction (at most the budget).
EXTRACT_SECONDS = 30.0

#: The domain every candidate is checked on and declares: finite inputs, as
#: a model's logp is only evaluated where it is finite (range facts such as
#: ``sigmoid(x) >= 0`` hold for finite x, and nan compares false).
FINITE = ("* > -inf", "* < inf")


@dataclass(frozen=True)
class Tried:
    """One candidate and what became of it: ``kept``, ``rejected`` (the
    checker's reason in ``why``), or ``not measured``."""

    candidate: Candidate
    outcome: str
    why: str = ""
    check: RuleReport | None = field(default=None, repr=False)

    def __str__(self) -> str:
        why = f" ({self.why})" if self.why else ""
        return f"{self.candidate.text}: {self.outcome}{why}"


@dataclass(frozen=True)
class Timed:
    """One timing of a set of candidates on the kernel path: which rules,
    why this set was timed, and the speed-up with its interval."""

    rules: tuple[str, ...]
    why: str
    speedup: float
    ci_low: float
    ci_high: float

    @classmethod
    def of(cls, rules: Sequence[Candidate], why: str, row: BenchRow | None) -> Timed:
        names = tuple(c.name for c in rules)
        if row is None:
            return cls(names, why, float("nan"), float("nan"), float("nan"))
        return cls(names, why, row.speedup, row.ci_low, row.ci_high)

    @property
    def faster(self) -> bool:
        """Measurably faster: the interval's low end above 1."""
        return self.ci_low > 1.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.why}: {self.speedup:.3f} [{self.ci_low:.3f}, "
            f"{self.ci_high:.3f}] ({', '.join(self.rules)})"
        )


@dataclass(frozen=True)
class DiscoverReport:
    """What :func:`discover` found on one target."""

    target: str
    goal: str
    budget: float
    seconds: float
    regions: int
    egraph_nodes: int
    rounds: int
    saturated: bool
    cost_before: float
    cost_after: float
    tried: tuple[Tried, ...]
    extractor: str = "greedy"
    bench: BenchRow | None = None
    timings: tuple[Timed, ...] = ()
    model_check: str = ""
    costs: str = ""
    stopped: str = ""

    @property
    def kept(self) -> tuple[Candidate, ...]:
        """The candidates that passed every check and were kept."""
        return tuple(t.candidate for t in self.tried if t.outcome == "kept")

    def rules_file(self) -> str:
        """The kept rules as a rules file for ``rewritelab check`` and
        ``rl.load``."""
        return rules_file([self], f"{self.target} ({self.goal})")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = {
            k: v
            for k, v in vars(self).items()
            if k not in ("tried", "bench", "timings")
        }
        d["timings"] = [t.to_dict() for t in self.timings]
        d["tried"] = [
            {
                "rule": t.candidate.text,
                "name": t.candidate.name,
                "outcome": t.outcome,
                "why": t.why,
            }
            for t in self.tried
        ]
        d["kept"] = [c.text for c in self.kept]
        d["bench"] = None if self.bench is None else dataclasses.asdict(self.bench)
        return d

    def __str__(self) -> str:
        lines = [
            f"discover {self.target} ({self.goal}, budget {self.budget:g} s): "
            f"{self.regions} regions, e-graph of {self.egraph_nodes} nodes after "
            f"{self.rounds} rounds{' (saturated)' if self.saturated else ''}; "
            f"cost {self.cost_before:.1f} -> {self.cost_after:.1f} ns/element "
            f"({self.extractor}); "
            f"{len(self.tried)} candidates, {len(self.kept)} kept; "
            f"{self.seconds:.1f} s",
        ]
        if self.stopped:
            lines.append(f"  stopped: {self.stopped}")
        lines += [f"  {t}" for t in self.tried]
        if self.model_check:
            lines.append(f"  model check: {self.model_check}")
        lines += [f"  timed: {t}" for t in self.timings]
        if self.bench is not None:
            b = self.bench
            lines.append(
                f"  speed-up of the kept rules ({b.backend} {b.path} {b.function}): "
                f"{b.speedup:.3f} [{b.ci_low:.3f}, {b.ci_high:.3f}]"
            )
        return "\n".join(lines)


def rules_file(reports: Sequence[DiscoverReport], on: str) -> str:
    """The rules every report kept, as one rules file (the rules of
    :func:`discover_each` are named apart)."""
    head = [
        f'"""Rules discovered by rewritelab on {on}."""',
        "",
        "from rewritelab import pattern",
        "",
    ]
    body = [line for r in reports for c in r.kept for line in (c.source(FINITE), "")]
    return "\n".join(head + body)


def _graph(target: Any) -> tuple[list[Variable], Any, str]:
    """The outputs discovery works on, the pm.Model behind the target (or
    None) and the target's name."""
    model = model_of(target)
    if model is not None:
        t = resolve(model_graph(model, "logp+grad"))
    else:
        t = resolve(target)
    fg = pytensor_rewritten(t, until_rules_mode())
    return list(fg.outputs), model, t.name


def _region_roots(outputs: Sequence[Variable]) -> list[Variable]:
    """The variables where an elementwise region ends: an Elemwise output
    read by something that is not elementwise, or an output of the graph."""
    nodes = io_toposort(list(graph_inputs(outputs)), list(outputs))
    readers: dict[Variable, list[Any]] = {}
    for node in nodes:
        for i in node.inputs:
            readers.setdefault(i, []).append(node)
    roots = []
    for node in nodes:
        if not isinstance(node.op, Elemwise):
            continue
        for out in node.outputs:
            users = readers.get(out, [])
            if out in outputs or any(not isinstance(u.op, Elemwise) for u in users):
                roots.append(out)
    return roots


def _saturate(
    egraph: EGraph, families: Sequence[str], budget: float, progress: Callable
) -> tuple[int, bool, str]:
    """Rounds of the identities until the e-graph stops growing (saturated),
    passes :data:`NODE_LIMIT` or ``budget`` seconds are spent; progress at
    most once a second."""
    schedule = identities(families)
    t0 = last_said = time.perf_counter()
    rounds, sizes = 0, []
    while True:
        now = time.perf_counter()
        if now - t0 > budget:
            return rounds, False, f"time budget of {budget:g} s spent"
        egraph.run(schedule)
        rounds += 1
        sizes.append(_size(egraph))
        if now - last_said > 1.0:
            progress(f"round {rounds}, {sizes[-1]} e-nodes")
            last_said = now
        if len(sizes) > 1 and sizes[-1] == sizes[-2]:
            return rounds, True, ""
        if sizes[-1] > NODE_LIMIT:
            return rounds, False, f"e-graph reached {sizes[-1]} nodes"
        # growing by less than 1% in STALL_ROUNDS rounds: as good as saturated
        if len(sizes) > STALL_ROUNDS and sizes[-1] < 1.01 * sizes[-1 - STALL_ROUNDS]:
            return rounds, False, f"e-graph stopped growing at {sizes[-1]} nodes"


def _proved_equal(egraph: EGraph, a: Any, b: Any) -> bool:
    """Whether the e-graph holds ``a`` and ``b`` in one e-class."""
    try:
        egraph.check(eq(a).to(b))
    except EggSmolError:
        return False
    return True


def _size(egraph: EGraph) -> int:
    """The number of e-nodes (egglog's function table sizes, summed)."""
    return sum(n for _, n in egraph.all_function_sizes())


def discover(
    target: Any,
    *,
    goal: str = "speed",
    budget: float = 60.0,
    families: Sequence[str] = tuple(FAMILIES),
    costs: OpCosts | None = None,
    max_examples: int = 30,
    measure: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
    prefix: str = "discovered",
) -> DiscoverReport:
    """Find, check and measure faster forms of ``target``'s elementwise
    part (see the module doc).

    Parameters
    ----------
    target
        A pm.Model (its logp + gradient), a model target, or any graph target.
    goal
        ``"speed"`` (the only goal so far).
    budget
        Seconds for saturation (checking and timing come on top).
    families
        Identity families to saturate with (:data:`FAMILIES`).
    costs
        Op costs; this machine's calibration, else the shipped table.
    measure
        Time the kept rules against PyTensor's default pipeline (models only).
    progress
        Called as ``progress(step, STEPS, label)`` as each of the
        :data:`STEPS` steps begins (and as saturation goes on).
    prefix
        The found rules are named ``{prefix}_1, {prefix}_2, ...``.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dvector("x")
    >>> r = discover(pt.exp(x) ** -1.5 * pt.exp(x), budget=5, measure=False)
    >>> r.cost_after < r.cost_before, len(r.kept) >= 1
    (True, True)
    """
    if goal != "speed":
        raise RewritelabError(f"unknown goal {goal!r}; the goals are speed")
    if budget <= 0:
        raise RewritelabError(
            f"budget must be a positive number of seconds, not {budget}"
        )
    tell = progress or (lambda i, n, label: None)
    with _deep_terms():
        return _discover(
            target, goal, budget, families, costs, max_examples, measure, tell, prefix
        )


def discover_each(
    targets: Sequence[Any],
    *,
    names: Sequence[str] | None = None,
    client: Any = None,
    progress: Callable[[int, int, str], None] | None = None,
    **options: Any,
) -> tuple[Done, ...]:
    """:func:`discover` on each of ``targets``, one sweep job per target
    (on a Dask ``client``'s workers, else here one after another): one
    :class:`rewritelab.core.sweep.Done` each, in order, its value the
    target's :class:`DiscoverReport` (or its one-line error). The rules of
    target ``k`` are named ``{names[k]}_1, ...`` (names made identifiers),
    so the reports' rules files can be joined (a name given twice gets its
    place: ``model_1_...``, ``model_2_...``). ``options`` go to
    :func:`discover`; ``progress(i, n, name)`` as each target starts (on a
    cluster: as it comes back)."""
    labels = (
        list(names)
        if names is not None
        else [f"target{k}" for k in range(len(targets))]
    )
    if len(labels) != len(targets):
        raise RewritelabError(f"{len(targets)} targets but {len(labels)} names")
    if options.get("budget", 60.0) <= 0:  # before any job starts
        raise RewritelabError(
            f"budget must be a positive number of seconds, not {options['budget']}"
        )
    jobs = [  # a name given twice (two folders' model.py) gets its place
        Job(label, discover, (t,), {**options, "prefix": _identifier(label)})
        for label, t in zip(distinct(labels), targets, strict=True)
    ]
    return sweep(jobs, client=client, progress=progress, history="discover")


def _identifier(label: str) -> str:
    """A target's label as the start of a rule name (``user:radon.py`` ->
    ``user_radon_py``)."""
    text = re.sub(r"\W+", "_", label).strip("_") or "target"
    return text if text[0].isalpha() else f"t_{text}"


@contextlib.contextmanager
def _deep_terms(limit: int = 20_000) -> Iterator[None]:
    """Python's recursion limit raised: egglog reads a term recursively, and
    a sum of 300 log-densities is a chain 300 deep."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _discover(
    target: Any,
    goal: str,
    budget: float,
    families: Sequence[str],
    costs: OpCosts | None,
    max_examples: int,
    measure: bool,
    tell: Callable[[int, int, str], None],
    prefix: str,
) -> DiscoverReport:
    def say(step: int, label: str) -> None:
        tell(step, len(STEPS), f"{STEPS[step]}: {label}")

    t0 = time.perf_counter()
    costs = costs or load_costs()
    outputs, model, name = _graph(target)
    roots = _region_roots(outputs)
    region = to_terms(roots)
    if not region.terms or all(str(t).startswith("Term.leaf") for t in region.terms):
        raise RewritelabError(
            f"{name} has nothing discovery covers: no elementwise op of "
            "rewritelab.discover.terms.OPS"
        )
    say(0, f"{len(roots)} elementwise regions")
    egraph = EGraph()
    root = egraph.let("roots", roots_of(region.terms))
    model_cost = costs.dag_model()
    _, cost_before = egraph.extract(
        root, include_cost=True, cost_model=model_cost, extractor="greedy-dag"
    )
    rounds, saturated, stopped = _saturate(
        egraph, families, budget, lambda label: say(1, label)
    )
    best, cost_after = egraph.extract(
        root, include_cost=True, cost_model=model_cost, extractor="greedy-dag"
    )
    extracted, extractor = terms_of(best), "greedy"
    say(1, f"optimal extraction of {_size(egraph)} e-nodes")
    optimal = extract_optimal(
        egraph, len(region.terms), costs, time_limit=min(budget, EXTRACT_SECONDS)
    )
    if optimal is not None and optimal.cost < cost_after - 1e-9:
        extracted, cost_after = list(optimal.terms), optimal.cost
        extractor = f"integer program ({optimal.status})"
    pairs = list(zip(region.terms, extracted, strict=True))
    found = candidates(
        pairs, lambda a, b: _proved_equal(egraph, a, b), prefix, cost=costs.term
    )
    tried = []
    for k, c in enumerate(found):
        say(2, f"{k + 1} of {len(found)}: {c.text}")
        tried.append(_checked(c, max_examples))
    passing = [t.candidate for t in tried if t.outcome == "passed the checker"]
    row, model_text, timings = None, "", ()
    final = list(tried)
    if passing and model is not None:
        # the set on the model; a rule the counterexample blames is dropped
        # and the rest checked again (at most MODEL_RETRIES times)
        blamed: dict[str, str] = {}
        for _ in range(MODEL_RETRIES + 1):
            left = [c for c in passing if c.name not in blamed]
            if not left:
                break
            say(3, f"{len(left)} rules together")
            rules = RuleSet.of(*(c.rule(FINITE) for c in left))
            report = check_model(
                model, rules, max_examples=max_examples, stage="compiling"
            )
            found = report.counterexample
            if report.verdict != "counterexample" or found is None or not found.rule:
                break
            blamed[found.rule] = str(found).splitlines()[0][:160]
        model_text = str(report).splitlines()[0]
        tried = [
            _demote(t, f"the model check failed: {blamed[t.candidate.name]}")
            if t.candidate.name in blamed
            else t
            for t in tried
        ]
        final = list(tried)
        if report.verdict == "counterexample" or not left:
            final = [_demote(t, "the model check failed") for t in tried]
        else:
            final = [
                t
                if t.candidate.name in report.fired
                else _demote(t, "never fired on the model")
                for t in tried
            ]
            firing = [c for c in passing if c.name in report.fired]
            if not measure:
                final = [_promote(t, "not timed (measure=False)") for t in final]
            elif firing:
                kept, row, timings = _select(model, firing, lambda label: say(4, label))
                names = {c.name for c in kept}
                final = [
                    _promote(t, "")
                    if t.candidate.name in names
                    else _demote(t, "not faster on the kernel path")
                    for t in final
                ]
    elif passing:
        final = [_promote(t, "not timed: the target is no model") for t in tried]
    return DiscoverReport(
        target=name,
        goal=goal,
        budget=budget,
        seconds=time.perf_counter() - t0,
        regions=len(roots),
        egraph_nodes=_size(egraph),
        rounds=rounds,
        saturated=saturated,
        cost_before=float(cost_before),
        cost_after=float(cost_after),
        extractor=extractor,
        tried=tuple(final),
        bench=row,
        timings=timings,
        model_check=model_text,
        costs=str(costs),
        stopped=stopped,
    )


def _select(
    model: Any, firing: Sequence[Candidate], say: Callable[[str], None]
) -> tuple[list[Candidate], BenchRow | None, tuple[Timed, ...]]:
    """The rules worth keeping among those that fire, by timing on the
    kernel path (:func:`rewritelab.measure.bench.kernel_row`).

    Rules may only pay together (a parameter check is dropped only when all
    its conditions are settled), so the whole set is timed first. If it is
    faster, each rule in turn is left out, and stays out where the set
    without it is as fast (measurably faster, and its speed-up not below the
    interval of the best set timed so far);
    what remains is kept. If the whole set is not faster, each rule is timed
    alone and the ones faster alone are timed together. Returns the kept
    rules, their timing, and every timing made."""

    def timed(rules: Sequence[Candidate], why: str) -> tuple[BenchRow | None, Timed]:
        say(f"{why} ({len(rules)} rules)")
        row = kernel_row(model, RuleSet.of(*(c.rule(FINITE) for c in rules)))
        return row, Timed.of(rules, why, row)

    row, whole = timed(firing, "all that fire")
    log = [whole]
    if whole.faster:
        kept, best = list(firing), whole
        for c in firing:
            if len(kept) == 1:
                break
            rest = [k for k in kept if k is not c]
            rest_row, t = timed(rest, f"without {c.name}")
            log.append(t)
            if t.faster and t.speedup >= best.ci_low:
                kept, row = rest, rest_row
                best = t if t.speedup > best.speedup else best
        return kept, row, tuple(log)
    alone, rows = [], {}
    for c in firing:
        rows[c.name], t = timed([c], f"{c.name} alone")
        log.append(t)
        if t.faster:
            alone.append(c)
    if not alone:
        return [], row, tuple(log)
    if len(alone) == 1:
        return alone, rows[alone[0].name], tuple(log)
    row, t = timed(alone, "the ones faster alone, together")
    log.append(t)
    return (alone if t.faster else []), row, tuple(log)


def _checked(c: Candidate, max_examples: int) -> Tried:
    """The candidate checked: its abstracted form first, where it has one
    and that passes, else the candidate as found."""
    if c.general is not None:
        general = _checked_one(c.general, max_examples)
        if general.outcome == "passed the checker":
            return general
    return _checked_one(c, max_examples)


def _checked_one(c: Candidate, max_examples: int) -> Tried:
    try:
        rule = c.rule(FINITE)
    except RuleError as exc:  # a form the pattern language cannot write
        return Tried(c, "rejected", f"not a pattern: {str(exc)[-120:]}")
    try:
        with time_limit_of(CHECK_SECONDS):
            report = check_rule(rule, max_examples=max_examples, models=False)
    except TimedOut:
        return Tried(c, "rejected", f"the check took over {CHECK_SECONDS:g} s")
    if report.verdict == "passed":
        return Tried(c, "passed the checker", "", report)
    why = str(report.counterexample) if report.counterexample else report.verdict
    return Tried(c, "rejected", why or report.error, report)


def _promote(t: Tried, why: str) -> Tried:
    if t.outcome != "passed the checker":
        return t
    return Tried(t.candidate, "kept", why, t.check)


def _demote(t: Tried, why: str) -> Tried:
    if t.outcome != "passed the checker":
        return t
    return Tried(t.candidate, "not kept", why, t.check)
