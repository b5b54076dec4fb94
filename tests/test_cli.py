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
