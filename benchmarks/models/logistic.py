"""Logistic regression, N = 5,000 observations and D = 20 predictors: the
model bundled as ``logistic`` (the demo's), in the zoo, with its logp and
gradient written by hand in NumPy (``LOGP_DLOGP_NUMPY``, the anchor the
benchmark times the rules against)."""

import numpy as np

from rewritelab.core._models import logistic as bundled

model, X, y = bundled.model, bundled.X, bundled.y

LOG_2PI = np.log(2 * np.pi)
X_T = np.ascontiguousarray(X.T)
Y = y.astype(float)


def _normal(x, mu, sigma):
    """Normal logp and its derivative in x."""
    z = (x - mu) / sigma
    return -0.5 * z * z - np.log(sigma) - 0.5 * LOG_2PI, -z / sigma


def LOGP_DLOGP_NUMPY(alpha, beta):
    """logp and gradient in (alpha, beta), the model's value variables."""
    eta = alpha + X @ beta
    # y * eta - softplus(eta); one exp serves softplus and sigmoid
    e = np.exp(-np.abs(eta))
    lp = np.dot(Y, eta) - (np.maximum(eta, 0.0) + np.log1p(e)).sum()
    r = Y - np.where(eta >= 0, 1.0, e) / (1.0 + e)
    la, ga = _normal(alpha, 0.0, 2.0)
    lb, gb = _normal(beta, 0.0, 1.0)
    return lp + la + lb.sum(), r.sum() + ga, X_T @ r + gb
