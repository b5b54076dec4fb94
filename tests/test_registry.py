"""Rule sets: combine, select, load from files, the shipped library."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytensor.tensor as pt
import pytest

import rewritelab as rl

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def two_rules():
    a = rl.pattern("log(exp(x)) -> x", name="a", tags=["exp_log", "exact"])
    b = rl.pattern("exp(log(x)) -> x", name="b", tags=["exp_log", "assumes"])
    return a, b


def test_rule_set_is_immutable_and_ordered(two_rules):
    a, b = two_rules
    rs = rl.RuleSet.of(a, b)
    assert rs.names == ("a", "b") and rs["b"] is b and "a" in rs and len(rs) == 2
    assert rs.without("a").names == ("b",) and rs.names == ("a", "b")
    c = rl.pattern("log1p(x) -> log(1 + x)", name="c")
    assert rs.with_rule(c).names == ("a", "b", "c") and len(rs) == 2
    with pytest.raises(AttributeError):
        rs.rules = ()


def test_select_by_tags_and_names(two_rules):
    rs = rl.RuleSet.of(*two_rules)
    assert rs.select(include="exact").names == ("a",)
    assert rs.select(exclude=["assumes"]).names == ("a",)
    assert rs.select(include="exp_log", exclude="exact").names == ("b",)
    assert rs.select(names=["b"]).names == ("b",)
    assert rs.tags == {"exp_log", "exact", "assumes"}


def test_unknown_name_is_a_clear_error(two_rules):
    rs = rl.RuleSet.of(*two_rules)
    with pytest.raises(rl.RuleError, match="no rule named 'zzz'"):
        rs["zzz"]


def test_duplicate_names_name_both_locations(two_rules):
    a, _ = two_rules
    again = rl.pattern("log(exp(y)) -> y", name="a")
    with pytest.raises(rl.RuleError) as info:
        rl.RuleSet.of(a) + again
    assert a.source in str(info.value) and again.source in str(info.value)


def test_load_finds_module_level_rules_of_every_kind(tmp_path):
    path = write(
        tmp_path,
        "mine.py",
        """
        import pytensor.tensor as pt
        from pytensor.graph.rewriting.basic import PatternNodeRewriter, node_rewriter
        from rewritelab import pattern, rule
        from rewritelab.rewrite.rules import pattern as _imported_name_is_not_a_rule

        text_rule = pattern("log(exp(x)) -> x")
        named = pattern("exp(log(x)) -> x", name="exp_log_named")
        tuple_rule = PatternNodeRewriter((pt.log1p, (pt.expm1, "x")), "x")

        @rule([pt.exp])
        def fn_rule(fgraph, node):
            return None

        @node_rewriter([pt.log])
        def plain(fgraph, node):
            return None

        _private = pattern("log(log(x)) -> x")
        """,
    )
    rs = rl.load(path)
    assert set(rs.names) == {
        "text_rule",
        "exp_log_named",
        "tuple_rule",
        "fn_rule",
        "plain",
    }
    assert rs["fn_rule"].source == f"{path}:11"
    assert rs["tuple_rule"].source == f"{path}:9"
    assert rs["text_rule"].source == f"{path}:7"


def test_load_folder_and_duplicates_across_files(tmp_path):
    write(
        tmp_path,
        "one.py",
        "from rewritelab import pattern\nr = pattern('log(exp(x)) -> x')\n",
    )
    write(
        tmp_path,
        "two.py",
        "from rewritelab import pattern\nr = pattern('exp(log(x)) -> x')\n",
    )
    with pytest.raises(
        rl.RuleError, match=r"duplicate rule name 'r'.*one\.py:2.*two\.py:2"
    ):
        rl.load(tmp_path)
    (tmp_path / "two.py").unlink()
    assert rl.load(tmp_path).names == ("r",)


def test_load_reports_broken_files_and_bad_paths(tmp_path):
    with pytest.raises(rl.RuleError, match="no rules at .*nowhere"):
        rl.load(tmp_path / "nowhere")
    bad = write(tmp_path, "bad.py", "import no_such_module_here\n")
    with pytest.raises(rl.RuleError, match="importing rules from .*bad.py failed"):
        rl.load(bad)
    wrong = write(
        tmp_path, "wrong.py", "from rewritelab import pattern\nr = pattern('log(')\n"
    )
    with pytest.raises(rl.RuleError, match="wrong.py"):
        rl.load(wrong)


def test_library_has_every_family_and_log_of_exp():
    lib = rl.library()
    assert len(lib) >= 10 and "log_of_exp" in lib
    assert {"exp_log", "stability", "algebra", "pymc"} <= lib.tags
    for r in lib:
        assert r.doc and "FAST_RUN" in r.doc, (
            f"{r.name} does not say what FAST_RUN does"
        )
        assert (
            Path(r.source.rsplit(":", 1)[0]).parent
            == rl.rewrite.registry.library_path()
        )


def test_library_rules_are_not_in_fast_run_except_where_documented():
    """The docstrings say which rules FAST_RUN already does: check that claim."""
    import pytensor
    from pytensor.compile.mode import get_mode

    x = pt.dscalar("x")
    lib = rl.library()
    claims = {r.name: "already does" in r.doc for r in lib}
    assert claims["log_of_exp"] and not claims["log_of_cosh"]
    exprs = {"log_of_exp": pt.log(pt.exp(x)), "log1p_of_neg_exp": pt.log1p(-pt.exp(x))}
    exprs |= {"log_of_cosh": pt.log(pt.cosh(x)), "log_of_gamma": pt.log(pt.gamma(x))}
    for name, expr in exprs.items():
        fg = pytensor.function(
            [x], expr, mode=get_mode("FAST_RUN").excluding("fusion")
        ).maker.fgraph
        ops = {type(getattr(n.op, "scalar_op", n.op)).__name__ for n in fg.apply_nodes}
        if claims[name]:  # FAST_RUN removed the left side's inner op
            assert "Exp" not in ops, name
        else:  # FAST_RUN kept it
            assert {"Cosh", "Gamma"} & ops, name


def test_library_is_found_after_a_plain_pip_install(tmp_path):
    """Non-editable install: rewrites/ ships inside the package as rewritelab._rewrites."""
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import rewritelab, rewritelab.rewrite.registry as r; "
        "print(rewritelab.__file__); print(r.library_path()); print(len(rewritelab.library()))"
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert out[0].startswith(str(target)) and out[1].startswith(str(target))
    assert int(out[2]) == len(rl.library())


def test_a_bad_rule_in_a_file_is_named_once_with_its_line(tmp_path):
    f = tmp_path / "mine.py"
    f.write_text(
        'from rewritelab import pattern\n\nbad = pattern("exp(x) -> x", assume="x >> 0")\n'
    )
    with pytest.raises(rl.RuleError) as caught:
        rl.load(f)
    message = str(caught.value)
    assert message.startswith(f"rule 'bad' ({f}:3): cannot read assumption")
    assert message.count(str(f)) == 1
