"""Declaring rules: text patterns, tuple patterns, @rule, plain NodeRewriters."""

import pytensor.tensor as pt
import pytest
from pytensor.graph.basic import equal_computations
from pytensor.graph.rewriting.basic import PatternNodeRewriter, node_rewriter
from pytensor.tensor.special import xlogy

import rewritelab as rl
from rewritelab.rewrite.rules import parse_pattern

x, y = pt.dvector("x"), pt.dvector("y")


def rewritten(expr, rule):
    return rl.apply(expr, rule).outputs[0]


def test_text_pattern_becomes_pytensor_tuple_pattern():
    lhs, rhs = parse_pattern("log(exp(x)) -> x")
    assert lhs == (pt.log, (pt.exp, "x")) and rhs == "x"


def test_text_pattern_with_constants_and_operators():
    r = rl.pattern("x * 2 + y -> y + x + x", name="double")
    assert equal_computations([rewritten(x * 2 + y, r)], [y + x + x])


def test_text_pattern_rhs_may_call_any_pytensor_function():
    r = rl.pattern("x * log(x) -> xlogy(x, x)")
    assert equal_computations([rewritten(x * pt.log(x), r)], [xlogy(x, x)])


def test_pattern_records_name_tags_location_assumptions_examples():
    r = rl.pattern(
        "log(x * y) -> log(x) + log(y)",
        name="log_of_mul",
        tags=["algebra"],
        assume=["x > 0", "y > 0"],
        examples=[{"x": 1.0, "y": 2.0}],
    )
    here = f"{__file__}:{test_pattern_records_name_tags_location_assumptions_examples.__code__.co_firstlineno + 1}"
    assert (r.name, r.tags, r.assume) == ("log_of_mul", {"algebra"}, ("x > 0", "y > 0"))
    assert r.source == here
    assert r.examples == ({"x": 1.0, "y": 2.0},)
    assert r.text == "log(x * y) -> log(x) + log(y)"


def test_tuple_pattern_is_accepted():
    r = rl.pattern((pt.log, (pt.exp, "x")), "x", name="le")
    assert rewritten(pt.log(pt.exp(x)), r) is x


def test_where_constrains_a_match():
    only_named = rl.pattern(
        "log(exp(x)) -> x", name="named", where={"x": lambda v: v.name == "keep"}
    )
    keep = pt.dvector("keep")
    assert rewritten(pt.log(pt.exp(keep)), only_named) is keep
    assert rl.apply(pt.log(pt.exp(x)), only_named).firings == ()


@pytest.mark.parametrize(
    "text, message",
    [
        ("log(exp(x))", "->"),
        ("log(exp(x)) -> z", "z"),
        ("nosuchop(x) -> x", "nosuchop"),
        ("log(exp(x)) -> x -> y", "->"),
        ("log(exp(x)) -> [x]", "log(exp(x)) -> [x]"),
    ],
)
def test_bad_pattern_text_is_a_one_line_error(text, message):
    with pytest.raises(rl.RuleError, match=None) as info:
        rl.pattern(text)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_function_rule_from_decorator():
    @rl.rule([pt.exp], tags="demo", assume="x > 0")
    def exp_to_one(fgraph, node):
        """exp(x) -> 1 + 0 * x (wrong, but easy to see)."""
        return [pt.ones_like(node.inputs[0])]

    assert exp_to_one.name == "exp_to_one"
    assert exp_to_one.source.endswith(
        f"test_rules.py:{exp_to_one.rewriter.fn.__code__.co_firstlineno}"
    )
    assert exp_to_one.doc.startswith("exp(x) -> 1")
    out = rewritten(pt.exp(x) + 1, exp_to_one)
    assert not any(
        getattr(n.op, "scalar_op", None) == pt.exp.scalar_op
        for n in rl.apply(out, []).fgraph.apply_nodes
    )


def test_plain_pytensor_rewriters_are_rules_as_they_are():
    @node_rewriter([pt.log])
    def my_log_exp(fgraph, node):
        (arg,) = node.inputs
        if arg.owner and arg.owner.op == pt.exp:
            return [arg.owner.inputs[0]]
        return None

    pat = PatternNodeRewriter((pt.log, (pt.exp, "x")), "x", name="pat")
    for rw, name in ((my_log_exp, "my_log_exp"), (pat, "pat")):
        r = rl.as_rule(rw)
        assert r.name == name and r.rewriter is rw
        assert rewritten(pt.log(pt.exp(x)), rw) is x


def test_pytensor_library_rewriter_keeps_its_location():
    from pytensor.tensor.rewriting.math import local_exp_log

    r = rl.as_rule(local_exp_log)
    assert r.source.split(":")[0].endswith("pytensor/tensor/rewriting/math.py")


def test_as_rule_rejects_other_objects():
    with pytest.raises(rl.RuleError, match="not a rule; expected a rewritelab Rule"):
        rl.as_rule(lambda fgraph, node: None)


def test_graph_texts_may_call_functions_but_patterns_may_not():
    """``graphs=`` texts are only built, so a function such as logsumexp (no
    Op) is fine there; a left side is matched, so it must name Ops."""
    from rewritelab.rewrite.rules import parse_expression, pattern

    built = parse_expression("logsumexp(x * y)")
    assert callable(built[0]) and built[0].__name__ == "logsumexp"
    with pytest.raises(rl.RuleError, match="not a pytensor.tensor Op"):
        pattern("logsumexp(x) -> x")
