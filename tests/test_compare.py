"""ULP comparison and the accept-if-at-least-as-close rule."""

import numpy as np
import pytensor.tensor as pt

from rewritelab.check.compare import compare_values, ulps
from rewritelab.check.noise import RoundingNoise


def test_ulps_counts_units_in_the_last_place():
    one = np.array([1.0])
    assert ulps(np.nextafter(one, 2), one)[0] == 1.0
    assert ulps(np.array([np.nan]), np.array([np.nan]))[0] == 0
    assert ulps(np.array([np.inf]), np.array([np.inf]))[0] == 0
    assert ulps(np.array([1.0]), np.array([np.nan]))[0] == np.inf
    assert ulps(np.array([1e-320]), np.array([0.0]))[0] == 0  # subnormal gap


def test_close_values_pass_without_an_exact_value():
    b = np.array([1.0, 2.0])
    assert compare_values(b, b + b * 1e-16, exact=None).ok


def test_more_accurate_rewrite_passes_and_less_accurate_fails():
    x = 1e-10
    exact = np.array([np.expm1(x)])
    naive = np.array([np.exp(x) - 1])
    assert compare_values(naive, exact, lambda: exact).ok  # rewrite is better
    bad = compare_values(exact, naive, lambda: exact)  # rewrite is worse
    assert not bad.ok and bad.ulps_after > bad.ulps_before
    assert bad.reason == "farther from the exact value than the original"


def test_nan_and_shape_and_dtype_changes_fail():
    assert not compare_values(
        np.array([np.nan]), np.array([1.0]), lambda: np.array([np.nan])
    ).ok
    assert "shape" in compare_values(np.zeros(2), np.zeros(3), None).reason
    assert "dtype" in compare_values(np.zeros(2), np.zeros(2, "float32"), None).reason


def test_gradient_nan_in_the_original_is_not_held_against_the_rewrite():
    nan = np.array([np.nan])
    assert compare_values(nan, np.array([0.0]), lambda: nan, nan_original_ok=True).ok


def test_a_rewrite_within_the_original_rounding_noise_passes():
    """-1 + 2q/(1+q) near q = 1 cancels, so any form of it is some ULPs off.
    A rewrite 60 ULPs from the exact value, where the original happened to
    land on it, passes when the original's own rounding noise is that wide,
    and fails without that evidence or when far outside it."""
    q = pt.dvector("q")
    point = np.array([0.95])
    runs = RoundingNoise([q], [-1 + 2 * q / (1 + q)])(point)
    exact = np.array([-0.05 / 1.95])
    ulp = np.spacing(abs(exact))
    assert np.std([r[0] for r in runs]) > 10 * ulp[0]  # the noise is real

    def noise():
        return [r[0] for r in runs]

    near, far = exact + 60 * ulp, exact + 1e6 * ulp
    assert not compare_values(exact, near, lambda: exact).ok
    assert compare_values(exact, near, lambda: exact, noise=noise).ok
    assert not compare_values(exact, far, lambda: exact, noise=noise).ok
