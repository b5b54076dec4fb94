"""What the rules are measured against besides PyTensor's default pipeline.

An anchor is another way to compute a target's function, timed side by side
with the rules' compiled kernel (:func:`rewritelab.measure.bench.bench`,
``anchors=``):

- ``jax``: PyTensor's JAX backend with its default pipeline, jitted, called
  on device arrays and waited for (``jax.block_until_ready``) — what a
  JAX-based sampler (numpyro, blackjax) runs;
- ``numpy``: a logp + gradient written by hand in NumPy, where the caller
  gives one for a model (``hand_written=``): the practical limit of what a
  graph compiler could reach.

A ratio above 1 in an anchor's row means the rules' kernel is faster than
the anchor.
"""

from __future__ import annotations

from rewritelab.core.errors import RewritelabError

__all__ = ["ANCHORS", "JAX_MISSING", "require_jax"]

#: The anchors :func:`rewritelab.measure.bench.bench` can time.
ANCHORS = ("jax", "numpy")

#: What a user without JAX is told.
JAX_MISSING = (
    "the jax backend needs JAX, which is not installed; pip install 'rewritelab[jax]'"
)


def require_jax() -> None:
    """Raise a one-line :class:`RewritelabError` when JAX cannot be imported."""
    try:
        import jax  # noqa: F401  (only asked whether it imports)
    except ImportError:
        raise RewritelabError(JAX_MISSING) from None
