"""Sweeps: serial and on a local Dask cluster, the same results; faults."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import cloudpickle
import numpy as np
import pytensor.tensor as pt
import pytest

import rewritelab as rl
from rewritelab.check.audit import audit
from rewritelab.check.cache import checked_rules
from rewritelab.core.durations import durations_path, recalled, remember
from rewritelab.core.errors import RewritelabError
from rewritelab.core.sweep import Job, cluster, distinct, sweep
from rewritelab.discover.search import discover_each

CORPUS = Path(__file__).parent / "corpus"
WRONG = rl.load(CORPUS / "wrong.py")
CORRECT = rl.load(CORPUS / "correct.py")

# the jobs below are this module's functions: workers get them by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def slow_square(k: int, seconds: float) -> int:
    """A job that takes a while, in Python (a time limit can stop it)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sum(range(1000))
    return k * k


def started_at(k: int, seconds: float) -> float:
    """A job that says when it started (wall clock), then takes a while."""
    t = time.time()
    slow_square(k, seconds)
    return t


def _same(report: dict) -> str:
    """A report as text, without its time (NaN equals NaN as text)."""
    return json.dumps({k: v for k, v in report.items() if k != "seconds"}, default=str)


def test_a_serial_sweep_keeps_order_errors_and_time_limits():
    seen = []
    found = sweep(
        [
            Job("two", slow_square, (2, 0.0)),
            Job("bad", np.linalg.cholesky, (np.array([[-1.0]]),)),
            Job("slow", slow_square, (3, 5.0)),
        ],
        time_limit=0.5,
        progress=lambda i, n, name: seen.append((i, n, name)),
    )
    assert seen == [(0, 3, "two"), (1, 3, "bad"), (2, 3, "slow")]
    assert [d.name for d in found] == ["two", "bad", "slow"]
    assert found[0].value == 4 and found[0].ok
    assert found[1].error == "LinAlgError: Matrix is not positive definite"
    assert found[2].timed_out and not found[2].ok and found[2].seconds < 2
    with pytest.raises(RewritelabError, match="two jobs of one sweep are named 'a'"):
        sweep([Job("a", abs, (1,)), Job("a", abs, (2,))])


def test_a_sweep_with_history_keeps_each_jobs_time_for_the_next():
    jobs = [Job("quick", slow_square, (2, 0.0)), Job("slow", slow_square, (3, 0.3))]
    sweep(jobs, history="test")
    kept = recalled("test")
    assert set(kept) == {"quick", "slow"} and kept["slow"] >= 0.3 > kept["quick"]
    remember("test", {"other": 1.5})  # merged, not replaced
    assert set(recalled("test")) == {"quick", "slow", "other"}
    durations_path("test").write_text("{not json")  # a broken file: no order
    assert recalled("test") == {}
    assert [d.value for d in sweep(jobs, history="test")] == [4, 9]
    assert set(recalled("test")) == {"quick", "slow"}
    assert distinct(["a", "b", "a"]) == ["a #1", "b", "a #3"]


def test_bad_cluster_requests_are_one_line_errors():
    # refused when asked for, before anything starts (no `with` needed)
    with pytest.raises(RewritelabError, match="--workers must be 1 or more, not 0"):
        cluster(workers=0)
    with pytest.raises(RewritelabError, match="--workers must be 1 or more, not -2"):
        cluster(workers=-2)
    with pytest.raises(RewritelabError, match="not both"):
        cluster(workers=2, scheduler="tcp://127.0.0.1:1")
    t0 = time.perf_counter()
    with (
        pytest.raises(RewritelabError, match="cannot reach the Dask scheduler"),
        cluster(scheduler="tcp://127.0.0.1:1"),
    ):
        pass
    assert time.perf_counter() - t0 < 10


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("compiledir")
    with cluster(workers=2, compiledir=root) as c:
        yield c


