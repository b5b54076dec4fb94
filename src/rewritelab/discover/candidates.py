"""From an extracted term to rules: where it differs from the original, generalised.

A cheaper term for a whole logp region is no rule a user can keep. The
change is split where it happens: :func:`changes` walks the original and the
extracted term together from the root while both apply the same op, and
each place where they part is one change ``old -> new``. :func:`generalise`
then turns a change into a pattern: the opaque leaves (the model's values,
sums, dots) become pattern variables ``x0, x1, ...`` in order of first use,
constants stay as written. A leaf the new side drops is kept in it as a
``second(x, ...)`` (value of the new side, shape of both), so a rewrite to
a constant or to a broadcast scalar keeps the original's type. The result
is a :class:`Candidate`, whose :meth:`Candidate.rule` is a rewritelab
pattern rule over float64 variables (what discovery works on: the
identities hold over the reals, not for wrapping integers, and PyTensor's
``switch`` gradient is float64 for float32 branches), checked and measured
like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from egglog import get_callable_args

from rewritelab.discover.terms import Term, op_name, term_text
from rewritelab.rewrite.rules import Rule, pattern

__all__ = ["Candidate", "candidates", "changes", "generalise", "parts"]


@dataclass(frozen=True)
class Candidate:
    """One discovered rewrite: ``lhs -> rhs`` in rewritelab's pattern text,
    its name, and what the cost model says it saves per element (ns) where
    it was found."""

    name: str
    lhs: str
    rhs: str
    saving: float = 0.0
    #: the same change with the operands of its inner ops abstracted to
    #: variables (``ge(exp(x0), 0.0) -> ...`` for ``ge(exp((x0 + x1) +
    #: x2), 0.0) -> ...``), tried first: it matches more graphs (a
    #: PyTensor ``add`` of three inputs is no ``(x0 + x1) + x2``)
    general: Candidate | None = None

    @property
    def text(self) -> str:
        """The rewrite as pattern text, ``lhs -> rhs``."""
        return f"{self.lhs} -> {self.rhs}"

    def rule(self, assume: Sequence[str] = ()) -> Rule:
        """The candidate as a rewritelab rule (tag ``discovered``, float64
        variables), with the domain ``assume`` it was checked on."""
        return pattern(
            self.text,
            name=self.name,
            tags=["discovered"],
            assume=assume,
            dtypes=DTYPES,
        )

    def source(self, assume: Sequence[str] = ()) -> str:
        """The rule as a line of a rules file."""
        domain = f", assume={list(assume)!r}" if assume else ""
        return (
            f'{self.name} = pattern("{self.text}", tags=["discovered"]{domain}, '
            f"dtypes={list(DTYPES)!r})"
        )

    def __str__(self) -> str:
        return f"{self.name}: {self.text}"


#: The dtypes a discovered rule's variables may have.
DTYPES = ("float64",)


def _same_root(a: Term, b: Term) -> bool:
    if op_name(a) != op_name(b) or op_name(a) in ("leaf", "constant"):
        return False
    return len(get_callable_args(a) or ()) == len(get_callable_args(b) or ())


#: Ops whose two operands may come back from extraction swapped.
COMMUTATIVE = ("Add", "Mul", "Maximum", "Minimum", "EQ")


#: Ops whose chains extraction may reassociate as well as reorder.
ASSOCIATIVE = ("Add", "Mul")


def _operands(term: Term, op: str) -> list[Term]:
    """The operands of a chain of ``op`` (``(a + b) + c`` -> a, b, c)."""
    if op_name(term) != op:
        return [term]
    return [x for arg in get_callable_args(term) for x in _operands(arg, op)]


def _matched_operands(
    old: Term, new: Term, equal: Callable[[Term, Term], bool]
) -> list[tuple[Term, Term]] | None:
    """Where ``old`` and ``new`` are chains of one associative op whose
    operands pair up one to one as proved equal, the pairs; else None."""
    op = op_name(old)
    if op not in ASSOCIATIVE or op_name(new) != op:
        return None
    ours, theirs = _operands(old, op), _operands(new, op)
    if len(ours) != len(theirs) or len(ours) < 2:
        return None
    free, pairs = list(theirs), []
    for a in ours:
        same = next((b for b in free if str(b) == str(a)), None)
        if same is None:
            same = next((b for b in free if equal(a, b)), None)
        if same is None:
            return None
        free.remove(same)
        pairs.append((a, same))
    return pairs


def changes(
    old: Term, new: Term, equal: Callable[[Term, Term], bool]
) -> Iterator[tuple[Term, Term]]:
    """The places where ``new`` parts from ``old``, each as ``(old subterm,
    new subterm)``, outermost first; nothing where they are equal. The walk
    goes down while both apply the same op to operands that are ``equal``
    pairwise (in order, or swapped for :data:`COMMUTATIVE` ops): a change
    is only ever a pair the e-graph proved equal, never operands that
    merely sit at the same place. Sums and products are compared as chains
    (``(a + b) + c`` against ``c + (a + b')``): where their operands pair up
    as proved equal in any order, the walk goes on into each pair.

    Examples
    --------
    >>> from rewritelab.discover.terms import exp, log, log1p
    >>> v = Term.leaf("v0")
    >>> same = lambda a, b: term_text(a) == term_text(b) or (
    ...     "log" in term_text(a) and "log" in term_text(b))
    >>> [(term_text(a), term_text(b)) for a, b in
    ...  changes(exp(v) + log(Term(1.0) + v), exp(v) + log1p(v), same)]
    [('log(1.0 + v0)', 'log1p(v0)')]
    """
    if str(old) == str(new):
        return
    matched = _matched_operands(old, new, equal)
    if matched is not None:
        for a, b in matched:
            yield from changes(a, b, equal)
        return
    if _same_root(old, new):
        ours, theirs = get_callable_args(old), get_callable_args(new)
        orders = [theirs]
        if op_name(old) in COMMUTATIVE and len(theirs) == 2:
            orders.append(theirs[::-1])
        for other in orders:
            if all(equal(a, b) for a, b in zip(ours, other, strict=True)):
                for a, b in zip(ours, other, strict=True):
                    if isinstance(a, Term):
                        yield from changes(a, b, equal)
                return
    yield old, new


def generalise(
    old: Term, new: Term, name: str, saving: float = 0.0
) -> Candidate | None:
    """A change as a pattern over fresh variables (see the module doc);
    None where the new side uses a leaf the old does not (it could not be
    built from what the pattern matches).

    Examples
    --------
    >>> from rewritelab.discover.terms import log, log1p
    >>> v = Term.leaf("v7")
    >>> str(generalise(log(Term(1.0) + v), log1p(v), "d1"))
    'd1: log(1.0 + x0) -> log1p(x0)'
    """
    return _from_text(term_text(old), term_text(new), name, saving)


def _from_text(lhs: str, rhs: str, name: str, saving: float = 0.0) -> Candidate | None:
    """:func:`generalise` on the two sides' text."""
    leaves: dict[str, str] = {}
    for leaf in re.findall(r"\bv\d+\b", lhs):
        leaves.setdefault(leaf, f"x{len(leaves)}")
    if any(leaf not in leaves for leaf in re.findall(r"\bv\d+\b", rhs)):
        return None

    def renamed(text: str) -> str:
        return re.sub(r"\bv\d+\b", lambda m: leaves[m.group(0)], text)

    if not leaves:  # a constant expression: nothing to match on
        return None
    rhs = renamed(rhs)
    for dropped in [x for x in leaves.values() if not re.search(rf"\b{x}\b", rhs)]:
        rhs = f"second({dropped}, {rhs})"
    return Candidate(name, renamed(lhs), rhs, saving)


def _inner(term: Term, depth: int) -> list[Term]:
    """The subterms ``depth`` ops below ``term`` (ops only, no leaves or
    constants)."""
    if depth == 0:
        return [term] if op_name(term) not in ("leaf", "constant") else []
    args = get_callable_args(term) or ()
    return [s for a in args if isinstance(a, Term) for s in _inner(a, depth - 1)]


def abstracted(lhs: str, rhs: str, old: Term) -> tuple[str, str] | None:
    """``lhs -> rhs`` (the text of ``old`` and of its replacement) with
    operands abstracted to fresh leaves where the new side then needs no
    leaf the old side lost: every sum or product of three or more operands
    (PyTensor's ``add`` of three inputs is no ``(x0 + x1) + x2``), and the
    operands of the ops inside ``old`` (two levels down). None where
    nothing could be abstracted."""
    used = set(re.findall(r"\bv\d+\b", lhs + " " + rhs))
    fresh = (f"v{k}" for k in range(10_000, 20_000) if f"v{k}" not in used)
    subs = [t for t in _subterms(old) if _chain_length(t) >= 3] + _inner(old, 2)
    changed = False
    for sub in sorted({term_text(t) for t in subs}, key=len, reverse=True):
        if sub == lhs:
            continue
        name = next(fresh)
        a, b = _swap(lhs, sub, name), _swap(rhs, sub, name)
        if a != lhs and set(re.findall(r"\bv\d+\b", b)) <= set(
            re.findall(r"\bv\d+\b", a)
        ):
            lhs, rhs, changed = a, b, True
    return (lhs, rhs) if changed else None


def _chain_length(term: Term) -> int:
    op = op_name(term)
    return len(_operands(term, op)) if op in ASSOCIATIVE else 0


def _swap(text: str, sub: str, name: str) -> str:
    """``text`` with each whole occurrence of the subterm ``sub`` (as an
    argument or a parenthesised operand) replaced by ``name``."""
    out = re.sub(rf"(?<![\w.])\({re.escape(sub)}\)", name, text)  # (operand)
    return re.sub(rf"(?:(?<=\()|(?<=, )|^){re.escape(sub)}(?=[,)]|$)", name, out)


def candidates(
    pairs: Sequence[tuple[Term, Term]],
    equal: Callable[[Term, Term], bool],
    prefix: str = "discovered",
    cost: Callable[[Term], float] | None = None,
) -> list[Candidate]:
    """Every change between each ``(original, extracted)`` root pair, as
    candidates named ``{prefix}_1, ...``, each with its abstracted form
    where it has one (:func:`abstracted`); the same rewrite found twice is
    one candidate. Given a term ``cost``, each change's cheaper parts
    (:func:`parts`) are candidates too, after the changes themselves: a
    change spanning a whole log-density rarely matches another graph, the
    ``log(exp(x0)) -> x0`` inside it does."""
    seen: dict[str, Candidate] = {}

    def add(a: Term, b: Term, saving: float = 0.0) -> None:
        name = f"{prefix}_{len(seen) + 1}"
        lhs, rhs = term_text(a), _reshared(a, b)
        c = _from_text(lhs, rhs, name, saving)
        if c is None or c.text in seen:
            return
        general = abstracted(lhs, rhs, a)
        if general is not None:
            g = _from_text(*general, name, saving)
            if g is not None and g.text != c.text:
                c = replace(c, general=g)
        seen[c.text] = c

    found: list[tuple[Term, Term]] = []
    for old, new in pairs:
        try:
            found += list(changes(old, new, equal))
        except RecursionError:  # a term too deep to print or walk: skipped
            continue
    for a, b in found:
        add(a, b, cost(a) - cost(b) if cost else 0.0)
    if cost is None:
        return list(seen.values())
    inner = []
    for a, b in found:
        try:
            inner += [
                (x, y)
                for s, t in parts(a, b, equal, cost)
                for x, y in changes(s, t, equal)
            ]
        except RecursionError:
            continue
    for x, y in sorted(inner, key=lambda p: cost(p[1]) - cost(p[0]))[:PARTS]:
        add(x, y, cost(x) - cost(y))
    return list(seen.values())


#: At most this many candidates from the parts of changes, the greatest
#: savings first (each costs a check of a few seconds).
PARTS = 12

#: Subterms of a change's old side looked at for a cheaper equal part, the
#: largest first (each pairing is one e-graph query).
PART_TERMS = 40


def parts(
    old: Term,
    new: Term,
    equal: Callable[[Term, Term], bool],
    cost: Callable[[Term], float],
) -> Iterator[tuple[Term, Term]]:
    """The smaller changes inside the change ``old -> new``: each op
    subterm of ``old`` (not ``old`` itself) paired with the cheapest
    subterm of ``new`` (leaves and constants too) proved equal to it and
    cheaper, where there is one.

    Examples
    --------
    >>> from rewritelab.discover.terms import exp, log
    >>> v = [Term.leaf(f"v{k}") for k in range(2)]
    >>> old, new = log(exp(v[0])) * v[1] + Term(1.0), v[0] * v[1] + Term(1.0)
    >>> same = lambda a, b: term_text(a).replace("log(exp(v0))", "v0") == (
    ...     term_text(b).replace("log(exp(v0))", "v0"))
    >>> size = lambda t: float(len(term_text(t)))
    >>> [(term_text(a), term_text(b)) for a, b in parts(old, new, same, size)]
    [('log(exp(v0)) * v1', 'v0 * v1'), ('log(exp(v0))', 'v0')]
    """
    theirs = {term_text(t): t for t in _subterms(new)}
    by_cost = sorted(theirs.values(), key=cost)
    ours: dict[str, Term] = {}
    for s in _subterms(old)[1:]:
        if op_name(s) not in ("leaf", "constant"):
            ours.setdefault(term_text(s), s)
    for text, s in sorted(ours.items(), key=lambda kv: -len(kv[0]))[:PART_TERMS]:
        price = cost(s)
        for t in by_cost:
            if cost(t) >= price:
                break
            if term_text(t) != text and equal(s, t):
                yield s, t
                break


def _reshared(old: Term, new: Term) -> str:
    """``new`` as text, each of its subterms that is one of ``old``'s up to
    the order of sums and products written as in ``old`` (extraction may
    give ``exp((x0 + x1) + x2)`` back as ``exp(x2 + (x1 + x0))``; written as
    the old side, the sum can be bound once). Only reorderings: a subterm
    merely proved equal (``softplus(z)`` for its switch form) is the change
    itself, and stays."""
    ours = {}
    for sub in _subterms(old)[1:]:  # not old itself
        if op_name(sub) not in ("leaf", "constant"):
            ours.setdefault(_canonical(sub), term_text(sub))

    def given(t: Term) -> str | None:
        if op_name(t) in ("leaf", "constant"):
            return None
        return ours.get(_canonical(t))

    return term_text(new, given)


def _canonical(term: Term) -> str:
    """A term's text with the operands of every sum and product sorted."""
    op = op_name(term)
    if op in ASSOCIATIVE:
        parts = sorted(_canonical(t) for t in _operands(term, op))
        return f"{op}({', '.join(parts)})"
    args = get_callable_args(term) or ()
    if op in ("leaf", "constant") or not args:
        return term_text(term)
    inner = ", ".join(_canonical(a) if isinstance(a, Term) else str(a) for a in args)
    return f"{op}({inner})"


def _subterms(term: Term) -> list[Term]:
    args = get_callable_args(term) or ()
    return [term] + [s for a in args if isinstance(a, Term) for s in _subterms(a)]
