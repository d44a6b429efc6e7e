"""The tailor stage: plans a coach would recognise, within the time, every question reachable."""

from __future__ import annotations

import itertools
import re
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.banks import builtin_banks
from generator.coach import load_coach_file
from generator.errors import UserError
from generator.guide import load_guide
from generator.load import LoadedProfile, load_profile
from generator.models import RELATIONSHIPS, STATUSES, Contact, Meeting, Profile, Seeker, TargetRole
from generator.paths import EXAMPLE
from generator.tailor import contact_kind, strength_for, tailor

TODAY = date(2026, 11, 29)
ROLE = TargetRole(id="career-advisor", title="Career Advisor", industry="Higher education")


def workbook_for(*contacts: Contact, strengths=("Video editing", "LinkedIn profile reviews"), banks=None):
    profile = Profile(seeker=Seeker(name="Maya Lopez", strengths=list(strengths)), target_roles=[ROLE], contacts=list(contacts))
    loaded = LoadedProfile(profile, Path("p.yaml"), "maya-lopez", None)
    return tailor(loaded, banks or builtin_banks(), load_guide(), TODAY)


def contact(name="Morgan Lee", role="Career Advisor", relationship="cold", minutes=30, **extra) -> Contact:
    meeting = Meeting(date="2026-12-03T10:00", minutes=minutes)
    return Contact(name=name, role=role, relationship=relationship, target_role="career-advisor", meeting=meeting, **extra)


def texts(plan) -> list[str]:
    return [q.text for q in plan.question_plan.questions]


def test_a_close_friend_a_recruiter_and_a_cold_leader_get_different_conversations():
    friend = contact("Kenji Watanabe", relationship="friend", role="Career Advisor")
    recruiter = contact("Sam Okafor", relationship="recruiter", role="Technical Recruiter")
    leader = contact("Morgan Lee", relationship="cold", role="Director of Career Services")
    book = workbook_for(friend, recruiter, leader)
    friend_plan, recruiter_plan, leader_plan = book.contacts

    assert (friend_plan.kind, recruiter_plan.kind, leader_plan.kind) == ("peer", "recruiter", "senior")
    # A cold contact is thanked and told why they were chosen; a friend is asked for candour instead.
    assert any("Thank you for making time" in t for t in texts(leader_plan))
    assert not any("Thank you for making time" in t for t in texts(friend_plan))
    assert any("honest" in t for t in texts(friend_plan))
    assert any("cold contact" in q.reason for q in leader_plan.question_plan.questions)
    # Recruiters are asked what recruiters know; leaders about hiring for the role; peers about their week.
    assert any("career changer" in t for t in texts(recruiter_plan))
    assert any("When you hire for the Career Advisor role" in t for t in texts(leader_plan))
    assert any("typical week in the Career Advisor role" in t for t in texts(friend_plan))
    assert len({tuple(texts(p)) for p in book.contacts}) == 3


def test_a_15_minute_call_holds_fewer_questions_than_a_45_minute_coffee_but_keeps_the_essentials():
    short, long = workbook_for(contact("Ana Silva", minutes=15), contact("Ben Ode", minutes=45)).contacts
    assert len(short.question_plan.questions) < len(long.question_plan.questions)
    for plan in (short, long):
        stages = [q.stage for q in plan.question_plan.questions]
        assert "referral" in stages and "reciprocity" in stages
        assert stages == sorted(stages, key=["warm-up", "story", "trends", "advice", "referral", "reciprocity"].index)
        assert plan.question_plan.minutes_planned <= plan.minutes
    assert any(q.text.endswith("what can I do for you?") for q in short.question_plan.questions)
    assert short.question_plan.left_out > long.question_plan.left_out


def test_own_questions_are_merged_in_and_reasons_explain_every_choice():
    plan = workbook_for(contact(questions=["How did the peer-advising pilot go?"])).contacts[0]
    own = [q for q in plan.question_plan.questions if q.own]
    assert [q.text for q in own] == ["How did the peer-advising pilot go?"]
    assert all(q.reason.strip() for q in plan.question_plan.questions)
    assert all(o.reason.strip() for o in plan.offers)


