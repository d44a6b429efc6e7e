"""The tailor stage: Profile + content banks → Workbook. Pure: no I/O, no templates, no HTML.

Every decision the workbook shows is made here, and each carries its reason:
which questions suit a contact, in what order, how many fit the meeting,
which offers apply, and what the tracker shows.

How a question plan is made, for one contact:
1. The contact is classified: its *kind* (peer, senior, recruiter, adjacent,
   from their job title and the target role) and whether the next meeting is a
   first meeting or a follow-up (from the status).
2. Candidates are the bank questions whose `applies` matches the contact's
   relationship, kind and meeting, and whose `needs` have values.
3. Always kept: the best referral and "what can I do for you?" questions, then
   a warm-up, then the seeker's own questions for this contact.
4. The rest of the time is filled stage by stage in turns (story, trends,
   advice, …), best candidate first: lower priority number, then the more
   specifically tailored, then bank order. Nothing is added that would run
   past the meeting's minutes.
5. The plan is read in conversation order: warm-up → story → trends →
   advice → referral → reciprocity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from generator.banks import ALWAYS_KEPT_STAGES, PLACEHOLDER, STAGES, Applies, Banks, Offer, Question, placeholders_in
from generator.follow_through import follow_through
from generator.load import LoadedProfile
from generator.models import STATUSES, Contact, Profile, TargetRole
from generator.workbook import (
    KIND_LABELS,
    STATUS_LABELS,
    ContactPlan,
    GuidePage,
    MeetingPlan,
    OfferItem,
    PlannedQuestion,
    QuestionPlan,
    RolePlan,
    StatusCount,
    Tracker,
    Workbook,
)

OWN_QUESTION_MINUTES = 3
FOLLOW_UP_STATUSES = {"met", "thanked", "following-up"}
MAX_OFFERS = 8
# Openers and closers per meeting: two each, one more for every full hour, so they never crowd out the middle.
STAGE_LIMITS = {"warm-up": 2, "referral": 2, "reciprocity": 2}
# Words too common to say that a need and a strength are about the same thing.
STOP_WORDS = {
    "a", "an", "and", "the", "for", "of", "to", "in", "on", "with", "at", "by", "from", "or", "my", "our",
    "their", "some", "someone", "who", "can", "help", "better", "new", "more", "good", "someone", "people",
}
RELATIONSHIP_PHRASES = {
    "friend": "a friend",
    "family": "family",
    "colleague": "a colleague",
    "alumni": "a fellow alum",
    "referral": "a referral",
    "cold": "a cold contact",
    "recruiter": "a recruiter",
}


def tailor(loaded: LoadedProfile, banks: Banks, guide: tuple[GuidePage, ...], today: date) -> Workbook:
    profile = loaded.profile
    roles = {role.id: role for role in profile.target_roles}
    referrers = _resolve_referrers(profile.contacts)
    contacts = tuple(
        _plan_contact(contact, profile, roles, referrers, banks)
        for contact in profile.contacts
    )
    contacts, this_week = follow_through(contacts, profile, banks, today)
    return Workbook(
        client_id=loaded.client_id,
        seeker=profile.seeker,
        coach=profile.coach,
        coach_logo=loaded.logo,
        settings=profile.settings,
        roles=tuple(_plan_role(role, profile.contacts, banks) for role in profile.target_roles),
        contacts=contacts,
        tracker=_track(contacts, today),
        guide=guide,
        banks=banks,
        built_on=today,
        this_week=this_week,
    )


# --- who is this contact? -----------------------------------------------------------------------

def _words(text: str | None) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", (text or "").casefold()))


def _stem(word: str) -> str:
    for ending in ("ing", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _meaningful(text: str | None) -> set[str]:
    return {_stem(word) for word in _words(text) - STOP_WORDS if len(word) > 2}


def contact_kind(contact: Contact, role: TargetRole | None, banks: Banks) -> str:
    """peer (does the target role), senior (leads in the field), recruiter, or adjacent."""
    title = _words(contact.role)
    if contact.relationship == "recruiter" or title & set(banks.contact_kinds.get("recruiter", ())):
        return "recruiter"
    if title & set(banks.contact_kinds.get("senior", ())):
        return "senior"
    if role and _meaningful(contact.role) & (_meaningful(role.title) | set().union(*map(_meaningful, role.keywords))):
        return "peer"
    return "adjacent"


def _resolve_referrers(contacts: list[Contact]) -> dict[str, str]:
    """contact id → the id of the contact who referred them, where `referred_by` names one."""
    by_key = {}
    for contact in contacts:
        by_key[contact.id] = contact.id
        by_key[" ".join(contact.name.casefold().split())] = contact.id
    result = {}
    for contact in contacts:
        if contact.referred_by:
            found = by_key.get(" ".join(contact.referred_by.casefold().split()))
            if found and found != contact.id:
                result[contact.id] = found
    return result


def _applies(applies: Applies, relationship: str, kind: str, meeting_kind: str) -> bool:
    return ((applies.relationships is None or relationship in applies.relationships)
            and (applies.kinds is None or kind in applies.kinds)
            and applies.meeting in ("any", meeting_kind))


def _specificity(applies: Applies) -> int:
    return (applies.relationships is not None) + (applies.kinds is not None) + (applies.meeting != "any")


def _fill(text: str, values: dict[str, str | None], fallbacks: dict[str, str]) -> str:
    """Fill placeholders in bank text. User values are inserted once and never read as placeholders."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1)) or fallbacks.get(match.group(1), ""), text)


