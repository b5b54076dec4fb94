"""Rule sets: named, tagged, composable values; loading rules from files."""

from __future__ import annotations

import ast
import importlib.resources
import importlib.util
import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import Any

from rewritelab.core.files import exec_file
from rewritelab.rewrite.rules import Rule, RuleError, as_rule, is_rule_like, source_file

__all__ = ["RuleSet", "load", "library", "rule_set"]


@dataclass(frozen=True)
class RuleSet:
    """An ordered, immutable collection of uniquely named rules.

    Rule sets compose: ``a + b`` joins two sets (a name in both is an error
    naming both locations), ``select`` filters by tags, ``without`` removes.

    Examples
    --------
    >>> from rewritelab.rewrite.rules import pattern
    >>> a = RuleSet.of(pattern("log(exp(x)) -> x", name="log_of_exp", tags="exp"))
    >>> b = RuleSet.of(pattern("exp(log(x)) -> x", name="exp_of_log", tags="unsafe"))
    >>> (a + b).names, (a + b).select(exclude="unsafe").names
    (('log_of_exp', 'exp_of_log'), ('log_of_exp',))
    """

    rules: tuple[Rule, ...] = ()

    def __str__(self) -> str:
        n = len(self.rules)
        lines = [f"{n} rule{'s' * (n != 1)}"]
        for r in self.rules:
            what = r.text or (r.doc.splitlines()[0] if r.doc else "")
            lines.append(f"  {r.name}: {what}" if what else f"  {r.name}")
        return "\n".join(lines)

    def __post_init__(self) -> None:
        seen: dict[str, Rule] = {}
        for r in self.rules:
            if not isinstance(r, Rule):
                raise RuleError(f"a RuleSet holds Rules, not {type(r).__name__}")
            if r.name in seen:
                raise RuleError(
                    f"duplicate rule name {r.name!r}: {seen[r.name].source} "
                    f"and {r.source}"
                )
            seen[r.name] = r

    @classmethod
    def of(cls, *rules: Any) -> RuleSet:
        """A set from Rules, NodeRewriters or other RuleSets."""
        return rule_set(rules)

    def __add__(self, other: Any) -> RuleSet:
        return RuleSet(self.rules + rule_set(other).rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __contains__(self, name: object) -> bool:
        return any(r.name == name for r in self.rules)

    def __getitem__(self, name: str) -> Rule:
        for r in self.rules:
            if r.name == name:
                return r
        raise RuleError(f"no rule named {name!r}; known: {', '.join(self.names)}")

    @property
    def names(self) -> tuple[str, ...]:
        """The rules' names, in order."""
        return tuple(r.name for r in self.rules)

    @property
    def tags(self) -> frozenset[str]:
        """Every tag used in the set."""
        return frozenset(t for r in self.rules for t in r.tags)

    def select(
        self,
        include: str | Iterable[str] = (),
        exclude: str | Iterable[str] = (),
        names: Iterable[str] | None = None,
    ) -> RuleSet:
        """Rules with any tag in ``include`` (all if empty) and none in ``exclude``."""
        inc = {include} if isinstance(include, str) else set(include)
        exc = {exclude} if isinstance(exclude, str) else set(exclude)
        wanted = None if names is None else set(names)
        if wanted is not None and (missing := wanted - set(self.names)):
            raise KeyError(f"no rules named {sorted(missing)}")
        return RuleSet(
            tuple(
                r
                for r in self.rules
                if (not inc or r.tags & inc)
                and not r.tags & exc
                and (wanted is None or r.name in wanted)
            )
        )

    def without(self, *names: str) -> RuleSet:
        """The set minus the named rules (unknown names are an error)."""
        for n in names:
            self[n]
        return RuleSet(tuple(r for r in self.rules if r.name not in names))

    def with_rule(self, rule: Any) -> RuleSet:
        """The set plus one rule."""
        return self + rule_set([rule])

    def to_dict(self) -> list[dict[str, Any]]:
        """JSON-ready descriptions of the rules."""
        return [r.to_dict() for r in self.rules]


def rule_set(rules: Any) -> RuleSet:
    """Coerce a Rule, a NodeRewriter, a RuleSet or an iterable of them."""
    if isinstance(rules, RuleSet):
        return rules
    if is_rule_like(rules):
        return RuleSet((as_rule(rules),))
    if isinstance(rules, str | Path):
        return load(rules)
    try:
        items = list(rules)
    except TypeError:
        raise RuleError(
            f"{type(rules).__name__} is not a rule set; expected a Rule, a "
            "NodeRewriter, a RuleSet, a path, or a list of them"
        ) from None
    out: list[Rule] = []
    for item in items:
        out.extend(rule_set(item).rules)
    return RuleSet(tuple(out))


def _import(path: Path) -> Any:
    try:
        return exec_file(path, "_rewritelab_rules")
    except RuleError as exc:  # named where it was declared, or named here
        raise (exc if str(path) in str(exc) else RuleError(f"{path}: {exc}")) from None
    except Exception as exc:
        raise RuleError(
            f"importing rules from {path} failed: {type(exc).__name__}: {exc}"
        ) from exc


def _module_level_names(path: Path) -> dict[str, tuple[int, str]]:
    """``{name: (line, docstring)}`` for every name a file binds at module
    level by assignment or definition (not by import), with the attribute
    docstring written right after an assignment, if any."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: dict[str, tuple[int, str]] = {}
    body = tree.body
    for i, stmt in enumerate(body):
        names: list[str] = []
        if isinstance(stmt, ast.Assign):
            names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names = [stmt.target.id]
        elif isinstance(stmt, ast.FunctionDef | ast.ClassDef):
            names = [stmt.name]
        nxt = body[i + 1] if i + 1 < len(body) else None
        doc = ""
        if (
            isinstance(stmt, ast.Assign | ast.AnnAssign)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            doc = inspect.cleandoc(nxt.value.value)
        for n in names:
            found[n] = (stmt.lineno, doc)
    return found


def _rules_of_module(module: Any, path: Path) -> list[Rule]:
    """The rules a module defines itself (imported ones belong to their file)."""
    local = _module_level_names(path)
    found = []
    for var, obj in vars(module).items():
        if var.startswith("_") or var not in local or not is_rule_like(obj):
            continue
        r = as_rule(obj)
        where = source_file(r)
        line, doc = local[var]
        if where is None or where.resolve() != path.resolve():
            if isinstance(obj, Rule):
                continue  # `r = other_module.rule`: an alias, not a definition
            # A PatternNodeRewriter(...) instance made here: its class lives
            # in PyTensor, so take the line of the assignment.
            r = dc_replace(r, source=f"{path}:{line}")
        if doc and not r.doc:
            r = dc_replace(r, doc=doc)
        found.append(r if r.explicit_name else r.renamed(var))
    return found


def load(path: str | Path) -> RuleSet:
    """Every rule defined at module level in a ``.py`` file or a folder of them.

    Module-level Rules and PyTensor NodeRewriters count; names starting with
    ``_``, files starting with ``_`` and rules imported from other files do
    not. A rule declared without a name takes its variable's name.
    """
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.glob("*.py") if not f.name.startswith("_"))
    elif p.is_file() and p.suffix == ".py":
        files = [p]
    else:
        raise RuleError(f"no rules at {path}: expected a .py file or a folder of them")
    rules: list[Rule] = []
    for f in files:
        rules.extend(_rules_of_module(_import(f), f))
    return RuleSet(tuple(rules))


def library_path() -> Path:
    """The folder of the shipped rule library (``rewrites/`` in the source tree)."""
    return Path(str(importlib.resources.files("rewritelab._rewrites")))


def library(
    include: str | Iterable[str] = (), exclude: str | Iterable[str] = ()
) -> RuleSet:
    """The shipped rule library, optionally filtered by tags."""
    return load(library_path()).select(include=include, exclude=exclude)
