"""Sweeps of independent jobs: here, one after another, or on a Dask cluster.

A sweep is a list of :class:`Job` (a name, a module-level function and its
arguments: one rule to check, one rewriter to audit, one model and backend
to time, one model to search). :func:`sweep` runs them in this process in
order (the default), or, given a ``distributed.Client``, as Dask futures
on its workers, and returns one :class:`Done` per job **in the jobs'
order**, whatever order they finished in: a report built from them is the
one the serial run builds.

What Dask gives and rewritelab relies on:

- a worker that dies mid-job (killed, out of memory) is replaced by its
  nanny and the job runs again elsewhere (``distributed``'s own
  rescheduling; :data:`RETRIES` more where a job raised because its worker
  went away): the sweep loses the job's time, not the sweep;
- functions and arguments travel by cloudpickle; rules and models defined
  in a user's file pickle by value (:func:`rewritelab.core.files.exec_file`
  registers them), so workers need rewritelab installed, not the files.

What rewritelab adds: a per-job time limit (:func:`time_limit_of` works in
a worker's thread too), after which the job is ``timed out`` with its name;
Ctrl-C cancels every future before it propagates; ``progress`` is called
as each job finishes, as the serial run calls it as each job starts; and,
given ``history=``, the jobs start on a cluster longest first, by the
durations the last sweep of that kind kept
(:mod:`rewritelab.core.durations`).

:func:`cluster` opens what ``--workers N`` / ``--scheduler ADDRESS`` ask
for: a ``LocalCluster`` of N single-threaded worker processes started and
stopped here, each compiling into its own PyTensor folder
(``compiledir/worker-K``), or a client of a running scheduler.
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rewritelab.core.durations import longest_first, recalled, remember
from rewritelab.core.errors import RewritelabError
from rewritelab.core.limits import TimedOut, time_limit_of

__all__ = [
    "CONNECT_SECONDS",
    "Done",
    "Job",
    "cluster",
    "compile_root",
    "distinct",
    "sweep",
    "worker_name",
]

#: Seconds to reach a scheduler given by address before giving up.
CONNECT_SECONDS = 4.0

#: Seconds a local worker process may take to start (import PyMC, connect).
START_SECONDS = 120.0

#: Times a job is run again after its worker died under it (beyond Dask's
#: own rescheduling of the tasks a lost worker held).
RETRIES = 2


@dataclass(frozen=True)
class Job:
    """One independent piece of a sweep: ``fn(*args, **kwargs)``, named for
    progress and errors (a rule's or rewriter's name, ``model · backend``).
    ``fn`` must be a module-level function (it travels to workers)."""

    name: str
    fn: Callable[..., Any]
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Job({self.name!r}, {getattr(self.fn, '__name__', self.fn)})"


@dataclass(frozen=True)
class Done:
    """A job's outcome: its ``value``, or the one-line ``error`` it raised,
    or ``timed_out``; ``worker`` is the Dask worker that ran it (``""`` in
    this process) and ``seconds`` its wall time there."""

    name: str
    value: Any = None
    error: str = ""
    timed_out: bool = False
    seconds: float = 0.0
    worker: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not self.timed_out

    def __repr__(self) -> str:
        state = "timed out" if self.timed_out else (self.error or "ok")
        where = f" on {self.worker}" if self.worker else ""
        return f"<Done {self.name}: {state}, {self.seconds:.1f} s{where}>"


def _run(
    name: str,
    fn: Callable[..., Any],
    args: tuple,
    kwargs: Mapping[str, Any],
    time_limit: float | None,
) -> Done:
    """One job, where it runs: its value or its error as a :class:`Done`."""
    who = worker_name()  # worker 0 is a name too
    worker = "" if who is None else str(who)
    if who is not None:
        # a Dask worker's own threads draw from the `random` module while a
        # job runs; Hypothesis, watching that module's state around each
        # draw, then blames the job's strategies (a deprecation warning per
        # draw on the worker's stderr): not the job's doing
        warnings.filterwarnings(
            "ignore", message="Do not use the `random` module inside strategies"
        )
    t0 = time.perf_counter()
    try:
        with time_limit_of(time_limit):
            value = fn(*args, **kwargs)
    except TimedOut:
        return Done(
            name, timed_out=True, seconds=time.perf_counter() - t0, worker=worker
        )
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        error = f"{type(exc).__name__}: {first}"[:300]
        return Done(name, error=error, seconds=time.perf_counter() - t0, worker=worker)
    return Done(name, value, seconds=time.perf_counter() - t0, worker=worker)


def distinct(labels: Sequence[str]) -> list[str]:
    """Job names from labels that may repeat: a repeated label gets its
    place (``"a #1"``, ``"a #3"``); the others stay as they are, so that a
    job keeps its name, and its kept duration, from sweep to sweep.

    Examples
    --------
    >>> distinct(["a", "b", "a"])
    ['a #1', 'b', 'a #3']
    """
    return [
        f"{label} #{i + 1}" if labels.count(label) > 1 else label
        for i, label in enumerate(labels)
    ]


def worker_name() -> Any:
    """The name of the Dask worker running this (None outside one)."""
    try:
        from distributed import get_worker

        return get_worker().name
    except (ImportError, ValueError):
        return None


def sweep(
    jobs: Sequence[Job],
    *,
    client: Any = None,
    time_limit: float | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    history: str | None = None,
) -> tuple[Done, ...]:
    """Run ``jobs``; one :class:`Done` each, in the jobs' order.

    Parameters
    ----------
    jobs
        The jobs (:class:`Job`).
    client
        A ``distributed.Client``: the jobs run as its futures. None: here,
        one after another.
    time_limit
        Seconds per job before it is reported ``timed_out`` (None: no limit).
    progress
        ``progress(i, n, name)``: in this process as the i-th job starts; on
        a cluster as each job finishes (``i`` counts the finished ones).
    history
        A kind of sweep (``"check"``): the jobs' wall times are kept under
        it by name, and on a cluster the jobs start longest first by the
        times kept last (:mod:`rewritelab.core.durations`). The values and
        their order are the same either way. None: nothing kept, jobs
        start in their order.

    Examples
    --------
    >>> import math
    >>> [d.value for d in sweep([Job("a", math.sqrt, (4.0,)), Job("b", math.sqrt, (9.0,))])]
    [2.0, 3.0]
    >>> sweep([Job("bad", math.sqrt, (-1.0,))])[0].error
    'ValueError: math domain error'
    """
    names = [j.name for j in jobs]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise RewritelabError(f"two jobs of one sweep are named {twice!r}")
    if client is None:
        out = []
        for i, j in enumerate(jobs):
            if progress is not None:
                progress(i, len(jobs), j.name)
            out.append(_run(j.name, j.fn, j.args, j.kwargs, time_limit))
        done = tuple(out)
    else:
        start = longest_first(names, recalled(history) if history else {})
        done = _on_cluster(jobs, start, client, time_limit, progress)
    if history:
        remember(history, {d.name: d.seconds for d in done if d.seconds > 0})
    return done


def _on_cluster(
    jobs: Sequence[Job],
    start: Sequence[int],
    client: Any,
    time_limit: float | None,
    progress: Callable[[int, int, str], None] | None,
) -> tuple[Done, ...]:
    """The jobs as futures, submitted in the order ``start`` gives (first
    submitted, highest priority: Dask's queue hands them out in that order)."""
    from distributed import as_completed

    def submit(j: Job, priority: int) -> Any:
        return client.submit(
            _run, j.name, j.fn, j.args, j.kwargs, time_limit,
            key=f"rewritelab-{j.name}-{os.urandom(4).hex()}",
            pure=False, retries=RETRIES, priority=priority,
        )  # fmt: skip

    futures = {submit(jobs[i], len(start) - k): i for k, i in enumerate(start)}
    found: dict[int, Done] = {}
    try:
        for future in as_completed(list(futures)):
            i = futures[future]
            try:
                found[i] = future.result()
            except Exception as exc:  # the job's worker kept dying (KilledWorker)
                first = str(exc).splitlines()[0] if str(exc) else ""
                found[i] = Done(jobs[i].name, error=f"{type(exc).__name__}: {first}")
            if progress is not None:
                progress(len(found) - 1, len(jobs), jobs[i].name)
    except BaseException:  # Ctrl-C, or the scheduler lost: nothing left running
        client.cancel(list(futures))
        raise
    return tuple(found[i] for i in range(len(jobs)))


def compile_root() -> Path:
    """Where a local cluster's workers compile: ``$REWRITELAB_COMPILEDIR``,
    else ``~/.cache/rewritelab/compiledir`` (one folder per worker in it)."""
    root = os.environ.get("REWRITELAB_COMPILEDIR")
    if root:
        return Path(root)
    return Path.home() / ".cache" / "rewritelab" / "compiledir"


def _worker_class() -> type:
    import dask.config
    from distributed import Nanny

    class CompilingApart(Nanny):
        """A nanny whose worker process has its own PyTensor compile folder
        (``PYTENSOR_FLAGS=base_compiledir=ROOT/worker-NAME``, set before the
        process starts: PyTensor reads it once, at import) and does not
        profile itself: Dask's statistical profiler walks the job's stack
        every 10 ms from a thread of its own, and a checker's stacks are
        deep (Hypothesis over PyTensor): the sum of the rules' times on 2
        workers was 278 s with it and 225 s without (211 s serial)."""

        def __init__(self, *args: Any, compiledir: str, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.config = dask.config.merge(
                self.config,
                {"distributed": {"worker": {"profile": {"enabled": False}}}},
            )
            flags = [
                f
                for f in os.environ.get("PYTENSOR_FLAGS", "").split(",")
                if f and not f.startswith("base_compiledir")
            ]
            folder = Path(compiledir) / f"worker-{self.name}"
            flags.append(f"base_compiledir={folder}")
            self.pre_spawn_env = {
                **self.pre_spawn_env,
                "PYTENSOR_FLAGS": ",".join(flags),
            }

    return CompilingApart


def cluster(
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    compiledir: str | Path | None = None,
) -> contextlib.AbstractContextManager[Any]:
    """A Dask client for a sweep, as a context that closes it; the client is
    None when neither ``workers`` nor ``scheduler`` is given (the serial
    run). Bad requests fail here, before anything starts.

    ``workers``: a ``LocalCluster`` of that many single-threaded worker
    processes, started one after another (each compiling into its own
    folder under ``compiledir``, default :func:`compile_root`) and stopped
    on exit. ``scheduler``: the address of a running scheduler
    (``tcp://host:8786``); its workers need rewritelab installed.

    Examples
    --------
    >>> with cluster() as client:
    ...     client is None
    True
    >>> cluster(workers=0)
    Traceback (most recent call last):
    ...
    rewritelab.core.errors.RewritelabError: --workers must be 1 or more, not 0
    """
    if workers is not None and scheduler is not None:
        raise RewritelabError("give --workers or --scheduler, not both")
    if scheduler is not None:
        return _connected(scheduler)
    if workers is None:
        return contextlib.nullcontext()
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise RewritelabError(f"--workers must be 1 or more, not {workers}")
    root = Path(compiledir) if compiledir is not None else compile_root()
    return _local(workers, root)


@contextlib.contextmanager
def _connected(scheduler: str) -> Iterator[Any]:
    """A client of the running scheduler at ``scheduler``."""
    from distributed import Client

    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:  # refused, no answer
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RewritelabError(
            f"cannot reach the Dask scheduler at {scheduler} ({first}); "
            "expected tcp://HOST:PORT of a running `dask scheduler`"
        ) from None
    except Exception as exc:  # something answered, and it is no scheduler
        raise RewritelabError(
            f"what answers at {scheduler} is no Dask scheduler "
            f"({type(exc).__name__}); expected tcp://HOST:PORT of a running "
            "`dask scheduler`"
        ) from None
    with client:
        yield client


@contextlib.contextmanager
def _local(workers: int, root: Path) -> Iterator[Any]:
    """A client of a ``LocalCluster`` of ``workers`` processes, each
    compiling under ``root``; the cluster stopped on exit."""
    from distributed import Client, LocalCluster

    saved = os.environ.get("PYTENSOR_FLAGS")
    local = LocalCluster(
        n_workers=0,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        # the scheduler serves HTTP (health, metrics) even without a
        # dashboard, on 8787 unless told: a port of its own, no warning
        # that a second cluster found 8787 taken
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        worker_class=_worker_class(),
        compiledir=str(root),
    )
    try:
        client = Client(local)
        with client:
            for k in range(workers):  # one at a time: each sets its own flags
                local.scale(k + 1)
                try:
                    client.wait_for_workers(k + 1, timeout=START_SECONDS)
                except TimeoutError:
                    raise RewritelabError(
                        f"Dask worker {k} did not start within {START_SECONDS:g} s "
                        "(its log is above)"
                    ) from None
            yield client
    finally:
        local.close()
        if saved is None:
            os.environ.pop("PYTENSOR_FLAGS", None)
        else:
            os.environ["PYTENSOR_FLAGS"] = saved
