"""Run a user's Python file as a module (rules files, model files)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import cloudpickle

__all__ = ["exec_file"]


def exec_file(path: Path, prefix: str) -> ModuleType:
    """Import ``path`` under a unique module name starting with ``prefix``.

    The module is registered in ``sys.modules`` while it runs (dataclasses
    and pickling need that) and removed again if it raises; the exception
    propagates unchanged for the caller to word. ``ImportError`` if the file
    cannot be imported at all. Its functions and classes pickle by value
    (cloudpickle's registry), so that a Dask worker, which has no such
    module, can run the rules and models the file defines.
    """
    name = f"{prefix}_{path.stem}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    cloudpickle.register_pickle_by_value(module)
    return module
