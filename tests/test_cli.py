import json
import subprocess
import sys

import pytest

from rewritelab.cli import main

DATA = "tests/data"


def test_inspect_json_on_bundled_model(capsys):
    assert main(["inspect", "eight_schools", "--json", "--compiled"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["inputs"] == ["mu", "tau_log__", "theta_raw"]
    assert out["compiled"]["n_apply"] < out["summary"]["n_apply"]
    assert out["diff"]["removed"]


def test_inspect_table_and_render(tmp_path, capsys):
    png = tmp_path / "g.png"
    assert main(["inspect", f"{DATA}/graph_one.py", "--render", str(png)]) == 0
    text = capsys.readouterr().out
    assert "apply nodes" in text and "exp" in text
    assert png.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["inspect", f"{DATA}/missing.py"], "no such file"),
        (["inspect", f"{DATA}/graph_two.py"], "several targets"),
        (["inspect", f"{DATA}/graph_two.py:nope"], "defines no name 'nope'"),
        (["inspect", "no_such_model"], "no bundled model 'no_such_model'"),
        (["inspect"], "required: target"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_console_script_exit_code_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "rewritelab.cli", "inspect", f"{DATA}/nothing.py"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.startswith("rewritelab: error:") and "Traceback" not in proc.stderr
    )


def test_rules_lists_the_library(capsys):
    assert main(["rules", "--json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    names = {r["name"] for r in rules}
    assert "log_of_exp" in names and all(r["source"] for r in rules)
    assert main(["rules", "--tags", "stability"]) == 0
    assert "log_of_cosh" in capsys.readouterr().out


@pytest.mark.slow
def test_apply_on_a_bundled_model(tmp_path, capsys):
    png = tmp_path / "d.png"
    args = ["apply", "eight_schools", "--graph", "logp+grad", "--render-diff", str(png)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "known_range_check" in text and "firings" in text and png.exists()
    assert main(["apply", "eight_schools", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert dict(data["counts"])["known_range_check"] >= 1


def test_apply_with_a_rules_file_and_a_bad_one(tmp_path, capsys):
    rules = tmp_path / "r.py"
    rules.write_text(
        "from rewritelab import pattern\nle = pattern('log(exp(x)) -> x')\n"
    )
    assert main(["apply", f"{DATA}/graph_one.py", "--rules", str(rules), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "le" in dict(data["counts"])
    assert (
        main(["apply", f"{DATA}/graph_one.py", "--rules", str(tmp_path / "x.py")]) == 2
    )
    assert "no rules at" in capsys.readouterr().err


@pytest.mark.slow
def test_check_exit_codes_and_json(capsys):
    assert main(["check", "tests/corpus/correct.py", "--max-examples", "30"]) == 0
    assert "passed" in capsys.readouterr().out
    assert (
        main(["check", "tests/corpus/wrong.py", "--max-examples", "30", "--json"]) == 1
    )
    data = json.loads(capsys.readouterr().out)
    verdicts = {r["rule"]: r["verdict"] for r in data["rules"]}
    assert verdicts.pop("exp_in_float32") == "error"
    assert set(verdicts.values()) == {"counterexample"}


@pytest.mark.slow
def test_check_with_a_model(capsys):
    args = ["check", "--max-examples", "10", "--model", "eight_schools"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "model eight_schools (built): passed" in out
    assert "model eight_schools (compiling): passed" in out


def test_bench_on_a_bundled_model(tmp_path, capsys):
    args = [
        "bench",
        "regression",
        "--backend",
        "c",
        "--repeats",
        "5",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    assert "speed-up" in capsys.readouterr().out and (tmp_path / "bench.png").exists()
    assert main(["bench", "regression", "--backend", "tpu"]) == 2
    assert "unknown backend 'tpu'" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_writes_html_and_markdown(tmp_path):
    from rewritelab.report.demo import run_demo

    report = run_demo(
        "regression", tmp_path, backends=("c",), repeats=5, max_examples=10
    )
    page = report.html.read_text()
    for heading in ("See", "Rewrite", "Check", "Measure"):
        assert heading in page
    assert "known_range_check" in page and "passed" in page
    for img in ("logp.png", "rules_diff.png", "bench.png"):
        assert (tmp_path / img).exists() and img in page
    assert (tmp_path / "view.html").exists() and 'href="view.html"' in page
    assert "original&#x27;s worst ULPs" in page
    assert report.markdown.read_text().startswith("# rewritelab demo: regression")
