"""Screenshots of the viewer on two zoo models, for the README.

Run: ``./dev run python docs/make_screenshots.py`` (needs Playwright and
Chromium, as the browser test does). Writes docs/viewer-*.png and the
viewer files beside them in docs/views/ (not committed).
"""

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

import rewritelab as rl
from rewritelab.core.targets import load_target
from rewritelab.report.view import HEADLESS_CHROMIUM_ARGS

HERE = Path(__file__).parent
ZOO = HERE.parent / "benchmarks" / "models"
SHOTS = [  # model, graph, the rule whose first change is shown
    ("logistic", "logp+grad", "known_range_check"),
    ("stochastic_volatility", "logp+grad", "positive_powers"),
]


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=list(HEADLESS_CHROMIUM_ARGS)
        )
        for name, graph, rule in SHOTS:
            out = rl.view(
                load_target(str(ZOO / f"{name}.py")),
                rl.library(),
                graph=graph,
                path=HERE / "views" / f"{name}.html",
                title=f"{name} · {graph}",
            )
            page = browser.new_page(viewport={"width": 1500, "height": 900})
            page.goto(out.path.as_uri())
            page.wait_for_selector("#rl-status[data-ready=true]", timeout=120_000)
            changes = page.evaluate(
                "JSON.parse(document.getElementById('rl-data').textContent)"
                ".views[0].graph.changes.map(c => c.rule)"
            )
            for _ in range(changes.index(rule) + 1):
                page.click("#rl-next")
            focus = page.locator("g.node.focus")
            (
                focus.first if focus.count() else page.locator("g.node").first
            ).dispatch_event("click")
            page.screenshot(path=str(HERE / f"viewer-{name}.png"))
            print(out)
        browser.close()


if __name__ == "__main__":
    main()
