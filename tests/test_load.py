"""The load stage: good files load, broken ones report every problem at its line and column."""

from __future__ import annotations

import textwrap
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from generator.errors import UserError
from generator.load import load_profile
from generator.paths import EXAMPLE

GOOD = """\
seeker:
  name: Maya Lopez
target_roles:
  - title: Career Advisor
contacts:
  - name: Jordan Smith
    role: Director
    relationship: referral
"""


def problems_of(tmp_path: Path, text: str | bytes, name: str = "p.yaml") -> list[str]:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else textwrap.dedent(text).encode())
    with pytest.raises(UserError) as caught:
        load_profile(path, display_name=name)
    return [str(problem) for problem in caught.value.problems]


def test_example_loads_with_every_relationship_and_default_ids():
    loaded = load_profile(EXAMPLE)
    profile = loaded.profile
    assert loaded.client_id == "maya-lopez"
    assert len(profile.target_roles) == 3
    assert 8 <= len(profile.contacts) <= 10
    assert {c.relationship for c in profile.contacts} == {
        "friend",
        "family",
        "colleague",
        "alumni",
        "referral",
        "cold",
        "recruiter",
    }
    assert len({c.status for c in profile.contacts}) >= 6
    assert len({c.meeting.minutes for c in profile.contacts if c.meeting}) >= 3


def test_default_ids_are_slugs_in_any_script(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        GOOD
        + "  - name: 王芳\n    role: Dean\n    relationship: cold\n  - name: Zoë Ødegård\n    role: x\n    relationship: cold\n",
        encoding="utf-8",
    )
    ids = [c.id for c in load_profile(path).profile.contacts]
    assert ids == ["jordan-smith", "wang-fang", "zoe-odegard"]


