"""PyTensor's elementwise graphs as egglog terms, and terms back as graphs.

:class:`Term` is the egglog language of the scalar part of a graph: float
constants, opaque leaves, and one constructor per scalar op in :data:`OPS`
(arithmetic, exp / log and their stable forms, softplus and sigmoid,
powers, comparisons, ``switch``). :func:`to_terms` translates the
elementwise part of a graph that ends in some variables: every
``Elemwise`` of a scalar op in :data:`OPS` becomes its constructor, a
``Composite`` (PyTensor's fused kernels) is translated through its inner
scalar graph, a constant that holds one value becomes a float, leading
broadcast axes (which elementwise ops add by themselves) are looked
through, and any other variable (an input, a reduction, a dot, a
transpose) an opaque
:meth:`Term.leaf` named ``v0, v1, ...``. :func:`from_term` builds the graph
of a term again from the leaves' variables. The two are inverse on what
they cover: ``from_term(to_terms(x))`` computes ``x`` with the same ops
(n-ary additions and products become chains of binary ones).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytensor.scalar as ps
import pytensor.tensor as pt
from egglog import (
    Expr,
    StringLike,
    f64Like,
    function,
    get_callable_args,
    get_callable_fn,
    get_literal_value,
)
from pytensor.graph.basic import Constant, Variable
from pytensor.scalar.basic import Composite
from pytensor.tensor.basic import get_underlying_scalar_constant_value
from pytensor.tensor.elemwise import DimShuffle, Elemwise
from pytensor.tensor.exceptions import NotScalarConstantError

__all__ = [
    "OPS",
    "Region",
    "Roots",
    "Term",
    "from_term",
    "op_name",
    "roots_of",
    "term_text",
    "terms_of",
    "to_terms",
]


class Term(Expr):
    """A scalar expression: a float constant (``Term(2.0)``), an opaque
    leaf (``Term.leaf("v0")``), or an op of :data:`OPS` on terms."""

    def __init__(self, value: f64Like) -> None: ...

    @classmethod
    def leaf(cls, name: StringLike) -> Term: ...

    def __add__(self, other: Term) -> Term: ...

    def __sub__(self, other: Term) -> Term: ...

    def __mul__(self, other: Term) -> Term: ...

    def __truediv__(self, other: Term) -> Term: ...

    def __pow__(self, other: Term) -> Term: ...

    def __neg__(self) -> Term: ...


class Roots(Expr):
    """Several terms as one, so that extraction shares what they share: a
    balanced tree ``Roots.pair(Roots.one(t0), Roots.one(t1))`` (a chain of
    hundreds of regions would be too deep for egglog's recursive reading)."""

    @classmethod
    def none(cls) -> Roots: ...

    @classmethod
    def one(cls, term: Term) -> Roots: ...

    @classmethod
    def pair(cls, left: Roots, right: Roots) -> Roots: ...


def roots_of(terms: Sequence[Term]) -> Roots:
    """``terms`` as one :class:`Roots` term (a balanced tree)."""
    if not terms:
        return Roots.none()
    if len(terms) == 1:
        return Roots.one(terms[0])
    half = len(terms) // 2
    return Roots.pair(roots_of(terms[:half]), roots_of(terms[half:]))


def terms_of(roots: Roots) -> list[Term]:
    """The terms of a :class:`Roots`, in order."""
    out, todo = [], [roots]
    while todo:
        args = get_callable_args(todo.pop()) or ()
        if len(args) == 1:
            out.append(args[0])
        elif len(args) == 2:
            todo += [args[1], args[0]]
    return out


@function
def exp(x: Term) -> Term: ...


@function
def log(x: Term) -> Term: ...


@function
def log1p(x: Term) -> Term: ...


@function
def expm1(x: Term) -> Term: ...


@function
def log1mexp(x: Term) -> Term: ...


@function
def softplus(x: Term) -> Term: ...


@function
def sigmoid(x: Term) -> Term: ...


@function
def sqr(x: Term) -> Term: ...


@function
def sqrt(x: Term) -> Term: ...


@function
def absolute(x: Term) -> Term: ...


@function
def sign(x: Term) -> Term: ...


@function
def reciprocal(x: Term) -> Term: ...


@function
def tanh(x: Term) -> Term: ...


@function
def erf(x: Term) -> Term: ...


@function
def erfc(x: Term) -> Term: ...


@function
def gammaln(x: Term) -> Term: ...


@function
def maximum(x: Term, y: Term) -> Term: ...


@function
def minimum(x: Term, y: Term) -> Term: ...


@function
def gt(x: Term, y: Term) -> Term: ...


@function
def ge(x: Term, y: Term) -> Term: ...


@function
def lt(x: Term, y: Term) -> Term: ...


@function
def le(x: Term, y: Term) -> Term: ...


@function
def eq(x: Term, y: Term) -> Term: ...


@function
def switch(c: Term, x: Term, y: Term) -> Term: ...


@dataclass(frozen=True)
class Op:
    """One scalar op of the term language: its name (PyTensor's scalar op
    class), the term constructor and the PyTensor function that builds it."""

    name: str
    make: Callable[..., Term]
    build: Callable[..., Variable]
    arity: int


def _binary(fn: Callable[[Term, Term], Term]) -> Callable[..., Term]:
    """An n-ary PyTensor op (Add, Mul) as a left fold of a binary one."""

    def fold(*args: Term) -> Term:
        out = args[0]
        for a in args[1:]:
            out = fn(out, a)
        return out

    return fold


#: PyTensor scalar op class name -> its term constructor and builder.
OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("Add", _binary(lambda a, b: a + b), pt.add, 2),
        Op("Sub", lambda a, b: a - b, pt.sub, 2),
        Op("Mul", _binary(lambda a, b: a * b), pt.mul, 2),
        Op("TrueDiv", lambda a, b: a / b, pt.true_div, 2),
        Op("Pow", lambda a, b: a**b, pt.pow, 2),
        Op("Neg", lambda a: -a, pt.neg, 1),
        Op("Exp", exp, pt.exp, 1),
        Op("Log", log, pt.log, 1),
        Op("Log1p", log1p, pt.log1p, 1),
        Op("Expm1", expm1, pt.expm1, 1),
        Op("Log1mexp", log1mexp, pt.log1mexp, 1),
        Op("Softplus", softplus, pt.softplus, 1),
        Op("Sigmoid", sigmoid, pt.sigmoid, 1),
        Op("Sqr", sqr, pt.sqr, 1),
        Op("Sqrt", sqrt, pt.sqrt, 1),
        Op("Abs", absolute, pt.abs, 1),
        Op("Sign", sign, pt.sign, 1),
        Op("Reciprocal", reciprocal, pt.reciprocal, 1),
        Op("Tanh", tanh, pt.tanh, 1),
        Op("Erf", erf, pt.erf, 1),
        Op("Erfc", erfc, pt.erfc, 1),
        Op("GammaLn", gammaln, pt.gammaln, 1),
        Op("Maximum", maximum, pt.maximum, 2),
        Op("Minimum", minimum, pt.minimum, 2),
        Op("GT", gt, pt.gt, 2),
        Op("GE", ge, pt.ge, 2),
        Op("LT", lt, pt.lt, 2),
        Op("LE", le, pt.le, 2),
        Op("EQ", eq, pt.eq, 2),
        Op("Switch", switch, pt.switch, 3),
    )
}


