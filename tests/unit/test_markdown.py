"""generator.markdown and the sync results' Markdown: a hostile value stays literal text (no HTML, no
new cell or row, no escape from a fence)."""

from __future__ import annotations

from generator.jamf.markdown import format_markdown
from generator.jamf.sync import Change, Failure, Finding, TenantResult, Write
from generator.markdown import details, fence, inline, table

HOSTILE = 'a|b\n| x | y |\n<script>alert(1)</script> *bold* [link](http://e) `code` &amp; \\ ~~s~~ # h'


def test_inline_keeps_a_hostile_value_on_one_line_as_literal_text() -> None:
    out = inline(HOSTILE)
    assert "\n" not in out and "<" not in out and ">" not in out
    assert "&lt;script&gt;" in out and "&amp;amp;" in out
    # every pipe, emphasis, link, code and strike marker is backslash-escaped
    for ch in "|*[]`~_#":
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch)


def test_table_rows_keep_their_cell_count() -> None:
    lines = table(("a", "b"), [(HOSTILE, "x"), ("", 3)])
    assert lines[:2] == ["| a | b |", "|---|---|"] and len(lines) == 4
    for line in lines[2:]:
        unescaped = line.replace("\\|", "")
        assert unescaped.count("|") == 3


def test_fence_cannot_be_closed_from_inside() -> None:
    body = "x\n```\n<b>not html</b>\n````\ny"
    lines = fence(body, "diff")
    assert lines[0] == "`````diff" and lines[-1] == "`````" and lines[1:-1] == body.splitlines()
    assert fence("plain") == ["```", "plain", "```"]
    block = details("<summary>", body)
    assert block[0] == "<details>" and block[1] == "<summary>&lt;summary&gt;</summary>" and block[-1] == "</details>"


def test_results_render_every_part_escaped() -> None:
    plan = TenantResult("t0", "plan", changes=[
        Change("script", HOSTILE, "create", diff="+" + HOSTILE), Change("script", "same", "unchanged"),
        Change("policy", "p", "update", reason="name | case")])
    out = format_markdown("plan", [plan], [["tenant"], ["t0"]])
    assert out.startswith("## jamf-enforcer plan\n\n### t0: 1 to create, 1 to update, 0 to delete, 1 unchanged\n")
    assert "<script>" not in out.split("```diff")[0]  # only inside the fenced diff is it verbatim
    assert out.count("<details>") == 1 and "same" not in out and "name \\| case" in out
    assert "| tenant |" not in out  # one tenant: no summary table
    applied = TenantResult("t1", "apply", writes=[Write("script", "s", "created", id="7")],
                           failures=[Failure("policy", "p", "HTTP 500")], notes=["a <note>"])
    audited = TenantResult("t2", "audit", findings=[Finding("ea", "e", "differs")], error="tenant: boom")
    out = format_markdown("apply", [applied, audited], [["tenant", "status"], ["t1", "failed"], ["t2", "error"]])
    assert "| tenant | status |\n|---|---|\n| t1 | failed |\n| t2 | error |" in out
    assert "| created | script | s | 7 |  |" in out and "| FAILED | policy | p |  | HTTP 500 |" in out
    assert "- note: a &lt;note&gt;" in out and "### t2: error\n\n**Error:** tenant: boom" in out
