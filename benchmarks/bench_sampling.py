"""Sampling with and without the shipped rules: the zoo's logistic regression
and stochastic volatility model, the same seeds.

Run: ``./dev bench bench_sampling.py [DRAWS] [SEEDS] [SAMPLER]`` (defaults
500, 0,1 and pymc; nutpie is the other). Writes
benchmarks/results/sampling_SAMPLER.json and prints each report.
"""

import json
import sys
from pathlib import Path

from zoo import MODELS

import rewritelab as rl
from rewritelab.core.targets import load_target

HERE = Path(__file__).parent


def main(draws: int = 500, seeds: tuple[int, ...] = (0, 1), sampler="pymc") -> list:
    out = []
    for name in ("logistic", "stochastic_volatility"):
        report = rl.bench_sampling(
            load_target(str(MODELS / f"{name}.py")),
            rl.library(),
            draws=draws,
            tune=draws,
            seeds=seeds,
            name=name,
            sampler=sampler,
        )
        print(report, flush=True)
        out.append(report.to_dict())
    return out


if __name__ == "__main__":
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    seeds = (
        tuple(int(s) for s in sys.argv[2].split(",")) if len(sys.argv) > 2 else (0, 1)
    )
    sampler = sys.argv[3] if len(sys.argv) > 3 else "pymc"
    result = main(draws, seeds, sampler)
    out = HERE / "results" / f"sampling_{sampler}.json"
    out.write_text(json.dumps(result, indent=2))
