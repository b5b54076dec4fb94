"""to_networkx on a 100,000-Apply graph against PyTensor's own io_toposort.

Run: ``./dev bench bench_to_networkx.py``. For each kind of target (a
Variable, a list of Variables, a FunctionGraph) both are timed side by side in
this one process, interleaved, after a warm-up. Each round's ratio is
to_networkx / io_toposort of that round; the median and the range of the ratios
over the rounds are reported. Results are freed outside the timed region (a
100,000-node graph takes ~0.1 s to free, which is not conversion time). The
figures are written to benchmarks/results/to_networkx.json.
"""

import gc
import json
import statistics
import sys
import time
from pathlib import Path

import pytensor.tensor as pt
from pytensor.graph.fg import FunctionGraph
from pytensor.graph.traversal import io_toposort

from rewritelab import to_networkx

GOAL_SECONDS, GOAL_RATIO = 1.0, 2.0


def chain(n_apply: int):
    """A long elementwise chain mixing unary and binary ops (x used n/2 times)."""
    x = pt.dvector("x")
    y = x
    for i in range(n_apply):
        y = pt.exp(y) if i % 2 else y * x
    return x, y


def targets(n_apply: int) -> dict:
    """The same graph as each kind of target, with the inputs io_toposort is given."""
    x, y = chain(n_apply)
    half = y.owner.inputs[0]  # a second output inside the graph
    fg = FunctionGraph([x], [y], clone=False)
    return {
        "variable": (y, [x], [y]),
        "list": ([y, half], [x], [y, half]),
        "fgraph": (fg, list(fg.inputs), list(fg.outputs)),
    }


def timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def measure(target, inputs, outputs, rounds: int) -> dict:
    to_networkx(target)  # warm-up: imports, caches
    topo, conv, ratios = [], [], []
    for _ in range(rounds):
        t_topo, order = timed(lambda: io_toposort(inputs, outputs))
        t_conv, graph = timed(lambda: to_networkx(target))
        n_nodes, n_edges = graph.number_of_nodes(), graph.number_of_edges()
        n_apply = len(order)
        del order, graph
        gc.collect()
        topo.append(t_topo)
        conv.append(t_conv)
        ratios.append(t_conv / t_topo)
    return {
        "n_apply": n_apply,
        "n_nodes": n_nodes,
        "n_edges": n_edges,
        "rounds": rounds,
        "io_toposort_s": statistics.median(topo),
        "to_networkx_s": statistics.median(conv),
        "ratio": statistics.median(ratios),
        "ratio_range": [min(ratios), max(ratios)],
        "met": statistics.median(conv) <= GOAL_SECONDS
        and statistics.median(ratios) <= GOAL_RATIO,
    }


def main(n_apply: int = 100_000, rounds: int = 7) -> dict:
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    results = {}
    for kind, (target, inputs, outputs) in targets(n_apply).items():
        results[kind] = measure(target, inputs, outputs, rounds)
        r = results[kind]
        print(
            f"{kind:9} {r['n_apply']:,} applies ({r['n_nodes']:,} nodes, "
            f"{r['n_edges']:,} edges): to_networkx {r['to_networkx_s']:.3f} s, "
            f"io_toposort {r['io_toposort_s']:.3f} s, ratio {r['ratio']:.2f}x "
            f"[{r['ratio_range'][0]:.2f}, {r['ratio_range'][1]:.2f}] "
            f"(goal <= {GOAL_SECONDS:g} s and <= {GOAL_RATIO:g}x: "
            f"{'met' if r['met'] else 'not met'})",
            flush=True,
        )
    return {"goal": {"seconds": GOAL_SECONDS, "ratio": GOAL_RATIO}, **results}


if __name__ == "__main__":
    out = Path(__file__).parent / "results" / "to_networkx.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(main(), indent=2))
