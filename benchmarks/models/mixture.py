"""Gaussian mixture, N = 2,000 points from K = 3 components."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(3)
k, n = 3, 2000
centres = np.array([-4.0, 0.0, 5.0])
data = rng.normal(centres[rng.integers(0, k, size=n)], 1.0)

with pm.Model() as model:
    w = pm.Dirichlet("w", np.ones(k))
    mu = pm.Normal(
        "mu",
        np.linspace(-5, 5, k),
        5,
        shape=k,
        transform=pm.distributions.transforms.ordered,
    )
    sigma = pm.HalfNormal("sigma", 2, shape=k)
    pm.NormalMixture("x", w=w, mu=mu, sigma=sigma, observed=data)
