"""A graph's rounding noise, by Monte Carlo arithmetic.

Each float operation rounds its exact result by a relative error of at most
the unit roundoff u (2**-53 in float64). :class:`RoundingNoise` evaluates a
graph node by node and multiplies every result that was rounded by ``1 + d``
with ``d`` drawn uniformly from ``[-u, u]`` (:func:`rounds`: not slices,
reshapes, maxima, switches and other ops that only move or pick values).
An ``OpFromGraph`` (PyTensor's ``LogSumExp``, ``LogAddExp``, ``XLogY`` and
their derivatives, PyMC's helpers) is evaluated through its inner graph, so
every rounding inside it is perturbed too: a ``LogSumExp`` rounded only at
its result made the zero-inflated Poisson's logp look 2-9 ULPs steady where
its inner ``exp``, ``sum`` and ``log`` move it up to 18.
One call is one equally plausible float evaluation, and the spread of
several calls is how far rounding alone can move each output (Parker, Monte
Carlo Arithmetic, 1997). Where an output cancels (a gradient that sums terms
of size 1 to 0.03) that spread is many ULPs, and a rewrite that lands within
it is as good as the original.

Inputs are exact: the spread is the graph's own, not its condition on its
inputs (exp(x) at x = 700 moves 700 ULPs when x moves one, and that is no
licence for a rewrite to lose those 700 ULPs). A linear-algebra op of
PyTensor's ``linalg`` (an inverse, a Cholesky factor, a solve: LAPACK's are
backward stable) is evaluated again on its square matrix inputs each moved
by up to ``3n u`` (n the matrix side) entry by entry relative to ``P|L||U|``
of their LU factors, and its result then rounded: LU with partial pivoting
computes the exact factors of a matrix that close to A (Higham, Accuracy
and Stability of Numerical Algorithms, 2002, Thm 9.4). Relative to A's own
entries the move is far too small where pivoting makes ``|L||U|`` large:
the inverse of ``[[17, 7763753], [7763753, 6.03e13]]`` then moved 3 ULPs
where LAPACK's two off-diagonal entries differ by 17, and ``inv(S).T ->
inv(S)`` for a symmetric S failed. An inverse or a determinant is also
taken of its matrix symmetrically permuted and transposed at random, as
eliminating in another order would: one change of order moves an
off-diagonal entry of LAPACK's inverse of ``[[82, 130], [130, 16900]]`` by
94 ULPs, and at ``[[170, 171], [171, 29241]]`` LAPACK computes one
off-diagonal entry 26 ULPs off where the other is exact. (Perturbed at its result only, the
inverse of a symmetric matrix looked exactly symmetric.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytensor
import scipy.linalg
from pytensor.compile.builders import OpFromGraph
from pytensor.compile.mode import Mode
from pytensor.compile.rewriting import inline_ofg_node
from pytensor.graph.basic import Variable
from pytensor.graph.rewriting.basic import dfs_rewriter, node_rewriter
from pytensor.link.vm import VMLinker
from pytensor.raise_op import CheckAndRaise
from pytensor.scalar import basic as ps
from pytensor.tensor.basic import (
    Alloc,
    ExtractDiag,
    Join,
    MakeVector,
    ScalarFromTensor,
    Split,
    TensorFromScalar,
)
from pytensor.tensor.elemwise import CAReduce, DimShuffle, Elemwise
from pytensor.tensor.linalg.inverse import MatrixInverse
from pytensor.tensor.linalg.summary import Det, SLogDet
from pytensor.tensor.math import Argmax
from pytensor.tensor.shape import Reshape, SpecifyShape
from pytensor.tensor.subtensor import (
    AdvancedIncSubtensor,
    BaseSubtensor,
    IncSubtensor,
)

from rewritelab.core.compile import python_linker_runs

__all__ = ["RoundingNoise", "SAMPLES", "rounds"]

#: Scalar ops whose result is exact: they pick or move a value, or flip its sign.
_EXACT_SCALAR = (
    ps.Second,
    ps.Identity,
    ps.Neg,
    ps.Abs,
    ps.Switch,
    ps.Maximum,
    ps.Minimum,
    ps.Sign,
    ps.Floor,
    ps.Ceil,
    ps.Trunc,
    ps.RoundHalfToEven,
    ps.RoundHalfAwayFromZero,
)

#: Ops that only move, pick or pass on values.
_EXACT_OPS = (
    DimShuffle,
    Reshape,
    SpecifyShape,
    Join,
    Split,
    Alloc,
    MakeVector,
    ExtractDiag,
    TensorFromScalar,
    ScalarFromTensor,
    Argmax,
    CheckAndRaise,
)


def rounds(node: Any) -> bool:
    """Whether ``node`` rounds its float results: arithmetic, elementary
    functions, sums, dot products and linear algebra do; slices, reshapes,
    joins, maxima, switches, negation and checks do not (nor a cast that
    widens)."""
    op = node.op
    if isinstance(op, Elemwise):
        scalar = op.scalar_op
        if isinstance(scalar, ps.Cast):
            before = np.dtype(node.inputs[0].type.dtype)
            return np.dtype(node.outputs[0].type.dtype).itemsize < before.itemsize
        return not isinstance(scalar, _EXACT_SCALAR)
    if isinstance(op, CAReduce):
        return isinstance(op.scalar_op, ps.Add | ps.Mul)
    if isinstance(op, BaseSubtensor):
        return isinstance(op, IncSubtensor | AdvancedIncSubtensor)
    return not isinstance(op, _EXACT_OPS)


#: Linear-algebra ops whose result follows a symmetric permutation of their
#: matrix: an inverse permuted back, a determinant unchanged.
_PERMUTED = (MatrixInverse, Det, SLogDet)


def _backward_stable(node: Any) -> bool:
    """An op of PyTensor's ``linalg`` (batched by a Blockwise or not)."""
    core = getattr(node.op, "core_op", node.op)
    return type(core).__module__.startswith("pytensor.tensor.linalg")


