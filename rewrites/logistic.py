"""Softplus: one exponential for every use of the same input.

A logistic or Bernoulli-logit logp + gradient evaluates, per observation,
``softplus(-eta)`` and ``softplus(eta)`` (both branches of the ``switch`` on
the observed value), each in PyTensor's four-branch kernel with its own
``exp`` and ``log1p``. Both are simple functions of ``log1p(exp(-|eta|))``.
"""

import pytensor.tensor as pt
from pytensor.tensor.elemwise import Elemwise

from rewritelab import rule


def _core(var):
    """``(z, sign)`` with ``var = sign * z``: looks through one ``neg``."""
    if var.owner is not None and var.owner.op == pt.neg:
        return var.owner.inputs[0], -1
    return var, 1


def _softplus_uses(fgraph, z):
    """Every ``softplus(z)`` and ``softplus(-z)`` in the graph, as
    ``(output, sign)``."""
    found = []
    todo = [(z, 1)]
    for var, sign in todo:
        for client, _ in fgraph.clients.get(var, ()):
            if not isinstance(client.op, Elemwise):
                continue
            if client.op == pt.softplus:
                found.append((client.outputs[0], sign))
            elif client.op == pt.neg and sign == 1:
                todo.append((client.outputs[0], -1))
    return found


@rule(
    [pt.softplus],
    tags=["speed", "exact"],
    graphs=(
        "switch(y > 0.5, -softplus(-x), -softplus(x))",  # Bernoulli-logit logp
        "sigmoid(x) * softplus(-x)",
        "softplus(x)",
    ),
)
def softplus_shared_log1p_exp(fgraph, node):
    """softplus(±z) -> switch(z >= 0, ...) + log1p(exp(-|z|)), shared.

    With ``m = z >= 0`` and ``L = log1p(exp(switch(m, -z, z)))``:
    ``softplus(z) = switch(m, z, 0) + L`` and ``softplus(-z) = switch(m, 0,
    -z) + L``. Every softplus of one ``z`` is replaced at once, so the graph
    computes one ``exp`` and one ``log1p`` per element where it computed two
    of each (in PyTensor's branchy kernel, which does not pipeline either).
    On a Bernoulli-logit logp + gradient over 5,000 values the fused loop is
    1.8x faster on Numba and 1.4x on C; one softplus alone gets faster too.

    Exact to the last bits: ``max(z, 0) + log1p(exp(-|z|))`` is the textbook
    accurate softplus; switches, not ``abs``/``maximum``, keep the gradient
    right at z = 0 (PyTensor's d|z|/dz is 0 there). Not in FAST_RUN.

    Left alone on purpose: ``sigmoid(z)`` could share ``exp(-|z|)`` too
    (``switch(m, 1, e) / (1 + e)``, another 1.1x), but the gradient of that
    quotient cancels: 125 ULPs off where PyTensor's sigmoid gradient is 3,
    which the checker reports. (Graphs whose own gradient cancels, such as
    ``softplus(z) * softplus(-z)`` near 0, are millions of ULPs off in both
    forms; the checker then reports whichever is worse.) float64 only: PyTensor's gradient of
    ``switch`` is float64 for float32 branches (``switch(cond, gz, 0.0)`` in
    ``Switch.pullback``), which would change a float32 gradient's dtype.
    """
    z, _ = _core(node.inputs[0])
    if z.type.dtype != "float64":
        return None
    m = pt.ge(z, 0)
    shared = pt.log1p(pt.exp(pt.switch(m, -z, z)))
    forms = {
        1: pt.switch(m, z, 0) + shared,
        -1: pt.switch(m, 0, -z) + shared,
    }
    return {var: forms[sign] for var, sign in _softplus_uses(fgraph, z)}
