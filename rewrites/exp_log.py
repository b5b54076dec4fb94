"""Rules on exp and log compositions."""

from rewritelab import pattern

log_of_exp = pattern("log(exp(x)) -> x", tags=["exp_log", "exact"])
"""log(exp(x)) -> x. PyTensor's FAST_RUN already does this (local_exp_log)."""

log_of_gamma = pattern(
    "log(gamma(x)) -> gammaln(x)", tags=["exp_log", "assumes"], assume="x >= 3"
)
"""log(gamma(x)) -> gammaln(x): gamma overflows past 171. Not in FAST_RUN.
gammaln is log|gamma|, so wrong for negative x where gamma < 0; and near its
roots 1 and 2 the C library's lgamma is a few hundred ULPs off, worse than
log(gamma(x)) there (found by ``rewritelab check``); hence x >= 3, which
keeps the overflow fix."""

exp_of_neg_log = pattern(
    "exp(-log(x)) -> 1 / x", tags=["exp_log", "assumes"], assume="x > 0"
)
"""exp(-log(x)) -> 1/x. Not in FAST_RUN. Negative x gives nan before, a number
after, and x = -0.0 gives inf before, -inf after; hence x > 0 (found by
``rewritelab check``)."""

log_of_pow = pattern(
    "log(x ** y) -> y * log(x)",
    tags=["exp_log", "assumes"],
    assume=["x > 0", "x < inf", "y > -inf", "y < inf"],
)
"""log(x ** y) -> y * log(x): no overflow of the power. Not in FAST_RUN.
Wrong for negative x with even integer y, hence x > 0; inf ** 0 and
1 ** nan are 1 where 0 * log(inf) and nan * log(1) are nan, hence finite x
and y."""
