import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name):
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "examples" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    out = tmp_path_factory.mktemp("pymc301")
    result = _load("pymc_301").main(out)
    result["out"] = out
    return result


def test_traversal_and_surgery(found):
    assert found["roots"] == ["x", "y"]
    assert found["replaced"] == pytest.approx(3.0)
    assert (found["out"] / "replaced.png").exists()


def test_draws_match_numpy_baseline(found):
    assert min(found["ks_pvalues"]) > 1e-3
    assert (found["out"] / "draws.png").exists()
    np.testing.assert_allclose(found["z_std"], [1.0, 2.0], rtol=0.06)


def test_logp_matches_scipy(found):
    np.testing.assert_allclose(found["z_logp"], found["z_scipy"], rtol=1e-12)
    np.testing.assert_allclose(found["terms"], found["terms_scipy"], rtol=1e-7)
    assert found["transforms"] == {"sigma": "LogTransform"}
    assert len(found["z_terms"]) == 1 and len(found["z_terms"][0]) == 2
