"""Stochastic volatility: a GaussianRandomWalk of log volatility, T = 1,000."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(5)
t = 1000
log_vol = np.cumsum(rng.normal(0, 0.1, size=t))
returns = rng.standard_t(10, size=t) * np.exp(log_vol)

with pm.Model() as model:
    step = pm.Exponential("step", 10)
    s = pm.GaussianRandomWalk("s", sigma=step, init_dist=pm.Normal.dist(0, 10), shape=t)
    nu = pm.Exponential("nu", 0.1)
    pm.StudentT("r", nu=nu, lam=pm.math.exp(-2 * s), observed=returns)