@node_rewriter([OpFromGraph])
def _inline_bodies(fgraph, node):
    """Every ``OpFromGraph`` by its inner graph (nested ones too: the walk
    visits what it inserts), so its roundings are perturbed one by one."""
    return inline_ofg_node(node)


#: Evaluations per point: the noise floor is the farthest of them.
SAMPLES = 8


class RoundingNoise:
    """``noise(*args)``: ``samples`` evaluations of ``outputs`` at ``args``
    (positional, in the order of ``inputs``) with random rounding, as a list
    of output lists. The same ``args`` give the same samples.

    Compiled on first call, without rewrites but with every ``OpFromGraph``
    inlined, on the Python VM (with C
    thunks where the Python linker cannot run the graph:
    :func:`rewritelab.core.compile.python_linker_runs`).
    The roundings are drawn from a generator seeded by ``seed`` at each call.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> x = pt.dscalar("x")
    >>> noise = RoundingNoise([x], [(x + 1) - 1])  # cancels: 1e-10 +- 2e-16
    >>> values = {float(out) for out, in noise(1e-10)}
    >>> len(values) > 1 and all(abs(v - 1e-10) < 3e-16 for v in values)
    True
    """

    def __init__(
        self,
        inputs: Sequence[Variable],
        outputs: Sequence[Variable],
        *,
        samples: int = SAMPLES,
        seed: int = 0,
    ):
        self.inputs, self.outputs = list(inputs), list(outputs)
        self.samples, self.seed = samples, seed
        self._rng = np.random.default_rng(seed)
        self._fn: Any = None

    def _round(self, value: Any, scale: int = 1) -> Any:
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            return value
        u = scale * np.finfo(value.dtype).eps / 2
        d = self._rng.uniform(-u, u, size=value.shape)
        return (value * (1 + d)).astype(value.dtype)

    def _callback(self, node: Any, thunk: Any, storage_map: Any, compute_map: Any):
        if not rounds(node):
            return
        if _backward_stable(node):
            self._rerun_perturbed(node, storage_map)
        for out in node.outputs:
            cell = storage_map[out]
            cell[0] = self._round(cell[0])

    def _rerun_perturbed(self, node: Any, storage_map: Any) -> None:
        """The op again on its float inputs each moved backward-stably
        (:meth:`_moved`); an inverse or a determinant also on its matrix
        symmetrically permuted (``inv(P A P^T) = P inv(A) P^T``) and at random
        transposed (``inv(A) = inv(A^T)^T``): LAPACK's rounding follows the
        order it eliminates in, and inv(S) and inv(S).T of one symmetric S
        differ by 94 ULPs where a column swap moves them."""
        ins = [storage_map[i][0] for i in node.inputs]
        moved = [self._moved(v) for v in ins]
        core = type(getattr(node.op, "core_op", node.op))
        perm, flip = None, False
        if core in _PERMUTED and np.ndim(moved[0]) >= 2:
            perm = self._rng.permutation(np.shape(moved[0])[-1])
            moved[0] = moved[0][..., perm, :][..., :, perm]
            flip = bool(self._rng.integers(2))  # eliminate by columns
            if flip:
                moved[0] = np.swapaxes(moved[0], -1, -2)
        storage = [[None] for _ in node.outputs]
        try:
            with np.errstate(all="ignore"):
                node.op.perform(node, moved, storage)
        except Exception:
            return  # (near) singular where moved: keep the unmoved result
        if perm is not None and core is MatrixInverse:
            if flip:
                storage[0][0] = np.swapaxes(storage[0][0], -1, -2)
            inverse = np.empty_like(storage[0][0])
            inverse[..., perm[:, None], perm[None, :]] = storage[0][0]
            storage[0][0] = inverse
        for out, cell in zip(node.outputs, storage, strict=True):
            storage_map[out][0] = cell[0]

    def _moved(self, value: Any) -> Any:
        """A square matrix (or a batch of them) moved by up to ``3n u``
        entry by entry relative to ``P |L| |U|`` of its LU factors with
        partial pivoting (Higham's bound, :mod:`scipy.linalg.lu`); any other
        float array by up to ``3n u`` of each entry."""
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            return value
        n = value.shape[-1] if value.ndim >= 2 else 1
        if value.ndim < 2 or value.shape[-2] != n or not np.isfinite(value).all():
            return self._round(value, scale=3 * n)
        bound = np.empty(value.shape)
        for batch in np.ndindex(value.shape[:-2]):
            p, lower, upper = scipy.linalg.lu(value[batch])
            bound[batch] = p @ (np.abs(lower) @ np.abs(upper))
        u = 3 * n * np.finfo(value.dtype).eps / 2
        d = self._rng.uniform(-u, u, size=value.shape)
        return (value + d * bound).astype(value.dtype)

    def __call__(self, *args: Any) -> list[list[np.ndarray]]:
        if self._fn is None:
            linker = VMLinker(
                callback=self._callback,
                use_cloop=False,
                c_thunks=not python_linker_runs(self.outputs),
                allow_gc=False,
            )
            self._fn = pytensor.function(
                self.inputs,
                self.outputs,
                mode=Mode(linker=linker, optimizer=dfs_rewriter(_inline_bodies)),
                on_unused_input="ignore",
            )
        self._rng = np.random.default_rng(self.seed)
        runs = []
        for _ in range(self.samples):
            outs = self._fn(*[np.asarray(a).copy() for a in args])
            runs.append([np.asarray(v) for v in outs])
        return runs