@pytest.mark.slow
def test_a_local_cluster_compiles_apart_and_checks_as_the_serial_run(
    client, tmp_path, monkeypatch
):
    """Two workers, each with its own PyTensor compile folder and no
    statistical profiler; the verdicts, counts and counterexamples are the
    serial run's, in its order."""
    folders = client.run(lambda: str(__import__("pytensor").config.base_compiledir))
    assert len(set(folders.values())) == 2
    assert all("worker-" in f for f in folders.values())
    profiled = client.run(
        lambda dask_worker: "profile" in dask_worker.periodic_callbacks
    )
    assert list(profiled.values()) == [False, False]
    monkeypatch.setenv("REWRITELAB_CACHE", str(tmp_path))
    rules = [WRONG["exp_log"], *CORRECT.rules[:3], WRONG["sqrt_sqr"]]
    settings = {"max_examples": 20, "models": False}
    serial = checked_rules(rules, use_cache=False, **settings)
    came_back = []
    parallel = checked_rules(
        rules,
        use_cache=False,
        client=client,
        progress=lambda i, name, cached: came_back.append(name),
        **settings,
    )
    assert sorted(came_back) == sorted(r.name for r in rules)
    assert [r.rule for r in parallel] == [r.rule for r in serial]
    for a, b in zip(serial, parallel, strict=True):
        assert (a.verdict, a.graphs_tried, a.graphs_fired, a.inputs_tried) == (
            b.verdict,
            b.graphs_tried,
            b.graphs_fired,
            b.inputs_tried,
        )
        assert _same(a.to_dict()) == _same(b.to_dict())
    assert {a.verdict for a in serial} == {"passed", "counterexample"}


@pytest.mark.slow
def test_audit_bench_and_discover_on_a_cluster_match_the_serial_run(client):
    names = ["useless_Neg_of_Neg", "local_exp_log*"]
    a, b = (
        audit("specialize", names=names, time_limit=None),
        audit("specialize", names=names, client=client, time_limit=None),
    )
    assert [(e.name, e.verdict, e.detail) for e in a.entries] == [
        (e.name, e.verdict, e.detail) for e in b.entries
    ]
    x = pt.dvector("x")
    graphs = [pt.log(pt.exp(x)) + 1.0, pt.exp(x) ** -1.5 * pt.exp(x)]
    rules = rl.RuleSet.of(rl.pattern("log(exp(x)) -> x"))
    kw = dict(backends=["numba"], repeats=3, names=["a", "b"])
    one, two = (
        rl.bench(graphs, rules, **kw),
        rl.bench(graphs, rules, client=client, **kw),
    )
    assert [(r.key, r.n_apply_before, r.n_apply_after, r.agree) for r in one.rows] == [
        (r.key, r.n_apply_before, r.n_apply_after, r.agree) for r in two.rows
    ]
    here = discover_each(graphs, budget=5, measure=False, names=["a", "b"])
    there = discover_each(
        graphs, budget=5, measure=False, names=["a", "b"], client=client
    )
    for d, e in zip(here, there, strict=True):
        assert d.ok and e.ok and e.worker
        assert [(t.candidate.text, t.outcome) for t in d.value.tried] == [
            (t.candidate.text, t.outcome) for t in e.value.tried
        ]
    assert all(c.name.startswith("b_") for c in there[1].value.kept)


@pytest.mark.slow
def test_a_worker_killed_mid_job_costs_a_retry_not_the_sweep(client):
    pids = client.run(os.getpid)
    jobs = [Job(f"square {k}", slow_square, (k, 2.0)) for k in range(4)]
    out: list = []
    runner = threading.Thread(target=lambda: out.append(sweep(jobs, client=client)))
    runner.start()
    deadline = time.time() + 60
    victim = None
    while victim is None and time.time() < deadline:
        busy = [w for w, tasks in client.processing().items() if tasks]
        victim = busy[0] if busy else None
        time.sleep(0.1)
    assert victim is not None
    time.sleep(0.5)  # mid-job
    os.kill(pids[victim], signal.SIGKILL)
    runner.join(timeout=180)
    (found,) = out
    assert [d.value for d in found] == [0, 1, 4, 9]
    assert all(d.ok for d in found)
    assert victim not in client.scheduler_info()["workers"]