# (YAML text, expected "line:col: path: message" fragment). Each profile is broken in exactly one way.
BROKEN = [
    (
        "seeker:\n  nmae: Maya\ntarget_roles:\n  - title: A\n",
        "2:3: seeker.nmae: unknown key `nmae`; did you mean `name`?",
    ),
    ("seeker:\n  email: a@b.co\ntarget_roles:\n  - title: A\n", "2:3: seeker.name: `name` is required"),
    ("seeker:\n  name: M\n", "1:1: target_roles: `target_roles` is required"),
    ("seeker:\n  name: M\ntarget_roles: []\n", "3:15: target_roles: needs at least one entry"),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontacts:\n  - name: J\n    role: R\n    relationship: cousin\n",
        "8:19: contacts[0].relationship: 'cousin' is not one of: friend, family, colleague, alumni, referral, cold, recruiter",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontacts:\n  - name: J\n    role: R\n    relationship: freind\n",
        "8:19: contacts[0].relationship: 'freind' is not one of: friend, family, colleague, alumni, referral, cold, recruiter; did you mean `friend`?",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontacts:\n  - name: J\n    role: R\n    relationship: cold\n    status: meet\n",
        "9:13: contacts[0].status: 'meet' is not one of: to-contact, requested, scheduled, met, thanked, following-up, no-response, closed; did you mean `met`?",
    ),
    (
        "seeker:\n  name: M\nsettings:\n  paper: A5\ntarget_roles:\n  - title: A\n",
        "4:10: settings.paper: 'A5' is not one of: letter, a4",
    ),
    (
        "seeker:\n  name: M\nsettings:\n  timezone: Europe/Berln\ntarget_roles:\n  - title: A\n",
        "4:13: settings.timezone: unknown time zone 'Europe/Berln'",
    ),
    (
        "seeker:\n  name: M\nsettings:\n  meeting_minutes: 4\ntarget_roles:\n  - title: A\n",
        "4:20: settings.meeting_minutes: 4 minutes is outside the allowed range 5–240",
    ),
    (
        "seeker:\n  name: M\nsettings:\n  meeting_minutes: thirty\ntarget_roles:\n  - title: A\n",
        "4:20: settings.meeting_minutes: expected a whole number, found 'thirty'",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontacts:\n  - name: J\n    role: R\n    relationship: cold\n    meeting:\n      date: 2026-02-30\n",
        "10:13: contacts[0].meeting.date: '2026-02-30' is not a real calendar date and time",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontacts:\n  - name: J\n    role: R\n    relationship: cold\n    meeting:\n      date: 2026-12-03T25:00\n",
        "10:13: contacts[0].meeting.date: '2026-12-03T25:00' is not a real calendar date and time",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontacts:\n  - name: J\n    role: R\n    relationship: cold\n    meeting:\n      date: next Tuesday\n",
        "10:13: contacts[0].meeting.date: 'next Tuesday' is not a date in the form YYYY-MM-DD or YYYY-MM-DDTHH:MM",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontacts:\n  - name: J\n    role: R\n    relationship: cold\n    meeting:\n      date: 2026-12-03\n      minutes: 500\n",
        "11:16: contacts[0].meeting.minutes: 500 minutes is outside the allowed range 5–240",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontacts:\n  - id: ../etc\n    name: J\n    role: R\n    relationship: cold\n",
        "6:9: contacts[0].id: '../etc' is not a valid id",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\n    id: Career_Advisor\n",
        "5:9: target_roles[0].id: 'Career_Advisor' is not a valid id",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontacts:\n  - name: Jo Smith\n    role: R\n    relationship: cold\n  - name: Jo  SMITH\n    role: R\n    relationship: cold\n",
        "9:11: contacts[1].name: duplicate id 'jo-smith': contacts[0] on line 6 and contacts[1] on line 9 both have it",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\n  - title: B\n    id: a\n",
        "6:9: target_roles[1].id: duplicate id 'a': target_roles[0] on line 4 and target_roles[1] on line 6",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: Career Advisor\ncontacts:\n  - name: J\n    role: R\n    relationship: cold\n    target_role: career-adviser\n",
        "9:18: contacts[0].target_role: 'career-adviser' is not the id of any target role (known: career-advisor); did you mean `career-advisor`?",
    ),
    (
        "seeker:\n  name: M\ncoach:\n  name: C\n  logo: ../secret.png\ntarget_roles:\n  - title: A\n",
        "5:9: coach.logo: '../secret.png' points outside this file's folder",
    ),
    (
        "seeker:\n  name: M\ncoach:\n  name: C\n  logo: /etc/logo.png\ntarget_roles:\n  - title: A\n",
        "5:9: coach.logo: '/etc/logo.png' must be a path relative to this file's folder",
    ),
    (
        "seeker:\n  name: M\ncoach:\n  name: C\n  logo: logo.png\ntarget_roles:\n  - title: A\n",
        "5:9: coach.logo: 'logo.png' does not exist",
    ),
    (
        "seeker:\n  name: M\ncoach:\n  name: C\n  logo: logo.gif\ntarget_roles:\n  - title: A\n",
        "5:9: coach.logo: the logo must be a .png, .jpg, .jpeg or .svg file",
    ),
    (
        "seeker:\n  name: M\ncoach:\n  name: C\n  color: blue\ntarget_roles:\n  - title: A\n",
        "5:10: coach.color: 'blue' is not a colour",
    ),
    (
        "seeker:\n  name: M\ncoach:\n  name: C\n  website: example.com\ntarget_roles:\n  - title: A\n",
        "5:12: coach.website: 'example.com' is not a web address",
    ),
    (
        "seeker:\n  name: M\n  email: maya at example\ntarget_roles:\n  - title: A\n",
        "3:10: seeker.email: 'maya at example' is not an email address",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: 1984\n",
        "4:12: target_roles[0].title: expected text, found the number 1984 (put it in quotes to make it text)",
    ),
    ("seeker:\n  name: yes\ntarget_roles:\n  - title: A\n", "2:9: seeker.name: expected text, found `true`"),
    (
        "seeker:\n  name: M\n  strengths: video editing\ntarget_roles:\n  - title: A\n",
        "3:14: seeker.strengths: expected a list",
    ),
    (
        "seeker: Maya\ntarget_roles:\n  - title: A\n",
        "1:9: seeker: expected a mapping of `key: value` lines, found 'Maya'",
    ),
    (
        "seeker:\n  name: M\n  name: N\ntarget_roles:\n  - title: A\n",
        "3:3: seeker.name: duplicate key `name` (first given on line 2)",
    ),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontacts:\n  - name: J\n    role: R\n    relationship: cold\n    meeting:\n      date: 2026-12-03\n      format: zoom\n",
        "11:15: contacts[0].meeting.format: 'zoom' is not one of: in-person, video, phone",
    ),
    (
        "seeker:\n  name: M\nsettings:\n  language: English\ntarget_roles:\n  - title: A\n",
        "4:13: settings.language: 'English' is not a language code",
    ),
    ("seeker:\n  name: '   '\ntarget_roles:\n  - title: A\n", "2:9: seeker.name: must not be empty"),
    (
        "seeker:\n  name: M\ntarget_roles:\n  - title: A\ncontact:\n  - name: J\n",
        "5:1: contact: unknown key `contact`; did you mean `contacts`?",
    ),
    ("seeker:\n  name: M\ntarget_roles:\n  - title: A\n  title: B\n", "5:3: not valid YAML"),
    ("seeker:\n\tname: M\n", "2:1: tabs cannot be used for indentation in YAML; indent with spaces"),
    (
        "seeker:\n  name: M\n  headline: Trainer: moving on\ntarget_roles:\n  - title: A\n",
        "3:20: a `key: value` is not allowed here",
    ),
]


