"""Audit PyTensor's own rewriters: check every registered node rewriter.

:func:`registered_rewriters` reads PyTensor's rewrite database (``optdb``):
the node rewriters registered in its ``canonicalize``, ``stabilize``,
``specialize`` and ``uncanonicalize`` equilibrium databases (``fast_run``:
those of them tagged ``fast_run``, which every default compile runs).
:func:`audit` checks those that act on elementwise, scalar, reduction or
shape ops (:func:`scope`) with :func:`rewritelab.check.rules.check_rule`,
and reports per rewriter ``passed`` / ``counterexample`` / ``not exercised``
/ ``crashed`` (the rewriter raised: its traceback's last line) / ``timed
out`` / ``checker error`` (the checker could not judge, e.g. no exact value
for an op). Each counterexample comes with a paste-ready PyTensor
reproduction (:mod:`rewritelab.check.reproduce`).
"""

from __future__ import annotations

import difflib
import fnmatch
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pytensor
from pytensor.compile import optdb
from pytensor.graph.rewriting.basic import NodeRewriter, WalkingGraphRewriter
from pytensor.graph.rewriting.unify import OpPattern
from pytensor.scalar.basic import ScalarOp
from pytensor.tensor.elemwise import CAReduce, DimShuffle, Elemwise

from rewritelab.check.graphs import describe_tracks
from rewritelab.check.reproduce import reproduction, rewriter_import
from rewritelab.check.rules import RuleReport, check_rule
from rewritelab.core.errors import RewritelabError
from rewritelab.core.limits import TimedOut, time_limit_of
from rewritelab.core.sweep import Job, sweep
from rewritelab.rewrite.rules import as_rule

__all__ = [
    "AUDIT_DBS",
    "AuditEntry",
    "AuditError",
    "AuditReport",
    "AUDIT_VERDICTS",
    "Registered",
    "audit",
    "registered_rewriters",
    "scope",
]

#: The databases ``--db`` accepts; ``fast_run`` is what a default compile runs.
AUDIT_DBS = ("fast_run", "canonicalize", "stabilize", "specialize", "uncanonicalize")
_EQUILIBRIUM_DBS = AUDIT_DBS[1:]

AuditVerdict = Literal[
    "passed", "counterexample", "not exercised", "crashed", "timed out", "checker error"
]
AUDIT_VERDICTS: tuple[str, ...] = AuditVerdict.__args__  # type: ignore[attr-defined]

#: Ops whose rewriters the audit covers, besides Elemwise and reductions.
_SHAPE_OPS = (
    "Shape",
    "Shape_i",
    "Reshape",
    "SpecifyShape",
    "Alloc",
    "MakeVector",
    "TensorFromScalar",
    "ScalarFromTensor",
    "JoinDims",
    "SplitDims",
)


class AuditError(RewritelabError):
    """Bad audit input: an unknown database or tag, a name matching nothing."""


@dataclass(frozen=True)
class Registered:
    """One node rewriter in PyTensor's database: its registered name, the
    databases that hold it, and its tags there."""

    name: str
    rewriter: NodeRewriter
    dbs: tuple[str, ...]
    tags: frozenset[str]

    def __repr__(self) -> str:
        return f"Registered({self.name}, in {'+'.join(self.dbs)})"


def _rewriters_of(db_name: str) -> Iterator[tuple[str, NodeRewriter, frozenset[str]]]:
    db = optdb[db_name]
    for name in sorted(db._names):
        for obj in db.__db__.get(name, ()):
            rw = obj.node_rewriter if isinstance(obj, WalkingGraphRewriter) else obj
            if isinstance(rw, NodeRewriter):
                tags = frozenset(t for t, objs in db.__db__.items() if obj in objs)
                yield name, rw, tags - {name, type(obj).__name__}


def registered_rewriters(db: str = "fast_run") -> tuple[Registered, ...]:
    """Every node rewriter registered in ``db`` (one of :data:`AUDIT_DBS`),
    sorted by name; ``fast_run`` is those of the equilibrium databases tagged
    ``fast_run``."""
    if db not in AUDIT_DBS:
        raise AuditError(
            f"unknown --db {db!r}; the databases are {', '.join(AUDIT_DBS)}"
        )
    found: dict[int, tuple[str, NodeRewriter, set[str], set[str]]] = {}
    for sub in _EQUILIBRIUM_DBS if db == "fast_run" else (db,):
        for name, rw, tags in _rewriters_of(sub):
            if db == "fast_run" and "fast_run" not in tags:
                continue
            entry = found.setdefault(id(rw), (name, rw, set(), set()))
            entry[2].add(sub)
            entry[3].update(tags)
    return tuple(
        sorted(
            (
                Registered(n, rw, tuple(sorted(dbs)), frozenset(tags))
                for n, rw, dbs, tags in found.values()
            ),
            key=lambda r: r.name,
        )
    )


