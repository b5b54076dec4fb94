"""Rules on exp and log compositions."""

from rewritelab import pattern

log_of_exp = pattern("log(exp(x)) -> x", tags=["exp_log", "exact"])
"""log(exp(x)) -> x. PyTensor's FAST_RUN already does this (local_exp_log)."""

log_of_exp_times = pattern("log(exp(x) * y) -> x + log(y)", tags=["exp_log", "exact"])
"""log(exp(x) * y) -> x + log(y): no overflow of exp(x). Not in FAST_RUN."""

log_of_gamma = pattern(
    "log(gamma(x)) -> gammaln(x)", tags=["exp_log", "assumes"], assume="x > 0"
)
"""log(gamma(x)) -> gammaln(x): gamma overflows past 171. Not in FAST_RUN.
gammaln is log|gamma|, so for negative x (gamma < 0) only under x > 0."""

exp_of_neg_log = pattern(
    "exp(-log(x)) -> 1 / x", tags=["exp_log", "assumes"], assume="x >= 0"
)
"""exp(-log(x)) -> 1/x. Not in FAST_RUN. Negative x gives nan before, a number
after, hence x >= 0."""

log_of_pow = pattern(
    "log(x ** y) -> y * log(x)", tags=["exp_log", "assumes"], assume="x > 0"
)
"""log(x ** y) -> y * log(x): no overflow of the power. Not in FAST_RUN.
Wrong for negative x with even integer y, hence x > 0."""

exp_of_log_times = pattern(
    "exp(log(x) * y) -> x ** y", tags=["exp_log", "assumes"], assume="x > 0"
)
"""exp(log(x) * y) -> x ** y: pow is correctly rounded where exp(y log x)
amplifies the rounding of log x. Not in FAST_RUN. Negative x gives nan
before and a number after (integer y), hence x > 0."""
