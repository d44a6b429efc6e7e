"""The tailor stage: Profile + content banks → ClientPlan. Pure: no I/O, no templates, no HTML.

Every decision the workbook shows is made here, and each carries its reason:
which questions suit a contact, in what order, how many fit the meeting,
which offers apply, and what the tracker shows.

How a question plan is made, for one contact (the README's "How the questions are chosen" says the same):
1. The contact is classified: its *kind* (peer, senior, recruiter, adjacent, from their job title and
   the target role; peer is checked first) and whether the next meeting is a first meeting or a
   follow-up (from the status).
2. Candidates are the bank questions whose `applies` matches the contact's relationship, kind and
   meeting, and whose `needs` have values.
3. Honest time: the questions may take at most PLANNED_SHARE of the meeting, and their number stays
   within COUNT_BOUNDS. Under 30 minutes each estimate is a minute shorter.
4. The core first: one `core` question for each core stage (story, trends, advice, referral,
   reciprocity; see core_stages), the most personal one that can carry it. Then the seeker's first
   own question. Then, for each thing the profile says about the person (interest, need, company,
   referrer) that no question uses yet, the best question that uses it. Then the best question
   written for this kind of person. Then the rest, stage by stage in turns: personal first, then a
   theme not yet covered, then priority, specificity and bank order.
5. Time left over makes the deep questions (story, trends, advice) longer, not the plan wider.
6. The plan is read in conversation order: warm-up → story → trends → advice → referral →
   reciprocity. Each reason names what about this person made the choice, once per page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import cast, get_args

from generator.banks import (
    PERSONAL_PLACEHOLDERS,
    PLACEHOLDER,
    STAGES,
    Applies,
    Banks,
    ContactKind,
    Offer,
    Question,
    placeholders_in,
)
from generator.follow_through import follow_through
from generator.load import LoadedProfile
from generator.models import RELATIONSHIPS, STATUSES, Contact, Profile, Settings, TargetRole
from generator.phrases import in_sentence, need_phrase
from generator.words import KindClauseKey, Words, fill, words_for
from generator.workbook import (
    ClientPlan,
    ContactPlan,
    GuidePage,
    MeetingPlan,
    OfferItem,
    PlannedQuestion,
    QuestionPlan,
    RolePlan,
    StatusCount,
    Tracker,
)

CONTACT_KINDS = get_args(ContactKind)
OWN_QUESTION_MINUTES = 3
FOLLOW_UP_STATUSES = {"met", "thanked", "following-up"}
MAX_OFFERS = 6  # a sheet's checklist: a few concrete offers, the most personal first
# Honest time: the planned questions take at most this share of the meeting. The rest is the
# opening (thanks, your introduction, why this person), the follow-up probes no plan lists, and the close.
PLANNED_SHARE = 0.75
# How many questions a meeting holds (minutes, fewest, most); between two rows the bounds are
# interpolated (fewest rounded down, most rounded up); from 90 minutes on, more time buys depth only.
COUNT_BOUNDS = ((5, 1, 2), (10, 2, 3), (15, 3, 4), (20, 4, 5), (30, 5, 8), (45, 7, 11), (60, 9, 12), (90, 10, 14))
# Under this length every estimate is a minute shorter (the short version); the time left after
# choosing goes to the deep questions (story, trends, advice): up to their full estimate under 30
# minutes, half as much again under 60, double from 60 minutes on.
SHORT_CALL_MINUTES = 30
DEEP_STAGES = ("story", "trends", "advice")
# The core of a conversation, and which parts a meeting too short for all of them keeps first.
CORE_FIRST = ("story", "trends", "advice", "referral", "reciprocity")
CORE_SHORT = ("story", "advice", "referral", "reciprocity")  # under 20 minutes
CORE_FOLLOW_UP = ("trends", "advice", "referral", "reciprocity")
CORE_KEEP_ORDER = ("reciprocity", "advice", "referral", "story", "trends")
# Openers and closers beyond the core: one each, one more closer from 45 minutes and one more referral from an hour.
WARM_UP_FROM_MINUTES = 30
# Words too common to say that a need and a strength are about the same thing.
STOP_WORDS = {
    "a",
    "an",
    "and",
    "the",
    "for",
    "of",
    "to",
    "in",
    "on",
    "with",
    "at",
    "by",
    "from",
    "or",
    "my",
    "our",
    "their",
    "some",
    "someone",
    "who",
    "can",
    "help",
    "better",
    "new",
    "more",
    "good",
    "people",
}


def tailor(loaded: LoadedProfile, banks: Banks, guide: tuple[GuidePage, ...], today: date) -> ClientPlan:
    profile = loaded.profile
    roles = {role.id: role for role in profile.target_roles}
    referrers = _resolve_referrers(profile.contacts)
    words = words_for(profile.settings.language, banks.words)
    contacts = tuple(_plan_contact(contact, profile, roles, referrers, banks, words) for contact in profile.contacts)
    contacts, this_week = follow_through(contacts, profile, banks, today, words)
    return ClientPlan(
        client_id=loaded.client_id,
        seeker=profile.seeker,
        coach=profile.coach,
        coach_logo=loaded.logo,
        settings=profile.settings,
        roles=tuple(_plan_role(role, profile.contacts, banks, words) for role in profile.target_roles),
        contacts=contacts,
        tracker=_track(contacts, today, words),
        words=words,
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


def contact_kind(contact: Contact, role: TargetRole | None, banks: Banks) -> ContactKind:
    """peer (does the target role), senior (leads people in the field), recruiter, or adjacent.

    Peer is checked before senior: a "Customer Success Manager" is a peer of someone who wants to
    be a Customer Success Manager, whatever the word "manager" says elsewhere.
    """
    title = _words(contact.role)
    if contact.relationship == "recruiter" or title & set(banks.contact_kinds.get("recruiter", ())):
        return "recruiter"
    role_words = _meaningful(role.title) if role else set()
    if role_words and role_words <= _meaningful(contact.role):
        return "peer"
    kinds = banks.contact_kinds
    field_words = role_words | set().union(*map(_meaningful, role.keywords)) if role else set()
    if role and role.industry:
        field_words |= _meaningful(role.industry)
    if not title & set(kinds.get("former", ())):  # a retired manager leads no team now
        if title & set(kinds.get("senior", ())):
            return "senior"
        # "Manager" or "Lead" says they lead people only in a title that is about the field itself:
        # an "Employer Relations Manager" manages in employer relations; a "Nurse Manager" does not
        # manage Product Managers, though both titles say "manager".
        leading = title & set(kinds.get("senior_in_field", ()))
        if leading and (_meaningful(contact.role) - {_stem(word) for word in leading}) & field_words:
            return "senior"
    if role and _meaningful(contact.role) & field_words - {_stem(w) for w in kinds.get("senior_in_field", ())}:
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
    return (
        (applies.relationships is None or relationship in applies.relationships)
        and (applies.kinds is None or kind in applies.kinds)
        and applies.meeting in ("any", meeting_kind)
    )


def _specificity(applies: Applies) -> int:
    """How closely an entry is written for this person; the level (kinds) counts most, one level alone more."""
    kinds = 0 if applies.kinds is None else 3 if len(applies.kinds) == 1 else 2
    return (applies.relationships is not None) + kinds + (applies.meeting != "any")


def _fill(text: str, values: dict[str, str | None], fallbacks: dict[str, str]) -> str:
    """Fill placeholders in bank text. User values are inserted once and never read as placeholders."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1)) or fallbacks.get(match.group(1), ""), text)


