"""The zoo's model files and what each says it cannot be timed on."""

import importlib.util
from pathlib import Path

MODELS = Path(__file__).parent / "models"


def model_files() -> list[Path]:
    """The zoo's model files, by name."""
    return sorted(MODELS.glob("*.py"))


def skips(path: Path) -> dict[str, str]:
    """A zoo model may name backends it cannot be timed on, and why."""
    spec = importlib.util.spec_from_file_location(f"_zoo_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(getattr(module, "SKIP_BACKENDS", {}))
