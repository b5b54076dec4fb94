"""Rules for patterns PyMC's logp graphs produce."""

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Constant
from pytensor.tensor.basic import get_underlying_scalar_constant_value
from pytensor.tensor.exceptions import NotScalarConstantError

from rewritelab import rule


def _nonpositive_constant(var) -> bool:
    if isinstance(var, Constant):
        return bool(np.all(var.data <= 0))
    try:  # a scalar constant behind DimShuffle / fill / cast, as pt.exp(v) > 0 makes
        return bool(get_underlying_scalar_constant_value(var) <= 0)
    except NotScalarConstantError:
        return False


@rule([pt.gt, pt.ge], tags=["pymc", "exact"])
def exp_positive_check(fgraph, node):
    """exp(x) > c -> True and exp(x) >= c -> True for constants c <= 0.

    PyMC checks ``sigma > 0`` on sigma = exp(sigma_log__), which the log
    transform already guarantees. Not in FAST_RUN. (exp(x) is never nan for
    non-nan x; for x = nan both sides differ: the check is False, the rewrite
    True, which a logp built with ``check_parameters`` turns from -inf into nan.)
    """
    value, bound = node.inputs
    if value.owner is None or value.owner.op != pt.exp:
        return None
    if not _nonpositive_constant(bound):
        return None
    # True with the broadcast shape of both inputs (not ones_like(output),
    # which would compute the replacement from the node it replaces).
    return [pt.second(value, pt.ones_like(bound, dtype="bool"))]
