"""rewritelab view: the data it writes, its refusals, and the page in a real browser."""

import contextlib
import json
import shutil
import subprocess
import sys

import pytensor.tensor as pt
import pytest

import rewritelab as rl
from rewritelab.core.targets import load_target
from rewritelab.report.view import HEADLESS_CHROMIUM_ARGS


def _data(path):
    text = path.read_text()
    start = text.index('id="rl-data">') + len('id="rl-data">')
    raw = text[start : text.index("</script>", start)]

    def no_constant(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(raw.replace("<\\/", "</"), parse_constant=no_constant)


def test_the_page_holds_the_merged_diff_and_works_offline(tmp_path):
    out = rl.view(
        load_target("eight_schools"),
        rl.library(),
        graph="logp+grad",
        compiled=True,
        path=tmp_path / "v.html",
    )
    page = out.path.read_text()
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page  # every asset is inlined
    data = _data(out.path)
    rules, pipeline, both = data["views"]
    assert rules["name"].startswith("rules: 6 firings of known_range_check")
    statuses = {n["status"] for n in rules["graph"]["nodes"]}
    assert statuses == {"kept", "added", "removed", "rewired"}
    assert len(rules["graph"]["changes"]) == 6
    first = rules["graph"]["changes"][0]
    ids = {n["id"]: n for n in rules["graph"]["nodes"]}
    assert {ids[i]["status"] for i in first["nodes"]} <= {"added", "removed", "rewired"}
    assert all(ids[i]["rule"] == "known_range_check" for i in first["nodes"])
    groups = {n["group"] for n in rules["graph"]["nodes"] if n["kind"] == "apply"}
    assert {"mu", "obs", "theta_raw"} <= groups  # logp terms
    assert pipeline["name"] == "PyTensor's default pipeline"
    assert out.views[0][1] == len(rules["graph"]["nodes"])


def test_nothing_to_view_and_a_wrong_file_are_clear_errors(tmp_path):
    with pytest.raises(rl.RewritelabError, match="nothing to view"):
        rl.view(pt.dvector("x"), path=tmp_path / "v.html")
    with pytest.raises(rl.RewritelabError, match="expected FILE.html"):
        rl.view(pt.exp(pt.dvector("x")), path=tmp_path / "v.png")
    (tmp_path / "g.py").write_text(
        "import pytensor.tensor as pt\nfrom pytensor.graph.fg import FunctionGraph\n"
        "x = pt.dvector('x')\nfg = FunctionGraph([x], [x], clone=False)\n"
    )
    cli = [sys.executable, "-m", "rewritelab.cli", "view", str(tmp_path / "g.py")]
    done = subprocess.run(cli, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    last = done.stderr.splitlines()[-1]  # after the progress line
    assert last == "rewritelab: error: nothing to view: fg has no Apply nodes"


def _browser():
    """Playwright's Chromium driver on the system's Chromium, or a skip
    saying which of the two is missing."""
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright is not installed (./dev test installs it)",
    )
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip(
            "no Chromium on this machine (./dev test installs Debian's chromium)"
        )
    return sync_api, chromium


@contextlib.contextmanager
def _page(path, width: int, height: int):
    """The viewer page at ``path`` in headless Chromium, drawn, with no
    script error; closed afterwards."""
    sync_api, chromium = _browser()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=list(HEADLESS_CHROMIUM_ARGS)
        )
        page = browser.new_page(viewport={"width": width, "height": height})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector("#rl-status[data-ready=true]", timeout=60_000)
        assert not errors
        try:
            yield page
        finally:
            browser.close()


