"""Declaring rules: text patterns, tuple patterns, @rule, plain NodeRewriters."""

from pathlib import Path

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


def test_a_pattern_is_named_after_its_variable_or_shown_as_written():
    log_of_exp = rl.pattern("log(exp(x)) -> x")
    assert log_of_exp.name == "log_of_exp"
    (listed,) = [rl.pattern("exp(log(x))   ->  x")]
    assert listed.name == "exp(log(x)) -> x"
    (tupled,) = [rl.pattern((pt.exp, (pt.log, "x")), "x")]
    assert tupled.name == "exp(log(x)) -> x"


@pytest.mark.parametrize(
    ("assume", "says"),
    [
        ("x >> 0", "cannot read assumption 'x >> 0'"),
        ("z > 0", "names 'z', which is not a variable"),
        (["x > 0", 3], "cannot read assumption 3"),
    ],
)
def test_a_bad_assumption_fails_where_the_rule_is_declared(assume, says):
    with pytest.raises(rl.RuleError, match=says) as caught:
        rl.pattern("log(exp(x)) -> x", name="le", assume=assume)  # here
    lines = Path(__file__).read_text().splitlines()
    here = 1 + next(i for i, t in enumerate(lines) if t.endswith("assume)  # here"))
    assert str(caught.value).startswith(f"rule 'le' ({__file__}:{here}): ")


def test_a_bad_assumption_of_a_function_rule_names_the_function():
    with pytest.raises(rl.RuleError, match=r"rule 'broken' \(.*test_rules.py:\d+\)"):

        @rl.rule([pt.exp], assume="x => 0", graphs="exp(x)")
        def broken(fgraph, node):
            return None


def test_bad_examples_fail_where_the_rule_is_declared():
    with pytest.raises(rl.RuleError, match="names 'q'"):
        rl.pattern("log(exp(x)) -> x", examples=[{"q": 1.0}])
    with pytest.raises(rl.RuleError, match="is not a number"):
        rl.pattern("log(exp(x)) -> x", examples=[{"x": "one"}])


def test_examples_are_read_only_copies():
    given = {"x": [1.0, 2.0]}
    r = rl.pattern("log(exp(x)) -> x", examples=[given])
    given["x"].append(3.0)
    assert r.examples[0]["x"].tolist() == [1.0, 2.0]
    with pytest.raises(TypeError):
        r.examples[0]["x"] = 0.0
    with pytest.raises(ValueError):
        r.examples[0]["x"][0] = 0.0


def _wrong_at(point):
    @rl.rule([pt.sqr], graphs="sqr(x)", examples=[{"x": point}] if point else ())
    def sqr_but_zero_at_a_point(fgraph, node):
        (a,) = node.inputs
        if a.type.dtype != "float64":  # switch's gradient is float64
            return None
        return [pt.switch(pt.eq(a, 1.2345), a * 0, a * a)]

    return sqr_but_zero_at_a_point


def test_the_checker_tries_a_rules_examples_first():
    # 1.2345 is one float among 2**64: random inputs do not find it
    assert rl.check_rule(
        _wrong_at(None), max_examples=20, random_graphs=0, models=False
    ).ok
    report = rl.check_rule(
        _wrong_at(1.2345), max_examples=20, random_graphs=0, models=False
    )
    assert report.verdict == "counterexample"
    assert "1.2345" in str(report.counterexample)


def test_inf_in_a_pattern_is_the_number_on_either_side():
    """``-inf`` is a constant, not a variable named inf: the rule matches a
    switch to -inf only, and may write -inf on its right side."""
    import numpy as np
    import pytensor.tensor as pt

    r = rl.pattern("switch(c, x, -inf) -> switch(c, x, -inf * x)", name="to_inf")
    c, x = pt.bvector("c").astype("bool"), pt.dvector("x")
    assert rl.apply(pt.switch(c, x, -np.inf), r).counts == (("to_inf", 1),)
    assert rl.apply(pt.switch(c, x, 5.0), r).counts == (("to_inf", 0),)