def test_offers_match_needs_to_strengths_and_follow_interests_and_hobbies():
    plan = workbook_for(contact(needs=["better video for job postings"], interests=["skills-based hiring"],
                                hobbies=["trail running"])).contacts[0]
    offers = {o.trigger: o for o in plan.offers}
    assert "Video editing" in offers["strength-match"].text
    assert offers["strength-match"].reason.startswith("Matches your strength in Video editing")
    assert "skills-based hiring" in offers["interest"].text
    assert "trail running" in offers["hobby"].text
    assert strength_for("a trainer for LinkedIn workshops", ["Video editing", "LinkedIn profile reviews"]) == "LinkedIn profile reviews"
    assert strength_for("a new office chair", ["Video editing"]) is None


def test_contact_kinds_come_from_the_title():
    banks = builtin_banks()
    assert contact_kind(contact(role="Talent Acquisition Partner", relationship="alumni"), ROLE, banks) == "recruiter"
    assert contact_kind(contact(role="Associate Dean of Students"), ROLE, banks) == "senior"
    assert contact_kind(contact(role="Senior Career Advisor"), ROLE, banks) == "peer"
    assert contact_kind(contact(role="Software Engineer"), ROLE, banks) == "adjacent"


def test_every_bank_question_is_reachable_by_some_contact():
    reached: set[str] = set()
    roles = {"peer": "Career Advisor", "senior": "Director", "recruiter": "Recruiter", "adjacent": "Chemist"}
    for relationship, (kind, title), status, minutes in itertools.product(
            RELATIONSHIPS, roles.items(), ("to-contact", "met"), (240,)):
        c = contact(f"Pat {kind} {relationship}", role=title, relationship=relationship, minutes=minutes, status=status,
                    interests=["student success"], company="Reed College", referred_by="Alex Chen")
        reached |= {q.id for q in workbook_for(c).contacts[0].question_plan.questions}
    missing = {q.id for q in builtin_banks().questions} - reached
    assert not missing, f"questions no contact ever gets: {sorted(missing)}"


def test_output_is_deterministic():
    loaded = load_profile(EXAMPLE)
    first = tailor(loaded, builtin_banks(), load_guide(), TODAY)
    second = tailor(load_profile(EXAMPLE), builtin_banks(), load_guide(), TODAY)
    assert first == second


def test_example_tracker_counts_upcoming_meetings_and_referral_chain():
    book = tailor(load_profile(EXAMPLE), builtin_banks(), load_guide(), TODAY)
    counts = {c.status: c.count for c in book.tracker.by_status}
    assert list(counts) == list(STATUSES) and sum(counts.values()) == len(book.contacts)
    assert counts["scheduled"] == 2 and counts["met"] == 2
    assert book.tracker.upcoming == ("jordan-smith", "kenji-watanabe", "rosa-lopez")
    assert book.tracker.overdue_follow_ups == ("alex-chen", "sam-okafor")
    assert ("alex-chen", "jordan-smith", "dev-patel") in book.tracker.referral_chains
    assert ("sam-okafor", "elena-garcia") in book.tracker.referral_chains
    assert book.contact("jordan-smith").referred_by_id == "alex-chen"
    assert book.role("career-advisor").contact_ids == ("jordan-smith", "priya-raman", "dev-patel")


LEFTOVER = re.compile(r"\{[^}]*\}|\s[,.?]|\s{2,}|^\s|\s$")


@settings(max_examples=150, deadline=None)
@given(
    relationship=st.sampled_from(RELATIONSHIPS),
    status=st.sampled_from(STATUSES),
    minutes=st.integers(5, 240),
    title=st.sampled_from(["Career Advisor", "Director", "Recruiter", "Chemist", "Dean of Students"]),
    company=st.none() | st.just("Reed College"),
    interests=st.lists(st.sampled_from(["{first_name}", "adult learning", "{{ 7*7 }}"]), max_size=2),
    needs=st.lists(st.sampled_from(["video help", "a {interest} thing", "new chairs"]), max_size=2),
    referred_by=st.none() | st.just("Alex {company}"),
    own=st.lists(st.sampled_from(["What about {target_role}?", "How was the pilot?"]), max_size=6),
)
def test_no_plan_overruns_its_minutes_or_leaves_a_hole(relationship, status, minutes, title, company, interests, needs, referred_by, own):
    c = contact(role=title, relationship=relationship, minutes=minutes, status=status, company=company,
                interests=interests, needs=needs, referred_by=referred_by, questions=own)
    plan = workbook_for(c).contacts[0]
    assert plan.question_plan.minutes_planned <= minutes
    for item in list(plan.question_plan.questions) + list(plan.offers):
        # Strip what the user wrote (kept verbatim, braces included); what is left is our text and must be whole.
        ours = item.text
        for value in interests + needs + own + [referred_by or "", company or ""]:
            ours = ours.replace(value, "X") if value else ours
        assert not LEFTOVER.search(ours), item.text


