"""Apply rules to a clone of a graph, recording every firing."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal

from pytensor import config
from pytensor.graph.basic import Apply, Variable, clone_get_equiv
from pytensor.graph.features import Feature
from pytensor.graph.fg import FunctionGraph
from pytensor.graph.rewriting.basic import EquilibriumGraphRewriter, NodeRewriter
from pytensor.tensor.rewriting.shape import ShapeFeature

from rewritelab.core.errors import TargetError
from rewritelab.core.models import model_graph
from rewritelab.core.targets import Target, resolve
from rewritelab.rewrite.registry import RuleSet, rule_set
from rewritelab.rewrite.rules import Rule, RuleError
from rewritelab.see.analysis import GraphDiff, diff
from rewritelab.see.graph import op_label

__all__ = ["Firing", "ApplyResult", "apply", "tracked", "DEFAULT_MAX_USE_RATIO"]

#: A rule may fire at most this many times per node of the graph before the
#: application is declared a loop (PyTensor's own optdb uses the same idea).
DEFAULT_MAX_USE_RATIO = 8.0


@dataclass(frozen=True)
class Firing:
    """One accepted replacement: which rule, on which node, for what."""

    step: int
    rule: str
    op: str
    node: str
    replacement: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(vars(self))


class _State:
    """Per-application bookkeeping shared by the tracked rewriters."""

    def __init__(self, on_error: str, node_ids: dict[Apply, str]):
        self.on_error = on_error
        self.node_ids = node_ids
        self.disabled: dict[str, str] = {}
        #: nodes each rule returned a replacement computed from (PyTensor's
        #: own local_log_erfc keeps the node inside a switch and marks it so
        #: it never fires there again): fine once, a loop the second time
        self.self_references: dict[str, set[Apply]] = {}


def _describe(var: Variable) -> str:
    if var.owner is None:
        return var.name or str(var)
    return op_label(var.owner.op)


class _Tracked(NodeRewriter):
    """A rule's rewriter with its name, plus checks on what it returns."""

    def __init__(self, rule: Rule, state: _State | None):
        self.rule = rule
        self.inner = rule.rewriter
        self.state = state
        self.name = self.__name__ = rule.name

    def __str__(self) -> str:
        return self.rule.name

    def tracks(self) -> Any:
        return self.inner.tracks()

    def add_requirements(self, fgraph: FunctionGraph) -> None:
        self.inner.add_requirements(fgraph)

    def _fail(self, node: Apply, what: str) -> RuleError:
        where = f"{self.state.node_ids.get(node, 'new')} " if self.state else ""
        args = ", ".join(_describe(i) for i in node.inputs)
        return RuleError(
            f"rule {self.rule.name} ({self.rule.source}) {what} "
            f"on node {where}{op_label(node.op)}({args})"
        )

    def transform(
        self, fgraph: FunctionGraph, node: Apply, enforce_tracks: bool = True
    ):
        if self.state is not None and self.rule.name in self.state.disabled:
            return False
        try:
            out = self.inner.transform(fgraph, node, enforce_tracks=enforce_tracks)
        except RuleError:
            raise
        except Exception as exc:
            raise self._fail(node, f"raised {type(exc).__name__}: {exc}") from exc
        if out is False or out is None:
            return out
        if isinstance(out, dict):
            pairs = [(k, v) for k, v in out.items() if k != "remove"]
        elif isinstance(out, list | tuple):
            if len(out) != len(node.outputs):
                raise self._fail(
                    node,
                    f"returned {len(out)} replacements for {len(node.outputs)} outputs",
                )
            pairs = list(zip(node.outputs, out, strict=True))
        else:
            raise self._fail(node, f"returned a {type(out).__name__}, not a list")
        for old, new in pairs:
            if new is None:
                continue
            if not isinstance(new, Variable):
                raise self._fail(node, f"returned {type(new).__name__}, not a Variable")
            if getattr(old.type, "dtype", None) != getattr(new.type, "dtype", None):
                raise self._fail(node, f"returned dtype {new.type} for {old.type}")
            # What FunctionGraph.replace itself accepts (static shapes included)
            if old.type != new.type and old.type.convert_variable(new) is None:
                raise self._fail(
                    node, f"returned type {new.type} where {old.type} is needed"
                )
        if self.state is not None and _depends_on(
            fgraph, [new for _, new in pairs if new is not None], node
        ):
            seen = self.state.self_references.setdefault(self.rule.name, set())
            if node in seen:  # it keeps the node and rewrites it again: a loop
                raise self._fail(
                    node,
                    "returned a replacement computed from the node it replaces, "
                    "and did again on the node it kept",
                )
            seen.add(node)
        return out


