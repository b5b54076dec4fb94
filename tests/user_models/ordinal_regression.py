"""An ordinal (ordered-logistic) regression with ordered cutpoints."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(5)
n = 60
x = rng.normal(size=n)
latent = 0.8 * x + rng.logistic(size=n)
y = np.digitize(latent, [-1.0, 0.0, 1.2])

with pm.Model(coords={"obs": np.arange(n), "cut": np.arange(3)}) as model:
    xd = pm.Data("x", x, dims="obs")
    beta = pm.Normal("beta", 0, 1)
    cutpoints = pm.Normal(
        "cutpoints",
        0.0,
        2.0,
        dims="cut",
        transform=pm.distributions.transforms.ordered,
        initval=[-1.0, 0.0, 1.0],
    )
    pm.OrderedLogistic("y", eta=beta * xd, cutpoints=cutpoints, observed=y, dims="obs")