def test_user_text_is_never_read_as_a_placeholder():
    plan = workbook_for(contact(interests=["{referrer} and {company}"], company="Reed College")).contacts[0]
    assert any("{referrer} and {company}" in q.text for q in plan.question_plan.questions + plan.offers)


# --- coach banks ----------------------------------------------------------------------------------

COACH_BANK = """\
coach:
  name: Dana Whitfield
question_bank:
  questions:
    - id: coach-mentor
      stage: advice
      theme: shaped-them
      minutes: 2
      priority: 1
      text: Who was your first mentor, {first_name}?
      why: Dana's clients find this opens people up.
offer_bank:
  replace: true
  offers:
    - id: coach-coffee
      trigger: always
      text: Buy {first_name} a coffee next time
      why: Small and kind.
"""


def test_a_coach_extends_the_question_bank_and_replaces_the_offer_bank(tmp_path):
    (tmp_path / "coach.yaml").write_text(COACH_BANK)
    banks = load_coach_file(tmp_path / "coach.yaml").banks
    assert len(banks.questions) == len(builtin_banks().questions) + 1
    assert [o.id for o in banks.offers] == ["coach-coffee"]
    plan = workbook_for(contact(minutes=45), banks=banks).contacts[0]
    assert "Who was your first mentor, Morgan?" in texts(plan)
    assert [o.text for o in plan.offers] == ["Buy Morgan a coffee next time"]


def test_a_broken_coach_bank_entry_is_reported_at_its_line(tmp_path):
    def problems(text: str) -> list[str]:
        (tmp_path / "coach.yaml").write_text(text)
        with pytest.raises(UserError) as caught:
            load_coach_file(tmp_path / "coach.yaml", "coach.yaml")
        return [str(p) for p in caught.value.problems]

    assert problems(COACH_BANK.replace("theme: shaped-them", "theme: shaped")) == [
        "coach.yaml:7:14: question_bank.questions[0].theme: 'shaped' is not one of: warm-up, path, drew-them, love, trends, "
        "challenges, surprises, shaped-them, learning, advice, resources, assignments, role-fit, referral, reciprocity; "
        "did you mean `shaped-them`?"]
    assert problems(COACH_BANK.replace("{first_name}?", "{firstname}?")) == [
        "coach.yaml:5:7: question_bank.questions[0]: unknown placeholder {firstname} in text; allowed: {company}, "
        "{first_name}, {industry}, {interest}, {referrer}, {target_role}"]
    assert problems(COACH_BANK.replace("coach-coffee", "coach-mentor") + "    - id: coach-mentor\n      trigger: always\n"
                    "      text: x\n      why: y\n") == [
        "coach.yaml:19:11: offer_bank.offers[1].id: duplicate id 'coach-mentor' (first used on line 15)"]


def test_the_built_in_banks_load_and_cover_every_theme_and_tiara_stage():
    banks = builtin_banks()
    assert len(banks.questions) >= 40
    assert {q.theme for q in banks.questions} >= {"warm-up", "path", "drew-them", "love", "trends", "challenges", "shaped-them",
                                                   "surprises", "learning", "referral", "reciprocity"}
    assert {q.tiara for q in banks.questions} >= {"trends", "insights", "advice", "resources", "assignments"}
    assert {o.trigger for o in banks.offers} == {"interest", "hobby", "need", "strength-match", "strength", "always"}


def test_a_broken_built_in_bank_is_reported_at_its_line(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "questions.yaml").write_text(textwrap.dedent("""\
        placeholders: {company: x, industry: y, target_role: z}
        questions:
          - id: q1
            stage: story
            theme: trends
            minutes: 2
            text: Hi?
            why: Because.
        """))
    (content / "offers.yaml").write_text("offers: []\n")
    with pytest.raises(UserError) as caught:
        builtin_banks(content)
    assert [str(p) for p in caught.value.problems] == [
        "content/questions.yaml:3:5: questions[0]: theme 'trends' belongs to stage 'trends', not 'story'"]
