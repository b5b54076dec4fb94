"""Eight schools, non-centered: the classic hierarchical model."""

import numpy as np
import pymc as pm

y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
sigma = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])

with pm.Model() as model:
    mu = pm.Normal("mu", 0.0, 5.0)
    tau = pm.HalfCauchy("tau", 5.0)
    theta_raw = pm.Normal("theta_raw", 0.0, 1.0, shape=8)
    theta = pm.Deterministic("theta", mu + tau * theta_raw)
    pm.Normal("obs", theta, sigma, observed=y)
