"""Rule declarations: text or tuple patterns, functions, any PyTensor NodeRewriter."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Variable
from pytensor.graph.op import Op
from pytensor.graph.rewriting.basic import (
    FromFunctionNodeRewriter,
    NodeRewriter,
    node_rewriter,
)

from rewritelab.core.errors import RewritelabError
from rewritelab.rewrite.lifting import LiftingPatternRewriter
from rewritelab.see.graph import constant_value

__all__ = [
    "DtypeIs",
    "Rule",
    "RuleError",
    "pattern",
    "rule",
    "as_rule",
    "is_rule_like",
]


class RuleError(RewritelabError):
    """A rule that is malformed, or that broke while it was applied."""


@dataclass(frozen=True, eq=False)
class Rule:
    """One rewrite: a PyTensor NodeRewriter plus what rewritelab knows of it.

    Attributes
    ----------
    name
        Unique within a rule set; module-level rules found by
        :func:`rewritelab.load` take their variable's name unless one was given.
    rewriter
        The PyTensor ``NodeRewriter`` that does the work.
    tags
        Free-form labels for selecting rules (``"stability"``, ``"speed"``).
    source
        ``file:line`` where the rule was declared.
    assume
        Domain assumptions on the pattern's variables, such as ``"x > 0"``;
        the checker only draws inputs that satisfy them.
    examples
        Inputs ``{variable name: value}`` the checker tries first on every
        graph whose inputs they all name (read-only copies).
    graphs
        Expressions in pattern syntax (``"sigmoid(x) * softplus(-x)"``), or
        PyTensor Variables (or lists of them: one graph's outputs), the
        checker builds and checks the rule on, besides its own; a rule that
        only fires in a context (two ops sharing an input) names it here.
        Calls may name functions as well as Ops (``"logsumexp(x * y)"``); a
        rule that fires on none of them is tried on them with their
        gradients.
    text
        The ``lhs -> rhs`` text of a pattern rule, or ``""``.
    """

    name: str
    rewriter: NodeRewriter
    tags: frozenset[str] = frozenset()
    source: str = "<unknown>"
    assume: tuple[str, ...] = ()
    examples: tuple[Mapping[str, Any], ...] = ()
    graphs: tuple[Any, ...] = ()
    text: str = ""
    doc: str = ""
    in_pattern: Any = None
    explicit_name: bool = field(default=True, repr=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.source})"

    def __repr__(self) -> str:
        parts = [self.name]
        if self.text:
            parts.append(repr(self.text))
        if self.tags:
            parts.append("tags=" + ",".join(sorted(self.tags)))
        if self.graphs:
            n = len(self.graphs)
            parts.append(f"{n} example graph{'s' if n != 1 else ''}")
        return f"Rule({', '.join(parts)})"

    def renamed(self, name: str) -> Rule:
        """The same rule under another name."""
        return replace(self, name=name, explicit_name=True)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description."""
        return {
            "name": self.name,
            "tags": sorted(self.tags),
            "source": self.source,
            "assume": list(self.assume),
            "graphs": [g if isinstance(g, str) else str(g) for g in self.graphs],
            "examples": [{k: v.tolist() for k, v in e.items()} for e in self.examples],
            "text": self.text,
            "doc": self.doc,
        }


def _caller(depth: int = 2) -> tuple[str, str | None]:
    """``file:line`` of the code calling the caller, and the variable that
    line assigns to (``log_of_exp = pattern(...)``), if any."""
    frame = inspect.stack(context=1)[depth]
    line = (frame.code_context or [""])[0]
    assigned = re.match(
        r"\s*([A-Za-z_]\w*)\s*(?::[^=]*)?=\s*(?:[\w.]+\.)?pattern\(", line
    )
    return f"{frame.filename}:{frame.lineno}", assigned and assigned.group(1)


def _show(p: Any) -> str:
    """An in-pattern as an expression: ``(exp, (log, "x"))`` -> ``exp(log(x))``."""
    if isinstance(p, tuple):
        op = p[0]
        name = getattr(getattr(op, "scalar_op", None), "name", None) or str(op)
        return f"{name}({', '.join(_show(a) for a in p[1:])})"
    if isinstance(p, dict):
        return _show(p["pattern"])
    return str(p)


def _function_location(fn: Callable) -> str:
    try:
        return f"{inspect.getsourcefile(fn)}:{fn.__code__.co_firstlineno}"
    except (TypeError, AttributeError):
        return "<unknown>"


_BINOPS: dict[type, Op] = {
    ast.Add: pt.add,
    ast.Sub: pt.sub,
    ast.Mult: pt.mul,
    ast.Div: pt.true_div,
    ast.Pow: pt.pow,
}
_COMPARE: dict[type, Op] = {
    ast.Gt: pt.gt,
    ast.GtE: pt.ge,
    ast.Lt: pt.lt,
    ast.LtE: pt.le,
    ast.Eq: pt.eq,
    ast.NotEq: pt.neq,
}


def _op_named(name: str, text: str) -> Op:
    import pytensor.tensor.special  # noqa: F401  (xlogy, softmax, ...)

    op = next(
        (
            found
            for space in (pt, pt.math, pt.special)
            if isinstance(found := getattr(space, name, None), Op)
        ),
        None,
    )
    if not isinstance(op, Op):
        raise RuleError(
            f"pattern {text!r}: {name!r} is not a pytensor.tensor Op "
            "(elementwise functions such as log, exp, log1p, sigmoid are); "
            "write a function rule with @rule instead"
        )
    return op


#: Pattern variables standing for number literals of a left side are named
#: ``_lit0, _lit1, ...``; their dict carries the number under ``"value"``.
LITERAL_PREFIX = "_lit"


def _is_scalar_constant(value: float) -> Callable[[Any], bool]:
    """Match a variable whose value is the constant ``value`` everywhere, also
    behind DimShuffle / fill / cast (``x * 2`` on a vector holds ExpandDims(2),
    which PyTensor's pattern matcher would not see as the constant 2)."""

    def check(var: Any) -> bool:
        found = constant_value(var)
        return found is not None and found == value

    return check


def _to_pattern(
    node: ast.AST, text: str, literals: list | None = None, functions: bool = False
) -> Any:
    """Python expression AST -> PyTensor's tuple pattern.

    With ``literals`` (a list collecting them; used for left sides) a number
    becomes a constrained pattern variable matching that constant; without,
    it stays a number (out-patterns turn numbers into constants). With
    ``functions`` a call may name a pytensor.tensor function that is not an
    Op (``logsumexp``): for graphs that are built, never matched."""
    number = _number(node)
    if isinstance(node, ast.Name) and number is None:
        return node.id
    if number is not None:
        if literals is None:
            return number
        name = f"{LITERAL_PREFIX}{len(literals)}"
        literals.append(number)
        return {
            "pattern": name,
            "constraint": _is_scalar_constant(number),
            "value": number,
        }
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return (pt.neg, _to_pattern(node.operand, text, literals, functions))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return (
            _BINOPS[type(node.op)],
            _to_pattern(node.left, text, literals, functions),
            _to_pattern(node.right, text, literals, functions),
        )
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and type(node.ops[0]) in _COMPARE
    ):
        return (
            _COMPARE[type(node.ops[0])],
            _to_pattern(node.left, text, literals, functions),
            _to_pattern(node.comparators[0], text, literals, functions),
        )
    if isinstance(node, ast.Call) and not node.keywords:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        args = (_to_pattern(a, text, literals, functions) for a in node.args)
        try:
            return (_op_named(name, text), *args)
        except RuleError:
            if not functions:
                raise
            return (_function_named(name, text), *args)
    raise RuleError(
        f"pattern {text!r}: cannot read {ast.unparse(node)!r}; use names, numbers, "
        "+ - * / **, comparisons and calls of pytensor.tensor ops"
    )


