"""Hierarchical radon-style regression: ~900 houses in 85 counties (seeded
synthetic data with the shape of Gelman & Hill's Minnesota radon data)."""

import numpy as np
import pymc as pm

rng = np.random.default_rng(1)
n, counties = 919, 85
county = rng.integers(0, counties, size=n)
floor = rng.integers(0, 2, size=n).astype(float)
a_true = rng.normal(1.5, 0.3, size=counties)
log_radon = a_true[county] - 0.7 * floor + rng.normal(0, 0.7, size=n)

with pm.Model() as model:
    mu_a = pm.Normal("mu_a", 0, 10)
    sigma_a = pm.HalfNormal("sigma_a", 1)
    a = pm.Normal("a", mu_a, sigma_a, shape=counties)
    b = pm.Normal("b", 0, 10)
    eps = pm.HalfCauchy("eps", 5)
    pm.Normal("y", a[county] + b * floor, eps, observed=log_radon)

LOG_2PI = np.log(2 * np.pi)
HALF_NORMAL_CONST = 0.5 * np.log(2 / np.pi)
HALF_CAUCHY_CONST = np.log(2 / (np.pi * 5.0))


def _normal(x, mu, sigma):
    """Normal logp and its derivative in x."""
    z = (x - mu) / sigma
    return -0.5 * z * z - np.log(sigma) - 0.5 * LOG_2PI, -z / sigma


def LOGP_DLOGP_NUMPY(mu_a, sigma_a_log, a, b, eps_log):
    """logp and gradient by hand, in the value variables (mu_a,
    sigma_a_log__, a, b, eps_log__): the anchor the benchmark times the
    rules against."""
    sigma_a, eps = np.exp(sigma_a_log), np.exp(eps_log)
    l_mu, g_mu = _normal(mu_a, 0.0, 10.0)
    l_b, g_b = _normal(b, 0.0, 10.0)
    # HalfNormal(1) on sigma_a, log transform: + sigma_a_log (Jacobian)
    l_sa = HALF_NORMAL_CONST - 0.5 * sigma_a**2 + sigma_a_log
    g_sa = -(sigma_a**2) + 1.0
    # HalfCauchy(5) on eps, log transform
    l_eps = HALF_CAUCHY_CONST - np.log1p((eps / 5.0) ** 2) + eps_log
    g_eps = -2 * eps**2 / (25.0 + eps**2) + 1.0
    # a ~ N(mu_a, sigma_a)
    za = (a - mu_a) / sigma_a
    l_a = (-0.5 * za * za).sum() - counties * (sigma_a_log + 0.5 * LOG_2PI)
    g_a = -za / sigma_a
    g_mu = g_mu + (za / sigma_a).sum()
    g_sa = g_sa + (za * za).sum() - counties
    # y ~ N(a[county] + b * floor, eps)
    z = (log_radon - a[county] - b * floor) / eps
    l_y = (-0.5 * z * z).sum() - n * (eps_log + 0.5 * LOG_2PI)
    w = z / eps
    g_a = g_a + np.bincount(county, weights=w, minlength=counties)
    g_b = g_b + np.dot(w, floor)
    g_eps = g_eps + (z * z).sum() - n
    logp = l_mu + l_b + l_sa + l_eps + l_a + l_y
    return logp, g_mu, g_sa, g_a, g_b, g_eps
