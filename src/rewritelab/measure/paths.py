"""The ways a sampler calls a compiled logp: what :func:`bench` times.

- ``kernel``: the compiled code itself, as nutpie calls it: on Numba the
  jitted function (``fn.vm.jit_fn``) on arrays prepared once; on C the VM
  (``fn.vm()``) on its input storage filled once — what a Function with
  ``trust_input`` runs, without even the argument copy.
- ``pymc``: PyMC's ``model.logp_dlogp_function(ravel_inputs=True)`` called
  on one raveled parameter vector, as ``pm.sample``'s NUTS calls it (models'
  logp + gradient only).
- ``function``: the ``pytensor.function`` call with a list of arrays, which
  checks and converts every input on every call.

The Function wrapper costs microseconds per call, on small models as much as
the kernel itself, so a rule's effect there shows on the kernel path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["PATHS", "kernel_call", "function_call", "pymc_call"]

#: The call paths, the headline one first.
PATHS = ("kernel", "pymc", "function")


def function_call(fn: Any, args: Sequence[np.ndarray]) -> Callable[[], Any]:
    """``fn(*args)``: the Function wrapper, input checks included."""
    args = list(args)
    return lambda: fn(*args)


def kernel_call(fn: Any, args: Sequence[np.ndarray]) -> Callable[[], Any]:
    """The compiled code of ``fn`` on ``args`` without the Function wrapper.

    The arrays are converted to the inputs' dtypes once. Numba: then
    ``fn.vm.jit_fn`` on them (shared variables as their storage holds them),
    as the thunk itself calls it. Otherwise the VM, ``fn.vm()``, after the
    arrays are put in its input storage — what a Function with
    ``trust_input`` does, without the rest of its call.
    """
    arrays = [
        np.asarray(a, dtype=i.variable.type.dtype)
        for a, i in zip(args, fn.maker.inputs, strict=False)
    ]
    cells = [c.storage for c in fn.input_storage[: len(arrays)]]
    for cell, a in zip(cells, arrays, strict=True):
        cell[0] = a
    vm = fn.vm
    jit = getattr(vm, "jit_fn", None)
    if jit is not None:
        everything = [cell[0] for cell in vm.inputs]
        return lambda: jit(*everything)

    def call() -> Any:
        for cell, a in zip(cells, arrays, strict=True):
            cell[0] = a
        return vm()

    return call


def pymc_call(model: Any, mode: Any, point: dict[str, np.ndarray]) -> Callable[[], Any]:
    """PyMC's raveled logp + gradient function under ``mode`` at ``point``
    (value-space values by name), called as NUTS calls it."""
    from pymc.blocking import DictToArrayBijection

    fn = model.logp_dlogp_function(ravel_inputs=True, mode=mode)
    fn.set_extra_values({})
    names = [v.name for v in fn._grad_vars]
    x = DictToArrayBijection.map({n: np.asarray(point[n]) for n in names}).data
    return lambda: fn(x)