def _number(node: ast.AST) -> int | float | None:
    """The value of a number literal, ``-2`` and ``-inf`` included, else
    None."""
    if isinstance(node, ast.Name) and node.id == "inf":
        return float("inf")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return None if inner is None else -inner
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return node.value
    return None


def _function_named(name: str, text: str) -> Callable:
    import pytensor.tensor.special  # noqa: F401

    for space in (pt, pt.math, pt.special):
        fn = getattr(space, name, None)
        if callable(fn):
            return fn
    raise RuleError(f"pattern {text!r}: no pytensor.tensor function {name!r}")


def _builder(node: ast.AST, text: str) -> Callable[[Mapping[str, Any]], Any]:
    """Right side AST -> ``subs -> Variable``, using any pytensor.tensor function."""
    number = _number(node)
    if number is not None:
        return lambda subs, v=number: v
    if isinstance(node, ast.Name):
        return lambda subs, n=node.id: subs[n]
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return lambda subs, v=node.value: v
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _builder(node.operand, text)
        return lambda subs: -inner(subs)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        op, a, b = (
            _BINOPS[type(node.op)],
            _builder(node.left, text),
            _builder(node.right, text),
        )
        return lambda subs: op(a(subs), b(subs))
    if isinstance(node, ast.Call) and not node.keywords:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        fn, args = _function_named(name, text), [_builder(a, text) for a in node.args]
        return lambda subs: fn(*(a(subs) for a in args))
    fixed = _to_pattern(node, text)
    return lambda subs: fixed