# --- the question plan --------------------------------------------------------------------------


def _plan_contact(
    contact: Contact,
    profile: Profile,
    roles: dict[str, TargetRole],
    referrers: dict[str, str],
    banks: Banks,
    words: Words,
) -> ContactPlan:
    role = roles.get(contact.target_role) if contact.target_role else None
    # A contact with no target role informs the search in general; with a single role, it is that one.
    named_role = role or _only_role(profile)
    kind = contact_kind(contact, named_role, banks)
    meeting_kind = "follow-up" if contact.status in FOLLOW_UP_STATUSES else "first"
    minutes = (
        contact.meeting.minutes if contact.meeting and contact.meeting.minutes else profile.settings.meeting_minutes
    )
    referrer_id = referrers.get(contact.id)
    referrer_text = next((c.name for c in profile.contacts if c.id == referrer_id), contact.referred_by)
    values = placeholder_values(contact, named_role, referrer_text)
    last_time = _last_time(contact) if meeting_kind == "follow-up" else None
    lead = _Leads(contact, kind, values, last_time, words)
    questions = _question_plan(contact, kind, meeting_kind, minutes, values, banks, lead)
    offers = _offers(contact, profile.seeker.strengths, kind, meeting_kind, values, banks)
    questions, offers = _without_repeated_sentences(questions, offers)
    meeting = _meeting(contact, minutes, profile.settings, words)
    return ContactPlan(
        contact=contact,
        kind=kind,
        meeting_kind=meeting_kind,
        target_role=role,
        referred_by_id=referrer_id,
        referred_by_text=referrer_text,
        referrals=tuple(other for other, by in referrers.items() if by == contact.id),
        meeting=meeting,
        minutes=minutes,
        question_plan=questions,
        offers=offers,
        why_them=" ".join(
            part for part in (lead.kind_sentence(with_role=False), lead.relationship_sentence(with_how=False)) if part
        ),
        known=_known(contact, words),
        status_label=words.statuses[contact.status],
        relationship_label=words.relationships[contact.relationship],
        kind_label=words.kinds[kind],
        last_time=last_time,
        thank_you_by=meeting.starts.date() + timedelta(days=1) if meeting else None,
    )


