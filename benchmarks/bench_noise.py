"""The harness's own noise, within a run and between runs.

Run: ``./dev bench bench_noise.py [RUNS]``. Each of RUNS runs (default 3) is
a process of its own; in it, for every zoo model and backend, the logp +
gradient function is compiled and timed against itself on the kernel path
(the path ``bench`` reports first), with the BLAS/OpenMP pools pinned to one
thread, as ``bench`` times. Within a run the A/A ratio should lie within
±3% with its bootstrap interval; between runs the spread of the time per call
(max / min over the runs) says how far two runs of the same benchmark can
disagree, which no within-run interval shows. Figures go to
benchmarks/results/noise.json.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytensor
from threadpoolctl import threadpool_limits
from zoo import model_files, skips, target

from rewritelab.core.models import model_graph
from rewritelab.measure.bench import BACKENDS
from rewritelab.measure.paths import kernel_call
from rewritelab.measure.timing import time_ab

HERE = Path(__file__).parent


def one_run() -> dict:
    """Every model and backend, A/A on the kernel path, in this process."""
    out = {}
    with threadpool_limits(limits=1):
        for f in model_files():
            model = target(f).model
            skipped = skips(f)
            g = model_graph(model, "logp+grad")
            point = model.initial_point()
            args = [np.asarray(point[v.name], dtype=v.type.dtype) for v in g.inputs]
            for backend, mode in BACKENDS.items():
                if backend in skipped:  # as benchmarks/run.py skips it, and why
                    continue
                fn = pytensor.function(list(g.inputs), list(g.outputs), mode=mode)
                call = kernel_call(fn, args)
                t = time_ab(call, call, ())
                out[f"{f.stem} {backend}"] = {
                    "ratio": t.speedup,
                    "ci": [t.ci_low, t.ci_high],
                    "us_per_call": t.median_a * 1e6,
                }
                print(
                    f"  {f.stem} {backend}: {t.speedup:.4f}",
                    file=sys.stderr,
                    flush=True,
                )
    return out


def main(runs: int = 3) -> dict:
    per_run = []
    for i in range(runs):
        print(f"run {i + 1} of {runs}", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, __file__, "--one"],
            capture_output=False,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        per_run.append(json.loads(done.stdout))
    rows = {}
    for key in per_run[0]:
        runs_here = [r[key] for r in per_run]
        us = [r["us_per_call"] for r in runs_here]
        rows[key] = {
            "runs": runs_here,
            "worst_ratio_deviation": max(abs(r["ratio"] - 1) for r in runs_here),
            "between_runs_spread": max(us) / min(us),
        }
        print(
            f"{key:36s} A/A "
            + " ".join(f"{r['ratio']:.4f}" for r in runs_here)
            + f"; µs/call {min(us):.1f}-{max(us):.1f} "
            f"(between runs x{rows[key]['between_runs_spread']:.3f})",
            flush=True,
        )
    worst = max(v["worst_ratio_deviation"] for v in rows.values())
    spread = max(v["between_runs_spread"] for v in rows.values())
    print(
        f"worst |A/A ratio - 1| = {worst:.4f} (goal <= 0.03); "
        f"largest between-run spread x{spread:.3f}"
    )
    return {
        "runs": runs,
        "threads": 1,
        "path": "kernel",
        "rows": rows,
        "worst_abs_deviation": worst,
        "largest_between_runs_spread": spread,
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["--one"]:
        print(json.dumps(one_run()))
    else:
        r = main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
        (HERE / "results" / "noise.json").write_text(json.dumps(r, indent=2))
