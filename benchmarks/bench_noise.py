"""The harness's own noise: the same compiled function timed as A and as B.

Run: ``./dev bench bench_noise.py``. For every zoo model and backend, the
logp + gradient function is compiled once and time_ab() times it against
itself with the default settings; the median ratio should lie within ±3%.
Figures go to benchmarks/results/noise.json.
"""

import json
from pathlib import Path

import numpy as np
import pytensor

from rewritelab.core.models import model_graph
from rewritelab.core.targets import load_target
from rewritelab.measure.bench import BACKENDS
from rewritelab.measure.timing import time_ab

HERE = Path(__file__).parent


def main() -> dict:
    out = {}
    for f in sorted((HERE / "models").glob("*.py")):
        model = load_target(str(f)).model
        g = model_graph(model, "logp+grad")
        point = model.initial_point()
        args = [np.asarray(point[v.name], dtype=v.type.dtype) for v in g.inputs]
        for backend, mode in BACKENDS.items():
            fn = pytensor.function(list(g.inputs), list(g.outputs), mode=mode)
            t = time_ab(fn, fn, args)
            out[f"{f.stem} {backend}"] = {
                "ratio": t.speedup,
                "ci": [t.ci_low, t.ci_high],
                "us_per_call": t.median_a * 1e6,
            }
            print(
                f"{f.stem:28s} {backend:6s} {t.speedup:.4f} [{t.ci_low:.4f}, {t.ci_high:.4f}]",
                flush=True,
            )
    worst = max(abs(v["ratio"] - 1) for v in out.values())
    print(f"worst |ratio - 1| = {worst:.4f} (goal <= 0.03)")
    return {"rows": out, "worst_abs_deviation": worst}


if __name__ == "__main__":
    r = main()
    (HERE / "results" / "noise.json").write_text(json.dumps(r, indent=2))
