"""Rule verdicts kept on disk, so checking the same rules twice costs seconds.

A verdict is keyed by everything it depends on: the rule's name and the text
of the file it is written in (a rule may call helpers beside it), the
checker's settings, PyTensor's version and the text of rewritelab's own
modules. Change any of them and the rule is checked again. The folder is
``$REWRITELAB_CACHE``, else ``$XDG_CACHE_HOME/rewritelab``, else
``~/.cache/rewritelab``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytensor

from rewritelab.check.kernel import Counterexample
from rewritelab.check.rules import RuleReport, check_rules
from rewritelab.core.files import cache_dir, keep
from rewritelab.rewrite.registry import rule_set
from rewritelab.rewrite.rules import Rule

__all__ = ["cache_dir", "cached_report", "checked_rules", "rule_key"]


@cache
def _package_digest() -> str:
    """A digest of rewritelab's own source: a changed checker re-checks."""
    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()


def _file_text(source: str) -> bytes:
    path = source.rpartition(":")[0] or source
    try:
        return Path(path).read_bytes()
    except OSError:
        return source.encode()


def rule_key(r: Rule, settings: Mapping[str, Any]) -> str:
    """The cache key of one rule's verdict under ``settings``."""
    h = hashlib.sha256()
    for part in (
        r.name.encode(),
        r.source.rpartition(":")[2].encode(),
        _file_text(r.source),
        json.dumps(dict(settings), sort_keys=True).encode(),
        pytensor.__version__.encode(),
        _package_digest().encode(),
    ):
        h.update(part)
        h.update(b"\0")
    return h.hexdigest()[:32]


def _from_dict(d: dict[str, Any]) -> RuleReport:
    found = d.get("counterexample")
    if found is not None:
        for k in ("index", "shape"):
            if found.get(k) is not None:
                found[k] = tuple(found[k])
        found = Counterexample(**found)
    return RuleReport(**{**d, "counterexample": found})


def cached_report(r: Rule, settings: Mapping[str, Any]) -> RuleReport | None:
    """The verdict kept on disk for ``r`` checked with ``settings``; None
    where there is none (or it cannot be read)."""
    path = cache_dir() / f"{rule_key(r, settings)}.json"
    if not path.is_file():
        return None
    try:
        return _from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):  # an unreadable entry: check again
        return None


def checked_rules(
    rules: Any,
    *,
    use_cache: bool = True,
    progress: Callable[[int, str, bool], None] | None = None,
    client: Any = None,
    time_limit: float | None = None,
    **settings: Any,
) -> tuple[RuleReport, ...]:
    """:func:`rewritelab.check.rules.check_rules` with verdicts kept on disk.

    ``progress(i, name, cached)`` is called as the i-th rule is taken up (on
    a cluster: as it comes back). A rule that breaks the checker is an
    ``error`` verdict (never cached) and the others go on. With a Dask
    ``client`` (:func:`rewritelab.core.sweep.cluster`) the rules not in the
    cache are checked as one job each on its workers; the verdicts are the
    ones one process gives, in the same order. ``time_limit``: seconds per
    rule, after which it is an ``error`` verdict saying it timed out.

    Examples
    --------
    >>> import tempfile, os
    >>> from rewritelab.rewrite.rules import pattern
    >>> os.environ["REWRITELAB_CACHE"] = tempfile.mkdtemp()
    >>> r = pattern("exp(x) - 1 -> expm1(x)", name="em1")
    >>> first = checked_rules([r], max_examples=10, models=False)
    >>> again = checked_rules([r], max_examples=10, models=False)
    >>> first[0].verdict == again[0].verdict == "passed"
    True
    """
    folder = cache_dir()
    rs = list(rule_set(rules))
    found: dict[int, RuleReport] = {}
    todo: list[int] = []
    for i, r in enumerate(rs):
        kept = cached_report(r, settings) if use_cache else None
        if kept is None:
            todo.append(i)
            continue
        found[i] = kept
        if progress is not None:
            progress(i, r.name, True)

    def step(k: int, name: str) -> None:
        if progress is not None:
            progress(todo[k], name, False)

    checked = check_rules(
        [rs[i] for i in todo],
        client=client,
        time_limit=time_limit,
        progress=step,
        **settings,
    )
    found.update(zip(todo, checked, strict=True))
    for i in found:
        report = found[i]
        path = folder / f"{rule_key(rs[i], settings)}.json"
        if use_cache and report.verdict != "error" and not path.is_file():
            keep(path, json.dumps(report.to_dict(), default=str))
    return tuple(found[i] for i in range(len(rs)))
