"""Shared fixtures: small real PyMC models and graphs."""

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
