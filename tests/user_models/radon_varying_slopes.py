"""Hierarchical radon with varying intercepts and slopes, pm.Data and dims."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(8)
n_counties, n = 12, 120
county = rng.integers(0, n_counties, size=n)
floor = rng.integers(0, 2, size=n).astype(float)
log_radon = (
    1.5 - 0.6 * floor + rng.normal(0, 0.4, n_counties)[county] + rng.normal(0, 0.7, n)
)
coords = {"county": [f"c{i}" for i in range(n_counties)], "obs_id": np.arange(n)}

with pm.Model(coords=coords) as model:
    floor_idx = pm.Data("floor_idx", floor, dims="obs_id")
    county_idx = pm.Data("county_idx", county, dims="obs_id")
    mu_a = pm.Normal("mu_a", 0.0, 5.0)
    sigma_a = pm.Exponential("sigma_a", 1.0)
    mu_b = pm.Normal("mu_b", 0.0, 1.0)
    sigma_b = pm.Exponential("sigma_b", 0.5)
    z_a = pm.Normal("z_a", 0.0, 1.0, dims="county")
    z_b = pm.Normal("z_b", 0.0, 1.0, dims="county")
    a = pm.Deterministic("a", mu_a + z_a * sigma_a, dims="county")
    b = pm.Deterministic("b", mu_b + z_b * sigma_b, dims="county")
    theta = a[county_idx] + b[county_idx] * floor_idx
    sigma = pm.Exponential("sigma", 1.0)
    pm.Normal("y", theta, sigma, observed=log_radon, dims="obs_id")
