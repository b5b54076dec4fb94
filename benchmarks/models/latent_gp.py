"""A small latent Gaussian process (N = 50) with a Poisson likelihood."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(6)
n = 50
x = np.linspace(0, 10, n)[:, None]
counts = rng.poisson(np.exp(np.sin(x[:, 0])))

with pm.Model() as model:
    ell = pm.Gamma("ell", 2, 1)
    eta = pm.HalfNormal("eta", 1)
    gp = pm.gp.Latent(cov_func=eta**2 * pm.gp.cov.ExpQuad(1, ell))
    f = gp.prior("f", X=x)
    pm.Poisson("y", pm.math.exp(f), observed=counts)