def _depends_on(fgraph: FunctionGraph, news: list[Variable], node: Apply) -> bool:
    """Whether any replacement is computed from ``node``'s own outputs, which
    would put a cycle in the graph (PyTensor does not check this, and its
    rewriters then never finish)."""
    outs = set(node.outputs)
    fast_ok = set(node.inputs)
    stack, seen, frontier = list(news), set(), []
    while stack:  # new nodes first: cheap, usually ends at node.inputs
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        if v in outs:
            return True
        if v.owner is None or v in fast_ok:
            continue
        if v.owner in fgraph.apply_nodes:
            frontier.append(v)
            continue
        stack.extend(v.owner.inputs)
    stack = frontier  # rare: the rule reused other variables of the graph
    while stack:
        v = stack.pop()
        if v in outs:
            return True
        if v.owner is None or v in fast_ok:
            continue
        for i in v.owner.inputs:
            if i not in seen:
                seen.add(i)
                stack.append(i)
    return False


def tracked(rules: Any) -> list[NodeRewriter]:
    """Rule set -> PyTensor NodeRewriters named after the rules, which check
    their replacements and raise :class:`RuleError` naming the rule."""
    return [_Tracked(r, None) for r in rule_set(rules)]


class _FiringLog(Feature):
    """Records each replacement made by a tracked rule (one per node)."""

    def __init__(self, node_ids: dict[Apply, str]):
        self.node_ids = node_ids
        self.firings: list[Firing] = []
        self._last: tuple[int, int] | None = None
        #: (old variable, new variable, rule) for every replacement, in order
        self.replaced: list[tuple[Variable, Variable, str]] = []

    def on_change_input(self, fgraph, node, i, old, new, reason=None):
        if not isinstance(reason, _Tracked):
            return
        if not self.replaced or self.replaced[-1][:2] != (old, new):
            self.replaced.append((old, new, reason.rule.name))
        replaced = old.owner
        key = (id(reason), id(replaced))
        if key == self._last:
            return
        self._last = key
        self.firings.append(
            Firing(
                step=len(self.firings),
                rule=reason.rule.name,
                op=op_label(replaced.op) if replaced is not None else "input",
                node=self.node_ids.get(replaced, "new"),
                replacement=_describe(new),
            )
        )


