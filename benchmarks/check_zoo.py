"""Every zoo model's check_model with the shipped library.

Run: ``./dev bench check_zoo.py``. For each model in benchmarks/models/,
:func:`rewritelab.check_model` compares the logp, every term and the
gradient before and after the library's rules (initial point, prior draws,
Hypothesis points), at both stages: on the graphs as PyMC builds them, and
after PyTensor's own rewrites up to where the rules run when compiling
(rules that match PyTensor's forms, such as softplus, fire only there).
``unchanged`` means no rule fires at that stage. Figures go to
benchmarks/results/check_zoo.{json,md}.
"""

import json
import time
from itertools import product
from pathlib import Path

from zoo import model_files

import rewritelab as rl
from rewritelab.check.model import STAGES
from rewritelab.core.targets import load_target
from rewritelab.report.tables import markdown_table

HERE = Path(__file__).parent


def main() -> list[dict]:
    rows = []
    library = rl.library()
    for f, stage in product(model_files(), STAGES):
        t = time.perf_counter()
        row = {"model": f.stem, "stage": stage, "fired": [], "points": {}}
        row["counterexample"] = ""
        try:
            model = load_target(str(f)).model
            report = rl.check_model(model, library, stage=stage)
        except Exception as exc:  # reported, and the other models still run
            row |= {"verdict": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            row |= {
                "verdict": report.verdict,
                "fired": list(report.fired),
                "points": dict(report.points),
                "counterexample": str(report.counterexample or "")[:2000],
            }
        row["seconds"] = time.perf_counter() - t
        rows.append(row)
        print(
            f"{f.stem:26s} {stage:9s} {row['verdict']:14s} {', '.join(row['fired'])}"
            f"{row.get('error', '')[:120]}",
            flush=True,
        )
    return rows


def to_markdown(rows: list[dict]) -> str:
    head = ("model", "stage", "verdict", "rules fired", "seconds", "")
    return markdown_table(
        head,
        (
            (
                r["model"],
                r["stage"],
                r["verdict"],
                ", ".join(r["fired"]),
                f"{r['seconds']:.1f}",
                r.get("error", "")[:160],
            )
            for r in rows
        ),
    )


if __name__ == "__main__":
    result = main()
    out = HERE / "results"
    (out / "check_zoo.json").write_text(json.dumps(result, indent=2))
    (out / "check_zoo.md").write_text(to_markdown(result) + "\n")