def _key(fn: Any) -> str:
    return str(fn)


def _callables() -> dict[str, Op]:
    """The egglog callable of each op (its printed form) -> the op."""
    xs = [Term.leaf(f"k{i}") for i in range(3)]
    return {_key(get_callable_fn(op.make(*xs[: op.arity]))): op for op in OPS.values()}


_BY_CALLABLE = _callables()
_LEAF = _key(get_callable_fn(Term.leaf("k")))
_CONSTANT = _key(get_callable_fn(Term(1.0)))


#: Elementwise nodes deeper than this (a sum of hundreds of terms, one add
#: after another) end a term: the variable becomes a leaf. egglog reads a
#: term recursively, and Python's stack ends near a thousand levels.
MAX_DEPTH = 64


@dataclass(frozen=True)
class Region:
    """The elementwise part of a graph ending in ``outputs``, as terms
    (one per output), with each opaque leaf's variable."""

    outputs: tuple[Variable, ...]
    terms: tuple[Term, ...]
    leaves: Mapping[str, Variable] = field(repr=False)

    def __str__(self) -> str:
        return "; ".join(term_text(t) for t in self.terms)


def _constant(var: Variable) -> float | None:
    """The one value a constant holds, also behind broadcasting
    (``ExpandDims``, ``Alloc``: PyTensor's own
    ``get_underlying_scalar_constant_value``), else None."""
    if var.owner is None and not isinstance(var, Constant):
        return None
    try:
        value = get_underlying_scalar_constant_value(var, only_process_constants=False)
    except NotScalarConstantError:
        return None
    value = np.asarray(value)
    return float(value) if value.dtype.kind in "fiub" else None


