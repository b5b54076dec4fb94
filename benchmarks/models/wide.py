"""A wide model: 300 scalar random variables in 100 small groups."""

import numpy as np
import pymc as pm

#: PyTensor's C backend fuses all 900 scalar logp terms (and their gradients)
#: into one Composite whose C source is 5 MB; g++ -O3 did not finish it in 10
#: minutes here. Numba compiles the same graph in seconds.
SKIP_BACKENDS = {"c": "its fused 5 MB C kernel did not compile within 10 minutes"}

rng = np.random.default_rng(7)
groups = 100

with pm.Model() as model:
    mu = pm.Normal("mu", 0, 5)
    for g in range(groups):
        s = pm.HalfNormal(f"s{g}", 2)
        m = pm.Normal(f"m{g}", mu, s)
        pm.Normal(f"y{g}", m, s, observed=rng.normal(size=3))
        pm.Exponential(f"e{g}", 1.0)
