"""Logistic regression, N = 5,000 observations and D = 20 predictors."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(2)
n, d = 5000, 20
X = rng.normal(size=(n, d))
beta_true = rng.normal(0, 0.5, size=d)
y = rng.random(n) < 1 / (1 + np.exp(-(X @ beta_true - 0.3)))

with pm.Model() as model:
    alpha = pm.Normal("alpha", 0, 2)
    beta = pm.Normal("beta", 0, 1, shape=d)
    pm.Bernoulli("y", logit_p=alpha + pm.math.dot(X, beta), observed=y.astype(int))
