"""One comparison kernel: a before/after pair compiled once, judged point by point.

Rule checks, model checks and the benchmark's agreement test all ask the
same question: at these input values, is the rewritten graph acceptable
next to the original? :class:`Comparison` answers it once for all three.
It compiles the pair (or takes the caller's compiled functions, as the
benchmark does), reads shared variables (``pm.Data``, coords) from their
own storage, carries the original's rounding-noise floor
(:mod:`rewritelab.check.noise`), and judges each output by
:func:`rewritelab.check.compare.compare_outputs` against the exact value of the
original expression. A failure comes back as a :class:`Counterexample`
that names the output, the flat index of the first bad element and that
element's values only: a few numbers, never whole arrays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytensor
from pytensor.compile.mode import Mode
from pytensor.graph.basic import Variable

from rewritelab.check.compare import UNDECIDED, Verdict, compare_outputs
from rewritelab.check.exact import MAX_DOUBLINGS, Undefined, exact_value
from rewritelab.check.noise import RoundingNoise
from rewritelab.core.compile import REFERENCE_MODE, WIDE_MODE, python_linker_runs

__all__ = [
    "CHECK_MODE",
    "CHECK_MODE_NAME",
    "Comparison",
    "Counterexample",
    "Noted",
    "OriginalFails",
    "check_mode",
]

#: How the checker compiles: Python linker, no rewrites (the graph evaluated
#: is exactly the one written, and a compile costs milliseconds).
CHECK_MODE = REFERENCE_MODE
CHECK_MODE_NAME = "python linker, no rewrites"

#: For graphs the Python linker cannot run: the C VM, still no rewrites.
WIDE_CHECK_MODE = WIDE_MODE
WIDE_CHECK_MODE_NAME = "C VM linker, no rewrites (an Elemwise has over 32 operands)"

#: After this many undecided points a pair's exact values double their
#: precision at most UNDECIDED_DOUBLINGS times (about 640 digits, not 12,000).
UNDECIDED_POINTS = 3
UNDECIDED_DOUBLINGS = 4

#: Arrays longer than this are shown by shape in a counterexample's inputs.
SHOWN_ELEMENTS = 8


def check_mode(outputs: Sequence[Variable]) -> tuple[Mode, str]:
    """:data:`CHECK_MODE` and its name, or the C VM where the Python linker
    cannot run the graph (:func:`rewritelab.core.compile.python_linker_runs`)."""
    if python_linker_runs(outputs):
        return CHECK_MODE, CHECK_MODE_NAME
    return WIDE_CHECK_MODE, WIDE_CHECK_MODE_NAME


class OriginalFails(Exception):
    """PyTensor cannot compile the original graph: nothing to compare (a
    second derivative of ``logsumexp`` of a scalar fails in its C code)."""


def _short(value: Any) -> Any:
    arr = np.asarray(value)
    if arr.size > SHOWN_ELEMENTS:
        return f"<{arr.dtype} array of shape {arr.shape}>"
    return arr.tolist()


@dataclass(frozen=True)
class Counterexample:
    """Inputs where the rewritten graph is wrong, and by how much.

    ``output`` says which output was wrong (``"value 0"``, ``"term y_logprob"``,
    ``"gradient wrt x"``); ``before``/``after``/``exact`` are that output's
    values at the first bad element (``index`` in the output's ``shape``,
    ``flat_index`` in its flattened order; ``exact`` None when it was not
    needed or not available); ``ulps_*`` the errors there. ``rule`` names
    the rule to blame where several fired (see
    :func:`rewritelab.check.model.check_model`); ``exact_digits`` the
    decimal digits the exact value needed to settle.
    """

    graph: str
    output: str
    reason: str
    inputs: dict[str, Any] = field(default_factory=dict)
    before: Any = None
    after: Any = None
    exact: Any = None
    index: tuple[int, ...] | None = None
    ulps_before: float | None = None
    ulps_after: float | None = None
    flat_index: int | None = None
    shape: tuple[int, ...] | None = None
    rule: str = ""
    exact_digits: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = dict(vars(self))
        for k in ("before", "after", "exact"):
            d[k] = None if d[k] is None else np.asarray(d[k]).tolist()
        d["inputs"] = {k: np.asarray(v).tolist() for k, v in self.inputs.items()}
        return d

    def __str__(self) -> str:
        ins = ", ".join(f"{k}={_short(v)}" for k, v in self.inputs.items())
        text = f"{self.graph}: {self.output}"
        if self.flat_index is not None and self.shape:
            text += f" element {self.flat_index} (of shape {self.shape})"
        text += f" {self.reason}"
        if self.rule:
            text += f"; caused by rule {self.rule}"
        if ins:
            text += f" at {ins}"
        if self.before is not None:
            text += f"; original {_short(self.before)}"
            text += f", rewritten {_short(self.after)}"
        if self.exact is not None:
            text += f", exact {_short(self.exact)}"
            if self.exact_digits is not None:
                text += f" (settled at {self.exact_digits} digits)"
        if self.ulps_after is not None:
            text += f" (errors {self.ulps_before:.3g} vs {self.ulps_after:.3g} ULPs)"
        return text


@dataclass(frozen=True)
class Noted:
    """Points accepted with one note (:data:`rewritelab.check.compare.NOTES`):
    how many, and the first of them (its ``reason`` says what was seen)."""

    kind: str
    count: int
    first: Counterexample

    def __str__(self) -> str:
        return f"{self.count} points: {self.kind}; the first: {self.first}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"kind": self.kind, "count": self.count, "first": self.first.to_dict()}


class Comparison:
    """A before/after pair of graphs, compiled once, that judges points.

    Parameters
    ----------
    inputs
        The explicit inputs (shared variables stay implicit).
    before, after
        The original outputs and their rewrite; the first ``n_values`` are
        values, the rest gradients.
    labels
        One name per output for counterexamples (default ``value k`` and
        ``gradient k``).
    functions
        ``(f_before, f_after)`` already compiled (the benchmark's Numba or C
        functions); by default both are compiled with :func:`check_mode`.
    gate_gradients
        Compare gradients only where every value is finite.
    finite_only
        Judge only points where the original's outputs are all finite (a
        model is compared only where its logp and gradient are): elsewhere
        :meth:`judge` returns None and counts the point in ``skipped``.
    derivatives
        For each gradient in ``before``, ``(cost, wrt)``: the scalar it is the
        gradient of and the input it is taken with respect to (see
        :func:`rewritelab.check.compare.compare_outputs`).

    A point accepted with a note (:data:`rewritelab.check.compare.NOTES`: no
    exact value settled where the two differ, or the original's gradient
    graph refuted by the derivative) is counted in ``notes``, a
    :class:`Noted` per kind with its first point.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dscalar("x")
    >>> pair = Comparison([x], [pt.log1p(x)], [pt.log(1 + x)])
    >>> pair.judge([1e-20]).reason
    'farther from the exact value than the original'
    >>> pair.judge([0.5]) is None
    True
    """

    def __init__(
        self,
        inputs: Sequence[Variable],
        before: Sequence[Variable],
        after: Sequence[Variable],
        *,
        n_values: int | None = None,
        labels: Sequence[str] | None = None,
        functions: tuple[Callable[..., Any], Callable[..., Any]] | None = None,
        gate_gradients: bool = True,
        finite_only: bool = False,
        name: str = "",
        derivatives: Sequence[tuple[Variable, Variable]] = (),
    ):
        self.inputs, self.before, self.after = list(inputs), list(before), list(after)
        self.n_values = len(self.before) if n_values is None else n_values
        self.labels = (
            list(labels)
            if labels is not None
            else [
                f"value {k}" if k < self.n_values else f"gradient {k - self.n_values}"
                for k in range(len(self.before))
            ]
        )
        self.gate_gradients, self.name = gate_gradients, name
        self.finite_only, self.skipped = finite_only, 0
        self.notes: dict[str, Noted] = {}
        self.derivatives = list(derivatives)
        self.mode_name = CHECK_MODE_NAME
        if functions is None:
            mode, self.mode_name = check_mode(self.before + self.after)
            kw = {"mode": mode, "on_unused_input": "ignore"}
            try:
                f_before = pytensor.function(self.inputs, self.before, **kw)
            except Exception as exc:
                raise OriginalFails(f"{type(exc).__name__}: {exc}") from None
            functions = (f_before, pytensor.function(self.inputs, self.after, **kw))
        self.f_before, self.f_after = functions
        self.noise = RoundingNoise(self.inputs, self.before)

    def args(self, values: Mapping[Any, Any] | Sequence[Any]) -> list[np.ndarray]:
        """Positional arrays from a mapping (by Variable or by name) or a list."""
        if not isinstance(values, Mapping):
            return [np.asarray(v) for v in values]
        return [
            np.asarray(values[v] if v in values else values[v.name], dtype=v.type.dtype)
            for v in self.inputs
        ]

    def judge(
        self,
        values: Mapping[Any, Any] | Sequence[Any],
        *,
        where: str = "",
        on_verdict: Callable[[Verdict], None] | None = None,
    ) -> Counterexample | None:
        """None where the rewrite is acceptable at ``values`` (or the original
        itself cannot run there), else the first failing output as a
        :class:`Counterexample` labelled ``where``."""
        args = self.args(values)
        shown = {
            v.name or f"input {i}": a
            for i, (v, a) in enumerate(zip(self.inputs, args, strict=True))
        }
        graph = f"{self.name} ({where})" if where and self.name else where or self.name
        with np.errstate(all="ignore"):
            try:
                vb = self.f_before(*[a.copy() for a in args])
            except Exception:
                self.skipped += 1
                return None  # the original cannot run here: nothing to compare
            if self.finite_only and not all(np.all(np.isfinite(x)) for x in vb):
                self.skipped += 1
                return None
            try:
                va = self.f_after(*[a.copy() for a in args])
            except Exception as exc:
                found = Counterexample(
                    graph, "graph", f"raised {type(exc).__name__}: {exc}", shown
                )
                if not self._undefined(args):
                    return found
                self._note(
                    UNDECIDED,
                    dataclasses.replace(
                        found,
                        reason=(
                            f"{found.reason} where the original has no exact value"
                        ),
                    ),
                )
                return None
        noted: list[tuple[int, Verdict]] = []
        found = compare_outputs(
            self.inputs,
            self.before,
            vb,
            va,
            args,
            n_values=self.n_values,
            gate_gradients=self.gate_gradients,
            on_verdict=on_verdict,
            noise=self.noise,
            on_note=lambda k, v: noted.append((k, v)),
            derivatives=self.derivatives,
            doublings=self._doublings(),
        )
        if found is None:
            for kind in {v.note for _, v in noted}:
                k, v = next((k, v) for k, v in noted if v.note == kind)
                self._note(kind, self._counterexample(k, v, vb, va, shown, graph))
            return None
        return self._counterexample(*found, vb, va, shown, graph)

    def _note(self, kind: str, point: Counterexample) -> None:
        """Count one more point accepted with note ``kind``."""
        seen = self.notes.get(kind)
        count = (seen.count if seen else 0) + 1
        self.notes[kind] = Noted(kind, count, seen.first if seen else point)

    def _undefined(self, args: Sequence[np.ndarray]) -> bool:
        """Whether the original's outputs have no exact value at ``args``
        (the inverse of a singular matrix): there a rewrite that raises
        (LAPACK noticed) is as right as an original that did not."""
        try:
            with np.errstate(all="ignore"):
                exact_value(self.inputs, self.before, args, doublings=0)
        except Undefined:
            return True
        except Exception:
            return False
        return False

    def _doublings(self) -> int:
        """The exact value's precision cap: the full one until
        :data:`UNDECIDED_POINTS` points went undecided, then
        :data:`UNDECIDED_DOUBLINGS` (each undecided point costs the whole
        ladder, half a second at 12,000 digits, and Hypothesis, once it meets
        one, meets many: x beyond 26,000 in ``log1p(-sigmoid(x))``)."""
        seen = self.notes.get(UNDECIDED)
        if seen is not None and seen.count >= UNDECIDED_POINTS:
            return UNDECIDED_DOUBLINGS
        return MAX_DOUBLINGS

    def _counterexample(
        self,
        k: int,
        v: Verdict,
        vb: Sequence[Any],
        va: Sequence[Any],
        shown: dict[str, Any],
        graph: str,
    ) -> Counterexample:
        """Output ``k``'s verdict ``v`` at one point, as a Counterexample."""
        b, a = np.asarray(vb[k]), np.asarray(va[k])
        idx, same = v.index, b.shape == a.shape

        def pick(arr: Any) -> Any:
            arr = np.asarray(arr)
            return arr[idx] if idx is not None and arr.ndim and same else arr

        flat = (
            int(np.ravel_multi_index(idx, b.shape))
            if idx is not None and b.ndim
            else None
        )
        return Counterexample(
            graph=graph,
            output=self.labels[k],
            reason=v.reason,
            inputs=shown,
            before=pick(b),
            after=pick(a),
            exact=None if v.exact is None else pick(v.exact),
            index=tuple(int(i) for i in idx) if idx is not None else None,
            ulps_before=v.ulps_before,
            ulps_after=v.ulps_after,
            flat_index=flat,
            shape=tuple(b.shape) if b.ndim else None,
            exact_digits=v.exact_digits,
        )
