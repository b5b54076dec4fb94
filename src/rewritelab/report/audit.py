"""An audit of PyTensor's rewriters as a console table, Markdown and HTML."""

from __future__ import annotations

import html
from pathlib import Path

from rich.table import Table

from rewritelab.check.audit import AuditReport
from rewritelab.report.tables import markdown_table

__all__ = ["audit_html", "audit_markdown", "audit_table", "save_audit_html"]

_COLOURS = {
    "passed": "green",
    "counterexample": "red",
    "crashed": "red",
    "not exercised": "yellow",
    "timed out": "yellow",
    "checker error": "magenta",
}


def _summary(report: AuditReport) -> str:
    counts = ", ".join(f"{n} {v}" for v, n in report.counts().items() if n)
    return (
        f"{len(report.entries)} node rewriters of --db {report.db} on elementwise, "
        f"reduction and shape ops ({report.out_of_scope} others out of scope), "
        f"PyTensor {report.pytensor_version}: {counts}; {report.seconds:.0f} s"
    )


def audit_table(report: AuditReport, *, everything: bool = False) -> Table:
    """The rewriters that need a look (all of them with ``everything``):
    name, kind, verdict, time, and what was found or tried."""
    table = Table(title=_summary(report), title_justify="left")
    for col in ("rewriter", "kind", "verdict", "s", "detail"):
        table.add_column(col, justify="right" if col == "s" else "left")
    for e in report.entries:
        if not everything and e.verdict == "passed":
            continue
        table.add_row(
            e.name,
            e.kind,
            f"[{_COLOURS[e.verdict]}]{e.verdict}[/]",
            f"{e.seconds:.1f}",
            e.detail,
        )
    return table


def audit_markdown(report: AuditReport) -> str:
    """Every rewriter in a Markdown table, then each counterexample's
    reproduction as a code block."""
    rows = [
        [
            f"`{e.name}`",
            e.kind,
            e.verdict,
            f"{e.seconds:.1f}",
            e.detail.replace("|", "\\|"),
        ]
        for e in report.entries
    ]
    parts = [
        f"{_summary(report)}\n",
        markdown_table(["rewriter", "kind", "verdict", "s", "detail"], rows),
    ]
    for e in report.entries:
        if e.reproduction:
            parts.append(
                f"\n### `{e.name}`\n\n{e.detail}\n\n```python\n{e.reproduction}\n```"
            )
    return "\n".join(parts) + "\n"


def audit_html(report: AuditReport) -> str:
    """A self-contained HTML page: the counts, a filterable table and each
    counterexample's reproduction."""
    counts = "".join(
        f'<label class="v-{v.replace(" ", "-")}"><input type="checkbox" checked '
        f'data-verdict="{v}"> {n} {v}</label>'
        for v, n in report.counts().items()
        if n
    )
    rows = []
    for e in report.entries:
        repro = (
            f"<details><summary>reproduction</summary><pre>{html.escape(e.reproduction)}"
            "</pre></details>"
            if e.reproduction
            else ""
        )
        rows.append(
            f'<tr data-verdict="{e.verdict}"><td><code>{html.escape(e.name)}</code></td>'
            f'<td>{e.kind}</td><td class="v-{e.verdict.replace(" ", "-")}">{e.verdict}</td>'
            f'<td class="num">{e.seconds:.1f}</td>'
            f"<td>{html.escape(e.detail)}{repro}</td></tr>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>rewritelab audit: {report.db}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left;
  vertical-align: top; }}
td.num {{ text-align: right; }}
pre {{ background: #f6f6f6; padding: 8px; overflow-x: auto; }}
.v-passed {{ color: #1a7f37; }} .v-counterexample, .v-crashed {{ color: #c62828; }}
.v-not-exercised, .v-timed-out {{ color: #9a6700; }} .v-checker-error {{ color: #8250df; }}
#counts label {{ margin-right: 1.2em; font-weight: 600; }}
</style></head><body>
<h1>Audit of PyTensor's rewriters</h1>
<p>{html.escape(_summary(report))}</p>
<p id="counts">{counts}</p>
<table><thead><tr><th>rewriter</th><th>kind</th><th>verdict</th><th>s</th>
<th>detail</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table>
<script>
for (const box of document.querySelectorAll("#counts input")) {{
  box.addEventListener("change", () => {{
    for (const row of document.querySelectorAll(`tr[data-verdict="${{box.dataset.verdict}}"]`))
      row.style.display = box.checked ? "" : "none";
  }});
}}
</script>
</body></html>
"""


def save_audit_html(report: AuditReport, path: str | Path) -> Path:
    """Write :func:`audit_html` to ``path``."""
    path = Path(path)
    path.write_text(audit_html(report), encoding="utf-8")
    return path
