"""The zoo's model files, what each says it cannot be timed on, and the
hand-written NumPy logp + gradient some of them give. Each file is imported
once per process (building a model is seconds for the wide one)."""

import importlib.util
from collections.abc import Callable
from functools import cache
from pathlib import Path

from rewritelab.core.targets import Target, resolve

MODELS = Path(__file__).parent / "models"


def model_files() -> list[Path]:
    """The zoo's model files, by name."""
    return sorted(MODELS.glob("*.py"))


@cache
def _module(path: Path):
    spec = importlib.util.spec_from_file_location(f"_zoo_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def target(path: Path) -> Target:
    """The zoo file's ``model`` as a Target."""
    return resolve(_module(path).model, name="model")


def skips(path: Path) -> dict[str, str]:
    """A zoo model may name backends it cannot be timed on, and why."""
    return dict(getattr(_module(path), "SKIP_BACKENDS", {}))


def hand_written(files: list[Path]) -> dict[str, Callable]:
    """The models' ``LOGP_DLOGP_NUMPY`` functions by name, where they give one."""
    found = {f.stem: getattr(_module(f), "LOGP_DLOGP_NUMPY", None) for f in files}
    return {name: fn for name, fn in found.items() if fn is not None}
