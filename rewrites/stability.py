"""Numerically stable forms of expressions that overflow or cancel."""

from rewritelab import pattern

log_of_cosh = pattern(
    "log(cosh(x)) -> switch(lt(abs(x), 1), log1p(2 * sqr(sinh(x / 2))),"
    " abs(x) + log1p(exp(-2 * abs(x))) - 0.6931471805599453)",
    tags=["stability", "exact"],
    where={"x": lambda v: v.dtype.startswith("float")},
)
"""log(cosh(x)) -> log1p(2 sinh(x/2)^2) for |x| < 1, else
|x| + log1p(exp(-2|x|)) - log 2: cosh overflows past 710, and near 0 the
original rounds cosh(x) to 1 and loses x^2/2. Floats only: for int8 -128
abs(x) wraps around to -128. Not in FAST_RUN."""

log_of_expm1 = pattern(
    "log(expm1(x)) -> x + log1mexp(-x)",
    tags=["stability", "exact"],
    where={"x": lambda v: v.dtype.startswith("float")},
)
"""log(expm1(x)) -> x + log1mexp(-x): expm1 overflows past 709. Floats only:
-x wraps around for int8 -128. Not in FAST_RUN."""

x_log_x = pattern(
    "x * log(x) -> xlogy(x, x)", tags=["stability", "assumes"], assume="x > 0"
)
"""x * log(x) -> xlogy(x, x): one fused op. Not in FAST_RUN. At x = 0 the
original is nan (0 * -inf) and xlogy gives 0, hence x > 0."""

log1p_of_neg_exp = pattern("log1p(-exp(x)) -> log1mexp(x)", tags=["stability", "exact"])
"""log1p(-exp(x)) -> log1mexp(x). FAST_RUN already does this."""

log_of_tanh = pattern(
    "log(tanh(x)) -> log1mexp(-2.0 * x) - softplus(-2.0 * x)",
    tags=["stability", "exact"],
)
"""log(tanh(x)) -> log(1 - e^-2x) - log(1 + e^-2x): for large x tanh rounds to
1 and the original returns 0 instead of about -2 e^-2x. Not in FAST_RUN."""
