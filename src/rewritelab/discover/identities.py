"""The identities discovery saturates with, and the facts that guard them.

Each identity is an egglog rewrite over :class:`rewritelab.discover.terms.Term`,
true over the reals where its guard holds. The guards are e-class facts
(relations) of an analysis run alongside: ``positive(t)`` (every value of
``t`` is > 0) and ``nonneg(t)``, seeded from rewritelab's range inference
for the leaves (:func:`rewritelab.see.ranges.value_range`) and from
constants, and propagated by rules (``exp`` is positive, a product of
positives is positive, ...). So ``log(a * b) -> log(a) + log(b)`` fires only
where both factors are proved positive, as a hand-written rule must declare
``assume=["x > 0"]``.

Identities are grouped by family (:data:`FAMILIES`): ``algebra``
(commutativity, associativity, distribution, negation), ``exp_log`` (the
exp / log / log1p / expm1 / softplus / sigmoid / log1mexp identities),
``powers`` (of a positive base), ``compare`` (comparisons and switches the
analysis settles). IEEE's edge cases (inf, nan, -0.0, overflow) are not the
identities' business: every candidate is checked afterwards, and one that
is wrong at an edge is rejected with the checker's reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from egglog import (
    Ruleset,
    Schedule,
    back_off,
    f64,
    relation,
    rewrite,
    rule,
    ruleset,
    run,
    vars_,
)
from egglog import eq as same

from rewritelab.discover.terms import (
    Term,
    absolute,
    eq,
    exp,
    expm1,
    ge,
    gt,
    le,
    log,
    log1mexp,
    log1p,
    lt,
    reciprocal,
    sigmoid,
    sign,
    softplus,
    sqr,
    sqrt,
    switch,
)

__all__ = ["FAMILIES", "identities", "nonneg", "nonpos", "positive"]

#: ``positive(t)``: every value of ``t`` is > 0 (finite inputs, exact
#: arithmetic); ``nonneg(t)``: >= 0.
positive = relation("positive", Term)
nonneg = relation("nonneg", Term)
nonpos = relation("nonpos", Term)

#: Matches per rule and round before egg's backoff bans the rule a while.
MATCH_LIMIT = 2_000

a, b, c = vars_("a b c", Term)
p, q = vars_("p q", f64)


def _analysis() -> Ruleset:
    """The facts ``positive`` and ``nonneg``, propagated."""
    return ruleset(
        rule(same(a).to(Term(p)), p > 0.0).then(positive(a)),
        rule(same(a).to(Term(p)), p >= 0.0).then(nonneg(a)),
        rule(positive(a)).then(nonneg(a)),
        # -|a| as the softplus forms write it
        rule(same(b).to(switch(ge(a, Term(0.0)), -a, a))).then(nonpos(b)),
        rule(same(b).to(exp(a))).then(positive(b)),
        rule(same(b).to(sigmoid(a))).then(positive(b)),
        rule(same(b).to(softplus(a))).then(positive(b)),
        rule(same(b).to(sqr(a))).then(nonneg(b)),
        rule(same(b).to(absolute(a))).then(nonneg(b)),
        rule(same(b).to(sqrt(a))).then(nonneg(b)),
        rule(same(c).to(a * b), positive(a), positive(b)).then(positive(c)),
        rule(same(c).to(a / b), positive(a), positive(b)).then(positive(c)),
        rule(same(c).to(a + b), positive(a), nonneg(b)).then(positive(c)),
        rule(same(c).to(a + b), nonneg(a), nonneg(b)).then(nonneg(c)),
        rule(same(c).to(a * b), nonneg(a), nonneg(b)).then(nonneg(c)),
        rule(same(c).to(a**b), positive(a)).then(positive(c)),
        rule(same(b).to(reciprocal(a)), positive(a)).then(positive(b)),
        rule(same(b).to(sqrt(a)), positive(a)).then(positive(b)),
    )


def _algebra() -> Ruleset:
    return ruleset(
        rewrite(Term(p) + Term(q)).to(Term(p + q)),
        rewrite(Term(p) * Term(q)).to(Term(p * q)),
        rewrite(Term(p) - Term(q)).to(Term(p - q)),
        rewrite(-Term(p)).to(Term(-p)),
        rewrite(a + b).to(b + a),
        rewrite(a * b).to(b * a),
        rewrite((a + b) + c).to(a + (b + c)),
        rewrite((a * b) * c).to(a * (b * c)),
        rewrite(a - b).to(a + -b),
        rewrite(a + -b).to(a - b),
        rewrite(-(-a)).to(a),  # noqa: B002
        rewrite(Term(-1.0) * a).to(-a),
        rewrite(a * Term(-1.0)).to(-a),
        rewrite(-(a * b)).to(-a * b),
        rewrite(a * b + a * c).to(a * (b + c)),
        rewrite(a * Term(1.0)).to(a),
        # over the reals (0 * inf is nan in floats: the checker judges that)
        rewrite(a * Term(0.0)).to(Term(0.0)),
        rewrite(a / b).to(a * reciprocal(b)),
        rewrite(a * reciprocal(b)).to(a / b),
        rewrite(sqr(a)).to(a * a),
        rewrite(a * a).to(sqr(a)),
        rewrite(sqr(-a)).to(sqr(a)),
        rewrite(absolute(-a)).to(absolute(a)),
    )


def _e(a: Term) -> Term:
    """``exp(-|a|)`` as the switch the softplus and sigmoid forms share."""
    return exp(switch(ge(a, Term(0.0)), -a, a))


def _exp_log() -> Ruleset:
    one, zero = Term(1.0), Term(0.0)
    return ruleset(
        rewrite(log(exp(a))).to(a),
        rewrite(exp(log(a))).to(a, positive(a)),
        rewrite(exp(a) * exp(b)).to(exp(a + b)),
        rewrite(exp(a) / exp(b)).to(exp(a - b)),
        rewrite(exp(-a)).to(reciprocal(exp(a))),
        rewrite(log(a * b)).to(log(a) + log(b), positive(a), positive(b)),
        rewrite(log(a / b)).to(log(a) - log(b), positive(a), positive(b)),
        rewrite(log(Term(1.0) + a)).to(log1p(a)),
        rewrite(exp(a) - Term(1.0)).to(expm1(a)),
        rewrite(log1p(exp(a))).to(softplus(a)),
        rewrite(log(-expm1(a))).to(log1mexp(a)),
        # softplus and sigmoid of a and of -a through one exp(-|a|) and one
        # log1p (not softplus(a) = a + softplus(-a), nor max(-a, 0) = max(a,
        # 0) - a: both cancel for large a, and extraction, which prices speed
        # only, would pick them where they share a softplus). |a| and max are
        # written as switches on one condition: PyTensor's gradients of abs
        # and maximum at 0 (0 and 1) would make d softplus / da 1 at 0
        # -|-|a|| is -|a|: softplus(-|a|) = log1p(exp(-|a|)) then closes a
        # cycle instead of unfolding one softplus after another
        rewrite(switch(ge(a, zero), -a, a)).to(a, nonpos(a)),
        rewrite(softplus(a)).to(switch(ge(a, zero), a, zero) + log1p(_e(a))),
        rewrite(softplus(-a)).to(switch(ge(a, zero), zero, -a) + log1p(_e(a))),
        rewrite(sigmoid(a)).to(switch(ge(a, zero), one, _e(a)) / (one + _e(a))),
        rewrite(sigmoid(-a)).to(switch(ge(a, zero), _e(a), one) / (one + _e(a))),
        rewrite(log(sigmoid(a))).to(-softplus(-a)),
        rewrite(sigmoid(a)).to(exp(-softplus(-a))),
        rewrite(Term(1.0) - sigmoid(a)).to(sigmoid(-a)),
        rewrite(sigmoid(a) * sigmoid(-a)).to(exp(-softplus(a) - softplus(-a))),
        rewrite(log(sqrt(a))).to(log(a) * Term(0.5), positive(a)),
    )


def _powers() -> Ruleset:
    return ruleset(
        rewrite(a**b * a**c).to(a ** (b + c), positive(a)),
        rewrite(a**b * a).to(a ** (b + Term(1.0)), positive(a)),
        rewrite(a**b / a).to(a ** (b - Term(1.0)), positive(a)),
        rewrite((a**b) ** c).to(a ** (b * c), positive(a)),
        rewrite(a ** Term(2.0)).to(sqr(a)),
        rewrite(a ** Term(0.5)).to(sqrt(a)),
        rewrite(a ** Term(-1.0)).to(reciprocal(a)),
        rewrite(sqrt(a)).to(a ** Term(0.5), nonneg(a)),
        rewrite(reciprocal(a)).to(a ** Term(-1.0), positive(a)),
        rewrite(exp(a) ** b).to(exp(a * b)),
        rewrite(log(a**b)).to(b * log(a), positive(a)),
    )


def _compare() -> Ruleset:
    """Comparisons the facts settle (PyMC's parameter checks ``sigma > 0``),
    and switches on a settled condition."""
    one, zero = Term(1.0), Term(0.0)
    return ruleset(
        rewrite(gt(a, zero)).to(one, positive(a)),
        rewrite(ge(a, zero)).to(one, nonneg(a)),
        rewrite(lt(zero, a)).to(one, positive(a)),
        rewrite(le(zero, a)).to(one, nonneg(a)),
        rewrite(sign(a)).to(one, positive(a)),
        rewrite(sign(-a)).to(-sign(a)),
        rewrite(eq(a, zero)).to(zero, positive(a)),
        rewrite(eq(zero, a)).to(zero, positive(a)),
        rewrite(lt(a, zero)).to(zero, nonneg(a)),
        rewrite(le(a, zero)).to(zero, positive(a)),
        rewrite(gt(zero, a)).to(zero, nonneg(a)),
        rewrite(ge(zero, a)).to(zero, positive(a)),
        rewrite(switch(a, b, b)).to(b),
        rewrite(switch(one, a, b)).to(a),
        rewrite(switch(Term(0.0), a, b)).to(b),
    )


#: Family name -> the function building its ruleset.
FAMILIES = {
    "algebra": _algebra,
    "exp_log": _exp_log,
    "powers": _powers,
    "compare": _compare,
}


def identities(families: Sequence[str] = tuple(FAMILIES)) -> Schedule:
    """One round of saturation: the analysis to a fixed point, then one
    application of the identities of ``families`` (repeat it, ``* n``, or
    run it until a time budget is spent)."""
    unknown = set(families) - set(FAMILIES)
    if unknown:
        raise ValueError(
            f"unknown identity families {sorted(unknown)}; they are {list(FAMILIES)}"
        )
    chosen = [FAMILIES[f]() for f in families]
    combined = chosen[0]
    for r in chosen[1:]:
        combined = combined | r
    # egg's backoff: a rule that matches too often (commutativity,
    # associativity) is banned for a few rounds instead of doubling the graph
    limited = run(combined, scheduler=back_off(match_limit=MATCH_LIMIT).persistent())
    return run(_analysis()).saturate() + limited
