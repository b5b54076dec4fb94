"""Audit PyTensor's registered rewriters: the whole fast_run database.

Run: ``./dev bench audit.py [DB]`` (default ``fast_run``). Writes
benchmarks/results/audit_run.{json,md} (the verdicts, each counterexample's
reproduction) and benchmarks/results/audit.html, and prints the counts, the
share not exercised and the wall time. The triage of what it finds (real
defect / accuracy within noise / false alarm) is benchmarks/results/audit.md,
written by hand after reading each finding.
"""

import json
import sys
import time
from pathlib import Path

import pytensor

from rewritelab.check.audit import audit
from rewritelab.report.audit import audit_markdown, save_audit_html
from rewritelab.report.progress import Steps

RESULTS = Path(__file__).parent / "results"


def main(db: str = "fast_run") -> None:
    t0 = time.perf_counter()
    steps = Steps("audit", 0)

    def step(i: int, n: int, name: str) -> None:
        steps.total = n
        steps.step(i, name)

    with steps:
        report = audit(db, progress=step)
    seconds = time.perf_counter() - t0
    data = report.to_dict()
    data["wall_seconds"] = seconds
    (RESULTS / "audit_run.json").write_text(json.dumps(data, indent=1, default=str))
    (RESULTS / "audit_run.md").write_text(audit_markdown(report))
    save_audit_html(report, RESULTS / "audit.html")
    counts = report.counts()
    share = counts["not exercised"] / max(len(report.entries), 1)
    print(report)
    print(f"PyTensor {pytensor.__version__}; {len(report.entries)} rewriters in scope")
    print(", ".join(f"{n} {v}" for v, n in counts.items()))
    print(f"not exercised: {share:.1%}; wall time {seconds / 60:.1f} min")


if __name__ == "__main__":
    main(*sys.argv[1:2])