def placeholder_values(contact: Contact, role: TargetRole | None, referrer: str | None) -> dict[str, str | None]:
    """What each question placeholder reads as for this contact, as it reads mid-sentence."""
    return {
        "first_name": contact.first_name,
        "company": contact.company,
        "industry": in_sentence(role.industry) if role and role.industry else None,
        "target_role": role_phrase(role.title) if role else None,
        "interest": in_sentence(contact.interests[0]) if contact.interests else None,
        "need": need_phrase(contact.needs[0]) if contact.needs else None,
        "referrer": referrer,
    }


def offer_values(trigger: str, value: str | None = None, strength: str | None = None) -> dict[str, str]:
    """The trigger's own placeholders for an offer ({need}, {interest}, {hobby}, {strength}), mid-sentence."""
    values = (
        {"need": need_phrase(value)}
        if trigger in ("need", "strength-match") and value
        else {trigger: in_sentence(value)}
        if trigger in ("interest", "hobby") and value
        else {}
    )
    if strength:
        values["strength"] = in_sentence(strength)
    return values


def role_phrase(title: str) -> str:
    """How {target_role} reads inside a question: "the Career Advisor role"."""
    return title if title.casefold().endswith("role") else f"the {title} role"


def _only_role(profile: Profile) -> TargetRole | None:
    return profile.target_roles[0] if len(profile.target_roles) == 1 else None


def _meeting(contact: Contact, minutes: int, settings: Settings, words: Words) -> MeetingPlan | None:
    meeting = contact.meeting
    local_start = meeting.starts if meeting else None
    if not meeting or local_start is None:
        return None  # not scheduled yet: its length still sets the plan (minutes)
    starts = local_start.replace(tzinfo=settings.zone)
    # A time zone is printed only when the profile (or the coach) named one: otherwise "UTC" would be a guess.
    zone_label = starts.strftime("%Z") if meeting.has_time and "timezone" in settings.model_fields_set else None
    return MeetingPlan(
        starts,
        meeting.has_time,
        minutes,
        meeting.format,
        meeting.place,
        zone_label,
        format_label=words.formats[meeting.format] if meeting.format else None,
    )


def _full_stop(text: str) -> str:
    """A user's phrase ending as a sentence does: a full stop added unless it has its own."""
    return text if text.endswith((".", "!", "?")) else text + "."


def _last_time(contact: Contact) -> str | None:
    """What they shared last time: the latest `met` event's note. Nothing is made up when there is none."""
    return next((event.note for event in reversed(contact.history) if event.event == "met" and event.note), None)


def _known(contact: Contact, words: Words) -> str | None:
    reasons = words.reasons
    parts = []
    if contact.interests:
        parts.append(fill(reasons["known_interests"], list=", ".join(in_sentence(i) for i in contact.interests)))
    if contact.needs:
        parts.append(fill(reasons["known_needs"], list=", ".join(need_phrase(n) for n in contact.needs)))
    if contact.hobbies:
        parts.append(fill(reasons["known_hobbies"], list=", ".join(in_sentence(h) for h in contact.hobbies)))
    return fill(reasons["known"], first_name=contact.first_name, facts="; ".join(parts)) if parts else None