def to_terms(outputs: Sequence[Variable], leaf_names: dict | None = None) -> Region:
    """The elementwise graph ending in ``outputs`` as terms (see the module
    doc).

    Examples
    --------
    >>> x = pt.dvector("x")
    >>> r = to_terms([pt.log1p(pt.exp(x)) + 2.0])
    >>> term_text(r.terms[0])
    'log1p(exp(v0)) + 2.0'
    >>> r.leaves["v0"] is x
    True
    """
    names: dict[Variable, str] = {} if leaf_names is None else leaf_names
    memo: dict[Variable, Term] = {}
    depth: dict[Variable, int] = {}

    def leaf(var: Variable) -> Term:
        if var not in names:
            names[var] = f"v{len(names)}"
        return Term.leaf(names[var])

    def term(var: Variable) -> Term:
        if var in memo:
            return memo[var]
        value = _constant(var)
        node = var.owner
        if value is not None:
            out = Term(value)
        elif node is not None and _leading_axes(node.op):  # numpy broadcasts
            out = term(node.inputs[0])
        elif node is not None and isinstance(node.op, Elemwise) and _covered(node):
            args = [term(i) for i in node.inputs]
            inner = node.op.scalar_op
            own = len(inner.fgraph.apply_nodes) if isinstance(inner, Composite) else 1
            deepest = own + max((depth.get(i, 0) for i in node.inputs), default=0)
            if deepest > MAX_DEPTH:  # too deep for egglog's recursive reading
                out = leaf(var)
            else:
                out = _scalar_term(node.op.scalar_op, args, node.outputs.index(var))
                depth[var] = deepest
        else:
            out = leaf(var)
        memo[var] = out
        return out

    terms = tuple(term(o) for o in outputs)
    return Region(tuple(outputs), terms, {n: v for v, n in names.items()})


def _leading_axes(op: Any) -> bool:
    """Whether ``op`` only adds leading broadcastable axes, which an
    elementwise op would add by itself (``ExpandDims{axis=0}``)."""
    if not isinstance(op, DimShuffle) or op.drop:
        return False
    kept = [d for d in op.new_order if d != "x"]
    n_new = len(op.new_order) - len(kept)
    return kept == list(range(len(kept))) and all(
        d == "x" for d in op.new_order[:n_new]
    )


def _covered(node: Any) -> bool:
    """Whether an Elemwise node's scalar op is in the term language (a
    Composite: every op of its inner graph); one output only."""
    scalar_op = node.op.scalar_op
    if len(node.outputs) != 1:
        return False
    if isinstance(scalar_op, Composite):
        return all(
            type(n.op).__name__ in OPS
            for n in scalar_op.fgraph.apply_nodes
            if not isinstance(n.op, ps.Cast | ps.Identity)
        )
    return type(scalar_op).__name__ in OPS or isinstance(scalar_op, ps.Identity)


