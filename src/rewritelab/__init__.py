"""rewritelab: see, rewrite, check and measure PyTensor and PyMC graphs."""

from rewritelab.rules import Rule, RuleError, as_rule, pattern, rule  # noqa: I001
from rewritelab.analysis import GraphDiff, Summary, diff, roots, signatures, summary
from rewritelab.errors import RewritelabError, TargetError
from rewritelab.graph import to_networkx
from rewritelab.apply import ApplyResult, Firing, apply
from rewritelab.models import model_graph
from rewritelab.modes import mode, pytensor_rewritten
from rewritelab.registry import RuleSet, library, load
from rewritelab.replace import replace
from rewritelab.render import Picture, render, render_diff, to_dot
from rewritelab.targets import Target, load_target, resolve

__all__ = [
    "ApplyResult",
    "Firing",
    "Rule",
    "RuleError",
    "RuleSet",
    "apply",
    "as_rule",
    "library",
    "load",
    "mode",
    "model_graph",
    "pattern",
    "replace",
    "rule",
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
