"""apply() with the shipped library against a bare EquilibriumGraphRewriter.

Run: ``./dev bench bench_apply.py``. The target is the logp + gradient graph
of a hierarchical model with more than 10,000 Apply nodes. Both sides clone
the graph into a FunctionGraph and run PyTensor's EquilibriumGraphRewriter
with the same rewriters; apply() adds its tracking (named wrappers that check
every replacement, the firing log, node ids, the result). Interleaved rounds
after a warm-up, medians reported; figures go to benchmarks/results/apply.json.
"""

import json
import statistics
import time
from pathlib import Path

import numpy as np
import pymc as pm
from pytensor.graph.fg import FunctionGraph
from pytensor.graph.rewriting.basic import EquilibriumGraphRewriter
from pytensor.graph.traversal import io_toposort

import rewritelab as rl


def big_model(groups: int = 120) -> pm.Model:
    """Many small groups, each with its own scale and observations: PyMC
    builds a separate logp term (and gradient) for every variable."""
    rng = np.random.default_rng(0)
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 5)
        for g in range(groups):
            s = pm.HalfNormal(f"s{g}", 2)
            m = pm.Normal(f"m{g}", mu, s)
            pm.StudentT(f"y{g}", nu=4, mu=m, sigma=s, observed=rng.normal(size=5))
    return model


def plain(target, rules):
    fg = FunctionGraph(
        list(target.inputs), list(target.outputs), clone=True, copy_inputs=False
    )
    EquilibriumGraphRewriter([r.rewriter for r in rules], max_use_ratio=8).rewrite(fg)
    return fg


def main(rounds: int = 7) -> dict:
    target = rl.model_graph(big_model(), "logp+grad")
    rules = rl.library()
    n_apply = len(io_toposort(list(target.inputs), list(target.outputs)))
    result = rl.apply(target, rules)  # warm-up
    fg = plain(target, rules)
    assert len(fg.apply_nodes) == len(result.fgraph.apply_nodes)
    ours, theirs = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        plain(target, rules)
        theirs.append(time.perf_counter() - t)
        t = time.perf_counter()
        rl.apply(target, rules)
        ours.append(time.perf_counter() - t)
    out = {
        "n_apply": n_apply,
        "rules": len(rules),
        "firings": len(result.firings),
        "plain_equilibrium_s": statistics.median(theirs),
        "rewritelab_apply_s": statistics.median(ours),
    }
    out["ratio"] = out["rewritelab_apply_s"] / out["plain_equilibrium_s"]
    return out


if __name__ == "__main__":
    r = main()
    path = Path(__file__).parent / "results" / "apply.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(r, indent=2))
    print(
        f"logp+grad with {r['n_apply']:,} applies, {r['rules']} rules, "
        f"{r['firings']} firings: apply {r['rewritelab_apply_s']:.3f} s, plain "
        f"EquilibriumGraphRewriter {r['plain_equilibrium_s']:.3f} s, "
        f"ratio {r['ratio']:.2f}x (goal <= 1.2x)"
    )
