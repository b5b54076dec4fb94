"""The models shipped inside the package, found by name."""

from __future__ import annotations

from pathlib import Path

from rewritelab.core.errors import TargetError

__all__ = ["bundled_models", "bundled_model_path"]

_DIR = Path(__file__).parent / "_models"


def bundled_models() -> tuple[str, ...]:
    """Names of the bundled example models (``eight_schools``, ...)."""
    return tuple(
        sorted(p.stem for p in _DIR.glob("*.py") if not p.stem.startswith("_"))
    )


def bundled_model_path(name: str) -> Path:
    """The file of a bundled model; a TargetError names the known ones."""

    path = _DIR / f"{name}.py"
    if not path.is_file():
        raise TargetError(
            f"no bundled model {name!r}; known: {', '.join(bundled_models())}"
        )
    return path
