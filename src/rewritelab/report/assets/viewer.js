// rewritelab's graph viewer: one self-contained page, no network.
// Data: the JSON in #rl-data ({title, views: [{name, graph: {nodes, edges,
// changes}, positions?}]}); layout: Graphviz positions when given, else dagre.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("rl-data").textContent);
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.getElementById("rl-svg");
  const scene = document.getElementById("rl-scene");
  const panel = document.getElementById("rl-panel");
  const status = document.getElementById("rl-status");
  const search = document.getElementById("rl-search");
  const stepLabel = document.getElementById("rl-step");
  const viewSelect = document.getElementById("rl-view");
  const showSelect = document.getElementById("rl-show");
  const COLLAPSE_ABOVE = data.collapse_above || 600;
  let view = null, layout = null, step = -1, collapsed = new Set(), matches = [], hit = -1;
  let box = { x: 0, y: 0, w: 100, h: 100 };

  function el(name, attrs, parent) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function visibleGraph() {
    // The nodes shown: those of the chosen side, with collapsed groups as one node each.
    const show = showSelect.value;
    const hidden = (n) => (show === "before" && n.status === "added") ||
      (show === "after" && n.status === "removed");
    const owner = {}, nodes = [], edges = [], seenGroup = {};
    for (const n of view.graph.nodes) {
      if (hidden(n)) continue;
      if (n.group && collapsed.has(n.group)) {
        const gid = "group:" + n.group;
        owner[n.id] = gid;
        if (!seenGroup[gid]) {
          seenGroup[gid] = { id: gid, label: n.group + " …", kind: "group", status: "kept",
            group: n.group, members: 0, changed: 0 };
          nodes.push(seenGroup[gid]);
        }
        seenGroup[gid].members += 1;
        if (n.status !== "kept") seenGroup[gid].changed += 1;
      } else {
        owner[n.id] = n.id;
        nodes.push(n);
      }
    }
    const seen = new Set();
    for (const e of view.graph.edges) {
      const s = owner[e.source], t = owner[e.target];
      if (!s || !t || s === t) continue;
      const key = s + "\u0000" + t;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ source: s, target: t, status: e.status });
    }
    for (const g of Object.values(seenGroup)) {
      g.label = `${g.group} (${g.members} nodes${g.changed ? ", " + g.changed + " changed" : ""})`;
      if (g.changed) g.status = "rewired";
    }
    return { nodes, edges, owner };
  }

  function size(n) {
    const lines = String(n.label).split("\n");
    const width = Math.max(...lines.map((l) => l.length)) * 7 + 18;
    return { width: Math.max(width, 40), height: 16 * lines.length + 10 };
  }

  function computeLayout(g) {
    const t0 = performance.now();
    const dg = new dagre.graphlib.Graph({ multigraph: false, compound: false });
    dg.setGraph({ rankdir: "TB", nodesep: 18, ranksep: 34, marginx: 20, marginy: 20 });
    dg.setDefaultEdgeLabel(() => ({}));
    for (const n of g.nodes) dg.setNode(n.id, size(n));
    for (const e of g.edges) dg.setEdge(e.source, e.target);
    dagre.layout(dg);
    const pos = {};
    for (const n of g.nodes) pos[n.id] = dg.node(n.id);
    const paths = g.edges.map((e) => dg.edge(e.source, e.target).points);
    return { pos, paths, width: dg.graph().width, height: dg.graph().height,
      ms: performance.now() - t0 };
  }

  function draw() {
    const g = visibleGraph();
    layout = computeLayout(g);
    layout.graph = g;
    scene.textContent = "";
    const edgeLayer = el("g", { class: "edges" }, scene);
    g.edges.forEach((e, i) => {
      const pts = layout.paths[i].map((p) => `${p.x},${p.y}`).join(" ");
      el("polyline", { points: pts, class: "edge " + e.status, "marker-end": "url(#rl-arrow)" },
        edgeLayer);
    });
    const nodeLayer = el("g", { class: "nodes" }, scene);
    for (const n of g.nodes) {
      const p = layout.pos[n.id];
      const grp = el("g", { class: `node ${n.kind} ${n.status} style-${n.style || "other"}`,
        "data-id": n.id, transform: `translate(${p.x - p.width / 2},${p.y - p.height / 2})` },
        nodeLayer);
      const rect = el("rect", { width: p.width, height: p.height,
        rx: n.kind === "apply" ? 4 : p.height / 2 }, grp);
      if (typeof n.time === "number") {  // the profile overlay: share of the run time
        rect.style.fill = `rgba(255, 120, 0, ${Math.min(1, 0.08 + 2.5 * n.time)})`;
        grp.classList.add("timed");
      }
      if (typeof n.ulps === "number" && n.ulps > 2) {  // the accuracy overlay
        rect.style.fill = `rgba(220, 30, 60, ${errorShade(n.ulps)})`;
        grp.classList.add("inexact");
      }
      if (n.counterexample) grp.classList.add("counterexample");
      String(n.label).split("\n").forEach((line, i) => {
        const t = el("text", { x: p.width / 2, y: 16 + i * 16, "text-anchor": "middle" }, grp);
        t.textContent = line;
      });
      grp.addEventListener("click", (ev) => { ev.stopPropagation(); select(n); });
    }
    status.textContent = `${view.name}: ${g.nodes.length} nodes drawn ` +
      `(${view.graph.nodes.length} in the graph), laid out in ${Math.round(layout.ms)} ms`;
    status.dataset.drawn = String(g.nodes.length);
    status.dataset.ready = "true";
    fit();
    applyStep();
    runSearch();
  }

  function setBox(b) {
    box = b;
    svg.setAttribute("viewBox", `${b.x} ${b.y} ${b.w} ${b.h}`);
  }

  function fit() {
    // The whole graph, unless that would make it a thin strip: then its
    // start at a readable scale (drag to pan along it).
    const aspect = svg.clientWidth / Math.max(svg.clientHeight, 1);
    let w = Math.max(layout.width, 200), h = Math.max(layout.height, 200);
    if (w / h > 4 * aspect) {
      w = Math.max(h * aspect, 1200);
      h = w / aspect;
    } else if (h / w > 4 / aspect) {
      h = Math.max(w / aspect, 900);
      w = h * aspect;
    }
    setBox({ x: 0, y: 0, w, h });
  }

  function centre(ids) {
    // Frame the nodes; a change spread wider than a screen is framed at a
    // readable scale around its Apply nodes' middle.
    const shown = ids.map((id) => layout.graph.owner[id] || id);
    const applies = shown.filter((id) => {
      const n = layout.graph.nodes.find((m) => m.id === id);
      return n && n.kind !== "root" && n.kind !== "output";
    });
    const ps = (applies.length ? applies : shown).map((id) => layout.pos[id]).filter(Boolean);
    if (!ps.length) return;
    const x0 = Math.min(...ps.map((p) => p.x - p.width / 2)) - 80;
    const x1 = Math.max(...ps.map((p) => p.x + p.width / 2)) + 80;
    const y0 = Math.min(...ps.map((p) => p.y - p.height / 2)) - 80;
    const y1 = Math.max(...ps.map((p) => p.y + p.height / 2)) + 80;
    const aspect = svg.clientWidth / Math.max(svg.clientHeight, 1);
    let w = Math.min(Math.max(x1 - x0, 500), 1800), h = Math.min(Math.max(y1 - y0, 350), 1100);
    if (w / h > aspect) h = w / aspect; else w = h * aspect;
    const cx = ps.reduce((a, p) => a + p.x, 0) / ps.length;
    const cy = ps.reduce((a, p) => a + p.y, 0) / ps.length;
    setBox({ x: cx - w / 2, y: cy - h / 2, w, h });
  }

  function nodeEls(ids) {
    const want = new Set(ids.map((id) => layout.graph.owner[id] || id));
    return [...scene.querySelectorAll("g.node")].filter((g) => want.has(g.dataset.id));
  }

  function select(n) {
    scene.querySelectorAll("g.node.selected").forEach((g) => g.classList.remove("selected"));
    nodeEls([n.id]).forEach((g) => g.classList.add("selected"));
    const rows = [["node", n.id], ["status", n.status], ["op", n.op], ["op type", n.op_type],
      ["name", n.name], ["dtype", n.dtype], ["shape", n.shape], ["role", n.role],
      ["role of", n.role_of], ["value", n.value === undefined || n.value === null ? null :
        JSON.stringify(n.value)], ["term", n.group], ["rule", n.rule],
      ["before id", n.before], ["after id", n.after],
      ["time", n.time === undefined ? null : `${(100 * n.time).toFixed(1)}% of the run`],
      ["local error", n.error || null],
      ["counterexample", n.counterexample || null]];
    if (n.kind === "group") rows.push(["members", n.members], ["changed", n.changed]);
    panel.innerHTML = "<h2></h2><table></table>" +
      (n.kind === "group" ? '<button id="rl-expand">expand this term</button>' : "");
    panel.querySelector("h2").textContent = n.label;
    const table = panel.querySelector("table");
    for (const [k, v] of rows) {
      if (v === null || v === undefined || v === "") continue;
      const tr = table.insertRow();
      tr.insertCell().textContent = k;
      tr.insertCell().textContent = String(v);
    }
    const expand = panel.querySelector("#rl-expand");
    if (expand) expand.addEventListener("click", () => { collapsed.delete(n.group); draw(); });
  }

  function applyStep() {
    scene.querySelectorAll("g.node.focus").forEach((g) => g.classList.remove("focus"));
    const changes = view.graph.changes;
    if (step < 0 || step >= changes.length) {
      stepLabel.textContent = changes.length ? `${changes.length} changes: step through them` :
        "no changes";
      svg.classList.remove("stepping");
      return;
    }
    const c = changes[step];
    svg.classList.add("stepping");
    nodeEls(c.nodes).forEach((g) => g.classList.add("focus"));
    stepLabel.textContent = `change ${step + 1} of ${changes.length}: ${c.rule}`;
    stepLabel.dataset.step = String(step);
    centre(c.nodes);
  }

  function runSearch() {
    scene.querySelectorAll("g.node.match").forEach((g) => g.classList.remove("match"));
    const q = search.value.trim().toLowerCase();
    matches = [];
    hit = -1;
    if (!q) { document.getElementById("rl-found").textContent = ""; return; }
    const text = (n) => [n.label, n.op, n.name, n.group, n.rule].join(" ").toLowerCase();
    const all = layout.graph.nodes.filter((n) => text(n).includes(q));
    matches = all.map((n) => n.id);
    nodeEls(matches).forEach((g) => g.classList.add("match"));
    document.getElementById("rl-found").textContent = `${matches.length} found`;
  }

  // the key above the graph: what its colours mean in this view
  const legend = document.querySelector(".legend");
  const changeKey = legend.innerHTML;
  function errorShade(ulps) { return Math.min(1, 0.15 + Math.log10(ulps) / 12); }
  function showKey() {
    if (!view.graph.nodes.some((n) => typeof n.ulps === "number")) {
      legend.innerHTML = changeKey;
      return;
    }
    legend.innerHTML = "local error, ULPs: ";
    for (const [label, ulps] of [["\u2264 2", 0], ["100", 100], ["10\u2074", 1e4],
                                  ["10\u2078", 1e8], ["\u2265 10\u00b9\u00b2", 1e12]]) {
      const s = document.createElement("span");
      s.textContent = label;
      s.className = "error-scale";
      if (ulps > 2) s.style.background = `rgba(220, 30, 60, ${errorShade(ulps)})`;
      legend.appendChild(s);
    }
  }

  function chooseView(i) {
    view = data.views[i];
    showKey();
    step = -1;
    showSelect.value = view.show || "both";
    const groups = new Set(view.graph.nodes.map((n) => n.group).filter(Boolean));
    collapsed = view.graph.nodes.length > COLLAPSE_ABOVE ? groups : new Set();
    draw();
  }

  data.views.forEach((v, i) => {
    const o = document.createElement("option");
    o.value = String(i);
    o.textContent = v.name;
    viewSelect.appendChild(o);
  });
  viewSelect.addEventListener("change", () => chooseView(Number(viewSelect.value)));
  showSelect.addEventListener("change", draw);
  document.getElementById("rl-next").addEventListener("click", () => {
    step = Math.min(step + 1, view.graph.changes.length - 1); applyStep();
  });
  document.getElementById("rl-prev").addEventListener("click", () => {
    step = Math.max(step - 1, -1); applyStep(); if (step < 0) fit();
  });
  document.getElementById("rl-fit").addEventListener("click", fit);
  document.getElementById("rl-collapse").addEventListener("click", () => {
    const groups = new Set(view.graph.nodes.map((n) => n.group).filter(Boolean));
    collapsed = collapsed.size ? new Set() : groups;
    draw();
  });
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" || !matches.length) return;
    hit = (hit + 1) % matches.length;
    centre([matches[hit]]);
    const n = layout.graph.nodes.find((m) => m.id === matches[hit]);
    if (n) select(n);
  });
  // pan and zoom
  let drag = null;
  svg.addEventListener("mousedown", (ev) => { drag = { x: ev.clientX, y: ev.clientY, box }; });
  window.addEventListener("mouseup", () => { drag = null; });
  window.addEventListener("mousemove", (ev) => {
    if (!drag) return;
    const k = drag.box.w / svg.clientWidth;
    setBox({ ...drag.box, x: drag.box.x - (ev.clientX - drag.x) * k,
      y: drag.box.y - (ev.clientY - drag.y) * k });
  });
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const f = ev.deltaY > 0 ? 1.2 : 1 / 1.2;
    const r = svg.getBoundingClientRect();
    const mx = box.x + ((ev.clientX - r.left) / r.width) * box.w;
    const my = box.y + ((ev.clientY - r.top) / r.height) * box.h;
    setBox({ x: mx - (mx - box.x) * f, y: my - (my - box.y) * f, w: box.w * f, h: box.h * f });
  }, { passive: false });
  if (!data.views.length || !data.views[0].graph.nodes.length) {
    status.textContent = data.empty || "nothing to draw";
    status.dataset.ready = "true";
    status.dataset.drawn = "0";
  } else {
    chooseView(0);
  }
})();
