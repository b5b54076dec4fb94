"""Shared fixtures: small real PyMC models and graphs, the command line."""

import contextlib
import io

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import pytest
from hypothesis import settings

collect_ignore = ["data"]

settings.register_profile("ci", deadline=None, max_examples=40)
settings.load_profile("ci")


@pytest.fixture
def simple_model():
    """mu ~ N(0, 2), sigma ~ HalfNormal(3), x ~ N(mu, sigma) observed."""
    rng = np.random.default_rng(0)
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 2)
        sigma = pm.HalfNormal("sigma", 3)
        pm.Normal("x", mu, sigma, observed=rng.normal(size=20))
    return model


@pytest.fixture
def data_model():
    """A model with pm.Data (a shared variable) in its logp graph."""
    with pm.Model() as model:
        xs = pm.Data("xs", np.linspace(0, 1, 10))
        b = pm.Normal("b", 0, 1)
        pm.Normal("y", b * xs, 1.0, observed=np.ones(10))
    return model


@pytest.fixture
def vec():
    return pt.dvector("x")


@pytest.fixture(autouse=True)
def _private_verdict_cache(tmp_path_factory, monkeypatch):
    """Every test session keeps rule verdicts in its own folder, never ~/.cache."""
    folder = tmp_path_factory.getbasetemp() / "verdicts"
    monkeypatch.setenv("REWRITELAB_CACHE", str(folder))


@pytest.fixture
def dims_model():
    """The five lines users hit first: coords, dims and pm.Data."""
    with pm.Model(coords={"obs": np.arange(5)}) as model:
        x = pm.Data("x", np.linspace(0.0, 1.0, 5), dims="obs")
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu + x, 1, observed=np.zeros(5), dims="obs")
    return model


@pytest.fixture
def cli():
    """``cli(*argv)`` runs the command line: ``(exit code, stdout, stderr)``."""
    from rewritelab.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
        return code, out.getvalue(), err.getvalue()

    return run
