"""A small linear regression with a log-transformed noise scale."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(42)
X = rng.normal(size=(50, 3))
y_obs = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.7, size=50)

with pm.Model() as model:
    beta = pm.Normal("beta", 0.0, 2.0, shape=3)
    sigma = pm.HalfNormal("sigma", 1.0)
    pm.Normal("y", X @ beta, sigma, observed=y_obs)