def question_budget(minutes: int) -> int:
    """The most minutes the planned questions may take in a meeting of `minutes`."""
    return int(minutes * PLANNED_SHARE)


def question_count_bounds(minutes: int) -> tuple[int, int]:
    """(fewest, most) questions a meeting of `minutes` holds: COUNT_BOUNDS, interpolated."""
    if minutes <= COUNT_BOUNDS[0][0]:
        return COUNT_BOUNDS[0][1:]
    for (start, low_a, high_a), (end, low_b, high_b) in zip(COUNT_BOUNDS, COUNT_BOUNDS[1:], strict=False):
        if start <= minutes <= end:
            share = (minutes - start) / (end - start)
            return math.floor(low_a + (low_b - low_a) * share), math.ceil(high_a + (high_b - high_a) * share)
    return COUNT_BOUNDS[-1][1:]


def planned_count(minutes: int) -> int:
    """How many questions a plan aims at: under 45 minutes the most that fit the time; from 45 minutes
    the low end of the range (45: 8, 60: 9, 90: 10): more time buys depth before breadth, and the
    sheet stays one page with room to write."""
    low, high = question_count_bounds(minutes)
    return high if minutes < 45 else low + 1 if minutes < 60 else low


def core_stages(minutes: int, meeting_kind: str, own_questions: int = 0) -> tuple[str, ...]:
    """The stages whose core question a plan always has (a first meeting of 20 minutes or more: all five).

    When the meeting holds fewer questions than that (with the seeker's first own question,
    which is always planned), the parts at the end of CORE_KEEP_ORDER give way first.
    """
    wanted = CORE_FOLLOW_UP if meeting_kind == "follow-up" else CORE_FIRST if minutes >= 20 else CORE_SHORT
    room = planned_count(minutes) - min(own_questions, 1)
    kept = [stage for stage in CORE_KEEP_ORDER if stage in wanted][: max(room, 1)]
    return tuple(stage for stage in wanted if stage in kept)


def _estimate(question: Question, minutes: int) -> int:
    return max(1, question.minutes - (1 if minutes < SHORT_CALL_MINUTES else 0))


def _depth_cap(full_minutes: int, minutes: int) -> int:
    if minutes < SHORT_CALL_MINUTES:
        return full_minutes
    return math.ceil(full_minutes * 1.5) if minutes < 60 else full_minutes * 2