@pytest.mark.parametrize("text, expected", BROKEN, ids=[f"broken-{i:02d}" for i in range(len(BROKEN))])
def test_broken_profile_reports_message_line_and_column(tmp_path, text, expected):
    problems = problems_of(tmp_path, text)
    assert any(line.startswith(f"p.yaml:{expected}") for line in problems), problems
    assert len(problems) == 1, problems


def test_every_problem_is_reported_at_once(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        seeker:
          nmae: M
        settings:
          paper: A5
        target_roles:
          - title: A
        contacts:
          - name: J
            role: R
            relationship: cousin
            target_role: b
        """,
    )
    assert [p.split(": ")[0] for p in problems] == ["p.yaml:2:3", "p.yaml:4:10", "p.yaml:10:19", "p.yaml:11:18"]


# --- hostile files: a clear error (or a correct load) quickly, with bounded memory ----------------


def billion_laughs() -> bytes:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return ("\n".join(lines) + "\n").encode()


HOSTILE = [
    ("empty", b"", "1:1: the file is empty"),
    ("only-comment", b"# nothing here\n", "1:1: the file is empty"),
    ("top-level-list", b"- seeker\n- contacts\n", "1:1: expected a mapping of keys such as `seeker:`"),
    ("scalar", b"hello\n", "1:1: expected a mapping"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "3:1: this looks like a binary file"),
    ("latin-1", "seeker:\n  name: Zoë\n".encode("latin-1"), "2:11: the file is not UTF-8 text (byte 0xeb)"),
    ("tabs", b"seeker:\n\tname: M\n", "2:1: tabs cannot be used"),
    ("huge", b"seeker:\n  name: M\n" + b"# padding\n" * 1_100_000, "1:1: the file is larger than 2 MB"),
    ("deep", b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "1:"),
    ("billion-laughs", billion_laughs(), "1:5: anchors and aliases"),
    ("two-documents", b"seeker:\n  name: M\n---\nseeker: {}\n", "3:1: the file holds more than one YAML document"),
    (
        "python-tag",
        b"seeker: !!python/object/apply:os.system [echo hi]\ntarget_roles: [{title: A}]\n",
        "1:9: seeker: expected a mapping",
    ),
    (
        "long-line",
        b"seeker:\n  name: " + b"x" * 600_000 + b"\ntarget_roles: [{title: A}]\n",
        "2:9: seeker.name: is too long",
    ),
]


@pytest.mark.parametrize("name, raw, expected", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_gives_a_clear_short_error_quickly(tmp_path, name, raw, expected):
    tracemalloc.start()
    started = time.perf_counter()
    problems = problems_of(tmp_path, raw)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert any(line.startswith(f"p.yaml:{expected}") for line in problems), problems
    assert all(len(line) < 400 for line in problems), "an error message must never print a huge value"
    # Generous bounds: the point is "not exponential", not a timing assertion.
    assert elapsed < 5 and peak < 200 * 1024 * 1024


def test_byte_order_mark_is_harmless(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_profile(path).profile.seeker.name == "Maya Lopez"


def test_aliases_are_refused_even_when_small(tmp_path):
    problems = problems_of(tmp_path, "seeker: &s\n  name: M\nother: *s\n")
    assert problems == [
        "p.yaml:1:9: anchors and aliases (`&name`, `*name`) are not supported in profiles; write the value out"
    ]


# --- history, status and warnings ---------------------------------------------------------------

HISTORY = """\
seeker:
  name: Maya Lopez
  pitch: I teach adults software and I'm moving into career services.
settings:
  weekly_goal: 3
target_roles:
  - title: Career Advisor
contacts:
  - name: Jordan Smith
    role: Director
    relationship: referral
    email: jordan@example.edu
    meeting: {minutes: 20}
    history:
      - {date: 2026-11-02, event: requested, note: Sent on LinkedIn}
      - {date: 2026-11-05, event: replied}
      - {date: 2026-11-20, event: met, note: Peer advising is their big project}
      - {date: 2026-11-21, event: note, note: Looked up the pilot}
  - name: Ana Ruiz
    role: Advisor
    relationship: friend
"""


def test_status_follows_the_latest_history_event_and_defaults_to_to_contact(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(HISTORY)
    loaded = load_profile(path, display_name="p.yaml", today=date(2026, 11, 30))
    jordan, ana = loaded.profile.contacts
    assert (jordan.status, jordan.status_given) == ("met", False)  # the trailing `note` changes nothing
    assert (ana.status, ana.status_given) == ("to-contact", False)
    assert jordan.meeting.starts is None and jordan.meeting.minutes == 20  # a meeting not yet dated
    assert loaded.profile.seeker.pitch.startswith("I teach")
    assert loaded.profile.settings.weekly_goal == 3
    assert loaded.warnings == ()


def test_history_out_of_order_is_an_error_at_the_later_line(tmp_path):
    text = HISTORY.replace("2026-11-05, event: replied", "2026-10-05, event: replied")
    assert problems_of(tmp_path, text) == [
        "p.yaml:16:16: contacts[0].history[1].date: 2026-10-05 comes before 2026-11-02 (history[0]); "
        "write the history oldest first"
    ]


def test_history_events_and_dates_are_checked(tmp_path):
    text = HISTORY.replace("event: replied", "event: waved").replace("2026-11-20", "2026-11-31")
    found = problems_of(tmp_path, text)
    assert any(
        line.startswith("p.yaml:16:35: contacts[0].history[1].event: 'waved' is not one of: requested,")
        for line in found
    ), found
    assert any(
        line.startswith("p.yaml:17:16: contacts[0].history[2].date: '2026-11-31' is not a real calendar date")
        for line in found
    ), found


@pytest.mark.parametrize(
    "status, meeting, expected",
    [
        ("requested", None, "status is 'requested', but the latest event in `history` (met on 2026-11-20) says 'met'"),
        ("following-up", None, None),
        ("scheduled", "{date: 2026-11-25}", "status is 'scheduled', but the meeting date 2026-11-25 has passed"),
        ("to-contact", "{date: 2026-11-25}", "status is 'to-contact', but the meeting date 2026-11-25 has passed"),
        ("thanked", None, "status is 'thanked', but there is no meeting date"),
        ("scheduled", "{date: 2026-12-25}", None),
    ],
)
def test_check_warns_about_statuses_that_would_make_the_tracker_say_untrue_things(tmp_path, status, meeting, expected):
    # The second contact (no history) carries the status and meeting under test.
    text = HISTORY + f"    status: {status}\n" + (f"    meeting: {meeting}\n" if meeting else "")
    if status in ("requested", "following-up"):  # these test the history of the first contact instead
        text = HISTORY.replace("    email: jordan", f"    status: {status}\n    email: jordan")
    path = tmp_path / "p.yaml"
    path.write_text(text)
    warnings = [str(w) for w in load_profile(path, display_name="p.yaml", today=date(2026, 11, 30)).warnings]
    if expected is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and expected in warnings[0], warnings
        assert warnings[0].startswith("p.yaml:") and ": warning: contacts[" in warnings[0]


def test_a_met_note_about_them_is_a_warning_because_the_thank_you_quotes_it(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(HISTORY.replace("note: Peer advising is their big project", "note: she said peer advising is big"))
    warnings = [str(w) for w in load_profile(path, display_name="p.yaml", today=date(2026, 11, 30)).warnings]
    assert (
        len(warnings) == 1
        and warnings[0].startswith("p.yaml:17:")
        and "history[2].note: the thank-you draft" in warnings[0]
    )


def test_check_prints_warnings_and_still_exits_0(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "p.yaml"
    path.write_text(HISTORY + "    status: scheduled\n    meeting: {date: 2020-01-01}\n")
    result = subprocess.run([sys.executable, "-m", "generator", "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (
        ": warning: contacts[1].status: status is 'scheduled', but the meeting date 2020-01-01 has passed"
        in result.stderr
    )


@pytest.mark.parametrize(
    "name, greeting",
    [
        ("Maya Lopez", "Maya"),
        ("Dr. Ngozi Okonkwo-Adeyemi", "Ngozi"),
        ("Prof Ana Ruiz", "Ana"),
        ("Mr. Smith", "Mr. Smith"),
        ("Uncle Ray", "Uncle Ray"),
        ("Auntie Grace Mensah", "Auntie Grace"),
        ("王伟", "王伟"),
        ("ليلى حداد", "ليلى"),
    ],
)
def test_a_contact_is_greeted_by_name_not_by_title(name, greeting):
    from generator.models import Contact

    assert Contact(name=name, role="Dean", relationship="cold").first_name == greeting
