"""The render pipeline: deterministic bytes, collision-proof delimiters, atomic writes."""

from __future__ import annotations

import json
import plistlib
from pathlib import Path

import jinja2
import pytest

from generator import render
from generator.bundle import load_bundle, parse_bundle
from generator.render import RenderError, environment, render_all, write_dist
from generator.status import MODEL

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "bundle.toml"
MINIMAL = '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example"\n'


@pytest.fixture(scope="module")
def spec():
    return load_bundle(EXAMPLE)


def by_path(artifacts):
    return {a.path: a for a in artifacts}


def test_two_renders_are_byte_identical(spec, tmp_path):
    first = write_dist(render_all(spec), tmp_path / "a")
    second = write_dist(render_all(load_bundle(EXAMPLE)), tmp_path / "b")
    files_a = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    files_b = {p.relative_to(second): p.read_bytes() for p in second.rglob("*") if p.is_file()}
    assert files_a == files_b
    assert len(files_a) > 20


def test_shell_text_that_looks_like_template_syntax_passes_through():
    text = 'n=${#array[@]}; m=${#@}; s="%NAME%"; j="{{ not jinja }}"; k={% raw %}; c={# x #}; v=@@= name|shword =@@\n'
    assert environment().from_string(text).render(name="ok") == text.replace("@@= name|shword =@@", "ok")


def test_undefined_names_are_errors():
    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("@@= missing =@@").render()


def test_shq_quotes_for_the_shell():
    assert render.shell_quote("it's $HOME") == "'it'\\''s $HOME'"


def test_template_errors_are_one_line_render_errors(tmp_path, monkeypatch):
    (tmp_path / "agent").mkdir()
    (tmp_path / "agent" / "broken.zsh.j2").write_text("echo @@% if %@@\n")
    monkeypatch.setattr(render, "templates_dir", lambda: tmp_path)
    monkeypatch.setattr(render, "_ENV", None)
    with pytest.raises(RenderError) as info:
        render.render_template("agent/broken.zsh.j2", {})
    assert "broken.zsh.j2:1" in str(info.value) and "\n" not in str(info.value)
    monkeypatch.setattr(render, "_ENV", None)


def test_one_extension_attribute_per_status_fact(spec):
    arts = by_path(render_all(spec))
    definitions = [json.loads(a.content) for p, a in arts.items() if p.startswith("extension-attributes/") and p.endswith(".json")]
    assert {d["statusKey"] for d in definitions} == {k.key for k in MODEL.ea_keys()}
    required = {"AgentVersion", "Status", "LastMDMWorkflowResult", "LastMDMWorkflowTime", "SavedCredentialMethod",
                "ComputerIDSource", "BootstrapTokenEscrow", "SoftDeadline", "HardDeadline", "PendingUpdateTarget",
                "NextRun"}
    assert required <= {d["statusKey"] for d in definitions}
    for d in definitions:
        assert d["inputType"] == "SCRIPT"
        assert d["dataType"] in ("STRING", "INTEGER", "DATE")
        assert d["name"].startswith("jamf-enforcer ")
        assert d["description"]


def test_profiles_deliver_jssid_and_are_deterministic(spec):
    arts = by_path(render_all(spec))
    full = plistlib.loads(arts["profiles/com.example.enforcer.mobileconfig"].content)
    inner = full["PayloadContent"][0]
    assert inner["PayloadType"] == "com.apple.ManagedClient.preferences"
    settings = inner["PayloadContent"]["com.example.enforcer"]["Forced"][0]["mcx_preference_settings"]
    assert settings["AuthJamfComputerID"] == "$JSSID"
    assert settings["AuthMDMFailoverToUser"] == "NOSERVICE,INSTALLNOW,BOOTSTRAP"
    id_only = plistlib.loads(arts["profiles/com.example.enforcer-id-only.mobileconfig"].content)
    only = id_only["PayloadContent"][0]["PayloadContent"]["com.example.enforcer"]["Forced"][0]["mcx_preference_settings"]
    assert only == {"AuthJamfComputerID": "$JSSID"}
    assert full["PayloadUUID"] != id_only["PayloadUUID"]
    schema = json.loads(arts["profiles/com.example.enforcer.schema.json"].content)
    assert set(settings) <= set(schema["properties"])
    assert schema["__preferencedomain"] == "com.example.enforcer"