@dataclass(frozen=True, eq=False)
class ApplyResult:
    """What :func:`apply` did: the rewritten graph and a record of every firing.

    ``counts`` and ``seconds`` list every rule in order, zeros included;
    ``skipped`` lists rules turned off by ``on_error="skip"`` with the reason.
    ``replaced`` is the record of the rewrite: ``(variable of after, variable
    of before it stands for, rule)``, what :attr:`diff` matches nodes through.
    Node ids in ``firings`` are those of ``to_networkx(result.before)``
    (``"new"`` for nodes an earlier firing created).
    """

    before: Target
    after: Target
    fgraph: FunctionGraph
    firings: tuple[Firing, ...]
    replaced: tuple[tuple[Variable, Variable, str], ...]
    counts: tuple[tuple[str, int], ...]
    seconds: tuple[tuple[str, float], ...]
    skipped: tuple[tuple[str, str], ...]
    total_seconds: float
    rules: RuleSet = field(repr=False, default_factory=RuleSet)

    def __repr__(self) -> str:
        fired = ", ".join(f"{n} x{c}" for n, c in self.counts if c)
        return (
            f"<ApplyResult {self.before.name or 'graph'}: {len(self.firings)} "
            f"firings ({fired or 'no rule fired'}) in "
            f"{self.total_seconds * 1e3:.1f} ms>"
        )

    @property
    def outputs(self) -> tuple[Variable, ...]:
        """The rewritten outputs (inputs are the caller's own variables)."""
        return self.after.outputs

    def hits(self, name: str) -> int:
        """How often the named rule fired."""
        return dict(self.counts)[name]

    @property
    def fired(self) -> tuple[str, ...]:
        """Names of the rules that fired at least once."""
        return tuple(n for n, c in self.counts if c)

    @cached_property
    def diff(self) -> GraphDiff:
        """Node-by-node diff from the original graph to the rewritten one,
        through the record of what replaced what (see :class:`GraphDiff`)."""
        return diff(self.before, self.after, replaced=self.replaced)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the graphs themselves are summarised by the diff)."""
        return {
            "target": self.before.name,
            "firings": [f.to_dict() for f in self.firings],
            "counts": dict(self.counts),
            "seconds": dict(self.seconds),
            "skipped": dict(self.skipped),
            "total_seconds": self.total_seconds,
            "diff": self.diff.to_dict(),
        }


def _looping_rule(message: str, rules: RuleSet) -> Rule | None:
    for r in rules:
        if f"max'ed out by {r.name}." in message:
            return r
    return None


def apply(
    target: Any,
    rules: Any,
    *,
    graph: str | None = None,
    on_error: Literal["raise", "skip"] = "raise",
    max_use_ratio: float = DEFAULT_MAX_USE_RATIO,
) -> ApplyResult:
    """Apply rules to a clone of ``target`` until none fires; never mutates it.

    Parameters
    ----------
    target
        Any graph target; for a ``pm.Model`` the joint logp unless ``graph``
        says otherwise.
    rules
        A RuleSet, a Rule, a PyTensor NodeRewriter, a path, or a list of them.
    graph
        For models: ``"logp"``, ``"terms"``, ``"grad"`` or ``"logp+grad"``.
    on_error
        ``"raise"`` (default): a rule that raises, returns the wrong number or
        type of replacements, or never reaches a fixed point stops everything
        with a :class:`RuleError` naming the rule, its location and the node.
        ``"skip"``: such a rule is turned off, the others still apply, and the
        result lists it in ``skipped``.
    max_use_ratio
        A rule firing more than ``max_use_ratio`` times the graph's node count
        is taken to loop.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> from rewritelab.rewrite.rules import pattern
    >>> x = pt.dvector("x")
    >>> result = apply(pt.log(pt.exp(x)) + 1, pattern("log(exp(x)) -> x", name="le"))
    >>> result.counts, [f.op for f in result.firings]
    ((('le', 1),), ['log'])
    """
    if on_error not in ("raise", "skip"):
        raise TargetError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    if graph is not None:
        target = model_graph(target, graph)
    before = resolve(target)
    rs = rule_set(rules)
    skipped: dict[str, str] = {}
    t_start = time.perf_counter()
    while True:
        memo = clone_get_equiv(before.roots, before.outputs, copy_inputs=False)
        fg = FunctionGraph(
            list(before.roots), [memo[o] for o in before.outputs], clone=False
        )
        node_ids = {n: f"a{i}" for i, n in enumerate(fg.toposort())}
        state = _State(on_error, node_ids)
        state.disabled.update(skipped)
        wrappers = [_Tracked(r, state) for r in rs]
        log = _FiringLog(node_ids)
        fg.attach_feature(log)
        # PyTensor's shape rewriters read static and symbolic shapes from a
        # ShapeFeature, which its own pipeline always attaches
        fg.attach_feature(ShapeFeature())

        def on_failure(exc, nav, repl_pairs, node_rewriter, node, state=state):
            if isinstance(node_rewriter, _Tracked) and not isinstance(exc, RuleError):
                exc = node_rewriter._fail(
                    node, f"made a replacement the graph rejected: {exc}"
                )
            if state.on_error == "raise" or not isinstance(node_rewriter, _Tracked):
                raise exc
            state.disabled[node_rewriter.rule.name] = str(exc)

        rewriter = EquilibriumGraphRewriter(
            wrappers, failure_callback=on_failure, max_use_ratio=max_use_ratio
        )
        try:
            with config.change_flags(on_opt_error="raise"):
                profile = rewriter.rewrite(fg)
        except AssertionError as exc:
            looping = _looping_rule(str(exc), rs)
            if looping is None:
                raise
            reason = (
                f"rule {looping.name} ({looping.source}) did not reach a fixed "
                f"point: it fired more than {max_use_ratio:g} times per graph node"
            )

            if on_error == "raise":
                raise RuleError(reason) from None
            skipped[looping.name] = reason
            continue
        skipped.update(state.disabled)
        if any(f.rule in state.disabled for f in log.firings):
            continue  # a turned-off rule had changed the graph: start again
        break
    total = time.perf_counter() - t_start
    fg.remove_feature(log)
    original = {new: old for old, new in memo.items() if isinstance(old, Variable)}
    replaced: dict[Variable, tuple[Variable, str]] = {}  # new -> (original, rule)
    for old, new, rule in log.replaced:
        source = replaced[old][0] if old in replaced else original.get(old)
        if source is not None:
            replaced[new] = (source, rule)
    counts = Counter(f.rule for f in log.firings)
    times = {w.rule.name: s for w, s in profile[6].items() if isinstance(w, _Tracked)}
    after = Target(
        outputs=tuple(fg.outputs),
        given_inputs=tuple(fg.inputs),
        kind=before.kind,
        name=before.name,
        model=before.model,
        roles=MappingProxyType(dict(before.roles)),
    )
    return ApplyResult(
        before=before,
        after=after,
        fgraph=fg,
        firings=tuple(log.firings),
        replaced=tuple((new, old, rule) for new, (old, rule) in replaced.items()),
        counts=tuple((r.name, counts[r.name]) for r in rs),
        seconds=tuple((r.name, times.get(r.name, 0.0)) for r in rs),
        skipped=tuple(skipped.items()),
        total_seconds=total,
        rules=rs,
    )