def _question_plan(
    contact: Contact,
    kind: str,
    meeting_kind: str,
    minutes: int,
    values: dict[str, str | None],
    banks: Banks,
    lead: _Leads,
) -> QuestionPlan:
    """Core first, then what the seeker knows about the person, then the best of the rest; see the module doc."""
    candidates = [
        question
        for question in banks.questions
        if _applies(question.applies, contact.relationship, kind, meeting_kind)
        and all(values.get(need) for need in question.needs)
    ]
    bank_order = {question.id: index for index, question in enumerate(banks.questions)}
    known = {name for name in PERSONAL_PLACEHOLDERS if values.get(name)}

    def personal(question: Question) -> set[str]:
        return placeholders_in(question.text) & known

    budget = question_budget(minutes)
    most = planned_count(minutes)
    chosen: list[_Choice] = []
    used_facts: set[str] = set()
    themes: set[str] = set()

    def rank(question: Question) -> tuple[int, int, int, int]:
        return (
            -len(personal(question) - used_facts),
            question.priority,
            -_specificity(question.applies),
            bank_order[question.id],
        )

    def room(estimate: int) -> bool:
        return len(chosen) < most and sum(c.minutes for c in chosen) + estimate <= budget

    def take(question: Question) -> bool:
        estimate = _estimate(question, minutes)
        if any(c.question is question for c in chosen) or not room(estimate):
            return False
        chosen.append(_Choice(question, None, estimate, question.minutes))
        used_facts.update(personal(question))
        themes.add(question.theme)
        return True

    def take_own(index: int, text: str) -> bool:
        estimate = max(1, OWN_QUESTION_MINUTES - (1 if minutes < SHORT_CALL_MINUTES else 0))
        if not room(estimate):
            return False
        chosen.append(_Choice(None, (index, text), estimate, OWN_QUESTION_MINUTES))
        return True

    # 1. The seeker's own first question, always; the others come after what the profile says about the person.
    own = list(enumerate(contact.questions, start=1))
    if own:
        take_own(*own.pop(0))
    # 2. The core: one question per core stage, the most personal of those that can carry it.
    for stage in core_stages(minutes, meeting_kind, len(contact.questions)):
        in_stage = [q for q in candidates if q.stage == stage]
        carriers = [q for q in in_stage if q.core] or [q for q in in_stage if q.priority == 1] or in_stage
        for question in sorted(carriers, key=rank):
            if take(question):
                break
    # 3. What the seeker knows wins: each fact not yet used gets the best question that uses it.
    for fact in PERSONAL_PLACEHOLDERS:
        if fact in known and fact not in used_facts:
            for question in sorted((q for q in candidates if fact in personal(q)), key=rank):
                if take(question):
                    break
    while own and take_own(*own[0]):
        own.pop(0)
    # 3a. From 30 minutes, an opener: a stranger is thanked and told why you chose them, a friend asked for candour.
    if minutes >= WARM_UP_FROM_MINUTES:
        for question in sorted((q for q in candidates if q.stage == "warm-up"), key=rank):
            if take(question):
                break
    # 3b. The right level: the best question written for this kind of person (a senior is asked about the
    #     people in the role on their team, a peer about their week, a recruiter about applications).
    level = [
        q
        for q in candidates
        if q.applies.kinds is not None
        and len(q.applies.kinds) == 1
        and q.priority == 1
        and q.theme in ("role-fit", "advice")
        and not any(c.question is q for c in chosen)
    ]
    for question in sorted(level, key=rank)[: 1 + (minutes >= 45)]:
        take(question)
    # 4. The best of the rest, stage by stage in turns: personal first, then a theme not yet covered.
    limits = {
        "warm-up": 1 if minutes >= WARM_UP_FROM_MINUTES else 0,
        "referral": 1 + (minutes >= 90),
        "reciprocity": 1 + (minutes >= 60),
    }
    progress = True
    while progress and len(chosen) < most:
        progress = False
        # From 30 minutes an opener comes first (a stranger is thanked and told why you chose them).
        # Advice goes first and gets two turns a round: it is what the seeker came for.
        for stage in ("warm-up", "advice", "story", "trends", "advice", "referral", "reciprocity"):
            if stage in limits and sum(c.stage == stage for c in chosen) >= limits[stage]:
                continue
            queue = sorted(
                (q for q in candidates if q.stage == stage and not any(c.question is q for c in chosen)),
                key=lambda q: (-len(personal(q) - used_facts), q.theme in themes, *rank(q)[1:]),
            )
            if any(take(question) for question in queue):
                progress = True
    # 5. Time left over buys depth: the story, trends and advice questions get longer, never past the budget.
    spare = budget - sum(c.minutes for c in chosen)
    deep = [c for c in chosen if c.stage in DEEP_STAGES]
    while spare > 0 and deep:
        grown = False
        for choice in deep:
            if spare and choice.minutes < _depth_cap(choice.full_minutes, minutes):
                choice.minutes += 1
                spare -= 1
                grown = True
        if not grown:
            break

    stage_order = {stage: index for index, stage in enumerate(STAGES)}
    planned = []
    first_follow_up = True
    # Conversation order: by stage, then as the bank orders them (path before what drew them before what they love),
    # the seeker's own questions last in their stage.
    for choice in sorted(
        chosen,
        key=lambda c: (
            stage_order[c.stage],
            c.question is None,
            bank_order.get(c.question.id, 0) if c.question else cast(tuple[int, str], c.own)[0],
        ),
    ):
        if choice.question is None:
            index, text = cast(tuple[int, str], choice.own)  # set exactly when question is None
            planned.append(
                PlannedQuestion(
                    id=f"own-{index}",
                    stage="trends",
                    text=text,
                    minutes=choice.minutes,
                    reason=fill(lead.words.reasons["own_question"], first_name=contact.first_name),
                    own=True,
                    personal=("own",),
                    stage_title=lead.words.stages["trends"],
                )
            )
            continue
        question = choice.question
        note = ""
        if meeting_kind == "follow-up" and first_follow_up and lead.last_time:
            note = fill(lead.words.reasons["last_time"], note=_full_stop(lead.last_time)) + " "
            first_follow_up = False
        planned.append(
            PlannedQuestion(
                id=question.id,
                stage=question.stage,
                text=_fill(question.text, values, banks.placeholders),
                minutes=choice.minutes,
                reason=note + lead.for_applies(question.applies) + _fill(question.why, values, banks.placeholders),
                tiara=question.tiara,
                personal=tuple(sorted(personal(question))),
                stage_title=lead.words.stages[question.stage],
            )
        )
    suitable = {q.id for q in candidates}
    left_out = len(suitable - {p.id for p in planned}) + len(contact.questions) - sum(p.own for p in planned)
    return QuestionPlan(tuple(planned), minutes, left_out=left_out, minutes_for_questions=budget)


