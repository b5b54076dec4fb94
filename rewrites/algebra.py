"""Algebraic identities."""

from rewritelab import pattern

neg_of_sub = pattern("-(x - y) -> y - x", tags=["algebra", "exact"])
"""-(x - y) -> y - x: one op fewer. Not in FAST_RUN."""
