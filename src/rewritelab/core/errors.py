"""The exceptions rewritelab raises, each carrying a one-line message."""

from __future__ import annotations

__all__ = ["RewritelabError", "TargetError"]


class RewritelabError(Exception):
    """Base class: bad input to a rewritelab verb (the CLI exits with code 2)."""


class TargetError(RewritelabError, TypeError):
    """An object or command-line spec that does not name a graph or model."""
