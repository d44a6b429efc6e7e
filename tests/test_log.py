"""`workbook log`: one event added to the user's own file, everything else exactly as they wrote it."""

from __future__ import annotations

import difflib
import shutil
import textwrap
from datetime import date

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.load import load_profile, today_in
from generator.paths import EXAMPLE

PROFILE = textwrap.dedent("""\
    # Maya's profile: comments must survive.
    seeker:
      name: Maya Lopez   # that's me
    settings:
      timezone: Europe/Berlin
    target_roles:
      - title: Career Advisor
    contacts:
      # People I want to talk to.
      - name: Jordan Smith
        role: Director of Career Services
        relationship: referral
        status: to-contact   # not asked yet

      - name: Priya Raman
        role: Career Advisor
        relationship: alumni
        history:
          - {date: 2026-11-20, event: requested, note: "Via the alumni directory"}   # first try
          - {date: 2026-11-27, event: reminded}

      # The end.
""")


def run(*args):
    return CliRunner().invoke(main, ["log", *map(str, args)], catch_exceptions=False)


@pytest.fixture
def profile(tmp_path):
    path = tmp_path / "maya.yaml"
    path.write_text(PROFILE, encoding="utf-8")
    return path


def added_and_removed(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [line[2:] for line in diff if line.startswith("+ ")], [line[2:] for line in diff if line.startswith("- ")]


def test_a_new_history_keeps_every_comment_and_updates_the_status(profile):
    result = run(profile, "jordan smith", "requested", "--date", "2026-12-01", "--note", "Email: with Alex, in copy")
    assert result.exit_code == 0, result.output
    assert "Jordan Smith: requested on 2026-12-01; status to-contact → requested." in result.output
    after = profile.read_text(encoding="utf-8")
    added, removed = added_and_removed(PROFILE, after)
    assert removed == ["    status: to-contact   # not asked yet"]
    assert sorted(added) == sorted(
        [
            "    status: requested    # not asked yet",
            "    history:",  # the comment keeps its column
            "      - {date: 2026-12-01, event: requested, note: 'Email: with Alex, in copy'}",
        ]
    )
    # The new key goes where a person would type it: before the blank line that ends the contact.
    assert (
        "      - {date: 2026-12-01, event: requested, note: 'Email: with Alex, in copy'}\n\n  - name: Priya Raman"
        in after
    )
    jordan = load_profile(profile).profile.contacts[0]
    assert jordan.status == "requested" and jordan.history[-1].note == "Email: with Alex, in copy"


def test_an_event_is_appended_in_the_files_own_style(profile):
    assert run(profile, "priya-raman", "replied", "--date", "2026-11-29").exit_code == 0
    after = profile.read_text(encoding="utf-8")
    added, removed = added_and_removed(PROFILE, after)
    assert removed == [] and added == ["      - {date: 2026-11-29, event: replied}"]
    assert "# first try" in after and "# The end." in after
    assert load_profile(profile).profile.contacts[1].status == "requested"  # follows the history


def test_an_earlier_date_goes_in_date_order(profile):
    assert (
        run(profile, "Priya Raman", "note", "--date", "2026-11-21", "--note", "Her assistant answered").exit_code == 0
    )
    days = [event.date for event in load_profile(profile).profile.contacts[1].history]
    assert days == ["2026-11-20", "2026-11-21", "2026-11-27"]


def test_the_date_defaults_to_today_in_the_seekers_time_zone(profile):
    assert run(profile, "priya-raman", "replied").exit_code == 0
    last = load_profile(profile).profile.contacts[1].history[-1]
    assert last.day == today_in("Europe/Berlin")


def test_an_unknown_contact_or_event_is_refused_with_a_suggestion_and_the_file_untouched(profile):
    result = run(profile, "Jordn Smith", "met")
    assert (
        result.exit_code == 1
        and "no contact 'Jordn Smith'" in result.output
        and "did you mean 'Jordan Smith'?" in result.output
    )
    result = run(profile, "jordan-smith", "thankd")
    assert (
        result.exit_code == 1
        and "'thankd' is not an event" in result.output
        and "did you mean 'thanked'?" in result.output
    )
    assert run(profile, "jordan-smith", "met", "--date", "2026-02-30").exit_code == 2  # not a date: a usage error
    assert profile.read_text(encoding="utf-8") == PROFILE


def test_a_note_that_would_make_the_file_invalid_is_refused(profile):
    result = run(profile, "jordan-smith", "note", "--note", "x" * 600)
    assert result.exit_code == 1 and "--note: String should have at most 500 characters" in result.output
    assert profile.read_text(encoding="utf-8") == PROFILE
    assert [p.name for p in profile.parent.iterdir()] == ["maya.yaml"]  # no temporary file left behind


def test_an_invalid_file_is_not_touched(profile):
    profile.write_text(PROFILE.replace("relationship: alumni", "relationship: cousin"), encoding="utf-8")
    before = profile.read_text(encoding="utf-8")
    result = run(profile, "jordan-smith", "requested")
    assert result.exit_code == 1 and "'cousin' is not one of" in result.output
    assert profile.read_text(encoding="utf-8") == before


def test_a_file_it_cannot_write_back_exactly_is_refused(profile):
    odd = PROFILE.replace("seeker:\n  name: Maya Lopez   # that's me", "seeker: {name: Maya Lopez}")
    odd = odd.replace("    status: to-contact   # not asked yet", "    status:    to-contact")
    profile.write_text(odd, encoding="utf-8")
    result = run(profile, "jordan-smith", "requested")
    assert result.exit_code == 1 and "cannot keep this file's formatting" in result.output
    assert profile.read_text(encoding="utf-8") == odd


def test_a_flow_style_history_is_refused_with_what_to_do(profile):
    flow = PROFILE.replace(
        '    history:\n      - {date: 2026-11-20, event: requested, note: "Via the alumni directory"}   # first try\n'
        "      - {date: 2026-11-27, event: reminded}\n",
        "    history: [{date: 2026-11-20, event: requested}]\n",
    )
    profile.write_text(flow, encoding="utf-8")
    result = run(profile, "priya-raman", "replied", "--date", "2026-11-29")
    assert result.exit_code == 1 and "[flow, style]" in result.output
    assert profile.read_text(encoding="utf-8") == flow


def test_the_example_round_trips(tmp_path):
    path = tmp_path / "example.yaml"
    shutil.copyfile(EXAMPLE, path)
    original = path.read_text(encoding="utf-8")
    assert run(path, "Tom Becker", "requested", "--date", "2026-12-02").exit_code == 0
    assert run(path, "alex-chen", "thanked", "--date", "2026-12-02").exit_code == 0
    added, removed = added_and_removed(original, path.read_text(encoding="utf-8"))
    assert sorted(removed) == ["    status: met", "    status: to-contact"]
    assert sorted(added) == sorted(
        [
            "    status: thanked",
            "    status: requested",
            "    history:",
            "      - {date: 2026-12-02, event: requested}",
            "      - {date: 2026-12-02, event: thanked}",
        ]
    )
    contacts = {c.id: c for c in load_profile(path, today=date(2026, 12, 2)).profile.contacts}
    assert contacts["tom-becker"].status == "requested" and contacts["alex-chen"].status == "thanked"
