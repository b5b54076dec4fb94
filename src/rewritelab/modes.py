"""PyTensor compilation modes: the default pipeline, and pipelines with rules."""

from __future__ import annotations

from typing import Any

from pytensor.compile import Mode, get_default_mode, get_mode
from pytensor.compile.io import In
from pytensor.compile.maker import add_supervisor_to_fgraph
from pytensor.graph.fg import FunctionGraph

from rewritelab.targets import resolve

__all__ = ["pytensor_rewritten", "as_mode", "REFERENCE_MODE"]

#: No rewrites at all, Python linker: the "before" side of every check.
REFERENCE_MODE = Mode(linker="py", optimizer=None)


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
    fg = FunctionGraph(list(t.inputs), list(t.outputs), clone=True)
    add_supervisor_to_fgraph(
        fgraph=fg, input_specs=[In(v) for v in fg.inputs], accept_inplace=False
    )
    as_mode(mode).optimizer.rewrite(fg)
    return fg