# --- the question plan --------------------------------------------------------------------------

def _plan_contact(contact: Contact, profile: Profile, roles: dict[str, TargetRole],
                  referrers: dict[str, str], banks: Banks) -> ContactPlan:
    role = roles.get(contact.target_role) if contact.target_role else None
    # A contact with no target role informs the search in general; with a single role, it is that one.
    named_role = role or _only_role(profile)
    kind = contact_kind(contact, named_role, banks)
    meeting_kind = "follow-up" if contact.status in FOLLOW_UP_STATUSES else "first"
    minutes = contact.meeting.minutes if contact.meeting and contact.meeting.minutes else profile.settings.meeting_minutes
    referrer_id = referrers.get(contact.id)
    referrer_text = next((c.name for c in profile.contacts if c.id == referrer_id), contact.referred_by)
    values = {
        "first_name": contact.first_name,
        "company": contact.company,
        "industry": named_role.industry if named_role else None,
        "target_role": role_phrase(named_role.title) if named_role else None,
        "interest": contact.interests[0] if contact.interests else None,
        "referrer": referrer_text,
    }
    return ContactPlan(
        contact=contact,
        kind=kind,
        meeting_kind=meeting_kind,
        target_role=role,
        referred_by_id=referrer_id,
        referred_by_text=referrer_text,
        referrals=tuple(other for other, by in referrers.items() if by == contact.id),
        meeting=_meeting(contact, minutes, profile.settings.zone),
        minutes=minutes,
        question_plan=_question_plan(contact, kind, meeting_kind, minutes, values, banks),
        offers=_offers(contact, profile.seeker.strengths, kind, meeting_kind, values, banks),
    )


def role_phrase(title: str) -> str:
    """How {target_role} reads inside a question: "the Career Advisor role"."""
    return title if title.casefold().endswith("role") else f"the {title} role"


def _only_role(profile: Profile) -> TargetRole | None:
    return profile.target_roles[0] if len(profile.target_roles) == 1 else None


def _meeting(contact: Contact, minutes: int, zone: ZoneInfo) -> MeetingPlan | None:
    if not contact.meeting or contact.meeting.starts is None:
        return None  # not scheduled yet: its length still sets the plan (minutes)
    meeting = contact.meeting
    return MeetingPlan(meeting.starts.replace(tzinfo=zone), meeting.has_time, minutes, meeting.format, meeting.place)


