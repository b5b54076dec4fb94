"""Discovery on the zoo, starting from no shipped rule.

Run: ``./dev bench discover.py [BUDGET] [MODEL ...]`` (default 60 s of
search per model, every zoo model and the user-style models of
tests/user_models/). For each: ``rl.discover`` (saturation, extraction,
candidates checked, the passing ones checked on the model and timed on the
Numba kernel path against PyTensor's default pipeline), then the shipped
library timed on the same path in the same run for comparison. Writes
benchmarks/results/discover.json and a table in discover_run.md; the
reading of it is benchmarks/results/discover.md, written by hand.
``./dev bench discover.py --tables`` writes the tables again from the JSON.
"""

import json
import math
import sys
import time
from pathlib import Path

from zoo import model_files, target

import rewritelab as rl
from rewritelab.core.targets import load_target
from rewritelab.discover.search import discover
from rewritelab.measure.bench import kernel_row
from rewritelab.report.progress import Steps

HERE = Path(__file__).parent
USER_MODELS = HERE.parent / "tests" / "user_models"


def _targets(names: list[str]) -> list[tuple[str, object]]:
    zoo = [(f.stem, lambda f=f: target(f)) for f in model_files()]
    users = [
        (f"user:{f.stem}", lambda f=f: load_target(str(f)))
        for f in sorted(USER_MODELS.glob("*.py"))
    ]
    chosen = [(n, make) for n, make in zoo + users if not names or n in names]
    return chosen


def _library_row(t: object) -> dict:
    row = kernel_row(t, rl.library())
    if row is None:
        return {"error": "not timed"}
    return {"speedup": row.speedup, "ci": [row.ci_low, row.ci_high]}


def main(budget: float = 60.0, *names: str) -> None:
    chosen = _targets(list(names))
    out, t0 = [], time.perf_counter()
    with Steps("discover", len(chosen)) as steps:
        for i, (name, make) in enumerate(chosen):
            steps.step(i, name)
            t = make()
            started = time.perf_counter()
            try:
                report = discover(t, budget=budget)
            except Exception as exc:  # one model's failure is a row, not the run's end
                out.append({"model": name, "error": f"{type(exc).__name__}: {exc}"})
                _save(out)
                continue
            entry = report.to_dict()
            entry["model"] = name
            entry["wall_seconds"] = time.perf_counter() - started
            entry["library"] = _library_row(t)
            out.append(entry)
            _save(out)
            print(report, flush=True)
    print(tables(out))
    print(f"wall time {(time.perf_counter() - t0) / 60:.1f} min")


def _save(out: list[dict]) -> None:
    """The results so far (a crash later loses nothing)."""
    path = HERE / "results" / "discover.json"
    path.write_text(json.dumps(out, indent=1, default=str))


def _geomean(values: list[float]) -> float:
    return float(math.exp(sum(math.log(v) for v in values) / len(values)))


def tables(out: list[dict]) -> str:
    """The per-model table and the geometric means, written to
    results/discover_run.md. A model where nothing was kept runs without
    rules: its discovered speed-up is 1."""
    lines = [
        "| model | regions | e-nodes | cost ns/el before -> after | extraction "
        "| candidates | kept | discovered, kept | shipped library | s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    found: dict[str, list[tuple[float, float]]] = {"zoo": [], "user": []}
    for e in out:
        if "error" in e:
            lines.append(f"| {e['model']} | {e['error'][:120]} |||||||||")
            continue
        b = e.get("bench") or {}
        if e["kept"] and b:
            kept, ratio = (
                f"{b['speedup']:.3f} [{b['ci_low']:.3f}, {b['ci_high']:.3f}]",
                b["speedup"],
            )
        else:
            kept, ratio = "1 (none kept)", 1.0
        lib = e["library"]
        shipped = (
            f"{lib['speedup']:.3f} [{lib['ci'][0]:.3f}, {lib['ci'][1]:.3f}]"
            if "speedup" in lib
            else lib.get("error", "-")
        )
        if "speedup" in lib:
            kind = "user" if e["model"].startswith("user:") else "zoo"
            found[kind].append((ratio, lib["speedup"]))
        lines.append(
            f"| {e['model']} | {e['regions']} | {e['egraph_nodes']} | "
            f"{e['cost_before']:.0f} -> {e['cost_after']:.0f} | "
            f"{e.get('extractor', 'greedy')} | {len(e['tried'])} | "
            f"{len(e['kept'])} | {kept} | {shipped} | {e['wall_seconds']:.0f} |"
        )
    lines += ["", "| models | n | discovered, geometric mean | shipped library |"]
    lines.append("|---|---|---|---|")
    for kind, pairs in found.items():
        if pairs:
            lines.append(
                f"| {kind} | {len(pairs)} | {_geomean([p[0] for p in pairs]):.3f} "
                f"| {_geomean([p[1] for p in pairs]):.3f} |"
            )
    text = "\n".join(lines) + "\n"
    (HERE / "results" / "discover_run.md").write_text(text)
    return text


if __name__ == "__main__":
    if sys.argv[1:2] == ["--tables"]:
        print(tables(json.loads((HERE / "results" / "discover.json").read_text())))
    else:
        main(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0, *sys.argv[2:])