def _uses_only_ops(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else getattr(func, "id", "")
            )
            try:
                _op_named(name, "")
            except RuleError:
                return False
    return True


def parse_pattern(text: str) -> tuple[Any, Any]:
    """``"log(exp(x)) -> x"`` -> PyTensor in- and out-patterns."""
    if text.count("->") != 1:
        raise RuleError(f"pattern {text!r}: write it as 'lhs -> rhs' with one '->'")
    lhs, rhs = (side.strip() for side in text.split("->"))
    try:
        lt = ast.parse(lhs, mode="eval").body
        rt = ast.parse(rhs, mode="eval").body
    except SyntaxError as exc:
        raise RuleError(f"pattern {text!r}: not an expression: {exc.msg}") from None
    in_pattern = _to_pattern(lt, text, literals=[])
    if _uses_only_ops(rt):
        out_pattern = _to_pattern(rt, text)
    else:
        build = _builder(rt, text)

        def out_pattern(fgraph: Any, node: Any, subs: Mapping[Any, Any]) -> Any:
            return build({str(k): v for k, v in subs.items()})

    if not isinstance(in_pattern, tuple):
        raise RuleError(f"pattern {text!r}: the left side must be an operation")
    free = set(_names_ast(rt)) - set(_names(in_pattern))
    if free:
        raise RuleError(
            f"pattern {text!r}: {', '.join(sorted(free))} on the right side "
            "is not bound on the left"
        )
    return in_pattern, out_pattern


def _names_ast(node: ast.AST) -> list[str]:
    funcs = {id(c.func) for c in ast.walk(node) if isinstance(c, ast.Call)}
    return [
        n.id
        for n in ast.walk(node)
        if isinstance(n, ast.Name) and id(n) not in funcs and n.id != "inf"
    ]


def _names(p: Any) -> list[str]:
    """The pattern variables of an in-pattern (literals not included)."""
    if isinstance(p, str):
        return [] if p.startswith(LITERAL_PREFIX) else [p]
    if isinstance(p, tuple):
        return [n for sub in p[1:] for n in _names(sub)]
    if isinstance(p, dict):
        return _names(p["pattern"])
    return []


def _tags(tags: str | Sequence[str]) -> frozenset[str]:
    return frozenset([tags] if isinstance(tags, str) else tags)