def _question_plan(contact: Contact, kind: str, meeting_kind: str, minutes: int,
                   values: dict[str, str | None], banks: Banks) -> QuestionPlan:
    candidates = [
        question for question in banks.questions
        if _applies(question.applies, contact.relationship, kind, meeting_kind)
        and all(values.get(need) for need in question.needs)
    ]
    rank = {question.id: index for index, question in enumerate(
        sorted(candidates, key=lambda q: (q.priority, -_specificity(q.applies))))}
    best = sorted(candidates, key=lambda q: rank[q.id])

    chosen: list[tuple[Question | None, PlannedQuestion]] = []
    budget = minutes

    def take(question: Question, note: str = "") -> bool:
        nonlocal budget
        if question.minutes > budget or any(q is question for q, _ in chosen if q):
            return False
        budget -= question.minutes
        chosen.append((question, _planned(question, contact, kind, meeting_kind, values, banks, note)))
        return True

    # Always kept, so that every conversation ends with a referral and an offer of help.
    for stage in ALWAYS_KEPT_STAGES:
        for question in (q for q in best if q.stage == stage):
            if take(question, "Always kept: "):
                break
    for question in (q for q in best if q.stage == "warm-up"):
        if take(question):
            break
    for index, text in enumerate(contact.questions, start=1):
        if OWN_QUESTION_MINUTES <= budget:
            budget -= OWN_QUESTION_MINUTES
            chosen.append((None, PlannedQuestion(
                id=f"own-{index}", stage="trends", text=text, minutes=OWN_QUESTION_MINUTES,
                reason=f"Your own question for {contact.first_name}.", own=True)))
    # Fill stage by stage in turns, so a short meeting still touches story, trends and advice.
    queues = {stage: [q for q in best if q.stage == stage] for stage in STAGES}
    themes_used = {q.theme for q, _ in chosen if q}
    progress = True
    while progress:
        progress = False
        for stage in ("story", "trends", "advice", "warm-up", "referral", "reciprocity"):
            queue = queues[stage]
            # Prefer a theme not yet covered, so the plan is varied.
            queue.sort(key=lambda q: (q.theme in themes_used, rank[q.id]))
            limit = STAGE_LIMITS.get(stage)
            if limit is not None and sum(p.stage == stage for _, p in chosen) >= limit + minutes // 60:
                continue
            while queue:
                question = queue.pop(0)
                if take(question):
                    themes_used.add(question.theme)
                    progress = True
                    break

    suitable = {q.id for q in best}
    stage_order = {stage: index for index, stage in enumerate(STAGES)}
    bank_order = {question.id: index for index, question in enumerate(banks.questions)}
    planned = sorted(
        (plan for _, plan in chosen),
        key=lambda p: (stage_order[p.stage], p.own, bank_order.get(p.id, 0)),
    )
    own_left_out = len(contact.questions) - sum(1 for p in planned if p.own)
    return QuestionPlan(tuple(planned), minutes, left_out=len(suitable - {p.id for p in planned}) + own_left_out)


def _planned(question: Question, contact: Contact, kind: str, meeting_kind: str,
             values: dict[str, str | None], banks: Banks, note: str) -> PlannedQuestion:
    return PlannedQuestion(
        id=question.id,
        stage=question.stage,
        text=_fill(question.text, values, banks.placeholders),
        minutes=question.minutes,
        reason=note + _why_for(question.applies, contact, kind, meeting_kind, values) + _fill(question.why, values, banks.placeholders),
        tiara=question.tiara,
    )


def _why_for(applies: Applies, contact: Contact, kind: str, meeting_kind: str, values: dict[str, str | None]) -> str:
    """The part of a reason that says what about this contact made the choice."""
    first = contact.first_name
    if applies.relationships is not None:
        phrase = RELATIONSHIP_PHRASES[contact.relationship]
        if contact.relationship == "referral" and values.get("referrer"):
            phrase = f"a referral from {values['referrer']}"
        return f"{first} is {phrase}. "
    if applies.kinds is not None:
        return f"{first} {KIND_LABELS[kind]}. "
    if applies.meeting == "follow-up" and meeting_kind == "follow-up":
        return "You have met before. "
    if applies.meeting == "first" and meeting_kind == "first":
        return "This is your first conversation. "
    return ""


# --- the offer checklist ------------------------------------------------------------------------

def strength_for(need: str, strengths: Iterable[str]) -> str | None:
    """The seeker's strength that best matches a need, by shared meaningful words (video help ↔ video editing)."""
    need_words = _meaningful(need)
    scored = [(len(need_words & _meaningful(strength)), index, strength) for index, strength in enumerate(strengths)]
    scored = [item for item in scored if item[0] > 0]
    return max(scored, key=lambda item: (item[0], -item[1]))[2] if scored else None


def _offers(contact: Contact, strengths: list[str], kind: str, meeting_kind: str,
            values: dict[str, str | None], banks: Banks) -> tuple[OfferItem, ...]:
    offers = [o for o in banks.offers if _applies(o.applies, contact.relationship, kind, meeting_kind)]
    by_trigger: dict[str, list[Offer]] = {}
    for offer in offers:
        by_trigger.setdefault(offer.trigger, []).append(offer)
    items: list[OfferItem] = []

    def add(trigger: str, turn: int, extra: dict[str, str], prefix: str = "") -> None:
        choices = by_trigger.get(trigger, [])
        if not choices:
            return
        offer = choices[turn % len(choices)]
        filled = {**values, **extra}
        items.append(OfferItem(
            id=offer.id if turn < len(choices) else f"{offer.id}-{turn + 1}",
            text=_fill(offer.text, filled, banks.placeholders),
            reason=prefix + _fill(offer.why, filled, banks.placeholders),
            trigger=trigger,
        ))

    matched_strengths = set()
    for turn, need in enumerate(contact.needs):
        strength = strength_for(need, strengths)
        if strength and "strength-match" in by_trigger:
            matched_strengths.add(strength)
            add("strength-match", turn, {"need": need, "strength": strength}, f"Matches your strength in {strength}. ")
        else:
            add("need", turn, {"need": need}, f"{contact.first_name} said they need {need}. ")
    for turn, interest in enumerate(contact.interests):
        add("interest", turn, {"interest": interest})
    for turn, hobby in enumerate(contact.hobbies):
        add("hobby", turn, {"hobby": hobby})
    if strengths and not matched_strengths:
        interest_words = set().union(*map(_meaningful, contact.interests + [contact.role]))
        strength = max(strengths, key=lambda s: (len(_meaningful(s) & interest_words), -strengths.index(s)))
        add("strength", 0, {"strength": strength}, "")
    # Favours that suit everyone fill the rest: the most specifically tailored first.
    general = sorted(by_trigger.get("always", []), key=lambda o: -_specificity(o.applies))
    for offer in general:
        if len(items) >= MAX_OFFERS:
            break
        items.append(OfferItem(offer.id, _fill(offer.text, values, banks.placeholders),
                               _why_for(offer.applies, contact, kind, meeting_kind, values)
                               + _fill(offer.why, values, banks.placeholders), "always"))
    return tuple(items[:MAX_OFFERS])


# --- roles and the tracker ----------------------------------------------------------------------

def _plan_role(role: TargetRole, contacts: list[Contact], banks: Banks) -> RolePlan:
    values = {"target_role": role_phrase(role.title), "industry": role.industry}
    questions = tuple(
        PlannedQuestion(q.id, q.stage, _fill(q.text, values, banks.placeholders), q.minutes,
                        _fill(q.why, values, banks.placeholders), tiara=q.tiara)
        for q in banks.questions
        # Only questions that need nothing about a particular person make sense on the role's own page.
        if q.theme == "role-fit" and not (placeholders_in(q.text + q.why) & {"first_name", "company", "interest", "referrer"})
    )
    # A contact whose title is this role, or names one of its keywords, can tell the seeker about it even
    # without `target_role:`; one who names another role explicitly is still listed, apart, as "may also".
    phrases = [words for words in map(_meaningful, [role.title, *role.keywords]) if words]
    may_also = tuple(c.id for c in contacts if c.target_role != role.id
                     and any(words <= _meaningful(c.role) for words in phrases))
    return RolePlan(role, tuple(c.id for c in contacts if c.target_role == role.id), questions, may_also)


def _track(contacts: tuple[ContactPlan, ...], today: date) -> Tracker:
    counts = {status: 0 for status in STATUSES}
    for plan in contacts:
        counts[plan.contact.status] += 1
    dated = sorted((plan for plan in contacts if plan.meeting), key=lambda p: (p.meeting.starts, p.id))
    upcoming = tuple(p.id for p in dated if p.meeting.starts.date() >= today)
    overdue = tuple(p.id for p in dated if p.contact.status == "met" and p.meeting.starts.date() < today)
    return Tracker(
        by_status=tuple(StatusCount(status, STATUS_LABELS[status], counts[status]) for status in STATUSES),
        upcoming=upcoming,
        overdue_follow_ups=overdue,
        referral_chains=_chains(contacts),
    )


def _chains(contacts: tuple[ContactPlan, ...]) -> tuple[tuple[str, ...], ...]:
    """Every chain from a first referrer down to someone who referred nobody yet, following `referred_by`.

    Each contact has at most one referrer, so a chain is found by walking up from its last person;
    the walk stops where a cycle would repeat itself.
    """
    referrer = {p.id: p.referred_by_id for p in contacts if p.referred_by_id}
    chains = []
    for plan in contacts:
        if plan.referrals or plan.id not in referrer:
            continue  # not the end of a chain
        chain = [plan.id]
        while chain[-1] in referrer and referrer[chain[-1]] not in chain:
            chain.append(referrer[chain[-1]])
        chains.append(tuple(reversed(chain)))
    return tuple(sorted(chains))
