"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no script, and a
Content-Security-Policy of ``default-src 'none'; style-src 'unsafe-inline'``, so the page cannot
load anything (no image, font, script, frame or request; links to Jamf Pro are navigations).

Every number is an element with ``data-tenant`` and ``data-state`` / ``data-reason`` attributes,
so a test (and an admin's own tooling) can read the DOM back.  Charts take their colours from CSS
custom properties: a ``prefers-color-scheme: dark`` query swaps the palette, a ``print`` query
drops the backgrounds and keeps the patterns readable in black and white (each bar carries its
number as text, never colour alone).  Every value from Jamf is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

CSP = "default-src 'none'; style-src 'unsafe-inline'"
COLOURS = {
    "silent": "#8a8a8a", "no_agent": "#b5a27a", "failed": "#c62828", "past_hard": "#e65100", "past_soft": "#f9a825",
    "mdm_workflow": "#1565c0", "scheduled": "#6a1b9a", "deferred": "#00838f", "pending": "#5c6bc0",
    "up_to_date": "#2e7d32",
}
CSS = """
:root{--bg:#fff;--fg:#1b1b1b;--muted:#666;--line:#ddd;--card:#f6f6f6;--soft:#f9a825;--hard:#c62828;--bar:#5c6bc0}
@media (prefers-color-scheme: dark){:root{--bg:#141414;--fg:#eee;--muted:#aaa;--line:#333;--card:#1f1f1f;--bar:#8c9eff}}
body{font:14px/1.45 -apple-system,system-ui,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
body{margin:2em auto;max-width:1100px;padding:0 1em}
h1{font-size:1.6em;margin:0} h2{margin-top:2em;border-bottom:1px solid var(--line)} h3{margin:1.2em 0 .4em}
.muted{color:var(--muted)} table{border-collapse:collapse;margin:.5em 0}
td,th{padding:.2em .6em;border-bottom:1px solid var(--line);text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
section.tenant{background:var(--card);padding:.5em 1em 1em;margin:1em 0;border-radius:6px}
svg text{fill:var(--fg);font-size:11px}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:-.05em}
details summary{cursor:pointer} a{color:inherit}
@media print{body{margin:0;max-width:none;background:#fff;color:#000}
 section.tenant{background:none;border:1px solid #999;break-inside:avoid} svg text{fill:#000} a{text-decoration:none}}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _bar(parts: list[tuple[str, int, str]], width: int = 760) -> str:
    """One stacked horizontal bar: ``(label, count, colour)``; each part is labelled with its count."""
    total = sum(c for _, c, _ in parts) or 1
    x, out = 0.0, []
    for label, count, colour in parts:
        if not count:
            continue
        w = width * count / total
        out.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="22" style="fill:{colour}">'
                   f'<title>{_e(label)}: {count}</title></rect>')
        if w > 24:
            out.append(f'<text x="{x + w / 2:.1f}" y="15" text-anchor="middle" style="fill:#fff">{count}</text>')
        x += w
    return f'<svg role="img" width="{width}" height="22" viewBox="0 0 {width} 22">{"".join(out)}</svg>'


def _columns(items: list[tuple[str, list[tuple[int, str]]]], height: int = 120) -> str:
    """Vertical bars (grouped per item: ``(label, [(count, colour), ...])``) with counts above them."""
    peak = max((c for _, bars in items for c, _ in bars), default=0) or 1
    step = max(28, 760 // max(len(items), 1))
    out = []
    for i, (label, bars) in enumerate(items):
        bw = (step - 6) / max(len(bars), 1)
        for j, (count, colour) in enumerate(bars):
            h = (height - 30) * count / peak
            x = i * step + j * bw
            out.append(f'<rect x="{x:.1f}" y="{height - 16 - h:.1f}" width="{bw - 1:.1f}" height="{h:.1f}" style="fill:{colour}"/>')
            if count:
                out.append(f'<text x="{x + bw / 2:.1f}" y="{height - 19 - h:.1f}" text-anchor="middle">{count}</text>')
        out.append(f'<text x="{i * step + (step - 6) / 2:.1f}" y="{height - 3}" text-anchor="middle">{_e(label)}</text>')
    width = step * len(items)
    return f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(out)}</svg>'


def _states(block: dict[str, Any], labels: dict[str, str]) -> str:
    name = block["tenant"]
    parts = [(labels[s], n, COLOURS[s]) for s, n in block["states"].items()]
    rows = "".join(f'<tr><td><span class="swatch" style="background:{COLOURS[s]}"></span>{_e(labels[s])}</td>'
                   f'<td class="n" data-tenant="{_e(name)}" data-state="{s}">{n}</td></tr>' for s, n in block["states"].items())
    return (f'<h3>Macs by state</h3>{_bar(parts)}<table><tr><th>state (in precedence order)</th><th class="n">Macs</th></tr>'
            f'{rows}<tr><th>total</th><th class="n" data-tenant="{_e(name)}" data-state="total">{block["total"]}</th></tr></table>')


def _reasons(block: dict[str, Any]) -> str:
    if not block["reasons"]:
        return "<h3>Why Macs fail</h3><p>No problems reported.</p>"
    out = ["<h3>Why Macs fail</h3><p class=\"muted\">A Mac may show several problems; these do not add up.</p>"]
    for r in block["reasons"]:
        rows = "".join(
            f'<tr><td>{_e(m["tenant"])}</td><td><a href="{_e(m["link"])}">{_e(m["name"])}</a></td><td>{_e(m["serial"])}</td>'
            f'<td class="n">{_e(m["id"])}</td><td>{_e(m["os"])}</td><td>{_e(m["last_report"])}</td></tr>' for m in r["macs"])
        out.append(f'<details><summary><b data-tenant="{_e(block["tenant"])}" data-reason="{_e(r["reason"])}">{r["count"]}</b> '
                   f'{_e(r["reason"])}</summary><table><tr><th>tenant</th><th>name</th><th>serial</th><th class="n">Jamf ID</th>'
                   f'<th>OS</th><th>last report</th></tr>{rows}</table></details>')
    return "".join(out)


def _mechanisms(block: dict[str, Any]) -> str:
    names = sorted({m for counts in block["mechanisms"].values() for m in counts})
    palette = ["#1565c0", "#6a1b9a", "#00838f", "#e65100", "#8a8a8a", "#2e7d32"]
    colour = {m: palette[i % len(palette)] for i, m in enumerate(names)}
    legend = " ".join(f'<span class="swatch" style="background:{colour[m]}"></span>{_e(m)}' for m in names)
    rows = "".join(f"<tr><td>{_e(major)}</td><td>{_bar([(m, c, colour[m]) for m, c in counts.items()], 400)}</td>"
                   f"<td>{_e(', '.join(f'{m} {c}' for m, c in counts.items()))}</td></tr>"
                   for major, counts in block["mechanisms"].items())
    versions = _columns([(v, [(n, "var(--bar)")]) for v, n in block["os_versions"].items()])
    return (f"<h3>Update mechanism by OS</h3><p>{legend}</p><table>{rows}</table>"
            f"<h3>macOS version spread</h3>{versions}")


def _timeline(block: dict[str, Any]) -> str:
    items = [(d["date"][5:], [(d["soft"], "var(--soft)"), (d["hard"], "var(--hard)")]) for d in block["deadlines"]]
    return ('<h3>Deadlines in the coming days</h3><p><span class="swatch" style="background:var(--soft)"></span>soft '
            f'<span class="swatch" style="background:var(--hard)"></span>hard</p>{_columns(items)}')


def _audit(block: dict[str, Any]) -> str:
    audit = block.get("audit")
    if audit is None:
        return ""
    findings = audit["findings"]
    items = "".join(f"<li>{_e(f)}</li>" for f in findings) or "<li>no drift</li>"
    return f'<h3>Drift (audit)</h3><p data-tenant="{_e(block["tenant"])}" data-state="drift">{len(findings)}</p><ul>{items}</ul>'


def _block(block: dict[str, Any], labels: dict[str, str], title: str) -> str:
    error = f'<p class="muted">error: {_e(block["error"])}</p>' if block.get("error") else ""
    return (f'<section class="tenant"><h2>{_e(title)}</h2>{error}{_states(block, labels)}{_reasons(block)}'
            f"{_mechanisms(block)}{_timeline(block)}{_audit(block)}</section>")


def render_html(summary: dict[str, Any]) -> str:
    labels = summary["state_labels"]
    tenants = summary["tenants"]
    blocks = [_block(summary["all"], labels, f"All tenants ({len(tenants)})")] if len(tenants) > 1 else []
    blocks += [_block(t, labels, f"Tenant {t['tenant']}") for t in tenants]
    order = " &gt; ".join(_e(labels[s]) for s in summary["precedence"])
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">'
        f"<title>jamf-enforcer report</title><style>{CSS}</style></head><body>"
        f'<h1>Software update enforcement</h1><p class="muted">Generated {_e(summary["generated"])}. Each Mac is counted once, '
        f"in the first state that applies ({order}); every state is as of the Mac's last inventory report. Silent: no "
        f'inventory report for {summary["silent_days"]} days.</p>'
        + "".join(blocks) + "</body></html>\n")