def test_only_the_credential_policy_carries_hand_over_slots(spec):
    arts = by_path(render_all(spec))
    policies = {p: json.loads(a.content) for p, a in arts.items() if p.startswith("jamf/policies/")}
    assert set(policies) == {"jamf/policies/credentials.json", "jamf/policies/enforcement.json",
                             "jamf/policies/install-now.json", "jamf/policies/uninstall.json"}
    carrying = [p for p, pol in policies.items() if pol["carries_secrets"]]
    assert carrying == ["jamf/policies/credentials.json"]
    cred = policies["jamf/policies/credentials.json"]
    assert cred["frequency"] == "Once per computer"
    assert cred["script"]["parameters"]["parameter4"].startswith("--auth-jamf-client=")
    assert policies["jamf/policies/install-now.json"]["script"]["parameters"] == {"parameter4": "--install-now"}


def test_account_method_renders_the_service_account(tmp_path):
    spec = parse_bundle(MINIMAL + "[agent]\ncredential_method = 'jamf-account'\n", "b.toml")
    arts = by_path(render_all(spec))
    account = json.loads(arts["jamf/service-account.json"].content)
    assert "Send Computer Remote Command to Download and Install OS X Update" in account["privileges"]["jss_actions"]
    assert "Read Computers" in account["privileges"]["jss_objects"]
    policy = json.loads(arts["jamf/policies/credentials.json"].content)
    assert policy["handover"] == {"parameter4": "account", "parameter5": "password"}


def test_more_than_eight_policy_options_is_an_error():
    options = ", ".join(f"'--opt{i}'" for i in range(8))
    spec = parse_bundle(MINIMAL + f"[agent]\nextra_options = [{options}]\n", "b.toml")
    with pytest.raises(RenderError, match=r"b\.toml: agent\.extra_options: expected at most 8 options per policy"):
        render_all(spec)


def test_manifest_lists_every_artifact_with_hashes(spec):
    arts = render_all(spec)
    manifest = json.loads(by_path(arts)["manifest.json"].content)
    listed = {a["path"]: a for a in manifest["artifacts"]}
    assert set(listed) == {a.path for a in arts if a.path != "manifest.json"}
    for art in arts:
        if art.path != "manifest.json":
            assert listed[art.path]["sha256"] == art.sha256 and listed[art.path]["size"] == len(art.content)
    privileges = manifest["privileges"]
    assert set(privileges["privilege_endpoints"]) == set(privileges["api_role"])
    assert manifest["generator"]["name"] == "jamf-enforcer"


def test_failed_write_leaves_previous_output_intact(spec, tmp_path, monkeypatch):
    out = write_dist(render_all(spec), tmp_path / "dist")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    class Boom(RuntimeError):
        pass

    arts = render_all(spec)
    real_write = Path.write_bytes
    calls = {"n": 0}

    def flaky(self, data):
        calls["n"] += 1
        if calls["n"] == 5:
            raise Boom("disk full")
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky)
    with pytest.raises(Boom):
        write_dist(arts, out)
    monkeypatch.undo()
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["dist"], "staging folder left behind"


@pytest.mark.parametrize("template", ["v=@@= name =@@", "# @@= name =@@", "v=@@= name|upper =@@", "v=@@= flag =@@"])
def test_a_value_without_a_sink_filter_is_a_render_error(template):
    """Fails on main: an unfiltered @@= name =@@ rendered raw, so a newline in it became a command."""
    with pytest.raises(render.UnfilteredValue):
        environment().from_string(template).render(name="x\nrm -rf /", flag=True)


def test_sink_filters_quote_refuse_or_pass_words():
    assert render.shell_comment("Example Corp") == "'Example Corp'" and render.shell_comment("1.0.0") == "1.0.0"
    assert environment().from_string("n=@@= n =@@").render(n=7) == "n=7"  # integers cannot become code
    for bad in ("a\nb", "a\rb", "a\u2028b"):
        with pytest.raises(render.UnfilteredValue):
            render.shell_comment(bad)
    for bad in ("a b", "$(x)", "=ls", "a'b"):
        with pytest.raises(render.UnfilteredValue):
            render.shell_word(bad)
    with pytest.raises(render.UnfilteredValue):
        render.shell_quote("a\0b")
