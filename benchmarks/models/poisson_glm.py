"""Poisson GLM with a log exposure offset, N = 2,000 and 5 predictors."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(4)
n, d = 2000, 5
X = rng.normal(size=(n, d))
exposure = rng.uniform(0.5, 3.0, size=n)
counts = rng.poisson(exposure * np.exp(X @ np.linspace(-0.3, 0.3, d) + 0.2))

with pm.Model() as model:
    intercept = pm.Normal("intercept", 0, 2)
    beta = pm.Normal("beta", 0, 1, shape=d)
    rate = pm.math.exp(intercept + pm.math.dot(X, beta) + np.log(exposure))
    pm.Poisson("y", rate, observed=counts)
