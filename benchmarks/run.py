"""The whole zoo (benchmarks/models/) with the shipped rules, both backends.

Run: ``./dev bench run.py``. Writes benchmarks/results/zoo.{json,md,png}
and prints the table and the wall time. ``./dev bench run.py numba,c prior``
times at a prior draw instead of the initial point (zoo_prior.*).
"""

import sys
import time
from pathlib import Path

from zoo import model_files, skips

import rewritelab as rl
from rewritelab.core.targets import load_target
from rewritelab.measure.bench import bench
from rewritelab.report.bench import bench_markdown, save_bench
from rewritelab.report.progress import Steps

HERE = Path(__file__).parent


def main(backends=("numba", "c"), at: str = "initial") -> None:
    files = model_files()
    t0 = time.perf_counter()
    with Steps("zoo", len(files) * len(backends)) as steps:
        targets = [load_target(str(f)) for f in files]
        skip = {f.stem: skips(f) for f in files}
        done = [0]

        def advance(label: str) -> None:
            steps.step(done[0], label)
            done[0] += 1

        report = bench(
            targets,
            rl.library(),
            backends=backends,
            names=[f.stem for f in files],
            progress=advance,
            skip=skip,
            at=at,
        )
    wall = time.perf_counter() - t0
    paths = save_bench(
        report, HERE / "results", stem="zoo" if at == "initial" else f"zoo_{at}"
    )
    print(bench_markdown(report))
    print(f"\n{len(files)} models, backends {', '.join(backends)}: {wall / 60:.1f} min")
    print(*(str(p) for p in paths.values()))


if __name__ == "__main__":
    main(
        tuple(sys.argv[1].split(",")) if len(sys.argv) > 1 else ("numba", "c"),
        sys.argv[2] if len(sys.argv) > 2 else "initial",
    )
