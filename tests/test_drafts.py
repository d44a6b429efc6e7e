"""Drafts: every draft, for every relationship and stage, keeps the rules of a good ask."""

from __future__ import annotations

import itertools
import re
import textwrap
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from generator.coach import load_coach_file
from generator.drafts import MAX_EMAIL_WORDS, MAX_NOTE_CHARS, builtin_drafts, drafts_for, read_draft_bank
from generator.errors import UserError
from generator.models import RELATIONSHIPS, Contact, HistoryEvent, Meeting, Seeker

BANK = builtin_drafts()
PITCH = "I've taught software to adults for eight years, and I'm exploring university career services."
# As long as a pitch may be (400 characters), in short words: about 85 of them.
LONG_PITCH = (
    "I am a trainer who has spent a lot of my time in a room full of new staff, and I am good at it: I make a day of new "
    "tools feel fun, I get the shy ones to talk, and I see when a group is lost. Now I want to do the same for "
    "young people at a college who are not yet sure what to do next, and I am out to learn how the best of you "
    "do it day to day, what you wish you knew, and where I can be of use."
)
SHARED = "how the peer-advising pilot doubled drop-in visits"
# Where a contact is, as a history; each stage has its own draft.
STAGES = {
    "to-contact": [],
    "requested": [("2026-11-20", "requested", None)],
    "met": [("2026-11-20", "requested", None), ("2026-11-24", "met", SHARED)],
    "thanked": [("2026-11-24", "met", SHARED), ("2026-11-25", "thanked", None)],
    "following-up": [("2026-11-24", "met", SHARED), ("2026-11-25", "thanked", None), ("2026-12-10", "updated", None)],
}
ASK_STAGES = {"request", "connection-note", "nudge"}


def drafts(
    relationship: str,
    stage: str,
    *,
    pitch=PITCH,
    interests=("student mental health",),
    referrer="Alex Chen",
    company="Portland State University",
    email="jordan@example.edu",
    minutes=20,
):
    contact = Contact(
        name="Jordan Smith",
        role="Director of Career Services",
        company=company,
        relationship=relationship,
        interests=list(interests),
        email=email,
        meeting=Meeting(minutes=minutes),
        history=[HistoryEvent(date=d, event=e, note=n) for d, e, n in STAGES[stage]],
    )
    seeker = Seeker(name="Maya Lopez", pitch=pitch)
    return drafts_for(contact, seeker, BANK, minutes=minutes, referrer=referrer, target_role="Career Advisor")


VARIANTS = {
    "everything": {},
    "no pitch": {"pitch": None},
    "longest pitch": {"pitch": LONG_PITCH},
    "no interests, no company": {"interests": (), "company": None},
    "no referrer": {"referrer": None},
}
ALL = [
    (relationship, stage, variant)
    for relationship, stage, variant in itertools.product(RELATIONSHIPS, STAGES, VARIANTS)
]


@pytest.mark.parametrize("relationship, stage, variant", ALL, ids=["-".join(case) for case in ALL])
def test_every_draft_keeps_the_rules(relationship, stage, variant):
    made = drafts(relationship, stage, **VARIANTS[variant])
    assert made, "every stage before a meeting or after one has a draft"
    for draft in made:
        text = (draft.subject or "") + "\n" + draft.body
        if draft.kind == "connection-note":
            assert draft.subject is None and len(draft.body) <= MAX_NOTE_CHARS, draft.body
        else:
            assert draft.subject and len(draft.body.split()) <= MAX_EMAIL_WORDS, (len(draft.body.split()), draft.body)
        assert not draft.too_long
        # Nothing left to fill in, no template syntax, no attachment, no request for a job.
        assert not re.search(r"[\[\]{}]|\bname\b", text, re.IGNORECASE), text
        ours = text.replace(LONG_PITCH, "").replace(PITCH, "")  # the seeker's own words may mention a job
        assert not re.search(r"attach|résumé|\bresume\b|\bCV\b|\bjob\b|hire me", ours, re.IGNORECASE), text
        doubled = re.search(r"\b(\w+)\s+\1\b", text, re.IGNORECASE)
        assert not doubled, doubled
        assert "Jordan" in draft.body and ("Maya" in draft.body or draft.kind == "connection-note")
        if draft.kind in ASK_STAGES:
            # One specific ask, with a size and a time.
            questions = re.findall(r"[^.?!\n]*\?", draft.body)
            assert len(questions) == 1, questions
            assert re.search(r"\b20[ -]minute", questions[0]) and "next two weeks" in questions[0], questions[0]


