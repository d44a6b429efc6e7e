"""The calendar file and `build --today`: a real build of the example, read the way a user's tools read it."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from generator.banks import builtin_banks
from generator.calendar_file import calendar
from generator.cli import main
from generator.guide import load_guide
from generator.load import load_profile
from generator.paths import EXAMPLE
from generator.tailor import tailor

TODAY = "2026-12-02"
LA = ZoneInfo("America/Los_Angeles")


def build(out: Path, today: str = TODAY) -> Path:
    result = CliRunner().invoke(
        main, ["build", str(EXAMPLE), "-o", str(out), "--today", today, "--force"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out / "maya-lopez"


@pytest.fixture(scope="module")
def built(example_build):
    """The example built on TODAY (conftest.py's `example_build`, shared with other files; read only)."""
    assert json.loads((example_build / "manifest.json").read_text(encoding="utf-8"))["built_on"] == TODAY
    return example_build


@pytest.fixture(scope="module")
def later(tmp_path_factory):
    """The example built a week later (read, never changed, by the tests that compare two days)."""
    return build(tmp_path_factory.mktemp("later"), "2026-12-09")


def events(path: Path) -> dict[str, object]:
    cal = Calendar.from_ical(path.read_bytes())
    return {str(event["uid"]): event for event in cal.walk("VEVENT")}


def text_of(page: Path) -> str:
    source = page.read_text(encoding="utf-8")
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", source)).replace("¶", " ").split())


@pytest.mark.slow
def test_meetings_are_events_in_their_time_zone_with_place_and_first_questions(built):
    cal = Calendar.from_ical((built / "maya-lopez.ics").read_bytes())
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    found = events(built / "maya-lopez.ics")
    jordan = found["maya-lopez-jordan-smith-meeting@workbook"]
    start, end = jordan["dtstart"].dt, jordan["dtend"].dt
    assert start == datetime(2026, 12, 3, 10, 0, tzinfo=LA) and start.utcoffset() == timedelta(hours=-8)
    assert jordan["dtstart"].params["TZID"] == "America/Los_Angeles"
    assert end - start == timedelta(minutes=20)
    assert str(jordan["location"]) == "Zoom link in calendar invite"
    description = str(jordan["description"])
    assert "Format: Video call" in description and "Length: 20 minutes" in description
    workbook = tailor(load_profile(EXAMPLE), builtin_banks(), load_guide(), date.fromisoformat(TODAY))
    first = workbook.contact("jordan-smith").question_plan.questions[0].text
    assert f"1. {first}" in description
    # A meeting with only a day is an all-day event on that day.
    rosa = found["maya-lopez-rosa-lopez-meeting@workbook"]
    assert rosa["dtstart"].dt == date(2026, 12, 10) and rosa["dtend"].dt == date(2026, 12, 11)
    assert str(rosa["location"]) == "Her kitchen table"


@pytest.mark.slow
def test_every_due_item_is_an_all_day_event_with_its_drafts_subject(built):
    found = events(built / "maya-lopez.ics")
    workbook = tailor(load_profile(EXAMPLE), builtin_banks(), load_guide(), date.fromisoformat(TODAY))
    due = [(plan, item) for plan in workbook.contacts for item in plan.due]
    assert len(due) >= 6
    for plan, item in due:
        event = found[f"maya-lopez-{plan.id}-{item.kind}-{item.date.isoformat()}@workbook"]
        assert event["dtstart"].dt == item.date and event["dtend"].dt == item.date + timedelta(days=1)
        assert str(event["summary"]) == item.text
        assert item.reason in str(event["description"])
    thanks = found["maya-lopez-alex-chen-thank-you-2026-11-13@workbook"]
    assert (
        "Subject: Thank you, Alex" in str(thanks["description"])
        and str(thanks["x-workbook-subject"]) == "Thank you, Alex"
    )
    nudge = found["maya-lopez-priya-raman-nudge-2026-11-27@workbook"]
    priya_minutes = workbook.contact("priya-raman").minutes
    assert f"Subject: Following up: {priya_minutes} minutes in the next two weeks?" in str(nudge["description"])
    meetings = [uid for uid in found if uid.endswith("-meeting@workbook")]
    assert len(found) == len(due) + len(meetings)


@pytest.mark.slow
def test_uids_are_stable_and_the_file_is_the_same_on_the_same_day(built, later):
    # Made again, later, from the same day's plan: the very bytes the build wrote (no clock, no random UIDs).
    day = date.fromisoformat(TODAY)
    again = calendar(tailor(load_profile(EXAMPLE, today=day), builtin_banks(), load_guide(), day)).to_ical()
    assert again == (built / "maya-lopez.ics").read_bytes()
    # A later day: the same meetings keep their UIDs, so a calendar updates them rather than adding copies.
    before, after = events(built / "maya-lopez.ics"), events(later / "maya-lopez.ics")
    assert {u for u in before if u.endswith("-meeting@workbook")} == {
        u for u in after if u.endswith("-meeting@workbook")
    }
    assert (
        "maya-lopez-elena-garcia-update-2026-12-11@workbook" in before
        and "maya-lopez-elena-garcia-update-2026-12-11@workbook" in after
    )


@pytest.mark.slow
def test_today_pins_this_week_on_the_home_page_and_tracker(built, later):
    home = text_of(built / "site" / "index.html")
    assert "This week What to send or do by Tue 8 Dec, 3 overdue first:" in home
    assert "Fri 13 Nov overdue · Thank Alex for the conversation" in home
    assert "Fri 27 Nov overdue · Send Priya one short nudge" in home
    assert "Wed 2 Dec · Prepare for your meeting with Jordan (Thu 3 Dec, 10:00)" in home
    assert "Requests sent this week: 1 of your goal of 2 (since Mon 30 Nov)." in home
    assert (
        "Elena" not in home.split("What to send or do by", 1)[1].split("Requests sent", 1)[0]
    )  # her update is after the week
    tracker = text_of(built / "site" / "tracker.html")
    assert "Sat 21 Nov overdue · Thank Sam for the conversation" in tracker
    # Another day, another week.
    home_later = text_of(later / "site" / "index.html")
    assert "Fri 11 Dec · Tell Elena what you did with their advice" in home_later
    assert "Requests sent this week: 0 of your goal of 2 (since Mon 7 Dec)." in home_later
    # The overview's overdue count comes from the same list.
    summary = json.loads((built / "manifest.json").read_text(encoding="utf-8"))["summary"]
    assert summary["due_overdue"] == 3


@pytest.mark.slow
def test_contact_pages_and_the_pdf_show_the_drafts(built):
    page = (built / "site" / "contacts" / "tom-becker.html").read_text(encoding="utf-8")
    text = text_of(built / "site" / "contacts" / "tom-becker.html")
    assert "Ask for a meeting Subject: A question about co-curricular learning" in text
    assert 'data-copy="draft-tom-becker-request"' in page and 'id="draft-tom-becker-request"' in page
    mailto = re.search(r'href="(mailto:[^"]+)"', page).group(1)
    assert html.unescape(mailto).startswith(
        "mailto:tom.becker@example.edu?subject=A%20question%20about%20co-curricular"
        "%20learning&body=Hello%20Tom%2C%0D%0A%0D%0A"
    )
    assert "assets/workbook/copy-draft.js" in page
    assert (built / "site" / "assets" / "workbook" / "copy-draft.js").is_file()
    alex = text_of(built / "site" / "contacts" / "alex-chen.html")
    assert (
        "One thing you shared has stayed with me: how the bootcamp's peer-coaching rotation kept new trainers "
        "from burning out."
    ) in alex
    import subprocess

    pdf = subprocess.run(
        ["pdftotext", str(built / "maya-lopez-workbook.pdf"), "-"], capture_output=True, text=True
    ).stdout
    flat = " ".join(pdf.split())
    assert "Thank-you: “Thank you, Alex”" in flat
    assert "Ask for a meeting: “A question about co-curricular learning”" in flat


def test_the_calendar_writes_what_icalendar_reads_back():
    workbook = tailor(load_profile(EXAMPLE), builtin_banks(), load_guide(), date.fromisoformat(TODAY))
    data = calendar(workbook).to_ical()
    assert Calendar.from_ical(data).to_ical() == data
    assert data.count(b"BEGIN:VEVENT") == sum(len(p.due) + (p.meeting is not None) for p in workbook.contacts)


def test_without_a_time_zone_a_meeting_keeps_its_local_time(tmp_path):
    """A profile that never names settings.timezone wrote a plain local time: the event floats (no Z, no TZID)."""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "seeker: {name: Sam Lee}\ntarget_roles: [{title: Analyst}]\n"
        "contacts:\n  - {name: Ana Ruiz, role: Analyst, relationship: friend, status: scheduled,\n"
        "     meeting: {date: 2026-12-03T09:00, minutes: 20}}\n",
        encoding="utf-8",
    )
    workbook = tailor(load_profile(profile), builtin_banks(), load_guide(), date.fromisoformat(TODAY))
    data = calendar(workbook).to_ical().decode()
    assert "DTSTART:20261203T090000\r\n" in data and "DTEND:20261203T092000\r\n" in data
    assert "TZID" not in data
