"""plan.json: the tailored plan as data, for coaches' own scripts and other tools (FORMAT.md).

The same ClientPlan the sheets and pages are rendered from, written as JSON: per contact, the
questions in conversation order (stage, text, minutes, reason), the offer checklist and what is
due. Keys FORMAT.md promises stay; more may be added.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from generator.workbook import ClientPlan, ContactPlan

PLAN_FILE = "plan.json"


def plan_data(workbook: ClientPlan) -> dict[str, object]:
    return {"client_id": workbook.client_id, "contacts": [_contact(plan) for plan in workbook.contacts]}


def write_plan(workbook: ClientPlan, path: Path) -> Path:
    """Write `plan_data(workbook)` to `path` (UTF-8, names as written) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan_data(workbook), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _contact(plan: ContactPlan) -> dict[str, object]:
    questions = plan.question_plan
    return {
        "id": plan.id,
        "name": plan.contact.name,
        "minutes": plan.minutes,
        "meeting_kind": plan.meeting_kind,
        "kind": plan.kind,
        "relationship": plan.contact.relationship,
        "status": plan.contact.status,
        "meeting": plan.meeting.starts.isoformat() if plan.meeting else None,
        "minutes_for_questions": questions.minutes_for_questions,
        "why_them": plan.why_them,
        "last_time": plan.last_time,
        "thank_you_by": plan.thank_you_by.isoformat() if plan.thank_you_by else None,
        "questions": [
            {
                "stage": q.stage,
                "text": q.text,
                "minutes": q.minutes,
                "reason": q.reason,
                "own": q.own,
                "personal": list(q.personal),
            }
            for q in questions.questions
        ],
        "offers": [{"text": o.text, "reason": o.reason} for o in plan.offers],
        # Filled by the follow-through work (ContactPlan.due); an empty list until then.
        "due": [{"date": _iso(item.date), "kind": item.kind, "text": item.text} for item in getattr(plan, "due", ())],
    }


def _iso(value: date | str) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
