"""PyMC adapters: the logp, per-term and gradient graphs of a model as targets."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytensor

from rewritelab.core.errors import TargetError
from rewritelab.core.targets import Target, resolve

__all__ = ["model_graph", "model_of", "GRAPH_KINDS"]

#: What :func:`model_graph` can build from a model.
GRAPH_KINDS = ("logp", "terms", "grad", "logp+grad")


def model_of(target: Any) -> Any:
    """The ``pm.Model`` of ``target`` (a Model, or a Target holding one),
    else None (a bare graph, or anything else)."""
    import pymc as pm

    if isinstance(target, pm.Model):
        return target
    inner = getattr(target, "model", None)
    return inner if isinstance(inner, pm.Model) else None


def model_graph(model: Any, what: str = "logp") -> Target:
    """A model's ``logp`` (joint), ``terms`` (one per variable), ``grad`` or
    ``logp+grad`` graph as a Target with the value variables as inputs.

    Examples
    --------
    >>> import pymc as pm
    >>> with pm.Model() as m:
    ...     mu = pm.Normal("mu")
    ...     x = pm.Normal("x", mu, 1, observed=[0.5, 1.0])
    >>> [v.name for v in model_graph(m, "terms").outputs]
    ['mu_logprob', 'x_logprob']
    """
    if what not in GRAPH_KINDS:
        raise TargetError(
            f"unknown model graph {what!r}; expected one of {GRAPH_KINDS}"
        )
    if model_of(model) is None:
        raise TargetError(
            f"graph={what!r} needs a pm.Model target, not {type(model).__name__}"
        )
    model = model_of(model)
    base = resolve(model)
    if what == "logp":
        return base
    if what == "terms":
        outputs = tuple(model.logp(sum=False))
    else:
        logp = base.outputs[0]
        grads = pytensor.grad(logp, list(model.value_vars))
        outputs = tuple(grads) if what == "grad" else (logp, *grads)
    return Target(
        outputs=outputs,
        given_inputs=base.inputs,
        kind="model",
        name=f"{base.name}:{what}",
        model=model,
        roles=MappingProxyType(dict(base.roles)),
    )