@dataclass
class _Choice:
    question: Question | None  # None: the seeker's own question
    own: tuple[int, str] | None  # (index, text) of the seeker's own question, exactly when question is None
    minutes: int
    full_minutes: int

    @property
    def stage(self) -> str:
        return self.question.stage if self.question else "trends"

    def personal(self, uses: Callable[[Question], object]) -> bool:
        return self.question is None or bool(uses(self.question))


class _Leads:
    """The sentences that say what about this contact made a choice, naming the specific thing."""

    def __init__(
        self,
        contact: Contact,
        kind: ContactKind,
        values: dict[str, str | None],
        last_time: str | None,
        words: Words,
    ) -> None:
        self.words = words
        self.contact = contact
        self.kind = kind
        self.values = values
        self.last_time = last_time

    def kind_sentence(self, with_role: bool = True) -> str:
        """E.g. "As Director of Career Services at Portland State University, Jordan leads people in the
        Career Advisor role." (without the role, for the sheet, whose header already shows it)."""
        contact, first, reasons, clauses = (
            self.contact,
            self.contact.first_name,
            self.words.reasons,
            self.words.why_kind,
        )
        industry = self.values.get("industry")
        target = self.values.get("target_role") or (
            fill(reasons["people_in_industry"], industry=industry) if industry else None
        )
        if self.kind in ("senior", "adjacent"):
            field_key = cast(KindClauseKey, self.kind + "_field")  # senior_field or adjacent_field
            what = fill(clauses[self.kind], target=target) if target else clauses[field_key]
        else:
            what = clauses[self.kind]
        if not with_role:
            return fill(reasons["kind_sentence"], first_name=first, what=what)
        if contact.company:
            return fill(
                reasons["kind_with_role_at"], role=contact.role, company=contact.company, first_name=first, what=what
            )
        return fill(reasons["kind_with_role"], role=contact.role, first_name=first, what=what)

    def relationship_sentence(self, with_how: bool = True) -> str:
        contact, first = self.contact, self.contact.first_name
        referrer = self.values.get("referrer")
        if contact.relationship == "referral" and not referrer:
            sentence = fill(self.words.reasons["referral_unknown"], first_name=first)
        else:
            sentence = fill(self.words.why_relationship[contact.relationship], first_name=first, referrer=referrer)
        if with_how and contact.how_we_met:
            sentence += " " + fill(self.words.reasons["how_we_met"], how=_full_stop(contact.how_we_met))
        return sentence

    def for_applies(self, applies: Applies) -> str:
        if applies.relationships is not None and applies.relationships != list(RELATIONSHIPS):
            return self.relationship_sentence() + " "
        if applies.kinds is not None and applies.kinds != list(CONTACT_KINDS):
            return self.kind_sentence() + " "
        return ""


def _without_repeated_sentences(
    questions: QuestionPlan, offers: tuple[OfferItem, ...]
) -> tuple[QuestionPlan, tuple[OfferItem, ...]]:
    """Each reason sentence once per page: later repeats are dropped (the bank's own reason always remains)."""
    seen: set[str] = set()

    def once(reason: str) -> str:
        kept = []
        for sentence in re.split(r"(?<=[.!?])\s+", reason.strip()):
            if sentence and sentence not in seen:
                seen.add(sentence)
                kept.append(sentence)
        return " ".join(kept) or reason

    new_questions = tuple(replace(q, reason=once(q.reason)) for q in questions.questions)
    new_offers = tuple(replace(o, reason=once(o.reason)) for o in offers)
    return replace(questions, questions=new_questions), new_offers


# --- the offer checklist ------------------------------------------------------------------------


