"""Reference files: what the example's generated pages, client mkdocs.yml, print markup and plan look like.

A template or wording change shows here as a readable diff; a change nobody meant fails. After a meant
change: `.venv/bin/pytest --update-reference tests/test_reference.py`, then read the diff and commit it.
"""

from __future__ import annotations

import json
import os
from datetime import date

import pytest

from generator.load import load_profile
from generator.paths import EXAMPLE, ROOT
from generator.pdf import PdfRenderer

TODAY = date(2026, 12, 2)
pytestmark = pytest.mark.slow  # one real build of the example


@pytest.fixture(scope="module")
def built(example_build):
    """The example built on TODAY (conftest.py's `example_build`, shared with other files; read only)."""
    assert json.loads((example_build / "manifest.json").read_text(encoding="utf-8"))["built_on"] == TODAY.isoformat()
    return example_build


PAGES = [
    "docs/index.md",
    "docs/tracker.md",
    "docs/contacts/jordan-smith.md",
    "docs/contacts/alex-chen.md",
    "docs/roles/career-advisor.md",
    "plan.json",
]


@pytest.mark.parametrize("page", PAGES)
def test_generated_files_match_their_reference(built, reference, page):
    reference("example/" + page.replace("/", "__"), (built / page).read_text(encoding="utf-8"))


def test_client_mkdocs_yml_matches_its_reference(built, reference):
    # The paths to the project's own files depend on where the build ran: shown as <project>.
    text = (built / "mkdocs.yml").read_text(encoding="utf-8")
    reference("example/mkdocs.yml", text.replace(os.path.relpath(ROOT, built), "<project>"))


@pytest.mark.parametrize("contact_id", ["kenji-watanabe", "tom-becker"])
def test_sheet_markup_matches_its_reference(reference, contact_id):
    from generator.banks import builtin_banks
    from generator.guide import load_guide
    from generator.tailor import tailor

    workbook = tailor(load_profile(EXAMPLE, today=TODAY), builtin_banks(), load_guide(), TODAY)
    html = PdfRenderer().sheet_html(workbook, workbook.contact(contact_id))
    reference(f"example/sheet-{contact_id}.html", html)
