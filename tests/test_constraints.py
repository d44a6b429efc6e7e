"""Every install gets the versions the suite ran: constraints.txt pins them, and each admits Debian 12's Python."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from generator.paths import PACKAGE

CHECKOUT = PACKAGE.parent
DEBIAN_12_PYTHON = "3.11.2"


def pins() -> dict[str, str]:
    lines = (CHECKOUT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    found = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            name, version = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line.strip()).groups()
            found[canonicalize_name(name)] = version
    return found


def test_the_environment_has_exactly_the_pinned_versions():
    wrong = {}
    for name, version in pins().items():
        try:
            installed = distribution(name).version
        except PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"pinned vs installed (run `make constraints` after changing dependencies): {wrong}"


def test_every_pinned_version_runs_on_debian_12s_python():
    too_new = {}
    for name, version in pins().items():
        requires = distribution(name).metadata.get("Requires-Python")
        if requires and DEBIAN_12_PYTHON not in SpecifierSet(requires):
            too_new[name] = f"{version} requires Python {requires}"
    assert not too_new, too_new


def test_every_dependency_is_pinned_and_requires_python_is_the_true_floor():
    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    names = {canonicalize_name(re.match(r"[A-Za-z0-9_.\-]+", d).group()) for d in declared}
    assert names - set(pins()) == set()
    assert DEBIAN_12_PYTHON in SpecifierSet(project["requires-python"])