def test_the_draft_fits_where_the_contact_is():
    assert [d.kind for d in drafts("cold", "to-contact")] == ["request", "connection-note"]
    assert [d.kind for d in drafts("cold", "requested")] == ["nudge"]
    assert [d.kind for d in drafts("cold", "met")] == ["thank-you"]
    assert [d.kind for d in drafts("cold", "thanked")] == ["update"]
    assert [d.kind for d in drafts("cold", "following-up")] == ["check-in"]


def test_drafts_are_personal():
    referral = drafts("referral", "to-contact")[0]
    assert "Alex Chen suggested" in referral.body and referral.subject == "Alex Chen suggested I get in touch"
    assert PITCH in referral.body
    cold = drafts("cold", "to-contact")[0]
    assert "your interest in student mental health" in cold.body
    # Nothing the profile does not record: no claim to have read their work, no praise put in the referrer's mouth,
    # no advice said to have been acted on; where the draft cannot know, it leaves a blank to fill in.
    assert "came across your work" not in cold.body and "generous" not in referral.body
    thanks = drafts("alumni", "met")[0]
    assert f"{SHARED}." in thanks.body and "on Tue 24 Nov" in thanks.body
    update = drafts("alumni", "thanked")[0]
    assert SHARED in update.body and "since then I have ________" in update.body
    # A family member is asked warmly; a recruiter is told you are not after a particular opening.
    assert "Love," in drafts("family", "to-contact")[0].body
    assert "not asking about a particular opening" in drafts("recruiter", "to-contact")[0].body
    # The ask is for the planned length, but never more than 30 minutes.
    assert "30 minutes" in drafts("friend", "to-contact", minutes=60)[0].body


def test_a_long_pitch_gives_way_to_a_shorter_version_rather_than_break_the_limit():
    assert len(LONG_PITCH) <= 400 and len(LONG_PITCH.split()) > 80
    long_one = drafts("referral", "to-contact", pitch=LONG_PITCH)[0]
    assert LONG_PITCH not in long_one.body and len(long_one.body.split()) <= MAX_EMAIL_WORDS
    assert PITCH in drafts("referral", "to-contact", pitch=PITCH)[0].body


def test_the_mailto_link_carries_subject_and_body_encoded():
    draft = drafts("referral", "to-contact", email="jo+cs@example.edu")[0]
    url = urlsplit(draft.mailto)
    assert url.scheme == "mailto" and unquote(url.path) == "jo+cs@example.edu"
    query = parse_qs(url.query)
    assert query["subject"] == [draft.subject]
    assert query["body"] == [draft.body.replace("\n", "\r\n")]
    assert (
        " " not in draft.mailto
        and "\n" not in draft.mailto
        and "&" not in draft.mailto.split("?", 1)[1].replace("&body=", "")
    )
    assert drafts("referral", "to-contact", email=None)[0].mailto is None
    assert drafts("referral", "to-contact")[1].mailto is None  # a connection note is not an email


def test_user_text_is_inserted_once_never_read_as_a_placeholder():
    contact = Contact(name="Jo {first_name}", role="Dean", relationship="cold", interests=["{pitch} and {{ 7*7 }}"])
    (request, note) = drafts_for(
        contact, Seeker(name="Maya {my_name}"), BANK, minutes=20, referrer=None, target_role=None
    )
    assert "Hello Jo," in request.body and "{pitch} and {{ 7*7 }}" in request.body and "Maya {my_name}" in request.body


def test_a_coach_can_replace_a_draft(tmp_path):
    coach = tmp_path / "coach.yaml"
    coach.write_text(
        textwrap.dedent("""\
        drafts:
          drafts:
            nudge:
              - subject: Still keen to talk
                body: "Hi {first_name}, would 15 minutes next week suit you? {my_first_name}"
    """),
        encoding="utf-8",
    )
    bank = load_coach_file(coach).banks_for("en").drafts
    assert bank.drafts["nudge"][0].subject == "Still keen to talk"
    assert bank.requests == BANK.requests


def test_a_broken_draft_is_reported_with_its_line(tmp_path):
    path = tmp_path / "drafts.yaml"
    path.write_text(
        textwrap.dedent("""\
        placeholders: {company: your team, target_role: yours}
        requests:
          cold:
            - subject: Hello
              body: "Hi {first_name}, {referrer} sent me."
            - needs: [interest]
              body: "About {interest}"
    """),
        encoding="utf-8",
    )
    with pytest.raises(UserError) as error:
        read_draft_bank(path, "drafts.yaml")
    message = str(error.value)
    assert "drafts.yaml:4:" in message and "needs: [referrer]" in message
    assert "drafts.yaml:6:" in message and "last version must need nothing" in message
    assert "needs drafts for:" in message and "friend" in message
