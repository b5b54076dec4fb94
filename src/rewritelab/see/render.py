"""Pictures of graphs: DOT always; SVG/PNG/PDF through Graphviz or matplotlib."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
from matplotlib.figure import Figure

from rewritelab.core.errors import RewritelabError
from rewritelab.see.analysis import GraphDiff, as_networkx, diff

__all__ = [
    "Picture",
    "picture_graph",
    "to_dot",
    "render",
    "render_diff",
    "IMAGE_FORMATS",
]

IMAGE_FORMATS = (".svg", ".png", ".pdf", ".dot")

# Fill colours by kind of node; the legend of every picture.
COLOURS = {
    "input": "#ffe8a3",
    "constant": "#eeeeee",
    "output": "#c9f2c7",
    "Elemwise": "#dbe9ff",
    "CAReduce": "#f5d7ff",
    "Sum": "#f5d7ff",
    "DimShuffle": "#f2f2f2",
    "random": "#d4f7ee",
    "other": "#ffffff",
    "added": "#7fdc7f",
    "removed": "#ff8c8c",
    "rewired": "#ffd27f",
}


@dataclass(frozen=True)
class Picture:
    """Files written by :func:`render`: the DOT source and the image."""

    dot: Path
    image: Path | None
    engine: str


def picture_graph(graph: Any) -> nx.DiGraph:
    """The graph as people read it: Apply nodes, roots and outputs only.

    Intermediate variables become edges between the Apply nodes; inputs,
    constants and outputs stay as their own nodes. Each node has ``label``
    and ``style`` (a key of the colour table). Inner-graph nodes are dropped.
    """
    g = as_networkx(graph)
    pic = nx.DiGraph()
    for n, d in g.nodes(data=True):
        if "parent" in d:
            continue
        if d["kind"] == "apply":
            style = d["op_type"] if d["op_type"] in COLOURS else "other"
            if "RandomVariable" in d["op_type"] or d["op_type"].endswith("RV"):
                style = "random"
            pic.add_node(n, label=_short(d["op"]), style=style, kind="apply")
        elif g.in_degree(n) == 0:
            if d["is_constant"]:
                value = d.get("value", "…")
                text = d.get("name") or (
                    str(value) if not isinstance(value, list) else "[…]"
                )
                if d.get("role"):
                    text = f"{text}\n({d['role'].replace('_', ' ')})"
                pic.add_node(n, label=_short(text), style="constant", kind="root")
            else:
                label = d.get("name") or d["type"]
                if d.get("role"):
                    label = f"{label}\n({d['role'].replace('_', ' ')})"
                pic.add_node(n, label=label, style="input", kind="root")
        if d["kind"] == "variable" and d["is_output"]:
            out = f"{n}:out"
            pic.add_node(
                out,
                label=d.get("name") or f"out {d.get('output_index', 0)}",
                style="output",
                kind="output",
            )
            src = n if g.in_degree(n) == 0 else next(iter(g.predecessors(n)))
            pic.add_edge(src, out)
    for v, d in g.nodes(data=True):
        if d["kind"] != "variable" or "parent" in d:
            continue
        owners = list(g.predecessors(v))
        src = owners[0] if owners else v
        for consumer in g.successors(v):
            pic.add_edge(src, consumer)
    return pic


def _short(text: str, limit: int = 26) -> str:
    return "\n".join(
        line if len(line) <= limit else line[: limit - 1] + "…"
        for line in text.split("\n")
    )


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _dot_body(pic: nx.DiGraph, prefix: str, marked: dict[str, str]) -> list[str]:
    lines = []
    for n, d in pic.nodes(data=True):
        style = marked.get(n, d["style"])
        shape = {"apply": "box", "root": "ellipse", "output": "doubleoctagon"}[
            d["kind"]
        ]
        lines.append(
            f'  "{prefix}{n}" [label="{_dot_escape(d["label"])}", shape={shape}, '
            f'style="filled,rounded", fillcolor="{COLOURS[style]}"];'
        )
    for u, v in pic.edges():
        lines.append(f'  "{prefix}{u}" -> "{prefix}{v}";')
    return lines


def to_dot(graph: Any, *, title: str = "", marked: dict[str, str] | None = None) -> str:
    """Graphviz DOT text of :func:`picture_graph` (``marked``: id -> style)."""
    pic = picture_graph(graph)
    head = [
        "digraph G {",
        '  graph [rankdir=TB, fontname="Helvetica", labelloc=t, '
        f'size="{MAX_INCHES},{MAX_INCHES}", label="{_dot_escape(title)}"];',
        '  node [fontname="Helvetica", fontsize=10];',
        "  edge [arrowsize=0.6];",
    ]
    return "\n".join([*head, *_dot_body(pic, "", marked or {}), "}"]) + "\n"


def _layers(pic: nx.DiGraph) -> dict[str, int]:
    """Longest-path layering; roots sit just above their first consumer."""
    layer: dict[str, int] = {}
    for n in nx.topological_sort(pic):
        layer[n] = 1 + max((layer[p] for p in pic.predecessors(n)), default=-1)
    for n in pic.nodes:
        if pic.in_degree(n) == 0 and pic.out_degree(n) > 0:
            layer[n] = min(layer[s] for s in pic.successors(n)) - 1
    return layer


def _barycentre(x: dict[str, float], neighbours: Any, n: str) -> float:
    xs = [x[m] for m in neighbours(n) if m in x]
    return sum(xs) / len(xs) if xs else x.get(n, 0.0)


def _positions(pic: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Layered layout; three barycentre sweeps (down, up, down) order each row."""
    layer = _layers(pic)
    rows: dict[int, list[str]] = {}
    for n in nx.topological_sort(pic):
        rows.setdefault(layer[n], []).append(n)
    x: dict[str, float] = {}
    sweeps = [
        (sorted(rows), pic.predecessors),
        (sorted(rows, reverse=True), pic.successors),
        (sorted(rows), pic.predecessors),
    ]
    for depths, neighbours in sweeps:
        for depth in depths:
            row = rows[depth]
            row.sort(key=lambda n, nb=neighbours: _barycentre(x, nb, n))
            for i, n in enumerate(row):
                x[n] = i - (len(row) - 1) / 2
    return {n: (x[n] * 1.9, -layer[n]) for n in pic.nodes}


