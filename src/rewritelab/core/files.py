"""Files: a user's Python file run as a module (rules files, model files),
and the folder where rewritelab keeps what it learns between runs."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import cloudpickle

__all__ = ["cache_dir", "exec_file", "keep"]


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


def cache_dir() -> Path:
    """Where rewritelab keeps rule verdicts, op costs and job durations:
    ``$REWRITELAB_CACHE``, else ``$XDG_CACHE_HOME/rewritelab``, else
    ``~/.cache/rewritelab``."""
    if os.environ.get("REWRITELAB_CACHE"):
        return Path(os.environ["REWRITELAB_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rewritelab"


def keep(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (its folder made) so that a reader never
    sees half of it: written beside it, then renamed over it. What cannot be
    written (a read-only home) is not kept, and is no error: what is kept
    here only saves work later."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text)
        tmp.replace(path)
    except OSError:
        pass
