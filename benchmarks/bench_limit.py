"""The practical limit: hand-written NumPy logp + gradient against PyTensor.

Run: ``./dev bench bench_limit.py``. For the logistic regression and the
hierarchical (radon) regression of the zoo, a NumPy function computes the
same logp and gradient by hand (checked against PyTensor's compiled function
first, rtol 1e-10). It is timed side by side (time_ab) against PyTensor's
default pipeline and against the pipeline with the shipped rules, on Numba
and on C. Figures go to benchmarks/results/limit.{json,md}.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytensor

import rewritelab as rl
from rewritelab.core.models import model_graph
from rewritelab.measure.bench import BACKENDS
from rewritelab.measure.timing import time_ab
from rewritelab.report.tables import markdown_table

HERE = Path(__file__).parent
LOG_2PI = np.log(2 * np.pi)


def _zoo(name: str):
    """The zoo file as a module: its model and its data."""
    spec = importlib.util.spec_from_file_location(
        f"_limit_{name}", HERE / "models" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _normal(x, mu, sigma):
    """Normal logp and its derivative in x."""
    z = (x - mu) / sigma
    return -0.5 * z * z - np.log(sigma) - 0.5 * LOG_2PI, -z / sigma


def logistic_numpy(zoo):
    """logp and gradient of the logistic regression, in (alpha, beta)."""
    X, y = zoo.X, zoo.y.astype(float)
    X_T = np.ascontiguousarray(X.T)

    def f(alpha, beta):
        eta = alpha + X @ beta
        # y * eta - softplus(eta); one exp serves softplus and sigmoid
        e = np.exp(-np.abs(eta))
        lp = np.dot(y, eta) - (np.maximum(eta, 0.0) + np.log1p(e)).sum()
        r = y - np.where(eta >= 0, 1.0, e) / (1.0 + e)
        la, ga = _normal(alpha, 0.0, 2.0)
        lb, gb = _normal(beta, 0.0, 1.0)
        return lp + la + lb.sum(), r.sum() + ga, X_T @ r + gb

    return f


def radon_numpy(zoo):
    """logp and gradient of the radon model, in its value variables
    (mu_a, sigma_a_log__, a, b, eps_log__)."""
    county, floor, y = zoo.county, zoo.floor, zoo.log_radon
    counties = zoo.counties
    half_normal_const = 0.5 * np.log(2 / np.pi)
    half_cauchy_const = np.log(2 / (np.pi * 5.0))

    def f(mu_a, sigma_a_log, a, b, eps_log):
        sigma_a, eps = np.exp(sigma_a_log), np.exp(eps_log)
        l_mu, g_mu = _normal(mu_a, 0.0, 10.0)
        l_b, g_b = _normal(b, 0.0, 10.0)
        # HalfNormal(1) on sigma_a, log transform: + sigma_a_log (Jacobian)
        l_sa = half_normal_const - 0.5 * sigma_a**2 + sigma_a_log
        g_sa = -(sigma_a**2) + 1.0
        # HalfCauchy(5) on eps, log transform
        l_eps = half_cauchy_const - np.log1p((eps / 5.0) ** 2) + eps_log
        g_eps = -2 * eps**2 / (25.0 + eps**2) + 1.0
        # a ~ N(mu_a, sigma_a)
        za = (a - mu_a) / sigma_a
        l_a = (-0.5 * za * za).sum() - counties * (sigma_a_log + 0.5 * LOG_2PI)
        g_a = -za / sigma_a
        g_mu = g_mu + (za / sigma_a).sum()
        g_sa = g_sa + (za * za).sum() - counties
        # y ~ N(a[county] + b * floor, eps)
        z = (y - a[county] - b * floor) / eps
        l_y = (-0.5 * z * z).sum() - y.size * (eps_log + 0.5 * LOG_2PI)
        w = z / eps
        g_a = g_a + np.bincount(county, weights=w, minlength=counties)
        g_b = g_b + np.dot(w, floor)
        g_eps = g_eps + (z * z).sum() - y.size
        logp = l_mu + l_b + l_sa + l_eps + l_a + l_y
        return logp, g_mu, g_sa, g_a, g_b, g_eps

    return f


HAND_WRITTEN = {"logistic": logistic_numpy, "radon": radon_numpy}


def _row(name: str, label: str, t) -> dict:
    print(
        f"{name:10s} {label:34s} {t.median_a * 1e6:8.1f} µs vs NumPy "
        f"{t.median_b * 1e6:8.1f} µs: NumPy {t.speedup:.2f}x [{t.ci_low:.2f}, {t.ci_high:.2f}]",
        flush=True,
    )
    return {
        "model": name,
        "pytensor": label,
        "pytensor_us": t.median_a * 1e6,
        "numpy_us": t.median_b * 1e6,
        "numpy_speedup": t.speedup,
        "ci": [t.ci_low, t.ci_high],
    }


def main() -> list[dict]:
    rows = []
    library = rl.library()
    for name, build in HAND_WRITTEN.items():
        zoo = _zoo(name)
        g = model_graph(zoo.model, "logp+grad")
        point = zoo.model.initial_point()
        point = {k: v + 0.1 for k, v in point.items()}  # off the symmetric start
        args = [np.asarray(point[v.name], dtype=v.type.dtype) for v in g.inputs]
        hand = build(zoo)
        for backend, base in BACKENDS.items():
            for label, mode in (("default", base), ("rules", rl.mode(library, base))):
                fn = pytensor.function(list(g.inputs), list(g.outputs), mode=mode)
                for want, got in zip(fn(*args), hand(*args), strict=True):
                    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
                rows.append(_row(name, f"{backend} {label}", time_ab(fn, hand, args)))
    return rows


def to_markdown(rows: list[dict]) -> str:
    head = (
        "model",
        "PyTensor pipeline",
        "PyTensor µs",
        "NumPy µs",
        "NumPy faster by [95% CI]",
    )
    return markdown_table(
        head,
        (
            (
                r["model"],
                r["pytensor"],
                f"{r['pytensor_us']:.1f}",
                f"{r['numpy_us']:.1f}",
                f"{r['numpy_speedup']:.2f} [{r['ci'][0]:.2f}, {r['ci'][1]:.2f}]",
            )
            for r in rows
        ),
    )


if __name__ == "__main__":
    result = main()
    out = HERE / "results"
    (out / "limit.json").write_text(json.dumps(result, indent=2))
    (out / "limit.md").write_text(to_markdown(result) + "\n")
