"""The calendar: OUT/<client-id>/<client-id>.ics, written with the `icalendar` library.

Every dated meeting is an event in the seeker's time zone (with its VTIMEZONE), its place,
format and the first questions of the plan in the description; every due follow-through
step is an all-day event carrying its draft's subject. UIDs are made from the client,
the contact and what the entry is, never from the build, so importing the file again
updates the entries already there instead of adding copies. DTSTAMP is the build's
"today", so two builds pinned to the same day write the same file.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from generator import __version__
from generator.cadence import DueItem
from generator.words import fill
from generator.workbook import ClientPlan, ContactPlan, MeetingPlan

FIRST_QUESTIONS = 3
# The due steps that have a draft of the same name.
DRAFT_OF_DUE = {"nudge": "nudge", "thank-you": "thank-you", "update": "update", "check-in": "check-in"}
DOMAIN = "workbook"


def write_calendar(workbook: ClientPlan, path: Path) -> Path:
    """Write the client's calendar to `path` (atomically enough: the build writes into its staging folder)."""
    path.write_bytes(calendar(workbook).to_ical())
    return path


def calendar(workbook: ClientPlan) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//workbook {__version__}//informational interviews//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", fill(workbook.words.calendar["name"], name=workbook.seeker.name))
    stamp = datetime.combine(workbook.built_on, time(0, 0), tzinfo=UTC)
    for plan in workbook.contacts:
        if plan.meeting:
            cal.add_component(_meeting_event(workbook, plan, plan.meeting, stamp))
        for item in plan.due:
            cal.add_component(_due_event(workbook, plan, item, stamp))
    cal.add_missing_timezones()
    return cal


def uid(workbook: ClientPlan, plan: ContactPlan, what: str) -> str:
    return f"{workbook.client_id}-{plan.id}-{what}@{DOMAIN}"


def _meeting_event(workbook: ClientPlan, plan: ContactPlan, meeting: MeetingPlan, stamp: datetime) -> Event:
    contact = plan.contact
    event = Event()
    # The meeting's UID does not name its date: moving the meeting updates the same entry.
    event.add("uid", uid(workbook, plan, "meeting"))
    event.add("dtstamp", stamp)
    words = workbook.words.calendar
    event.add(
        "summary",
        fill(words["meeting_at"], name=contact.name, company=contact.company)
        if contact.company
        else fill(words["meeting"], name=contact.name),
    )
    if meeting.has_time:
        # With settings.timezone: aware, written with its TZID. Without one the profile gave a plain local
        # time, so the event "floats" (RFC 5545): 09:00 wherever the calendar is, never 09:00 UTC.
        starts = meeting.starts if meeting.zone_label else meeting.starts.replace(tzinfo=None)
        event.add("dtstart", starts)
        event.add("dtend", starts + timedelta(minutes=meeting.minutes))
    else:
        event.add("dtstart", meeting.starts.date())
        event.add("dtend", meeting.starts.date() + timedelta(days=1))
    if meeting.place:
        event.add("location", meeting.place)
    who = (
        fill(words["who_at"], name=contact.name, role=contact.role, company=contact.company)
        if contact.company
        else fill(words["who"], name=contact.name, role=contact.role)
    )
    lines = [who, fill(words["length"], minutes=meeting.minutes)]
    if meeting.format_label:
        lines.append(fill(words["format"], format=meeting.format_label))
    if meeting.place:
        lines.append(fill(words["place"], place=meeting.place))
    questions = plan.question_plan.questions[:FIRST_QUESTIONS]
    if questions:
        lines += ["", words["first_questions"]]
        lines += [f"{number}. {question.text}" for number, question in enumerate(questions, 1)]
    event.add("description", "\n".join(lines))
    return event


def _due_event(workbook: ClientPlan, plan: ContactPlan, item: DueItem, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid(workbook, plan, f"{item.kind}-{item.date.isoformat()}"))
    event.add("dtstamp", stamp)
    event.add("summary", item.text)
    event.add("dtstart", item.date)
    event.add("dtend", item.date + timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # a reminder, not time taken
    draft = next((d for d in plan.drafts if d.kind == DRAFT_OF_DUE.get(item.kind)), None)
    lines = [item.reason]
    if draft and draft.subject:
        lines += ["", fill(workbook.words.calendar["subject"], subject=draft.subject), "", draft.body]
        event.add("x-workbook-subject", draft.subject)
    event.add("description", "\n".join(lines))
    event.add("categories", ["follow-up", item.kind])
    return event
