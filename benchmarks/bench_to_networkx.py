"""to_networkx on a 100,000-Apply graph against PyTensor's own io_toposort.

Run: ``./dev bench bench_to_networkx.py``. Both are timed side by side in this
one process, interleaved, after a warm-up; medians of 7 rounds are reported,
and the figures are written to benchmarks/results/to_networkx.json.
"""

import json
import statistics
import sys
import time
from pathlib import Path

import pytensor.tensor as pt
from pytensor.graph.traversal import io_toposort

from rewritelab import to_networkx


def chain(n_apply: int):
    """A long elementwise chain mixing unary and binary ops (x used n/2 times)."""
    x = pt.dvector("x")
    y = x
    for i in range(n_apply):
        y = pt.exp(y) if i % 2 else y * x
    return x, y


def main(n_apply: int = 100_000, rounds: int = 7) -> dict:
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    x, y = chain(n_apply)
    assert len(io_toposort([x], [y])) == n_apply
    to_networkx(y)  # warm-up: imports, caches
    topo, conv = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        io_toposort([x], [y])
        topo.append(time.perf_counter() - t)
        t = time.perf_counter()
        g = to_networkx(y)
        conv.append(time.perf_counter() - t)
    result = {
        "n_apply": n_apply,
        "n_nodes": g.number_of_nodes(),
        "n_edges": g.number_of_edges(),
        "io_toposort_s": statistics.median(topo),
        "to_networkx_s": statistics.median(conv),
    }
    result["ratio"] = result["to_networkx_s"] / result["io_toposort_s"]
    return result


if __name__ == "__main__":
    r = main()
    out = Path(__file__).parent / "results" / "to_networkx.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(r, indent=2))
    print(
        f"{r['n_apply']:,} applies ({r['n_nodes']:,} nodes, {r['n_edges']:,} edges): "
        f"to_networkx {r['to_networkx_s']:.3f} s, io_toposort "
        f"{r['io_toposort_s']:.3f} s, ratio {r['ratio']:.2f}x"
    )