def _heads(track: Any) -> list[type]:
    """The op classes a track names (an OpPattern of an Elemwise names its
    scalar op's class too)."""
    if isinstance(track, OpPattern):
        head = track.op_type
        heads = (
            list(head)
            if isinstance(head, tuple)
            else list(getattr(head, "__args__", [head]))
        )
        return heads
    return [track if isinstance(track, type) else type(track)]


def scope(rewriter: NodeRewriter) -> str | None:
    """``"elementwise"``, ``"reduction"`` or ``"shape"`` where every op the
    rewriter tracks is of that kind (the first kind found names it); None
    for rewriters of other ops (linear algebra, indexing, scans, random
    variables) and for those tracking every op."""
    tracks = rewriter.tracks()
    if not tracks:
        return None
    kinds = []
    for t in tracks:
        for head in _heads(t):
            if not isinstance(head, type):
                return None
            if issubclass(head, Elemwise | ScalarOp):
                kinds.append("elementwise")
            elif issubclass(head, CAReduce):
                kinds.append("reduction")
            elif issubclass(head, DimShuffle) or head.__name__ in _SHAPE_OPS:
                kinds.append("shape")
            else:
                return None
    return kinds[0] if kinds else None


@dataclass(frozen=True)
class AuditEntry:
    """One rewriter's audit: what it tracks, the verdict and the evidence."""

    name: str
    dbs: tuple[str, ...]
    kind: str
    tracks: str
    verdict: AuditVerdict
    seconds: float
    report: RuleReport | None
    detail: str = ""
    reproduction: str = ""

    def __repr__(self) -> str:
        return f"AuditEntry({self.name}: {self.verdict}, {self.seconds:.1f} s)"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = {k: v for k, v in vars(self).items() if k != "report"}
        d["dbs"] = list(self.dbs)
        d["check"] = self.report.to_dict() if self.report is not None else None
        return d


@dataclass(frozen=True)
class AuditReport:
    """Every audited rewriter, and what was asked."""

    db: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    entries: tuple[AuditEntry, ...]
    registered: int
    out_of_scope: int
    seconds: float
    pytensor_version: str

    def counts(self) -> dict[str, int]:
        """Rewriters per verdict, in :data:`AUDIT_VERDICTS` order."""
        c = Counter(e.verdict for e in self.entries)
        return {v: c[v] for v in AUDIT_VERDICTS}

    @property
    def ok(self) -> bool:
        """No counterexample and no crash."""
        return not any(e.verdict in ("counterexample", "crashed") for e in self.entries)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {v}" for v, n in self.counts().items() if n)
        return (
            f"AuditReport({self.db}: {len(self.entries)} rewriters, {counts}; "
            f"{self.seconds:.0f} s)"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "db": self.db,
            "include": list(self.include),
            "exclude": list(self.exclude),
            "registered": self.registered,
            "out_of_scope": self.out_of_scope,
            "seconds": self.seconds,
            "pytensor_version": self.pytensor_version,
            "counts": self.counts(),
            "entries": [e.to_dict() for e in self.entries],
        }


#: check_rule settings for an audit: fewer inputs per graph than a rule
#: check, no bundled models (PyTensor's rewriters run on them in every
#: compile already), graphs built from the tracks first.
AUDIT_CHECK = {
    "max_examples": 30,
    "random_graphs": 40,
    "wanted_graphs": 10,
    "tracked_graphs_tried": 1500,
    "models": False,
}


def _select(
    db: str, include: Sequence[str], exclude: Sequence[str], names: Sequence[str]
) -> tuple[list[Registered], int, int]:
    """The in-scope rewriters of ``db`` that carry every ``include`` tag,
    match a ``names`` glob (if any) and no ``exclude`` glob; with the counts
    registered and out of scope. Bad input is an :class:`AuditError`."""
    every = registered_rewriters(db)
    tags = set().union(*(r.tags for r in every)) if every else set()
    unknown = [t for t in include if t not in tags]
    if unknown:
        raise AuditError(
            f"unknown --include tag {unknown[0]!r} in --db {db}; its tags are "
            f"{', '.join(sorted(tags))}"
        )
    names_known = [r.name for r in every]
    for pattern, flag in [(p, "--exclude") for p in exclude] + [
        (p, "NAME") for p in names
    ]:
        if not fnmatch.filter(names_known, pattern):
            close = difflib.get_close_matches(pattern, names_known, n=3)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise AuditError(
                f"{flag} {pattern!r} matches no rewriter in --db {db}; {hint}"
                f"`rewritelab audit --list --db {db}` shows all {len(names_known)}"
            )
    chosen = [
        r
        for r in every
        if all(t in r.tags for t in include)
        and not any(fnmatch.fnmatch(r.name, p) for p in exclude)
        and (not names or any(fnmatch.fnmatch(r.name, p) for p in names))
    ]
    in_scope = [r for r in chosen if scope(r.rewriter) is not None]
    return in_scope, len(every), len(chosen) - len(in_scope)


