"""Helpers for users' own test suites."""

from __future__ import annotations

from typing import Any

from rewritelab.check.rules import RuleReport, check_rule

__all__ = ["assert_rule_correct"]


def assert_rule_correct(rule: Any, **kwargs: Any) -> RuleReport:
    """Fail (AssertionError) unless :func:`rewritelab.check.rules.check_rule` passes.

    The message carries the verdict, the rule's location and, for a
    counterexample, the shrunk inputs with both outputs and the exact value.
    A rule that was never exercised fails too: it was not shown correct.
    Keyword arguments go to ``check_rule``. Returns the report.

    Examples
    --------
    >>> from rewritelab.rewrite.rules import pattern
    >>> assert_rule_correct(pattern("log(exp(x)) -> x"), max_examples=20).verdict
    'passed'
    """
    report = check_rule(rule, **kwargs)
    if report.verdict != "passed":
        detail = report.counterexample or report.error or "it fired on no graph"
        raise AssertionError(
            f"rule {report.rule} ({report.source}): {report.verdict}: {detail}"
        )
    return report