def parse_expression(text: str) -> Any:
    """``"sigmoid(x) * softplus(-x)"`` -> an in-pattern (ops as PyTensor
    tuples, names as pattern variables), for :attr:`Rule.graphs`."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise RuleError(f"graph {text!r}: not an expression: {exc.msg}") from None
    return _to_pattern(tree, text, functions=True)


#: An assumption compares one variable (or ``*``, every input) with a number.
_ASSUMPTION = re.compile(
    r"^\s*([A-Za-z_]\w*|\*)\s*(>=|<=|>|<|!=)\s*"
    r"([-+]?(?:inf|[0-9.]+(?:[eE][-+]?[0-9]+)?))\s*$"
)


def parse_assumption(text: str) -> tuple[str, str, float]:
    """``"x > 0"`` -> ``("x", ">", 0.0)``; anything else is a RuleError."""
    m = _ASSUMPTION.match(text) if isinstance(text, str) else None
    if m is None:
        raise RuleError(
            f"cannot read assumption {text!r}: write NAME OP NUMBER (NAME may be * "
            "for every input) with OP one of > >= < <= !="
        )
    return m.group(1), m.group(2), float(m.group(3))


def _declare(
    rule_name: str,
    rewriter: NodeRewriter,
    source: str,
    *,
    tags: str | Sequence[str],
    assume: str | Sequence[str],
    graphs: str | Sequence[str],
    examples: Sequence[Mapping[str, Any]],
    variables: Sequence[str] = (),
    **fields: Any,
) -> Rule:
    """The Rule of a declaration, its assumptions, graphs and examples read
    here: a mistake is a RuleError naming the rule and its ``file:line``."""
    assume = tuple([assume] if isinstance(assume, str) else assume)
    graphs = tuple([graphs] if isinstance(graphs, str) else graphs)
    try:
        known = set(variables)
        for t in graphs:
            if isinstance(t, str):
                known |= set(_names(parse_expression(t)))
        for t in assume:
            var = parse_assumption(t)[0]
            if known and var != "*" and var not in known:
                raise RuleError(
                    f"assumption {t!r} names {var!r}, which is not a variable of "
                    f"the rule (it has {', '.join(sorted(known))})"
                )
        frozen = tuple(_example(e, known) for e in examples)
    except RuleError as exc:
        raise RuleError(f"rule {rule_name!r} ({source}): {exc}") from None
    return Rule(
        name=rule_name,
        rewriter=rewriter,
        tags=_tags(tags),
        source=source,
        assume=assume,
        examples=frozen,
        graphs=graphs,
        **fields,
    )


def _example(example: Any, known: set[str]) -> Mapping[str, Any]:
    """A read-only copy of one example: variable names to numbers or arrays."""
    if not isinstance(example, Mapping) or not example:
        raise RuleError(
            f"an example is a dict of variable name to value, not {example!r}"
        )
    for name, value in example.items():
        if known and name not in known:
            raise RuleError(
                f"example {dict(example)!r} names {name!r}, which is not a "
                f"variable of the rule (it has {', '.join(sorted(known))})"
            )
        try:
            np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise RuleError(f"example value {name}={value!r} is not a number") from None
    frozen = {k: np.array(v) for k, v in example.items()}
    for v in frozen.values():
        v.flags.writeable = False
    return MappingProxyType(frozen)


@dataclass(frozen=True)
class DtypeIs:
    """A pattern variable's constraint: its dtype is one of ``dtypes`` (and
    ``also`` holds, where given). The checker builds such a variable only of
    those dtypes: a rule that does not match an int8 graph is not judged on
    one."""

    dtypes: tuple[str, ...]
    also: Callable[[Any], bool] | None = None

    def __call__(self, var: Any) -> bool:
        if getattr(var.type, "dtype", None) not in self.dtypes:
            return False
        return self.also is None or bool(self.also(var))


def pattern(
    spec: str | tuple,
    out: Any = None,
    *,
    name: str | None = None,
    tags: str | Sequence[str] = (),
    assume: str | Sequence[str] = (),
    examples: Sequence[Mapping[str, Any]] = (),
    graphs: str | Sequence[str] = (),
    where: Mapping[str, Callable[[Any], bool]] | None = None,
    dtypes: Sequence[str] = (),
    allow_multiple_clients: bool = True,
    doc: str = "",
) -> Rule:
    """A pattern rule, from text (``"log(exp(x)) -> x"``) or PyTensor tuples.

    Parameters
    ----------
    spec
        ``"lhs -> rhs"`` text, or PyTensor's in-pattern tuple (then give ``out``).
    out
        The out-pattern when ``spec`` is a tuple: a tuple, a variable name, or
        a callable ``(fgraph, node, subs) -> Variable``.
    name, tags, assume, examples, graphs, doc
        See :class:`Rule`. ``assume`` holds conditions such as ``"x > 0"``.
    where
        Match-time constraints: ``{"x": fn(variable) -> bool}``.
    dtypes
        Match only where every variable has one of these dtypes
        (``["float64"]``); the checker then builds only graphs of them.
    allow_multiple_clients
        Match even when inner nodes have other users (PyTensor's default,
        False, blocks nearly every match in PyMC logp graphs).

    Examples
    --------
    >>> log_of_exp = pattern("log(exp(x)) -> x")
    >>> log_of_exp.name, log_of_exp.text
    ('log_of_exp', 'log(exp(x)) -> x')
    >>> pattern("exp(log(x))  ->  x").name  # no variable: the pattern itself
    'exp(log(x)) -> x'
    """
    if isinstance(spec, str):
        if out is not None:
            raise RuleError("pattern: give either 'lhs -> rhs' text or two tuples")
        text = spec
        in_pattern, out_pattern = parse_pattern(spec)
    else:
        if out is None:
            raise RuleError("pattern: a tuple in-pattern needs an out-pattern")
        text, in_pattern, out_pattern = "", spec, out
    where = dict(where or {})
    if where:
        unknown = set(where) - set(_names(in_pattern))
        if unknown:
            raise RuleError(f"pattern: where= names unbound {sorted(unknown)}")
    if dtypes:
        kept = tuple([dtypes] if isinstance(dtypes, str) else dtypes)
        where = {n: DtypeIs(kept, where.get(n)) for n in _names(in_pattern)}
    if where:
        in_pattern = _constrain(in_pattern, where)
    source, variable = _caller()
    readable = " ".join(text.split()) or f"{_show(in_pattern)} -> {_show(out)}"
    rule_name = name or variable or readable
    try:
        rewriter = LiftingPatternRewriter(
            in_pattern,
            out_pattern,
            allow_multiple_clients=allow_multiple_clients,
            name=rule_name,
        )
    except (TypeError, ValueError) as exc:
        raise RuleError(f"pattern {text or spec!r}: {exc}") from None
    return _declare(
        rule_name,
        rewriter,
        source,
        tags=tags,
        assume=assume,
        graphs=graphs,
        examples=examples,
        variables=_names(in_pattern),
        text=text,
        doc=doc,
        in_pattern=in_pattern,
        explicit_name=name is not None or variable is not None,
    )


def _constrain(p: Any, where: Mapping[str, Callable]) -> Any:
    """The in-pattern with each variable of ``where`` constrained; one
    constraint object per variable, as PyTensor requires of a variable
    used twice."""
    once = {name: {"pattern": name, "constraint": fn} for name, fn in where.items()}

    def walk(q: Any) -> Any:
        if isinstance(q, str) and q in once:
            return once[q]
        if isinstance(q, tuple):
            return (q[0], *(walk(s) for s in q[1:]))
        return q

    return walk(p)


def rule(
    tracks: Sequence[Any] | None,
    *,
    name: str | None = None,
    tags: str | Sequence[str] = (),
    assume: str | Sequence[str] = (),
    examples: Sequence[Mapping[str, Any]] = (),
    graphs: str | Sequence[str] = (),
) -> Callable[[Callable], Rule]:
    """Decorate ``fn(fgraph, node) -> None | list[Variable]`` into a Rule.

    ``tracks`` lists the Ops (instances or classes) the function looks at,
    as in PyTensor's ``@node_rewriter``; ``None`` means every node.
    ``graphs`` are expressions the checker tries the rule on (see
    :class:`Rule`).

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> @rule([pt.exp])
    ... def exp_of_zero(fgraph, node):  # exp(0) -> 1
    ...     return None
    >>> exp_of_zero.name
    'exp_of_zero'
    """

    def decorate(fn: Callable) -> Rule:
        if not callable(fn):
            raise RuleError(f"@rule decorates a function, not {type(fn).__name__}")
        try:
            rewriter = node_rewriter(tracks)(fn)
        except (TypeError, ValueError) as exc:
            raise RuleError(f"@rule on {fn.__name__}: {exc}") from None
        return _declare(
            name or fn.__name__,
            rewriter,
            _function_location(fn),
            tags=tags,
            assume=assume,
            graphs=graphs,
            examples=examples,
            doc=inspect.getdoc(fn) or "",
        )

    return decorate


def is_rule_like(obj: Any) -> bool:
    """Whether ``obj`` is a Rule or a PyTensor NodeRewriter."""
    return isinstance(obj, Rule | NodeRewriter)


def _rewriter_location(rw: NodeRewriter) -> str:
    if isinstance(rw, FromFunctionNodeRewriter):
        return _function_location(rw.fn)
    try:
        return (
            f"{inspect.getsourcefile(type(rw))}:{inspect.getsourcelines(type(rw))[1]}"
        )
    except (TypeError, OSError):
        return "<unknown>"


def as_rule(obj: Any, *, name: str | None = None, graphs: Sequence[Any] = ()) -> Rule:
    """A Rule from a Rule or any PyTensor ``NodeRewriter``.

    ``graphs`` adds example graphs the checker tries the rule on (PyTensor
    Variables, lists of them, or pattern-syntax texts; see
    :attr:`Rule.graphs`): a plain ``node_rewriter`` cannot say what it needs.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> from pytensor.tensor.rewriting.math import local_exp_log
    >>> x = pt.dvector("x")
    >>> as_rule(local_exp_log, graphs=[pt.exp(pt.log(x))])
    Rule(local_exp_log, 1 example graph)
    """
    extra = tuple(graphs)
    for g in extra:
        items = list(g) if isinstance(g, list | tuple) else [g]
        if not all(isinstance(v, str | Variable) for v in items) or not items:
            raise RuleError(
                f"graphs must be PyTensor Variables, lists of them or pattern "
                f"texts; got {type(g).__name__}"
            )
    if isinstance(obj, Rule):
        out = obj if name is None else obj.renamed(name)
        return replace(out, graphs=out.graphs + extra) if extra else out
    if isinstance(obj, NodeRewriter):
        rw_name = name or getattr(obj, "__name__", None) or getattr(obj, "name", None)
        source = _rewriter_location(obj)
        doc = inspect.getdoc(getattr(obj, "fn", None)) or ""
        in_pattern = getattr(obj, "in_pattern", None)
        return Rule(
            name=str(rw_name or type(obj).__name__),
            rewriter=obj,
            source=source,
            doc=doc,
            in_pattern=in_pattern,
            graphs=extra,
            explicit_name=name is not None or rw_name is not None,
        )
    raise RuleError(
        f"{type(obj).__name__} is not a rule; expected a rewritelab Rule or a "
        "PyTensor NodeRewriter (from @node_rewriter or PatternNodeRewriter)"
    )


def source_file(rule_: Rule) -> Path | None:
    """The file a rule was declared in, if known."""
    path = rule_.source.rsplit(":", 1)[0]
    return Path(path) if path and not path.startswith("<") else None
