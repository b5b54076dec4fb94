"""A negative-binomial regression of counts on two predictors, with dims."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(3)
n = 80
X = rng.normal(size=(n, 2))
y = rng.negative_binomial(5, 5 / (5 + np.exp(0.5 + X @ [0.3, -0.2])))

with pm.Model(coords={"obs": np.arange(n), "pred": ["x1", "x2"]}) as model:
    x = pm.Data("x", X, dims=("obs", "pred"))
    intercept = pm.Normal("intercept", 0, 2)
    beta = pm.Normal("beta", 0, 1, dims="pred")
    alpha = pm.Exponential("alpha", 0.5)
    mu = pm.math.exp(intercept + x @ beta)
    pm.NegativeBinomial("y", mu=mu, alpha=alpha, observed=y, dims="obs")