def _draw(ax: Any, pic: nx.DiGraph, marked: dict[str, str], title: str) -> None:
    pos = _positions(pic)
    nx.draw_networkx_edges(
        pic,
        pos,
        ax=ax,
        arrows=True,
        arrowsize=8,
        edge_color="#777777",
        width=0.7,
        node_size=900,
        min_source_margin=8,
        min_target_margin=12,
    )
    for n, d in pic.nodes(data=True):
        style = marked.get(n, d["style"])
        box = "round,pad=0.3" if d["kind"] == "apply" else "ellipse,pad=0.25"
        weight = (
            "bold" if style in ("added", "removed", "rewired", "output") else "normal"
        )
        ax.text(
            *pos[n],
            d["label"],
            ha="center",
            va="center",
            fontsize=7,
            fontweight=weight,
            zorder=3,
            bbox={"boxstyle": box, "fc": COLOURS[style], "ec": "#444444", "lw": 0.6},
        )
    ax.set_title(title, fontsize=11)
    ax.set_axis_off()
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    ax.set_xlim(min(xs) - 1.9, max(xs) + 1.9)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)


def _extent(pic: nx.DiGraph) -> tuple[float, float]:
    layer = _layers(pic) or {None: 0}
    widths: dict[int, int] = {}
    for v in layer.values():
        widths[v] = widths.get(v, 0) + 1
    return max(widths.values(), default=1) * 1.45 + 1.5, len(widths) * 0.62 + 1.2


def _matplotlib(
    panels: list[tuple[nx.DiGraph, dict[str, str], str]], path: Path
) -> None:
    sizes = [_extent(p) for p, _, _ in panels]
    width = min(sum(w for w, _ in sizes), MAX_INCHES)
    height = min(max(h for _, h in sizes), MAX_INCHES)
    fig = Figure(figsize=(max(width, 4), max(height, 3)))
    axes = fig.subplots(
        1,
        len(panels),
        gridspec_kw={"width_ratios": [w for w, _ in sizes]},
        squeeze=False,
    )
    for ax, (pic, marked, title) in zip(axes[0], panels, strict=True):
        _draw(ax, pic, marked, title)
    fig.tight_layout()
    fig.savefig(path, dpi=110 if path.suffix == ".png" else None)


