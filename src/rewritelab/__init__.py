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
from rewritelab.check import Counterexample, RuleReport, check_rule, check_rules
from rewritelab.modelcheck import ModelReport, check_model
from rewritelab.oracle import OracleReport, check_against_scipy
from rewritelab.draws import DrawsReport, check_draws

__all__ = [
    "Counterexample",
    "DrawsReport",
    "ModelReport",
    "OracleReport",
    "RuleReport",
    "check_against_scipy",
    "check_draws",
    "check_model",
    "check_rule",
    "check_rules",
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
