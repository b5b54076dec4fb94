"""Counts of species per site: a Dirichlet-multinomial with a simplex and dims."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(6)
sites, species, n_per_site = 10, 4, 50
frac = rng.dirichlet([4, 2, 1, 1], size=sites)
counts = np.array([rng.multinomial(n_per_site, f) for f in frac])

with pm.Model(coords={"site": np.arange(sites), "species": list("abcd")}) as model:
    p = pm.Dirichlet("p", a=np.ones(species), dims="species")
    conc = pm.Lognormal("conc", 1, 1)
    pm.DirichletMultinomial(
        "counts",
        n=n_per_site,
        a=p * conc * species,
        observed=counts,
        dims=("site", "species"),
    )
