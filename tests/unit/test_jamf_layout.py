"""The generator.jamf layout: every module says what it owns, and the package import paths keep working."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import generator.jamf

MODULES = sorted(m.name for m in pkgutil.walk_packages(generator.jamf.__path__, "generator.jamf."))


def test_the_layout_has_the_expected_sub_packages() -> None:
    for name in ("client.transport", "client.auth", "client.credentials", "resources.base", "resources.policy",
                 "sync.plan", "sync.apply", "sync.audit", "sync.rotate"):
        assert f"generator.jamf.{name}" in MODULES


@pytest.mark.parametrize("name", ["generator.jamf", *MODULES])
def test_every_module_has_a_docstring(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__ and module.__doc__.strip(), f"{name} has no module docstring"


@pytest.mark.parametrize("package", ["generator.jamf.client", "generator.jamf.resources", "generator.jamf.sync"])
def test_every_re_exported_name_resolves_to_its_defining_module(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__
    for name in module.__all__:
        value = getattr(module, name)
        origin = getattr(value, "__module__", None)
        if isinstance(value, type) or inspect.isfunction(value):
            assert origin and origin.startswith(package + "."), f"{package}.{name} comes from {origin}"
