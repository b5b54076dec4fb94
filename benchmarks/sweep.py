"""Checking on Dask: the shipped library plus the test corpus, serial against
a local cluster of N workers, side by side in one run.

Run: ``./dev bench sweep.py [REPEATS] [WORKERS]`` (default 3 and 2). What
``rewritelab check --no-cache [--workers N]`` does, timed from the Python
API it calls: :func:`rewritelab.check.cache.checked_rules` with no cache,
here and on ``cluster(workers=N)``; the cluster's start (N worker processes
importing PyMC) is counted in its time, as the command line pays it. One
untimed pass of each first (the workers' own compile folders filled, as
PyTensor's is for the serial run); the first cluster pass is reported
too, as "cold". Then REPEATS rounds, alternating: serial; the cluster
starting the rules longest first, by the durations the earlier passes
kept (what a second ``check`` does); the cluster starting them in their
order (a first ``check``: no durations kept). Also: the per-job overhead
(a sweep of trivial jobs on the cluster), and whether every verdict,
count and counterexample is the serial one. Durations are kept in a
folder of this run's own. Writes benchmarks/results/sweep.json and
sweep_run.md.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import rewritelab as rl
from rewritelab.check.cache import checked_rules
from rewritelab.core.sweep import Job, cluster, sweep

HERE = Path(__file__).parent
CORPUS = HERE.parent / "tests" / "corpus"


def _rules() -> list:
    return [*rl.library(), *rl.load(CORPUS)]


def _serial(rules: list) -> tuple[float, tuple]:
    t0 = time.perf_counter()
    reports = checked_rules(rules, use_cache=False)
    return time.perf_counter() - t0, reports


def _parallel(
    rules: list, workers: int, root: str, ordered: bool = True
) -> tuple[float, float, tuple]:
    """One pass on a fresh cluster; ``ordered=False``: as if no durations
    were kept (an empty folder of its own for them)."""
    kept = os.environ["REWRITELAB_CACHE"]
    if not ordered:
        os.environ["REWRITELAB_CACHE"] = tempfile.mkdtemp(prefix="rewritelab-fresh-")
    try:
        t0 = time.perf_counter()
        with cluster(workers=workers, compiledir=root) as client:
            started = time.perf_counter() - t0
            reports = checked_rules(rules, use_cache=False, client=client)
        return time.perf_counter() - t0, started, reports
    finally:
        os.environ["REWRITELAB_CACHE"] = kept


def _same(report: object) -> str:
    d = {k: v for k, v in report.to_dict().items() if k != "seconds"}
    return json.dumps(d, default=str, sort_keys=True)


def _overhead(workers: int, root: str, n: int = 200) -> dict:
    """Seconds per trivial job on the cluster: wall time of n jobs of
    abs(k), divided by n (scheduling, pickling, the round trip)."""
    with cluster(workers=workers, compiledir=root) as client:
        sweep([Job(f"warm {k}", abs, (k,)) for k in range(workers * 4)], client=client)
        t0 = time.perf_counter()
        sweep([Job(f"job {k}", abs, (k,)) for k in range(n)], client=client)
        wall = time.perf_counter() - t0
    return {"jobs": n, "wall_s": wall, "per_job_ms": 1000 * wall / n}


def main(repeats: int = 3, workers: int = 2) -> None:
    rules = _rules()
    root = tempfile.mkdtemp(prefix="rewritelab-compiledir-")
    os.environ["REWRITELAB_CACHE"] = tempfile.mkdtemp(prefix="rewritelab-durations-")
    print(f"{len(rules)} rules; {repeats} rounds; {workers} workers", flush=True)
    cold, cold_start, cold_reports = _parallel(rules, workers, root)
    print(f"cold cluster pass: {cold:.1f} s (start {cold_start:.1f} s)", flush=True)
    warm_serial, serial_reports = _serial(rules)
    print(f"warm-up serial pass: {warm_serial:.1f} s", flush=True)
    pairs, differ = [], set()
    for k in range(repeats):
        s, serial_reports = _serial(rules)
        p, started, reports = _parallel(rules, workers, root)
        q, _, in_order = _parallel(rules, workers, root, ordered=False)
        pairs.append(
            {"serial_s": s, "parallel_s": p, "cluster_start_s": started,
             "in_order_s": q}
        )  # fmt: skip
        print(f"round {k + 1}: serial {s:.1f} s, {workers} workers {p:.1f} s "
              f"longest first (start {started:.1f} s): {s / p:.2f}x; "
              f"in order {q:.1f} s: {s / q:.2f}x", flush=True)  # fmt: skip
        for a, b, c in zip(serial_reports, reports, in_order, strict=True):
            if not _same(a) == _same(b) == _same(c):
                differ.add(a.rule)
    for a, b in zip(serial_reports, cold_reports, strict=True):
        if _same(a) != _same(b):
            differ.add(a.rule)
    ratios = [p["serial_s"] / p["parallel_s"] for p in pairs]
    in_order = [p["serial_s"] / p["in_order_s"] for p in pairs]
    job_seconds = sum(r.seconds for r in serial_reports)
    out = {
        "rules": len(rules),
        "workers": workers,
        "verdicts": dict(
            sorted(
                {
                    v: sum(r.verdict == v for r in serial_reports)
                    for v in {r.verdict for r in serial_reports}
                }.items()
            )
        ),
        "cold_parallel_s": cold,
        "cold_start_s": cold_start,
        "pairs": pairs,
        "speedup_median": statistics.median(ratios),
        "speedup_min": min(ratios),
        "speedup_max": max(ratios),
        "in_order_median": statistics.median(in_order),
        "in_order_min": min(in_order),
        "in_order_max": max(in_order),
        "longest_rule_s": max(r.seconds for r in serial_reports),
        "sum_rule_s": job_seconds,
        "differ": sorted(differ),
        "overhead": _overhead(workers, root),
    }
    (HERE / "results" / "sweep.json").write_text(json.dumps(out, indent=1))
    lines = [
        f"# `rewritelab check` on Dask ({len(rules)} rules: library + tests/corpus)",
        "",
        f"| round | serial s | {workers} workers, longest first s (cluster start) "
        "| speed-up | in order s | speed-up |",
        "|---|---|---|---|---|---|",
    ]
    for k, p in enumerate(pairs):
        lines.append(
            f"| {k + 1} | {p['serial_s']:.1f} | {p['parallel_s']:.1f} "
            f"({p['cluster_start_s']:.1f}) | {p['serial_s'] / p['parallel_s']:.2f}x "
            f"| {p['in_order_s']:.1f} | {p['serial_s'] / p['in_order_s']:.2f}x |"
        )
    lines += [
        "",
        f"Speed-up, longest first: median {out['speedup_median']:.2f}x, range "
        f"[{out['speedup_min']:.2f}, {out['speedup_max']:.2f}] over {repeats} rounds.",
        f"Speed-up, in the rules' order: median {out['in_order_median']:.2f}x, range "
        f"[{out['in_order_min']:.2f}, {out['in_order_max']:.2f}].",
        f"Cold first cluster pass (empty compile folders): {cold:.1f} s.",
        f"Longest single rule: {out['longest_rule_s']:.1f} s of "
        f"{job_seconds:.1f} s in all.",
        f"Per-job overhead: {out['overhead']['per_job_ms']:.1f} ms "
        f"({out['overhead']['jobs']} trivial jobs).",
        f"Reports differing from the serial run: {len(differ)} {sorted(differ)}.",
    ]
    text = "\n".join(lines) + "\n"
    (HERE / "results" / "sweep_run.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
