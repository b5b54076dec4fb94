"""The ways a sampler calls a compiled logp: what :func:`bench` times.

- ``kernel``: the compiled code itself, called as nutpie calls its own: on
  Numba the jitted function (``fn.vm.jit_fn``) on arrays prepared once; on
  JAX the same on device arrays, waited for with ``jax.block_until_ready``
  (JAX returns before it has computed); on C the VM (``fn.vm()``) on its
  input storage filled once — what a Function with ``trust_input`` runs,
  without even the argument copy.
- ``raveled``: the compiled code of a model's logp + gradient as a function
  of one raveled parameter vector, returning the logp and one gradient
  vector — the graph nutpie and PyMC build (``logp_dlogp_function(
  ravel_inputs=True)``), called as ``kernel`` calls the other. A model with
  many small value variables differs most: the zoo's ``wide`` returns 301
  gradient arrays on the ``kernel`` path and one vector here.
- ``pymc``: PyMC's ``model.logp_dlogp_function(ravel_inputs=True)`` called
  on one raveled parameter vector, as ``pm.sample``'s NUTS calls it (models'
  logp + gradient only).
- ``function``: the ``pytensor.function`` call with a list of arrays, which
  checks and converts every input on every call (on JAX also waited for).

The Function wrapper costs microseconds per call, on small models as much as
the kernel itself, so a rule's effect shows on the kernel paths; and a
model's logp + gradient is fastest raveled where it has many small value
variables, so what a sampler gains shows on the raveled one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "PATHS",
    "RAVELED_PATHS",
    "function_call",
    "kernel_call",
    "on_jax",
    "pymc_call",
    "raveled_call",
    "raveled_function",
]

#: The call paths, in table order (a function's headline path:
#: :data:`rewritelab.measure.bench.HEADLINE_PATHS`).
PATHS = ("kernel", "raveled", "pymc", "function")
#: The paths that call PyMC's raveled logp + gradient (models only).
RAVELED_PATHS = ("raveled", "pymc")


def on_jax(fn: Any) -> bool:
    """Whether the compiled Function ``fn`` runs on PyTensor's JAX backend."""
    return type(fn.maker.linker).__name__ == "JAXLinker"


def function_call(fn: Any, args: Sequence[np.ndarray]) -> Callable[[], Any]:
    """``fn(*args)``: the Function wrapper, input checks included (on JAX,
    until the outputs are computed)."""
    args = list(args)
    if on_jax(fn):
        import jax

        return lambda: jax.block_until_ready(fn(*args))
    return lambda: fn(*args)


def kernel_call(fn: Any, args: Sequence[np.ndarray]) -> Callable[[], Any]:
    """The compiled code of ``fn`` on ``args`` without the Function wrapper.

    The arrays are converted to the inputs' dtypes once. Numba: then
    ``fn.vm.jit_fn`` on them (shared variables as their storage holds them),
    as the thunk itself calls it. JAX: the jitted function on the arrays
    put on the device once, waited for. Otherwise the VM, ``fn.vm()``, after
    the arrays are put in its input storage — what a Function with
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
        if on_jax(fn):
            import jax

            on_device = [jax.device_put(a) for a in everything]
            return lambda: jax.block_until_ready(jit(*on_device))
        return lambda: jit(*everything)

    def call() -> Any:
        for cell, a in zip(cells, arrays, strict=True):
            cell[0] = a
        return vm()

    return call


def raveled_function(
    model: Any, mode: Any, point: dict[str, np.ndarray]
) -> tuple[Any, np.ndarray]:
    """PyMC's raveled logp + gradient function of ``model`` under ``mode``
    and ``point`` (value-space values by name) as its one raveled vector."""
    from pymc.blocking import DictToArrayBijection

    fn = model.logp_dlogp_function(ravel_inputs=True, mode=mode)
    fn.set_extra_values({})
    names = [v.name for v in fn._grad_vars]
    x = DictToArrayBijection.map({n: np.asarray(point[n]) for n in names}).data
    return fn, x


def pymc_call(fn: Any, x: np.ndarray) -> Callable[[], Any]:
    """``fn(x)``: PyMC's raveled function (:func:`raveled_function`) called
    as NUTS calls it."""
    return lambda: fn(x)


def raveled_call(fn: Any, x: np.ndarray) -> Callable[[], Any]:
    """The compiled code of PyMC's raveled function ``fn`` on ``x``, as
    :func:`kernel_call` calls a compiled Function."""
    return kernel_call(fn._pytensor_function, [x])
