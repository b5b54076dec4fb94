"""A counterexample as PyTensor code a maintainer can paste into an issue.

:func:`reproduction` writes the failing graph as plain PyTensor calls, two
``pytensor.function``\\ s (the graph as written, with no rewrites, and the
graph after the one rewriter ran on it), the input, and the values seen and
the exact one. Ops are written by the name PyTensor's namespace gives them
(``pt.exp``, ``pt.sum(..., axis=0)``, ``x.dimshuffle(...)``, ``x[...]``);
any other op is rebuilt from its class and ``__props__``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Constant, Variable
from pytensor.graph.traversal import io_toposort
from pytensor.scalar.basic import ScalarConstant
from pytensor.tensor.elemwise import CAReduce, DimShuffle, Elemwise
from pytensor.tensor.subtensor import Subtensor, indices_from_subtensor

from rewritelab.check.graphs import CheckGraph
from rewritelab.check.kernel import Counterexample

__all__ = ["graph_code", "reproduction", "rewriter_import"]

_REDUCE_NAMES = {
    "Sum": "sum",
    "Prod": "prod",
    "Max": "max",
    "Min": "min",
    "All": "all",
    "Any": "any",
}


class NotWritable(Exception):
    """An op this module cannot write as code."""


@functools.cache
def _elemwise_names() -> dict[Any, str]:
    names: dict[Any, str] = {}
    for name in sorted(vars(pt), key=len):  # the shortest alias ...
        op = getattr(pt, name)
        if isinstance(op, Elemwise) and op.scalar_op not in names:
            names[op.scalar_op] = name
    for scalar_op in list(names):  # ... unless the op's own name is one
        own = str(scalar_op).lower()
        if isinstance(getattr(pt, own, None), Elemwise):
            names[scalar_op] = own
    return names


def _literal(value: Any) -> str:
    text = repr(value)
    try:
        eval(text, {"np": np, "inf": np.inf, "nan": np.nan})  # noqa: S307
    except Exception:
        raise NotWritable(f"{value!r} is not a literal") from None
    return text


def _constant_code(c: Constant) -> str:
    data = np.asarray(c.data)
    if isinstance(c, ScalarConstant):
        return f"pytensor.scalar.constant({data.item()!r}, dtype={str(data.dtype)!r})"
    return f"pt.constant(np.array({data.tolist()!r}, dtype={str(data.dtype)!r}))"


def _index_code(idx: Any, ref: Any) -> str:
    if isinstance(idx, slice):
        parts = ["" if p is None else ref(p) for p in (idx.start, idx.stop, idx.step)]
        return ":".join(parts).rstrip(":") or ":"
    return ref(idx)


def _call(node: Any, args: list[str], ref: Any) -> str:
    op = node.op
    if isinstance(op, Elemwise):
        name = _elemwise_names().get(op.scalar_op)
        if name is None:
            raise NotWritable(f"no PyTensor function makes {op}")
        return f"pt.{name}({', '.join(args)})"
    if isinstance(op, DimShuffle):
        order = ", ".join(repr(o) for o in op.new_order)
        return f"{args[0]}.dimshuffle({order})"
    if isinstance(op, CAReduce) and type(op).__name__ in _REDUCE_NAMES:
        return f"pt.{_REDUCE_NAMES[type(op).__name__]}({args[0]}, axis={op.axis!r})"
    if isinstance(op, Subtensor):
        indices = indices_from_subtensor(node.inputs[1:], op.idx_list)
        inner = ", ".join(_index_code(i, ref) for i in indices)
        return f"{args[0]}[{inner}{',' if len(indices) == 1 else ''}]"
    cls = type(op)
    props = ", ".join(f"{p}={_literal(getattr(op, p))}" for p in cls.__props__)
    return f"{cls.__module__}.{cls.__name__}({props})({', '.join(args)})"


def graph_code(inputs: Sequence[Variable], outputs: Sequence[Variable]) -> list[str]:
    """Lines of PyTensor code that build ``outputs`` from fresh ``inputs``
    (named as the inputs are); the last lines bind ``out`` (or ``outs``).
    :class:`NotWritable` where an op cannot be written."""
    names: dict[Variable, str] = {}
    lines = []
    for i, v in enumerate(inputs):
        name = v.name if v.name and v.name.isidentifier() else f"x{i}"
        names[v] = name
        lines.append(
            f"{name} = pt.tensor({name!r}, dtype={v.type.dtype!r}, "
            f"shape={tuple(v.type.shape)!r})"
        )

    def ref(v: Any) -> str:
        if v in names:
            return names[v]
        if isinstance(v, Constant):
            return _constant_code(v)
        raise NotWritable(f"{v} is not computed from the inputs")

    for k, node in enumerate(io_toposort(list(inputs), list(outputs))):
        expr = _call(node, [ref(i) for i in node.inputs], ref)
        outs = [
            f"v{k}" if len(node.outputs) == 1 else f"v{k}_{j}"
            for j in range(len(node.outputs))
        ]
        for var, name in zip(node.outputs, outs, strict=True):
            names[var] = name
        lines.append(f"{', '.join(outs)} = {expr}")
    finals = [ref(o) for o in outputs]
    lines.append(
        f"out = {finals[0]}" if len(finals) == 1 else f"outs = [{', '.join(finals)}]"
    )
    return lines


def rewriter_import(rewriter: Any, name: str, db: str) -> str:
    """A line that binds ``rewriter`` to the registered node rewriter:
    an import where its module names it, else a lookup in ``optdb``."""
    module = getattr(getattr(rewriter, "fn", None), "__module__", None)
    if module and getattr(_module(module), name, None) is rewriter:
        return f"from {module} import {name} as rewriter"
    return (
        "from pytensor.compile import optdb\n"
        f"(rewriter,) = optdb[{db!r}].__db__[{name!r}]\n"
        "rewriter = getattr(rewriter, 'node_rewriter', rewriter)"
    )


def _module(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(name)
    except Exception:
        return None


def reproduction(
    graph: CheckGraph,
    found: Counterexample,
    *,
    rewriter_line: str,
) -> str:
    """Paste-ready PyTensor code that shows ``found`` on ``graph``: before
    and after functions, the input, the values and the exact value."""
    outs = list(graph.outputs)
    n_values = len(outs) if graph.n_values is None else graph.n_values
    lines = [
        "import numpy as np",
        "import pytensor",
        "import pytensor.scalar",
        "import pytensor.tensor as pt",
        "from pytensor.compile.mode import Mode",
        "from pytensor.graph import FunctionGraph",
        "from pytensor.graph.rewriting.basic import in2out",
        rewriter_line,
        "",
    ]
    try:
        lines += graph_code(graph.inputs, outs)
    except NotWritable as exc:
        return f"# the graph cannot be written as code: {exc}\n# graph: {graph.label}"
    names = [
        v.name if v.name and v.name.isidentifier() else f"x{i}"
        for i, v in enumerate(graph.inputs)
    ]
    ins = ", ".join(names)
    target = "out" if len(outs) == 1 else "outs"
    lines += [
        "",
        'no_rewrites = Mode(linker="py", optimizer=None)',
        f"fg = FunctionGraph([{ins}], {'[out]' if target == 'out' else 'outs'}, clone=True)",
        "in2out(rewriter).rewrite(fg)",
    ]
    wrt = found.output.removeprefix("gradient wrt ")
    if found.output.startswith("gradient wrt ") and n_values == len(outs):
        # the checker differentiates each graph as written: the original, and
        # the rewritten one
        k = names.index(wrt) if wrt in names else 0
        lines += [
            f"grad_before = pytensor.grad(pt.add(*(o.sum() for o in outs)), {names[k]})"
            if target == "outs"
            else f"grad_before = pytensor.grad(out.sum(), {names[k]})",
            "grad_after = pytensor.grad("
            "pt.add(*(o.sum() for o in fg.outputs)), fg.inputs["
            f"{k}])",
            f"before = pytensor.function([{ins}], grad_before, mode=no_rewrites)",
            "after = pytensor.function(fg.inputs, grad_after, mode=no_rewrites)",
            "",
        ]
    else:
        lines += [
            f"before = pytensor.function([{ins}], {target}, mode=no_rewrites)",
            "after = pytensor.function(fg.inputs, fg.outputs, mode=no_rewrites)",
            "",
        ]
    args = []
    for name, v in zip(names, graph.inputs, strict=True):
        value = np.asarray(found.inputs.get(v.name or name, found.inputs.get(name)))
        lines.append(
            f"{name}_value = np.array({_array_text(value)}, dtype={v.type.dtype!r})"
        )
        args.append(f"{name}_value")
    call = ", ".join(args)
    where = "" if found.flat_index is None else f"element {found.flat_index}: "
    exact = (
        "" if found.exact is None else f", exact {_array_text(np.asarray(found.exact))}"
    )
    lines += [
        f"print(before({call}))",
        f"print(after({call}))",
        f"# {found.output}, {where}before {_array_text(np.asarray(found.before))}, "
        f"after {_array_text(np.asarray(found.after))}{exact}",
    ]
    return "\n".join(lines)


def _array_text(a: np.ndarray) -> str:
    return repr(a.tolist()).replace("nan", "np.nan").replace("inf", "np.inf")
