"""Algebraic identities."""

from rewritelab import pattern

neg_of_sub = pattern("-(x - y) -> y - x", tags=["algebra", "exact"])
"""-(x - y) -> y - x: one op fewer. Not in FAST_RUN."""

log_of_div = pattern(
    "log(x / y) -> log(x) - log(y)",
    tags=["algebra", "assumes"],
    assume=["x > 0", "y > 0"],
)
"""log(x / y) -> log(x) - log(y): no overflow or underflow of the ratio.
Not in FAST_RUN. Wrong when both are negative, hence x > 0 and y > 0."""
