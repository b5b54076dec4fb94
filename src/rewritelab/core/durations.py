"""How long each job of a sweep took the last time it ran.

On a cluster the order jobs start in decides when the sweep ends: the
longest job started last is the tail every other worker waits for.
Started longest first (Graham's LPT rule), N workers finish within 4/3 of
the best possible time, and close to ``total / N`` where no single job is
long. A job's length is known only after it ran, so every sweep that is
asked to (``history=`` of :func:`rewritelab.core.sweep.sweep`) keeps its
jobs' wall times by name, per kind of sweep (``check``, ``audit``,
``bench``, ``discover``), in ``durations-KIND.json`` under
:func:`rewritelab.core.files.cache_dir`, and the next one reads them.

They only decide an order: results never depend on them, so they are
kept and read even where verdicts are not (``check --no-cache``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from rewritelab.core.files import cache_dir, keep

__all__ = ["durations_path", "longest_first", "recalled", "remember"]


def durations_path(kind: str) -> Path:
    """The file keeping the durations of the sweeps of ``kind``."""
    return cache_dir() / f"durations-{kind}.json"


def recalled(kind: str) -> dict[str, float]:
    """Seconds per job name the last sweeps of ``kind`` took (``{}`` where
    none ran, or the file cannot be read)."""
    try:
        data = json.loads(durations_path(kind).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in data.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def remember(kind: str, seconds: Mapping[str, float]) -> None:
    """Keep ``seconds`` per job name for the next sweep of ``kind`` (merged
    into what is kept; a read-only cache folder is no error)."""
    if not seconds:
        return
    kept = {**recalled(kind), **{k: round(float(v), 3) for k, v in seconds.items()}}
    keep(durations_path(kind), json.dumps(kept, indent=0, sort_keys=True))


def longest_first(names: Iterable[str], seconds: Mapping[str, float]) -> list[int]:
    """The positions of ``names`` in the order to start them: jobs never
    timed first (they may be the longest), in their own order, then the
    timed ones, longest first (ties in their own order).

    Examples
    --------
    >>> longest_first(["a", "b", "c", "d"], {"a": 1.0, "b": 9.0, "d": 3.0})
    [2, 1, 3, 0]
    """
    names = list(names)
    return sorted(
        range(len(names)),
        key=lambda i: (names[i] in seconds, -seconds.get(names[i], 0.0)),
    )
