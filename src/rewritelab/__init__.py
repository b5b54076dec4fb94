"""rewritelab: see, rewrite, check and measure PyTensor and PyMC graphs.

The package is layered, each layer importing only those before it:
``core`` (targets, model graphs, points, errors) -> ``see`` (networkx views,
analysis, ranges, pictures) -> ``rewrite`` (rules, patterns, rule sets,
apply, modes) -> ``check`` (rule and model checks) -> ``measure``
(benchmarks) -> ``report`` (tables, files, the demo) -> ``cli``. This
module gathers the public names of all of them.
"""

from rewritelab.check.accuracy import AccuracyReport, accuracy
from rewritelab.check.audit import AuditEntry, AuditReport, audit
from rewritelab.check.draws import DrawsReport, check_draws
from rewritelab.check.exact import ExactValue, NoExactValue, exact_value
from rewritelab.check.model import ModelReport, check_model
from rewritelab.check.oracle import OracleReport, check_against_scipy
from rewritelab.check.rules import Counterexample, RuleReport, check_rule, check_rules
from rewritelab.core.compile import pytensor_rewritten
from rewritelab.core.errors import RewritelabError, TargetError
from rewritelab.core.models import model_graph
from rewritelab.core.sweep import Done, Job, cluster, sweep
from rewritelab.core.targets import Target, load_target, resolve
from rewritelab.discover.search import DiscoverReport, discover, discover_each
from rewritelab.measure.bench import BenchReport, BenchRow, bench
from rewritelab.measure.sampling import SamplingReport, SamplingRun, bench_sampling
from rewritelab.report.bench import bench_markdown, save_bench
from rewritelab.report.view import ViewFile, view
from rewritelab.rewrite.apply import ApplyResult, Firing, apply
from rewritelab.rewrite.modes import mode, named_mode
from rewritelab.rewrite.products import Factor, Product, product_of
from rewritelab.rewrite.registry import RuleSet, library, load
from rewritelab.rewrite.replace import replace
from rewritelab.rewrite.rules import Rule, RuleError, as_rule, pattern, rule
from rewritelab.see.analysis import (
    Change,
    GraphDiff,
    Summary,
    diff,
    roots,
    signatures,
    summary,
)
from rewritelab.see.graph import constant_value, to_networkx
from rewritelab.see.merged import MergedGraph, merge, term_groups
from rewritelab.see.ranges import FINITE, Range, is_positive, value_range
from rewritelab.see.render import Picture, render, render_diff, to_dot

__all__ = [
    # core
    "RewritelabError",
    "Target",
    "TargetError",
    "load_target",
    "model_graph",
    "Done",
    "Job",
    "cluster",
    "sweep",
    "pytensor_rewritten",
    "resolve",
    # see
    "Change",
    "MergedGraph",
    "merge",
    "term_groups",
    "FINITE",
    "Range",
    "is_positive",
    "value_range",
    "GraphDiff",
    "Picture",
    "Summary",
    "constant_value",
    "diff",
    "render",
    "render_diff",
    "roots",
    "signatures",
    "summary",
    "to_dot",
    "to_networkx",
    # accuracy
    "AccuracyReport",
    "accuracy",
    # discover
    "DiscoverReport",
    "discover",
    "discover_each",
    # rewrite
    "named_mode",
    "ApplyResult",
    "Factor",
    "Firing",
    "Product",
    "Rule",
    "RuleError",
    "RuleSet",
    "apply",
    "as_rule",
    "library",
    "load",
    "mode",
    "pattern",
    "product_of",
    "replace",
    "rule",
    # check
    "Counterexample",
    "DrawsReport",
    "ModelReport",
    "OracleReport",
    "RuleReport",
    "check_against_scipy",
    "check_draws",
    "AuditEntry",
    "AuditReport",
    "ExactValue",
    "NoExactValue",
    "audit",
    "exact_value",
    "check_model",
    "check_rule",
    "check_rules",
    # measure
    "bench_sampling",
    "SamplingReport",
    "SamplingRun",
    "BenchReport",
    "BenchRow",
    "bench",
    # report
    "view",
    "ViewFile",
    "bench_markdown",
    "save_bench",
]