@pytest.mark.slow
def test_on_a_cluster_the_jobs_kept_as_longest_start_first(client):
    names = [f"job {k}" for k in range(6)]
    jobs = [Job(n, started_at, (k, 0.4)) for k, n in enumerate(names)]

    def started(found) -> list[str]:
        return [d.name for d in sorted(found, key=lambda d: d.value)]

    # never timed: they start in their order, the last among the last
    assert started(sweep(jobs, client=client)).index("job 5") >= 4
    remember("order", {**{n: 0.4 for n in names}, "job 5": 30.0})
    found = sweep(jobs, client=client, history="order")
    assert started(found).index("job 5") <= 1  # kept as longest: started first
    assert [d.name for d in found] == names  # returned in the jobs' order
    assert recalled("order")["job 5"] < 5  # and its time now is what it took


@pytest.mark.slow
def test_a_job_past_its_limit_on_a_worker_is_timed_out_by_name(client):
    found = sweep(
        [Job("quick", slow_square, (5, 0.0)), Job("endless", slow_square, (6, 60.0))],
        client=client,
        time_limit=2.0,
    )
    assert found[0].value == 25
    assert found[1].name == "endless" and found[1].timed_out and found[1].seconds < 10


def _graph_files(tmp_path: Path) -> list[str]:
    files = []
    for name, body in [
        ("powers", "pt.exp(x) ** -1.5 * pt.exp(x)"),
        ("logs", "pt.log(pt.exp(x) * pt.exp(y))"),
    ]:
        f = tmp_path / f"{name}.py"
        f.write_text(
            "import pytensor.tensor as pt\n"
            "x, y = pt.dvector('x'), pt.dvector('y')\n"
            f"out = {body}\n"
        )
        files.append(str(f))
    return files


def test_discover_takes_several_targets_and_writes_one_rules_file(tmp_path, cli):
    powers, logs = _graph_files(tmp_path)
    (tmp_path / "b").mkdir()  # two files of one name: each gets its place
    same = Path(logs).rename(tmp_path / "b" / "powers.py")
    out = tmp_path / "found.py"
    code, stdout, err = cli(
        "discover", powers, str(same), "--no-measure", "--budget", "3",
        "-o", str(out), "--json",
    )  # fmt: skip
    assert code == 0, err
    reports = json.loads(stdout)
    assert [len(r["kept"]) > 0 for r in reports] == [True, True]
    found = rl.load(out)
    assert {r.name.rsplit("_", 1)[0] for r in found} == {"powers_1", "powers_2"}
    assert len(found) == sum(len(r["kept"]) for r in reports)


@pytest.mark.slow
def test_the_command_line_on_two_workers_gives_the_serial_output(tmp_path, cli):
    rules = str(CORPUS / "correct.py")
    argv = ["check", rules, "--no-cache", "--max-examples", "5", "--json"]
    code, serial, _ = cli(*argv)
    code2, parallel, err = cli(*argv, "--workers", "2")
    assert (code, code2) == (0, 0), err
    a, b = json.loads(serial)["rules"], json.loads(parallel)["rules"]
    assert [_same(r) for r in a] == [_same(r) for r in b]
    files = _graph_files(tmp_path)
    code, stdout, err = cli(
        "discover", *files, "--no-measure", "--budget", "3", "--json", "--workers", "2"
    )
    assert code == 0, err
    reports = json.loads(stdout)
    assert [{t["name"].split("_")[0] for t in r["tried"]} for r in reports] == [
        {"powers"},
        {"logs"},
    ]
    assert all(r["kept"] for r in reports)


@pytest.mark.slow
def test_ctrl_c_cancels_the_sweep_and_stops_the_workers(tmp_path):
    """SIGINT while a local cluster checks: exit 130, one line, and no
    worker process left behind."""
    import subprocess

    import psutil

    env = {**os.environ, "REWRITELAB_CACHE": str(tmp_path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from rewritelab.cli import main; sys.exit(main())",
            "check",
            str(CORPUS / "wrong.py"),
            "--no-cache",
            "--workers",
            "2",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines = []
    for line in proc.stderr:  # progress lines: the sweep is under way
        lines.append(line)
        if line.startswith("[") and "checking" in line:
            break
    children = psutil.Process(proc.pid).children(recursive=True)
    assert len(children) >= 2  # the workers (and their nannies' helpers)
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert "rewritelab: interrupted" in rest
    gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive
