"""Log-sum-exp and its gradient, computed together.

PyTensor 3's ``LogSumExp`` (``pm.math.logsumexp``: every PyMC mixture) is a
symbolic op without a gradient of its own, so its derivative is the autodiff
of ``log(sum(exp(x - m))) + m`` with ``m = max(x)``: besides the softmax it
sends ``1 - sum(softmax)``, zero in exact arithmetic, back through
``eq(x, m)`` for every element, with extra reductions for it.
"""

import pytensor.tensor as pt
from pytensor.tensor.special import LogSumExp
from pytensor.tensor.symbolic import FusibleSymbolicOpDerivative

from rewritelab import rule


@rule(
    [FusibleSymbolicOpDerivative],
    tags=["speed", "exact"],
    graphs=(
        "logsumexp(x * y)",
        "logsumexp(x) * y",
    ),
)
def logsumexp_gradient_as_softmax(fgraph, node):
    """logsumexp(x) and its gradient g -> log(S) + m and e / S * g, sharing
    ``m = max(x)``, ``e = exp(x - m)`` and ``S = sum(e)``.

    The value is computed as PyTensor computes it (``m`` is 0 where it is
    infinite); the gradient is the softmax times ``g``, which is what the
    autodiff computes too, less a term that is zero in exact arithmetic. A
    mixture of 3 normals over 2,000 points: logp + gradient 1.20x on C.
    Not in FAST_RUN.
    """
    x, out, g = node.inputs
    lse = out.owner
    if lse is None or not isinstance(lse.op, LogSumExp) or lse.inputs[0] is not x:
        return None
    axis = lse.op.axis
    m = pt.max(x, axis=axis, keepdims=True, initial=-float("inf"))
    m = pt.switch(pt.isinf(m), 0.0, m)
    e = pt.exp(x - m)
    total = e.sum(axis=axis, keepdims=True)
    value = (pt.log(total) + m).squeeze(axis=axis)
    gradient = e / total * pt.expand_dims(g, axis)
    return {out: value, node.outputs[0]: gradient}