def _graphviz(dot_text: str, path: Path) -> bool:
    exe = shutil.which("dot")
    if exe is None:
        return False
    result = subprocess.run(
        [exe, f"-T{path.suffix[1:]}", "-o", str(path)],
        input=dot_text,
        text=True,
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _check_path(path: str | Path) -> Path:
    p = Path(path)
    if p.suffix.lower() not in IMAGE_FORMATS:
        raise RewritelabError(
            f"cannot draw to {p.name}: the file must end in one of "
            + ", ".join(IMAGE_FORMATS)
        )
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def _dot_or_graphviz(dot_text: str, p: Path, engine: str) -> Picture | None:
    """Write the DOT source beside ``p``; the Picture if that is all that was
    asked for or Graphviz drew ``p``, else None (matplotlib's turn)."""
    dot_path = p.with_suffix(".dot")
    dot_path.write_text(dot_text)
    if p.suffix == ".dot":
        return Picture(dot=dot_path, image=None, engine="dot-source")
    if engine in ("auto", "graphviz") and _graphviz(dot_text, p):
        return Picture(dot=dot_path, image=p, engine="graphviz")
    return None


def render(
    graph: Any, path: str | Path, *, title: str = "", engine: str = "auto"
) -> Picture:
    """Draw a graph target to ``path`` (.svg, .png, .pdf or .dot).

    The DOT source is always written beside the image (``path.dot``). With
    ``engine="auto"`` Graphviz's ``dot`` draws when it is installed and a
    layered matplotlib drawing otherwise; ``"graphviz"`` or ``"matplotlib"``
    force one.

    Examples
    --------
    >>> import tempfile, pytensor.tensor as pt
    >>> x = pt.dvector("x")
    >>> pic = render(pt.log(pt.exp(x)), tempfile.mkdtemp() + "/g.png")
    >>> pic.image.exists(), pic.dot.exists()
    (True, True)
    """
    p = _check_path(path)
    g = as_networkx(graph)
    title = title or str(g.graph.get("name", ""))
    dot_text = to_dot(g, title=title)
    done = _dot_or_graphviz(dot_text, p, engine)
    if done is not None:
        return done
    if engine == "graphviz":
        raise RewritelabError("Graphviz's `dot` is not installed; use engine='auto'")
    _matplotlib([(picture_graph(g), {}, title)], p)
    return Picture(dot=p.with_suffix(".dot"), image=p, engine="matplotlib")


#: How many steps around a change a diff picture shows.
DIFF_CONTEXT = 2

#: Pictures are scaled to fit this many inches (at 96-110 dpi: ~4,000 px).
MAX_INCHES = 36


def _around(pic: nx.DiGraph, changed: set[str], context: int) -> set[str]:
    """``changed`` and every Apply node of ``pic`` within ``context`` steps of
    one (through Apply nodes: a root read everywhere is no shortcut), with
    the roots and outputs they touch."""
    if not changed:
        return set(pic)
    applies = [n for n, k in pic.nodes(data="kind") if k == "apply"]
    steps = pic.subgraph(applies).to_undirected(as_view=True)
    keep = set(changed & set(pic))
    for n in changed & set(steps):
        keep |= set(nx.single_source_shortest_path_length(steps, n, context))
    undirected = pic.to_undirected(as_view=True)
    for n in list(keep):  # a kept node's own roots and outputs are shown
        keep |= {m for m in undirected[n] if pic.nodes[m]["kind"] != "apply"}
    return keep


def render_diff(
    before: Any,
    after: Any,
    path: str | Path,
    *,
    engine: str = "auto",
    changes: GraphDiff | None = None,
    context: int = DIFF_CONTEXT,
) -> Picture:
    """Draw what changed from ``before`` to ``after``, side by side: removed
    nodes red, added green, rewired (kept, reading a new input) amber, each
    with the rule that caused it, and ``context`` steps of unchanged graph
    around the changes (the whole graph when nothing changed).

    ``changes`` is the diff to draw (:attr:`rewritelab.ApplyResult.diff`
    knows what replaced what); by default :func:`rewritelab.diff` of the
    two graphs. The picture is scaled to at most :data:`MAX_INCHES` inches.
    """
    p = _check_path(path)
    gb, ga = as_networkx(before), as_networkx(after)
    d = changes if changes is not None else diff(gb, ga)
    rewired_before = {d.matched[n] for n in d.rewired_nodes if n in d.matched}
    mb = {n: "removed" for n in d.removed_nodes} | {
        n: "rewired" for n in rewired_before
    }
    ma = {n: "added" for n in d.added_nodes} | {n: "rewired" for n in d.rewired_nodes}
    pb, pa = picture_graph(gb), picture_graph(ga)
    for pic, blame in ((pb, d.blame_before), (pa, d.blame_after)):
        for n, rule in blame.items():
            if n in pic:
                pic.nodes[n]["label"] += "\n[" + _short(rule) + "]"
    shown_b, shown_a = _around(pb, set(mb), context), _around(pa, set(ma), context)
    pb, pa = pb.subgraph(shown_b).copy(), pa.subgraph(shown_a).copy()

    def title(
        side: str, n_apply: int, marked: dict[str, str], shown: nx.DiGraph
    ) -> str:
        counts = Counter(marked.values())
        text = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no change"
        n_shown = sum(1 for _, k in shown.nodes(data="kind") if k == "apply")
        return f"{side}: {n_apply} nodes, {text} (showing {n_shown})"

    title_b = title("before", d.n_apply_before, mb, pb)
    title_a = title("after", d.n_apply_after, ma, pa)
    body = [
        "digraph G {",
        f'  graph [rankdir=TB, fontname="Helvetica", size="{MAX_INCHES},{MAX_INCHES}"];',
        '  node [fontname="Helvetica", fontsize=10];',
        "  edge [arrowsize=0.6];",
        f'  subgraph cluster_before {{ label="{_dot_escape(title_b)}";',
        *_dot_body(pb, "b_", mb),
        "  }",
        f'  subgraph cluster_after {{ label="{_dot_escape(title_a)}";',
        *_dot_body(pa, "a_", ma),
        "  }",
        "}",
    ]
    dot_text = "\n".join(body) + "\n"
    done = _dot_or_graphviz(dot_text, p, engine)
    if done is not None:
        return done
    if engine == "graphviz":
        raise RewritelabError("Graphviz's `dot` is not installed; use engine='auto'")
    _matplotlib([(pb, mb, title_b), (pa, ma, title_a)], p)
    return Picture(dot=p.with_suffix(".dot"), image=p, engine="matplotlib")
