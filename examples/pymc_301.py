"""The PyMC 301 walkthrough on PyTensor 3 / PyMC 6, with rewritelab's tools.

Run: ``python examples/pymc_301.py [OUT_DIR]``. ``main`` returns the numbers
it printed so that tests/test_examples.py can check them.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
from pytensor.graph.replace import clone_replace
from scipy import stats

from rewritelab import render, roots, summary


def main(out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    found = {}
    # 1. A graph, printed and walked from the output back to its roots.
    x, y = pt.scalar("x"), pt.scalar("y")
    w = pt.log(x + y)
    pytensor.dprint(w)
    found["roots"] = [v.name for v in roots(w)]
    print("roots of log(x + y):", found["roots"], "|", summary(w).n_apply, "nodes")
    # 2. Surgery: x + y -> exp(x + y), so log(exp(x + y)) evaluates to x + y.
    s = w.owner.inputs[0]
    w2 = clone_replace(w, {s: pt.exp(s)})
    found["replaced"] = float(w2.eval({x: 1.0, y: 2.0}))
    print("log(exp(x + y)) at x=1, y=2:", found["replaced"])
    render(w2, out / "replaced.png", title="log(exp(x + y))")
    # 3. Random draws: PyTensor and PyMC beside a NumPy baseline.
    rng = np.random.default_rng(0)
    draws = {
        "pt.random.normal": pm.draw(pt.random.normal(0, 1), draws=2000, random_seed=1),
        "pm.Normal.dist": pm.draw(pm.Normal.dist(0, 1), draws=2000, random_seed=2),
    }
    baseline = rng.normal(size=2000)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, (label, d) in zip(axes, draws.items(), strict=True):
        ax.hist(baseline, bins=40, alpha=0.5, density=True, label="numpy")
        ax.hist(d, bins=40, alpha=0.5, density=True, label=label)
        ax.legend()
    fig.savefig(out / "draws.png")
    found["ks_pvalues"] = [stats.ks_2samp(d, baseline).pvalue for d in draws.values()]
    # 4. A vector Normal z with sigma 1 and 2: its draws and its logp.
    with pm.Model() as model_z:
        z = pm.Normal("z", 0, sigma=np.array([1.0, 2.0]))
    zs = pm.draw(z, draws=4000, random_seed=3)
    found["z_std"] = zs.std(axis=0).tolist()
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.hist2d(zs[:, 0], zs[:, 1], bins=40)
    fig.savefig(out / "z_hist2d.png")
    value = np.array([-0.5, 1.5])
    found["z_logp"] = pm.logp(z, value).eval().tolist()
    found["z_scipy"] = stats.norm.logpdf(value, 0, [1.0, 2.0]).tolist()
    print("pm.logp(z):", found["z_logp"], "scipy:", found["z_scipy"])
    found["z_terms"] = [
        t.tolist() for t in model_z.compile_logp(sum=False)(model_z.initial_point())
    ]
    # 5. mu, sigma and observed x: value variables, transforms, each logp term.
    data = rng.normal(1.0, 2.0, size=30)
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 2)
        sigma = pm.HalfNormal("sigma", 3)
        pm.Normal("x", mu, sigma, observed=data)
    print("value variables:", model.value_vars)
    found["transforms"] = {
        rv.name: type(t).__name__
        for rv, t in model.rvs_to_transforms.items()
        if t is not None
    }
    point = {"mu": 0.3, "sigma_log__": np.log(1.7)}
    terms = model.compile_logp(sum=False)(point)
    sig = np.exp(point["sigma_log__"])
    expected = [
        stats.norm.logpdf(0.3, 0, 2),
        stats.halfnorm.logpdf(sig, scale=3) + point["sigma_log__"],  # + log|d sigma|
        stats.norm.logpdf(data, 0.3, sig).sum(),
    ]
    found["terms"] = [float(np.sum(t)) for t in terms]
    found["terms_scipy"] = [float(e) for e in expected]
    print("logp terms:", found["terms"], "scipy:", found["terms_scipy"])
    return found


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "pymc_301_out"))
