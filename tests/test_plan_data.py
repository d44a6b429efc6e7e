"""plan.json: the plan as data, the same plan the sheets show (FORMAT.md keys)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pypdf import PdfReader

from generator.banks import builtin_banks
from generator.build import build_client
from generator.guide import load_guide
from generator.load import load_profile
from generator.paths import EXAMPLE
from generator.pdf import PdfRenderer
from generator.plan_data import plan_data, write_plan
from generator.tailor import tailor

TODAY = date(2026, 11, 29)


def sheet_text(path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def test_plan_json_has_the_format_keys_and_matches_every_sheet(tmp_path):
    workbook = tailor(load_profile(EXAMPLE), builtin_banks(), load_guide(), TODAY)
    data = json.loads(write_plan(workbook, tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(plan_data(workbook)))
    assert data["client_id"] == "maya-lopez"
    assert [c["id"] for c in data["contacts"]] == [plan.id for plan in workbook.contacts]
    renderer = PdfRenderer()
    for contact in data["contacts"]:
        assert {"id", "name", "minutes", "meeting_kind", "questions", "offers", "due"} <= set(contact)
        assert all(set(q) >= {"stage", "text", "minutes", "reason"} for q in contact["questions"])
        assert all(set(o) >= {"text", "reason"} for o in contact["offers"])
        assert isinstance(contact["due"], list)
        renderer.render_sheet(workbook, workbook.contact(contact["id"]), tmp_path / f"{contact['id']}.pdf")
        text = sheet_text(tmp_path / f"{contact['id']}.pdf")
        # The sheet shows these questions, with these minutes, in this order, and the length of the meeting.
        positions = [text.index(f"{q['text']} {q['minutes']} min") for q in contact["questions"]]
        assert positions == sorted(positions), contact["id"]
        assert f"{contact['minutes']} minutes · {len(contact['questions'])} questions" in text
        assert sum(o["text"] in text for o in contact["offers"]) >= min(3, len(contact["offers"]))
    jordan = next(c for c in data["contacts"] if c["id"] == "jordan-smith")
    assert jordan["thank_you_by"] == "2026-12-04" and jordan["meeting_kind"] == "first"
    alex = next(c for c in data["contacts"] if c["id"] == "alex-chen")
    met_note = next(e.note for e in reversed(workbook.contact("alex-chen").contact.history) if e.event == "met")
    assert alex["meeting_kind"] == "follow-up" and alex["last_time"] == met_note


@pytest.mark.slow
def test_a_build_writes_plan_json_beside_the_sheets(tmp_path):
    result = build_client(load_profile(EXAMPLE), tmp_path, today=TODAY)
    data = json.loads((result.folder / "plan.json").read_text(encoding="utf-8"))
    assert {c["id"] for c in data["contacts"]} == {p.stem for p in (result.folder / "sheets").glob("*.pdf")}
