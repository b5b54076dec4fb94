"""A marginal GP regression with an exponentiated-quadratic kernel."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(2)
X = np.linspace(0, 10, 25)[:, None]
y = np.sin(X[:, 0]) + rng.normal(0, 0.3, 25)

with pm.Model() as model:
    ell = pm.Gamma("ell", alpha=2, beta=1)
    eta = pm.HalfNormal("eta", 2)
    cov = eta**2 * pm.gp.cov.ExpQuad(1, ls=ell)
    gp = pm.gp.Marginal(cov_func=cov)
    sigma = pm.HalfNormal("sigma", 1)
    gp.marginal_likelihood("y", X=X, y=y, sigma=sigma)
