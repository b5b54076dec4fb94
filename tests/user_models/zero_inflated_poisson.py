"""Fish caught per group: a zero-inflated Poisson regression on pm.Data."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(11)
n = 1000
persons = rng.integers(1, 5, size=n).astype(float)
rate = np.exp(-0.5 + 0.6 * persons)
fish = np.where(rng.random(n) < 0.4, 0, rng.poisson(rate))

with pm.Model(coords={"group": np.arange(n)}) as model:
    p = pm.Data("persons", persons, dims="group")
    psi = pm.Beta("psi", 2, 2)
    b0 = pm.Normal("b0", 0, 2)
    b1 = pm.Normal("b1", 0, 1)
    pm.ZeroInflatedPoisson(
        "fish", psi=psi, mu=pm.math.exp(b0 + b1 * p), observed=fish, dims="group"
    )
