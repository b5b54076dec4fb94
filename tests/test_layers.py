"""The package's shape: each layer imports only the layers below it.

core -> see -> rewrite -> check -> measure -> discover -> report -> cli, and the facade
(``rewritelab/__init__.py``) on top. No import cycle, no import of the
package's own modules inside a function, and the rule library (rewrites/)
uses only the public names of ``rewritelab``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "src" / "rewritelab"
LAYERS = (
    "core",
    "see",
    "rewrite",
    "check",
    "measure",
    "discover",
    "report",
    "cli",
    "__init__",
)


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__") or parts[0]


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return LAYERS.index("__init__")
    return LAYERS.index(parts[1])


def _imports(tree: ast.Module, module: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for each import of the package."""
    top = set(map(id, tree.body))
    for node in tree.body:  # imports under a module-level `if` count as top level
        if isinstance(node, ast.If):
            top |= set(map(id, node.body)) | set(map(id, node.orelse))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            name = node.module or ""
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")[: -node.level]
                name = ".".join([*base, name] if name else base)
            names = [name]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name == "rewritelab" or name.startswith("rewritelab."):
                found.append((name, node.lineno, id(node) in top))
    return found


def layer_violations(package: Path) -> list[str]:
    """Every breach of the layering in ``package`` (a ``rewritelab`` tree),
    one line each: ``module:line what``."""
    graph = nx.DiGraph()
    problems = []
    for path in sorted(package.rglob("*.py")):
        module = _module_name(path, package)
        graph.add_node(module)
        tree = ast.parse(path.read_text(), filename=str(path))
        for target, line, top in _imports(tree, module):
            where = f"{module}:{line}"
            if not top:
                problems.append(f"{where} imports {target} inside a function")
            if target == "rewritelab" and module != "rewritelab":
                problems.append(f"{where} imports the facade")
                continue
            if _layer(target) > _layer(module):
                problems.append(f"{where} imports {target}, a higher layer")
            graph.add_edge(module, target)
    for cycle in nx.simple_cycles(graph):
        problems.append("import cycle: " + " -> ".join([*cycle, cycle[0]]))
    return problems


def test_the_package_is_layered():
    assert layer_violations(PACKAGE) == []


def test_every_module_lives_in_a_layer():
    loose = [
        p.name
        for p in PACKAGE.glob("*.py")
        if p.stem not in ("__init__", "cli", "__main__")
    ]
    assert loose == []


def test_a_breach_is_found(tmp_path):
    pkg = tmp_path / "rewritelab"
    for layer in ("core", "see"):
        (pkg / layer).mkdir(parents=True)
        (pkg / layer / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "core" / "a.py").write_text("from rewritelab.see.b import f\n")
    (pkg / "see" / "b.py").write_text(
        "from rewritelab.core.a import g\n\ndef f():\n    from . import c\n"
    )
    problems = layer_violations(pkg)
    assert "rewritelab.core.a:1 imports rewritelab.see.b, a higher layer" in problems
    assert "rewritelab.see.b:4 imports rewritelab.see inside a function" in problems
    assert any(p.startswith("import cycle:") for p in problems)


def test_the_rule_library_uses_only_public_names():
    import rewritelab

    public = set(rewritelab.__all__)
    for path in sorted((ROOT / "rewrites").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "rewritelab"
            ):
                assert node.module == "rewritelab", f"{path.name}: {node.module}"
                assert {a.name for a in node.names} <= public, path.name
