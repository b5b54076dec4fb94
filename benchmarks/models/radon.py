"""Hierarchical radon-style regression: ~900 houses in 85 counties (seeded
synthetic data with the shape of Gelman & Hill's Minnesota radon data)."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(1)
n, counties = 919, 85
county = rng.integers(0, counties, size=n)
floor = rng.integers(0, 2, size=n).astype(float)
a_true = rng.normal(1.5, 0.3, size=counties)
log_radon = a_true[county] - 0.7 * floor + rng.normal(0, 0.7, size=n)

with pm.Model() as model:
    mu_a = pm.Normal("mu_a", 0, 10)
    sigma_a = pm.HalfNormal("sigma_a", 1)
    a = pm.Normal("a", mu_a, sigma_a, shape=counties)
    b = pm.Normal("b", 0, 10)
    eps = pm.HalfCauchy("eps", 5)
    pm.Normal("y", a[county] + b * floor, eps, observed=log_radon)
