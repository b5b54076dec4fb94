"""Compiling without rules: the reference mode every check compares against,
the graph PyTensor's own rewrites make of a target, and modes by name."""

from __future__ import annotations

from typing import Any

from pytensor.compile import Mode, get_default_mode, get_mode, optdb
from pytensor.compile.io import In
from pytensor.compile.maker import add_supervisor_to_fgraph
from pytensor.graph.fg import FunctionGraph
from pytensor.graph.rewriting.db import RewriteDatabase
from pytensor.graph.traversal import applys_between
from pytensor.tensor.elemwise import Elemwise

from rewritelab.core.targets import resolve

__all__ = [
    "REFERENCE_MODE",
    "WIDE_MODE",
    "as_mode",
    "evaluation_mode",
    "known_rewrite_names",
    "python_linker_runs",
    "pytensor_rewritten",
]

#: No rewrites at all, Python linker: the "before" side of every check.
REFERENCE_MODE = Mode(linker="py", optimizer=None)


#: For graphs the Python linker cannot run: the C VM, still no rewrites.
WIDE_MODE = Mode(linker="cvm", optimizer=None)


def evaluation_mode(outputs: Any) -> Any:
    """A quick-to-compile mode to evaluate ``outputs`` with (points, finite
    checks): ``FAST_COMPILE``, or Numba where the Python linker cannot run
    the graph (:func:`python_linker_runs`). For the zoo's wide model Numba
    takes 44 s; C with its rewrites builds one fused 5 MB kernel (over 10
    minutes), and :data:`WIDE_MODE` a C thunk per node (280 s)."""
    return "FAST_COMPILE" if python_linker_runs(outputs) else "NUMBA"


def python_linker_runs(outputs: Any) -> bool:
    """Whether PyTensor's Python linker can run the graph of ``outputs``: not
    where an Elemwise has more than 32 operands (a sum of 300 logp terms),
    which NumPy's ufuncs do not take."""
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
