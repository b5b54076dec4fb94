"""A linear regression whose outcome is censored at both ends (pm.Censored)."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(4)
n = 100
x = rng.normal(size=n)
y = np.clip(1.0 + 2.0 * x + rng.normal(0, 1, n), -1.5, 3.5)

with pm.Model(coords={"obs": np.arange(n)}) as model:
    xd = pm.Data("x", x, dims="obs")
    a = pm.Normal("a", 0, 5)
    b = pm.Normal("b", 0, 5)
    sigma = pm.HalfNormal("sigma", 2)
    pm.Censored(
        "y",
        pm.Normal.dist(a + b * xd, sigma),
        lower=-1.5,
        upper=3.5,
        observed=y,
        dims="obs",
    )