def strength_for(need: str, strengths: Iterable[str]) -> str | None:
    """The seeker's strength that best matches a need, by shared meaningful words (video help ↔ video editing)."""
    need_words = _meaningful(need)
    scored = [(len(need_words & _meaningful(strength)), index, strength) for index, strength in enumerate(strengths)]
    scored = [item for item in scored if item[0] > 0]
    return max(scored, key=lambda item: (item[0], -item[1]))[2] if scored else None


def _offers(
    contact: Contact, strengths: list[str], kind: str, meeting_kind: str, values: dict[str, str | None], banks: Banks
) -> tuple[OfferItem, ...]:
    offers = [
        o
        for o in banks.offers
        if _applies(o.applies, contact.relationship, kind, meeting_kind) and all(values.get(need) for need in o.needs)
    ]
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
        items.append(
            OfferItem(
                id=offer.id if turn < len(choices) else f"{offer.id}-{turn + 1}",
                text=_fill(offer.text, filled, banks.placeholders),
                reason=prefix + _fill(offer.why, filled, banks.placeholders),
                trigger=trigger,
            )
        )

    matched_strengths = set()
    for turn, need in enumerate(contact.needs):
        strength = strength_for(need, strengths)
        if strength and "strength-match" in by_trigger:
            matched_strengths.add(strength)
            add("strength-match", turn, offer_values("strength-match", need, strength))
        else:
            add("need", turn, offer_values("need", need))
    for turn, interest in enumerate(contact.interests):
        add("interest", turn, offer_values("interest", interest))
    for turn, hobby in enumerate(contact.hobbies):
        add("hobby", turn, offer_values("hobby", hobby))
    if strengths and not matched_strengths:
        interest_words = set().union(*map(_meaningful, contact.interests + [contact.role]))
        strength = max(strengths, key=lambda s: (len(_meaningful(s) & interest_words), -strengths.index(s)))
        add("strength", 0, offer_values("strength", strength=strength), "")
    # Favours that suit everyone fill the rest: the most specifically tailored first.
    general = sorted(by_trigger.get("always", []), key=lambda o: -_specificity(o.applies))
    for offer in general:
        if len(items) >= MAX_OFFERS:
            break
        items.append(
            OfferItem(
                offer.id,
                _fill(offer.text, values, banks.placeholders),
                _fill(offer.why, values, banks.placeholders),
                "always",
            )
        )
    return tuple(items[:MAX_OFFERS])


# --- roles and the tracker ----------------------------------------------------------------------


def _plan_role(role: TargetRole, contacts: list[Contact], banks: Banks, words: Words) -> RolePlan:
    values = {"target_role": role_phrase(role.title), "industry": role.industry}
    questions = tuple(
        PlannedQuestion(
            q.id,
            q.stage,
            _fill(q.text, values, banks.placeholders),
            q.minutes,
            _fill(q.why, values, banks.placeholders),
            tiara=q.tiara,
            stage_title=words.stages[q.stage],
        )
        for q in banks.questions
        # Only questions that need nothing about a particular person make sense on the role's own page.
        if q.theme == "role-fit"
        and not (placeholders_in(q.text + q.why) & {"first_name", "company", "interest", "referrer"})
    )
    # A contact whose title is this role, or names one of its keywords, can tell the seeker about it even
    # without `target_role:`; one who names another role explicitly is still listed, apart, as "may also".
    phrases = [words for words in map(_meaningful, [role.title, *role.keywords]) if words]
    may_also = tuple(
        c.id for c in contacts if c.target_role != role.id and any(words <= _meaningful(c.role) for words in phrases)
    )
    return RolePlan(role, tuple(c.id for c in contacts if c.target_role == role.id), questions, may_also)


def _track(contacts: tuple[ContactPlan, ...], today: date, words: Words) -> Tracker:
    counts = {status: 0 for status in STATUSES}
    for plan in contacts:
        counts[plan.contact.status] += 1
    dated = sorted(
        ((plan, plan.meeting.starts) for plan in contacts if plan.meeting), key=lambda pair: (pair[1], pair[0].id)
    )
    upcoming = tuple(p.id for p, starts in dated if starts.date() >= today)
    overdue = tuple(p.id for p, starts in dated if p.contact.status == "met" and starts.date() < today)
    return Tracker(
        by_status=tuple(StatusCount(status, words.statuses[status], counts[status]) for status in STATUSES),
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