def audit(
    db: str = "fast_run",
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    names: Sequence[str] = (),
    time_limit: float | None = 60.0,
    progress: Callable[[int, int, str], None] | None = None,
    seed: int = 0,
    client: Any = None,
    **check: Any,
) -> AuditReport:
    """Check every in-scope node rewriter of PyTensor's database ``db``.

    Parameters
    ----------
    db
        One of :data:`AUDIT_DBS`.
    include
        Tags every audited rewriter must carry (``"fast_run"``, ``"stabilize"``,
        a registration tag).
    exclude, names
        Shell-style patterns of rewriter names to leave out / to keep only.
    time_limit
        Seconds per rewriter before it is reported ``timed out``.
    progress
        ``progress(i, n, name)`` before the i-th of n rewriters (on a
        cluster: as the i-th comes back).
    client
        A Dask client (:func:`rewritelab.core.sweep.cluster`): one job per
        rewriter on its workers; the report is the serial one.
    check
        Overrides of :data:`AUDIT_CHECK` passed to
        :func:`rewritelab.check.rules.check_rule`.

    Examples
    --------
    >>> r = audit("specialize", names=["useless_Neg_of_Neg"])
    >>> [(e.name, e.verdict) for e in r.entries]
    [('useless_Neg_of_Neg', 'passed')]
    """
    t0 = time.perf_counter()
    chosen, registered, out_of_scope = _select(db, include, exclude, names)
    settings = {**AUDIT_CHECK, **check, "seed": seed}
    jobs = [
        Job(reg.name, _audit_one, (reg, db, settings, time_limit)) for reg in chosen
    ]
    entries = []
    found = sweep(jobs, client=client, progress=progress, history="audit")
    for reg, done in zip(chosen, found, strict=True):
        if not done.ok:  # the job itself failed (its worker kept dying)
            entries.append(
                AuditEntry(
                    name=reg.name,
                    dbs=reg.dbs,
                    kind=scope(reg.rewriter) or "",
                    tracks=describe_tracks(reg.rewriter.tracks()),
                    verdict="checker error",
                    seconds=done.seconds,
                    report=None,
                    detail=f"its job failed: {done.error}",
                )
            )
            continue
        entries.append(done.value)
    return AuditReport(
        db=db,
        include=tuple(include),
        exclude=tuple(exclude),
        entries=tuple(entries),
        registered=registered,
        out_of_scope=out_of_scope,
        seconds=time.perf_counter() - t0,
        pytensor_version=pytensor.__version__,
    )


def _audit_one(
    reg: Registered, db: str, settings: dict[str, Any], time_limit: float | None
) -> AuditEntry:
    t0 = time.perf_counter()
    kind = scope(reg.rewriter) or ""
    tracks = describe_tracks(reg.rewriter.tracks())
    base = {"name": reg.name, "dbs": reg.dbs, "kind": kind, "tracks": tracks}
    rule = as_rule(reg.rewriter, name=reg.name)
    try:
        with time_limit_of(time_limit):
            report = check_rule(rule, **settings)
    except TimedOut:
        return AuditEntry(
            **base,
            verdict="timed out",
            seconds=time.perf_counter() - t0,
            report=None,
            detail=f"still checking after {time_limit:g} s",
        )
    seconds = time.perf_counter() - t0
    if report.verdict == "error":
        verdict: AuditVerdict = "crashed" if report.crash else "checker error"
        detail = report.crash or report.error
        label = report.graph.label if report.graph is not None else ""
        if report.crash and label:
            detail = f"{report.crash} (on {label})"
        return AuditEntry(
            **base, verdict=verdict, seconds=seconds, report=report, detail=detail
        )
    found = report.counterexample
    if (
        report.verdict == "counterexample"
        and found
        and "no exact value" in found.reason
    ):
        # the two differ where an op has no exact meaning: the checker
        # cannot say which is right (a point no precision settles is noted)
        return AuditEntry(
            **base,
            verdict="checker error",
            seconds=seconds,
            report=report,
            detail=str(found),
        )
    if report.verdict == "counterexample":
        text = ""
        if report.graph is not None and found is not None:
            home = db if db != "fast_run" else reg.dbs[0]
            line = rewriter_import(reg.rewriter, reg.name, home)
            text = reproduction(report.graph, found, rewriter_line=line)
        return AuditEntry(
            **base,
            verdict="counterexample",
            seconds=seconds,
            report=report,
            detail=str(found),
            reproduction=text,
        )
    detail = (
        report.tried
        if report.verdict == "not exercised"
        else (f"{report.graphs_fired} graphs fired of {report.graphs_tried} tried")
    )
    detail += "".join(f"; {n}" for n in report.notes)
    return AuditEntry(
        **base, verdict=report.verdict, seconds=seconds, report=report, detail=detail
    )
