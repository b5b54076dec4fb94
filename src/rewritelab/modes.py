"""PyTensor compilation modes: the default pipeline, and pipelines with rules."""

from __future__ import annotations

from typing import Any

from pytensor.compile import Mode, get_default_mode, get_mode
from pytensor.compile.io import In
from pytensor.compile.maker import add_supervisor_to_fgraph
from pytensor.graph.fg import FunctionGraph

from rewritelab.errors import RewritelabError
from rewritelab.targets import resolve

__all__ = [
    "pytensor_rewritten",
    "as_mode",
    "mode",
    "known_rewrite_names",
    "REFERENCE_MODE",
    "until_rules_mode",
    "RULES_POSITION",
    "python_linker_runs",
]

#: Where :func:`mode` puts the rules in optdb: after canonicalize (1) and
#: stabilize (1.5), before specialize (2), so rules see canonical graphs and
#: PyTensor's specializations and fusion still run on their results.
RULES_POSITION = 1.7

#: No rewrites at all, Python linker: the "before" side of every check.
REFERENCE_MODE = Mode(linker="py", optimizer=None)


def until_rules_mode() -> Mode:
    """PyTensor's FAST_RUN rewrites up to :data:`RULES_POSITION` (canonicalize,
    stabilize, ...), Python linker: the graph rules see when compiling."""
    from pytensor.graph.rewriting.db import RewriteDatabaseQuery

    query = RewriteDatabaseQuery(include=["fast_run"], position_cutoff=RULES_POSITION)
    return Mode(linker="py", optimizer=query)


def python_linker_runs(outputs: Any) -> bool:
    """Whether PyTensor's Python linker can run the graph of ``outputs``: not
    where an Elemwise has more than 32 operands (a sum of 300 logp terms),
    which NumPy's ufuncs do not take."""
    from pytensor.graph.traversal import applys_between
    from pytensor.tensor.elemwise import Elemwise

    return not any(
        isinstance(n.op, Elemwise) and len(n.inputs) + len(n.outputs) > 32
        for n in applys_between([], list(outputs))
    )


def as_mode(mode: Any = None) -> Mode:
    """A Mode from None (the default mode), a name ("FAST_RUN", "CVM") or a Mode."""
    if mode is None:
        return get_default_mode()
    return get_mode(mode)


def pytensor_rewritten(target: Any, mode: Any = None) -> FunctionGraph:
    """A clone of ``target`` after the rewrites ``mode`` runs when compiling.

    This is the graph ``pytensor.function`` would link (inplace rewrites
    included), without paying for linking: Numba/C code generation is skipped.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dvector("x")
    >>> fg = pytensor_rewritten(pt.log(pt.exp(x)))
    >>> [node.op for node in fg.toposort()]
    []
    """
    t = resolve(target)
    fg = FunctionGraph(list(t.roots), list(t.outputs), clone=True)
    add_supervisor_to_fgraph(
        fgraph=fg, input_specs=[In(v) for v in fg.inputs], accept_inplace=False
    )
    as_mode(mode).optimizer.rewrite(fg)
    return fg


def known_rewrite_names() -> frozenset[str]:
    """Every name and tag in PyTensor's optdb (for validating ``exclude``)."""
    from pytensor.compile import optdb
    from pytensor.graph.rewriting.db import RewriteDatabase

    names: set[str] = set()
    todo = [optdb]
    seen: set[int] = set()
    while todo:
        db = todo.pop()
        if id(db) in seen:
            continue
        seen.add(id(db))
        for key, entries in db.__db__.items():
            names.add(key)
            todo.extend(e for e in entries if isinstance(e, RewriteDatabase))
    return frozenset(names)


def mode(
    rules: Any,
    base: Any = None,
    *,
    exclude: tuple[str, ...] | list[str] = (),
    position: float = RULES_POSITION,
) -> Mode:
    """A PyTensor Mode whose rewrite pipeline also runs ``rules``.

    Use it anywhere PyTensor or PyMC takes a mode: ``pytensor.function(...,
    mode=m)``, ``model.compile_logp(mode=m)``, ``compile_dlogp``,
    ``pm.sample(compile_kwargs={"mode": m})``. No global state changes: the
    rules live in this Mode only.

    Parameters
    ----------
    rules
        A RuleSet, Rule, NodeRewriter, path, or list of them.
    base
        The mode to extend: None (PyTensor's default, Numba), a name such as
        ``"FAST_RUN"`` or ``"CVM"``, or a Mode.
    exclude
        Names of PyTensor rewrites to switch off (``"local_exp_log"``).
    position
        Where in optdb the rules run (see :data:`RULES_POSITION`).

    Examples
    --------
    >>> import pytensor, pytensor.tensor as pt
    >>> from rewritelab.rules import pattern
    >>> x = pt.dvector("x")
    >>> m = mode(pattern("log1p(x) -> log(1 + x)", name="bad"), exclude=["local_log1p"])
    >>> f = pytensor.function([x], pt.log1p(x), mode=m)
    >>> "log1p" in str(f.maker.fgraph.outputs[0].owner.op)
    False
    """
    from pytensor.graph.rewriting.basic import EquilibriumGraphRewriter

    from rewritelab.apply import DEFAULT_MAX_USE_RATIO, tracked

    m = as_mode(base)
    if exclude:
        known = known_rewrite_names()
        unknown = [n for n in exclude if n not in known]
        if unknown:
            raise RewritelabError(
                f"cannot exclude {', '.join(map(repr, unknown))}: not a PyTensor "
                "rewrite name or tag (e.g. 'local_exp_log', 'local_log1p')"
            )
        m = m.excluding(*exclude)
    rewriter = EquilibriumGraphRewriter(
        tracked(rules), max_use_ratio=DEFAULT_MAX_USE_RATIO
    )
    rewriter.name = "rewritelab_rules"
    return m.register((rewriter, position))