def _scalar_term(scalar_op: Any, args: Sequence[Term], k: int) -> Term:
    if isinstance(scalar_op, ps.Identity):
        return args[0]
    if not isinstance(scalar_op, Composite):
        return OPS[type(scalar_op).__name__].make(*args)
    inner = scalar_op.fgraph
    memo: dict[Any, Term] = dict(zip(inner.inputs, args, strict=True))
    for n in inner.toposort():
        ins = [
            memo[i] if i in memo else Term(float(i.data))
            for i in n.inputs  # a scalar constant inside the kernel
        ]
        if isinstance(n.op, ps.Cast | ps.Identity):
            memo[n.outputs[0]] = ins[0]
        else:
            memo[n.outputs[0]] = OPS[type(n.op).__name__].make(*ins)
    return memo[inner.outputs[k]]


def from_term(
    term: Term, leaves: Mapping[str, Variable], *, dtype: str = "float64"
) -> Variable:
    """The PyTensor graph of ``term``, its leaves taken from ``leaves`` and
    its constants of ``dtype``; equal subterms become one node.

    Examples
    --------
    >>> x = pt.dvector("x")
    >>> out = from_term(exp(Term.leaf("v0")) * Term(2.0), {"v0": x})
    >>> out.eval({x: [0.0, 1.0]}).round(3).tolist()
    [2.0, 5.437]
    """
    memo: dict[str, Variable] = {}

    def build(t: Term) -> Variable:
        text = str(t)
        if text in memo:
            return memo[text]
        fn = _key(get_callable_fn(t))
        args = get_callable_args(t) or ()
        if fn == _LEAF:
            out = leaves[str(get_literal_value(args[0]))]
        elif fn == _CONSTANT:
            out = pt.constant(np.asarray(get_literal_value(args[0]), dtype=dtype))
        else:
            out = _BY_CALLABLE[fn].build(*(build(a) for a in args))
        memo[text] = out
        return out

    return build(term)


def op_name(term: Any) -> str:
    """The scalar op class name of a term's root (``"Exp"``), or ``"leaf"``
    / ``"constant"``; ``"other"`` for what is no term (the :class:`Roots`
    wrapper, egglog's literals ``f64(2.0)`` and ``String("v0")``)."""
    fn = _key(get_callable_fn(term))
    if fn == _LEAF:
        return "leaf"
    if fn == _CONSTANT:
        return "constant"
    op = _BY_CALLABLE.get(fn)
    return op.name if op is not None else "other"


def term_text(term: Term, given: Callable[[Term], str | None] | None = None) -> str:
    """A term as rewritelab's pattern text (``log1p(exp(v0)) + 2.0``);
    ``given`` may name the text of a subterm instead (None: as usual)."""
    if given is not None and (text := given(term)) is not None:
        return text
    fn = _key(get_callable_fn(term))
    args = get_callable_args(term) or ()
    if fn == _LEAF:
        return str(get_literal_value(args[0]))
    if fn == _CONSTANT:
        return repr(float(get_literal_value(args[0])))
    op = _BY_CALLABLE[fn]
    inner = [term_text(a, given) for a in args]
    infix = {"Add": "+", "Sub": "-", "Mul": "*", "TrueDiv": "/", "Pow": "**"}
    if op.name in infix:
        a, b = (
            f"({s})" if _needs_parens(x) else s
            for s, x in zip(inner, args, strict=True)
        )
        return f"{a} {infix[op.name]} {b}"
    if op.name == "Neg":
        return f"-({inner[0]})" if _needs_parens(args[0]) else f"-{inner[0]}"
    name = {"Abs": "abs", "GammaLn": "gammaln"}.get(op.name, op.name.lower())
    return f"{name}({', '.join(inner)})"


def _needs_parens(term: Term) -> bool:
    fn = _key(get_callable_fn(term))
    op = _BY_CALLABLE.get(fn)
    return op is not None and op.name in ("Add", "Sub", "Mul", "TrueDiv", "Pow", "Neg")