@pytest.mark.slow
def test_the_viewer_in_a_real_browser(tmp_path):
    """Every node drawn, a click shows its panel, stepping moves the highlight."""
    out = rl.view(
        load_target("eight_schools"),
        rl.library(),
        graph="logp+grad",
        path=tmp_path / "v.html",
    )
    data = _data(out.path)["views"][0]["graph"]
    with _page(out.path, 1400, 900) as page:
        drawn = page.locator("g.node")
        assert (
            drawn.count()
            == len(data["nodes"])
            == int(page.get_attribute("#rl-status", "data-drawn"))
        )
        removed = page.locator("g.node.removed").first
        node_id = removed.get_attribute("data-id")
        removed.click()
        panel = page.inner_text("#rl-panel")
        node = next(n for n in data["nodes"] if n["id"] == node_id)
        assert (
            node["op"] in panel and "removed" in panel and "known_range_check" in panel
        )
        page.fill("#rl-search", "Switch")
        assert page.locator("g.node.match").count() == sum(
            "switch" in (n["label"] + (n["op"] or "")).lower() for n in data["nodes"]
        )
        focus = []
        for k in range(2):
            page.click("#rl-next")
            assert page.inner_text("#rl-step").startswith(f"change {k + 1} of 6")
            ids = page.eval_on_selector_all(
                "g.node.focus", "els => els.map(e => e.dataset.id)"
            )
            assert sorted(ids) == sorted(data["changes"][k]["nodes"])
            focus.append(ids)
        assert focus[0] != focus[1]  # the highlight moved
        page.screenshot(path=str(tmp_path / "viewer.png"))
    assert (tmp_path / "viewer.png").stat().st_size > 10_000


def test_profile_overlay_gives_each_compiled_node_its_share_of_the_time(tmp_path):
    out = rl.view(
        load_target("eight_schools"),
        rl.library(),
        profile=True,
        path=tmp_path / "v.html",
    )
    data = _data(out.path)
    names = [v["name"] for v in data["views"]]
    assert names[1:] == [
        "C backend, default pipeline",
        "C backend, pipeline with the rules",
    ]
    for v in data["views"][1:]:
        shares = [n["time"] for n in v["graph"]["nodes"] if "time" in n]
        assert shares and all(0 <= s <= 1 for s in shares)
        assert abs(sum(shares) - 1) < 1e-6  # every compiled node, nothing else


def test_a_counterexample_is_marked_where_the_blamed_rule_changed_the_graph(tmp_path):
    wrong = rl.pattern("exp(x) -> cosh(x)", name="exp_as_cosh")
    model = load_target("eight_schools")
    found = rl.check_model(model, wrong, max_examples=20).counterexample
    assert found is not None and found.rule in ("", "exp_as_cosh")  # one rule: no blame
    out = rl.view(model, wrong, counterexample=found, path=tmp_path / "v.html")
    graph = _data(out.path)["views"][0]["graph"]
    marked = {n["id"] for n in graph["nodes"] if n.get("counterexample")}
    changed = {i for c in graph["changes"] for i in c["nodes"]}
    assert marked and marked <= changed


def test_accuracy_overlay_shades_each_node_by_its_local_error(tmp_path):
    """The accuracy view is the judged graph alone (every node kept, no
    changes), each elementwise node with its local error; the subtraction
    that cancels carries the largest."""
    import numpy as np

    y = pt.dvector("y")
    out = (pt.sqrt(y * y + 1.0) - y) * 3.0
    report = rl.accuracy(out, points=[{y: np.array([1e4, 3e4, 0.5])}])
    written = rl.view(out, accuracy=report, path=tmp_path / "a.html")
    (view,) = _data(written.path)["views"]
    assert view["name"].startswith("local error") and view["show"] == "after"
    nodes = view["graph"]["nodes"]
    assert {n["status"] for n in nodes} == {"kept"} and not view["graph"]["changes"]
    worst = max((n for n in nodes if "ulps" in n), key=lambda n: n["ulps"])
    assert worst["op_type"] == "Elemwise" and "sub" in worst["label"].lower()
    assert worst["ulps"] == report.nodes[0].ulps and "exact" in worst["error"]


@pytest.mark.slow
def test_the_accuracy_view_in_a_real_browser_keys_its_error_scale(tmp_path):
    """The accuracy view's key is the error scale, not removed/added/rewired;
    the cancelling subtraction is drawn shaded."""
    import numpy as np

    y = pt.dvector("y")
    out = (pt.sqrt(y * y + 1.0) - y) * 3.0
    report = rl.accuracy(out, points=[{y: np.array([1e4, 3e4, 0.5])}])
    written = rl.view(out, accuracy=report, path=tmp_path / "a.html")
    with _page(written.path, 1000, 700) as page:
        key = page.inner_text(".legend")
        assert key.startswith("local error, ULPs") and "removed" not in key
        assert page.locator(".legend .error-scale").count() == 5
        shaded = page.locator("g.node.inexact")
        assert shaded.count() >= 1
        shaded.first.click()
        assert "local error" in page.inner_text("#rl-panel")
        page.screenshot(path=str(tmp_path / "accuracy.png"))
