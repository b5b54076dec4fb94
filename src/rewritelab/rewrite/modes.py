"""Compilation modes that run rules inside PyTensor's own pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pytensor.compile import Mode
from pytensor.compile import mode as pytensor_modes
from pytensor.graph.rewriting.basic import EquilibriumGraphRewriter
from pytensor.graph.rewriting.db import RewriteDatabaseQuery

from rewritelab.core.compile import as_mode, known_rewrite_names
from rewritelab.core.errors import RewritelabError
from rewritelab.rewrite.apply import DEFAULT_MAX_USE_RATIO, tracked

__all__ = ["RULES_POSITION", "mode", "until_rules_mode", "named_mode"]

#: Where :func:`mode` puts the rules in optdb: after canonicalize (1) and
#: stabilize (1.5), before specialize (2), so rules see canonical graphs and
#: PyTensor's specializations and fusion still run on their results.
RULES_POSITION = 1.7


def until_rules_mode() -> Mode:
    """PyTensor's FAST_RUN rewrites up to :data:`RULES_POSITION` (canonicalize,
    stabilize, ...), Python linker: the graph rules see when compiling."""
    query = RewriteDatabaseQuery(include=["fast_run"], position_cutoff=RULES_POSITION)
    return Mode(linker="py", optimizer=query)


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
    ``pm.sample(compile_kwargs={"mode": m}, nuts_sampler="pymc")``. No global
    state changes: the rules live in this Mode only. (With nutpie installed,
    PyMC 6 samples with nutpie unless told otherwise, and nutpie ignores the
    mode: there, use :func:`named_mode`.)

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
    >>> from rewritelab.rewrite.rules import pattern
    >>> x = pt.dvector("x")
    >>> m = mode(pattern("log1p(x) -> log(1 + x)", name="bad"), exclude=["local_log1p"])
    >>> f = pytensor.function([x], pt.log1p(x), mode=m)
    >>> "log1p" in str(f.maker.fgraph.outputs[0].owner.op)
    False
    """
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


@contextmanager
def named_mode(rules: Any, name: str = "NUMBA") -> Iterator[Mode]:
    """While inside, PyTensor's predefined mode ``name`` also runs ``rules``.

    For tools that take a mode *name*, not a Mode: nutpie compiles a PyMC
    model with ``mode="NUMBA"``, so ``with rl.named_mode(rules):
    nutpie.compile_pymc_model(model)`` compiles it with the rules. The mode
    is restored on leaving, also on an error. It changes PyTensor's own
    table of modes, so it is not for use from several threads at once.

    Examples
    --------
    >>> from pytensor.compile.mode import get_mode
    >>> from rewritelab.rewrite.registry import library
    >>> before = get_mode("NUMBA")
    >>> with named_mode(library()) as m:
    ...     get_mode("NUMBA") is m
    True
    >>> get_mode("NUMBA") is before
    True
    """
    key = name.upper()
    table = pytensor_modes.predefined_modes
    if key not in table:
        raise RewritelabError(
            f"no predefined PyTensor mode {name!r}; expected one of {sorted(table)}"
        )
    old = table[key]
    table[key] = with_rules = mode(rules, base=old)
    try:
        yield with_rules
    finally:
        table[key] = old
