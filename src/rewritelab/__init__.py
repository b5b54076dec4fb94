"""rewritelab: see, rewrite, check and measure PyTensor and PyMC graphs."""

from rewritelab.analysis import GraphDiff, Summary, diff, roots, signatures, summary
from rewritelab.errors import RewritelabError, TargetError
from rewritelab.graph import to_networkx
from rewritelab.modes import pytensor_rewritten
from rewritelab.render import Picture, render, render_diff, to_dot
from rewritelab.targets import Target, load_target, resolve

__all__ = [
    "GraphDiff",
    "Picture",
    "RewritelabError",
    "Summary",
    "Target",
    "TargetError",
    "diff",
    "load_target",
    "pytensor_rewritten",
    "render",
    "render_diff",
    "resolve",
    "roots",
    "signatures",
    "summary",
    "to_dot",
    "to_networkx",
]
