"""The follow-through cadence: what is due when, on a table of dated cases, and where it shows."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime

import pytest

from generator.cadence import CadencePatch, builtin_cadence, combine_cadence, due_items, read_cadence, this_week
from generator.coach import load_coach_file
from generator.errors import UserError
from generator.load import load_profile, today_in
from generator.models import Contact, HistoryEvent, Meeting
from generator.paths import EXAMPLE

CADENCE = builtin_cadence()


def person(status=None, history=(), meeting=None, name="Priya Raman", relationship="alumni") -> Contact:
    extra = {"status": status} if status else {}
    return Contact(
        name=name,
        role="Career Advisor",
        relationship=relationship,
        history=[
            HistoryEvent(date=day, event=event, note=note)
            for day, event, note in ((*item, None) if len(item) == 2 else item for item in history)
        ],
        meeting=Meeting(date=meeting) if meeting else None,
        **extra,
    )


def due(contact: Contact, today: str) -> list[tuple[str, str]]:
    return [(item.date.isoformat(), item.kind) for item in due_items(contact, CADENCE, date.fromisoformat(today))]


# (what, contact, today, expected due items as (date, kind))
CASES = [
    (
        "a request with no reply: a nudge a week later",
        person(history=[("2026-11-20", "requested")]),
        "2026-11-22",
        [("2026-11-27", "nudge")],
    ),
    (
        "a request on the 31st: the nudge crosses into the next month",
        person(history=[("2026-10-31", "requested")]),
        "2026-11-01",
        [("2026-11-07", "nudge")],
    ),
    (
        "a request on 31 December: the nudge crosses into the next year",
        person(history=[("2026-12-31", "requested")]),
        "2026-12-31",
        [("2027-01-07", "nudge")],
    ),
    (
        "a nudge still unanswered: suggest no-response a week later",
        person(history=[("2026-11-01", "requested"), ("2026-11-08", "reminded")]),
        "2026-11-20",
        [("2026-11-15", "no-response")],
    ),
    (
        "a reply stops the nudges",
        person(history=[("2026-11-01", "requested"), ("2026-11-03", "replied")]),
        "2026-11-20",
        [],
    ),
    (
        "a meeting today: prepare today, nothing to thank for yet",
        person(history=[("2026-11-20", "scheduled")], meeting="2026-11-30T16:00"),
        "2026-11-30",
        [("2026-11-30", "prepare")],
    ),
    (
        "a meeting held today: the thank-you is due tomorrow",
        person(
            history=[("2026-11-20", "scheduled"), ("2026-11-30", "met", "the alumni mentoring pilot")],
            meeting="2026-11-30T09:00",
        ),
        "2026-11-30",
        [("2026-12-01", "thank-you")],
    ),
    (
        "a meeting two days ahead: prepare from two days before",
        person(status="scheduled", meeting="2026-12-05T15:00"),
        "2026-11-30",
        [("2026-12-03", "prepare")],
    ),
    (
        "status met with no history: the thank-you counts from the meeting's date",
        person(status="met", meeting="2026-11-12T12:00"),
        "2026-11-30",
        [("2026-11-13", "thank-you")],
    ),
    (
        "after the thank-you: an update a little over two weeks later",
        person(history=[("2026-11-24", "met"), ("2026-11-25", "thanked")]),
        "2026-11-30",
        [("2026-12-11", "update")],
    ),
    (
        "after the update: a check-in about two and a half months later",
        person(history=[("2026-09-14", "met"), ("2026-09-15", "thanked"), ("2026-10-06", "updated")]),
        "2026-11-30",
        [("2026-12-20", "check-in")],
    ),
    (
        "check-ins keep going from the latest one",
        person(history=[("2026-06-01", "updated"), ("2026-08-15", "checked-in")]),
        "2026-11-30",
        [("2026-10-29", "check-in")],
    ),
    (
        "a follow-up meeting ahead replaces the check-in with preparation",
        person(
            history=[("2026-09-14", "met"), ("2026-09-15", "thanked"), ("2026-10-06", "updated")], meeting="2026-12-10"
        ),
        "2026-11-30",
        [("2026-12-08", "prepare")],
    ),
    (
        "declined: nothing, ever",
        person(history=[("2026-11-01", "requested"), ("2026-11-02", "declined")]),
        "2026-11-30",
        [],
    ),
    ("closed: nothing", person(status="closed", meeting="2026-12-10"), "2026-11-30", []),
    ("no-response: nothing", person(status="no-response", history=[("2026-10-01", "requested")]), "2026-11-30", []),
    ("requested but no dated request: nothing is invented", person(status="requested"), "2026-11-30", []),
    ("to contact: nothing due (the drafts say what to send)", person(), "2026-11-30", []),
    (
        "a note changes nothing",
        person(history=[("2026-11-20", "requested"), ("2026-11-21", "note", "Her assistant said next week")]),
        "2026-11-22",
        [("2026-11-27", "nudge")],
    ),
]


@pytest.mark.parametrize("what, contact, today, expected", CASES, ids=[case[0] for case in CASES])
def test_what_is_due_follows_the_cadence(what, contact, today, expected):
    assert due(contact, today) == expected


def test_every_due_item_says_why_with_its_dates():
    contact = person(history=[("2026-10-31", "requested")])
    (item,) = due_items(contact, CADENCE, date(2026, 11, 10))
    assert item.text == "Send Priya one short nudge"
    assert "Sat 31 Oct" in item.reason
    assert item.overdue(date(2026, 11, 10)) and not item.overdue(date(2026, 11, 7))


def test_today_is_the_seekers_day_across_a_time_zone_boundary():
    # 06:30 UTC on 1 December is still 30 November in Los Angeles, and already 1 December in Berlin.
    instant = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    la, berlin = today_in("America/Los_Angeles", now=instant), today_in("Europe/Berlin", now=instant)
    assert (la, berlin) == (date(2026, 11, 30), date(2026, 12, 1))
    # A nudge due on 1 December is not yet overdue for a seeker in Los Angeles, and is for one in Berlin.
    contact = person(history=[("2026-11-24", "requested")])
    (item,) = due_items(contact, CADENCE, la)
    assert item.date == date(2026, 12, 1) and not item.overdue(la)
    assert not item.overdue(berlin) and item.date == berlin
    # A meeting late in the evening, local time, belongs to its local day: prepared for, not yet thanked for.
    evening = person(history=[("2026-11-20", "scheduled")], meeting="2026-11-30T23:30")
    assert due(evening, la.isoformat()) == [("2026-11-30", "prepare")]


def test_this_week_lists_overdue_and_coming_items_and_counts_requests_since_monday():
    contacts = [
        person(name="Ann Overdue", history=[("2026-11-01", "requested")]),
        person(name="Bo Soon", history=[("2026-11-28", "met")]),
        person(name="Cy Later", history=[("2026-11-24", "met"), ("2026-11-25", "thanked")]),
        person(name="Di Asked", history=[("2026-11-30", "requested"), ("2026-12-01", "note")]),
        person(name="Ed Asked Last Week", history=[("2026-11-29", "requested")]),
    ]
    today = date(2026, 12, 2)  # a Wednesday
    dues = {c.id: due_items(c, CADENCE, today) for c in contacts}
    week = this_week(contacts, dues, CADENCE, today, weekly_goal=3)
    assert [(i.contact_id, i.kind, i.date.isoformat()) for i in week.items] == [
        ("ann-overdue", "nudge", "2026-11-08"),
        ("bo-soon", "thank-you", "2026-11-29"),
        ("ed-asked-last-week", "nudge", "2026-12-06"),
        ("di-asked", "nudge", "2026-12-07"),
    ]
    assert week.overdue == 2 and week.until == date(2026, 12, 8)  # Cy's update (11 Dec) is beyond the week
    assert (week.week_start, week.requests_sent, week.weekly_goal) == (date(2026, 11, 30), 1, 3)


def test_a_coach_can_change_the_cadence_key_by_key(tmp_path):
    coach = tmp_path / "coach.yaml"
    coach.write_text(
        textwrap.dedent("""\
        cadence:
          steps:
            nudge: {days: 5}
            thank-you:
              text: Send {first_name} a handwritten card
    """),
        encoding="utf-8",
    )
    cadence = load_coach_file(coach).banks_for("en").cadence
    assert cadence.steps["nudge"].days == 5 and cadence.steps["nudge"].text == CADENCE.steps["nudge"].text
    assert cadence.steps["thank-you"].days == 1
    contact = person(history=[("2026-11-20", "requested")])
    assert [(i.date, i.kind) for i in due_items(contact, cadence, date(2026, 11, 21))] == [
        (date(2026, 11, 25), "nudge")
    ]
    assert combine_cadence(CADENCE, CadencePatch(horizon_days=14)).horizon_days == 14


def test_a_broken_cadence_is_reported_with_its_line(tmp_path):
    path = tmp_path / "cadence.yaml"
    path.write_text(
        textwrap.dedent("""\
        steps:
          nudge: {days: 7, text: "Nudge {frist_name}", reason: ok}
          thank-you: {days: -1, text: a, reason: b}
          reminder: {days: 3, text: a, reason: b}
    """),
        encoding="utf-8",
    )
    with pytest.raises(UserError) as error:
        read_cadence(path, "cadence.yaml")
    message = str(error.value)
    assert "cadence.yaml:2:" in message and "{frist_name}" in message
    assert "cadence.yaml:3:" in message and "steps.thank-you.days" in message
    assert "cadence.yaml:4:" in message and "reminder" in message
    assert "needs a step for:" in message and "no-response" in message


def test_a_coachs_broken_cadence_is_located_in_coach_yaml(tmp_path):
    coach = tmp_path / "coach.yaml"
    coach.write_text("cadence:\n  steps:\n    nudge: {dayz: 5}\n", encoding="utf-8")
    with pytest.raises(UserError) as error:
        load_coach_file(coach, "coach.yaml")
    assert "coach.yaml:3:" in str(error.value) and "dayz" in str(error.value)


def test_the_example_has_history_and_due_items_in_its_plan():
    loaded = load_profile(EXAMPLE, today=date(2026, 12, 2))
    assert sum(bool(c.history) for c in loaded.profile.contacts) >= 5
    assert loaded.warnings == ()
    kinds = {item.kind for c in loaded.profile.contacts for item in due_items(c, CADENCE, date(2026, 12, 2))}
    assert {"nudge", "thank-you", "update", "prepare"} <= kinds
