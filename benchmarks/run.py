"""The whole zoo (benchmarks/models/) with the shipped rules.

Run: ``./dev bench run.py [BACKENDS] [initial|prior]``. By default on Numba,
C and JAX at a prior draw, every call path, with the JAX anchor and the
hand-written NumPy logp + gradient where a model gives one
(``LOGP_DLOGP_NUMPY``), threads pinned to one. Writes
benchmarks/results/zoo_prior.{json,md,png} (``zoo.*`` at the initial point)
and prints the table, the geometric means and the wall time.
"""

import sys
import time
from pathlib import Path

from zoo import hand_written, model_files, skips, target

import rewritelab as rl
from rewritelab.measure.bench import bench
from rewritelab.report.bench import bench_markdown, save_bench
from rewritelab.report.progress import Steps

HERE = Path(__file__).parent


def main(backends=("numba", "c", "jax"), at: str = "prior") -> None:
    files = model_files()
    t0 = time.perf_counter()
    with Steps("zoo", len(files) * len(backends)) as steps:
        targets = [target(f) for f in files]
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
            anchors=("jax", "numpy") if "jax" in backends else ("numpy",),
            hand_written=hand_written(files),
        )
    wall = time.perf_counter() - t0
    paths = save_bench(
        report, HERE / "results", stem="zoo" if at == "initial" else f"zoo_{at}"
    )
    print(bench_markdown(report))
    print(f"\nheadline (Numba, logp+grad, raveled kernel): {report.geomean()}")
    print(f"Numba, logp+grad, kernel: {report.geomean(path='kernel')}")
    print(f"{len(files)} models, backends {', '.join(backends)}: {wall / 60:.1f} min")
    print(*(str(p) for p in paths.values()))


if __name__ == "__main__":
    main(
        tuple(sys.argv[1].split(",")) if len(sys.argv) > 1 else ("numba", "c", "jax"),
        sys.argv[2] if len(sys.argv) > 2 else "prior",
    )
