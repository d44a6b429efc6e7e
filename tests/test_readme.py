"""The README's module table names every module of generator/ and none that is gone (issue 13: "the
README's module table matches the code")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_LISTED = {"__init__.py", "__main__.py"}  # the package's version, and `python -m generator`


def test_the_module_table_lists_every_module_and_only_those():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("| module | job |")
    table = readme[start : readme.index("\n\n", start)]
    named = {
        name
        for line in table.splitlines()[2:]
        for name in re.findall(r"`(?:generator/)?(\w+\.py)`", line.split("|")[1])
    }
    modules = {path.name for path in (ROOT / "generator").glob("*.py")} - NOT_LISTED
    assert modules - named == set(), "modules missing from the README's table"
    assert named - modules == set(), "the README's table names modules that are gone"
