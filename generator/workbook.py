"""The ClientPlan: what the tailor stage decided, as plain data for the renderers.

Renderers lay this out and choose nothing. Every string here that came from
the user (names, notes, filled-in question texts) is plain text: renderers
escape it for the place it lands in (Markdown, HTML, attribute, URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from generator.banks import Banks
from generator.cadence import DueItem, ThisWeek
from generator.drafts import Draft
from generator.models import Coach, Contact, Seeker, Settings, TargetRole
from generator.words import Words, builtin_words

# The labels a reader sees (stage titles, statuses, relationships, kinds, formats) are words in
# content/labels.yaml (generator/words.py); the tailor stage puts them on the plans in the profile's language.


@dataclass(frozen=True)
class PlannedQuestion:
    id: str  # the bank's id, or "own-N" for the seeker's own question
    stage: str  # warm-up | story | trends | advice | referral | reciprocity
    text: str  # placeholders filled in; plain text
    minutes: int
    reason: str  # why this question, for this contact; plain text
    own: bool = False  # the seeker wrote it (contacts[].questions)
    tiara: str | None = None
    personal: tuple[str, ...] = ()  # what about this contact it uses: interest, need, company, referrer, own
    stage_title: str = ""  # the stage's heading, in the workbook's language


@dataclass(frozen=True)
class QuestionPlan:
    questions: tuple[PlannedQuestion, ...]
    minutes_available: int  # the meeting's length
    left_out: int  # questions that suited this contact but did not fit the time
    minutes_for_questions: int = 0  # at most this much is planned; the rest is opening, follow-up probes and close

    @property
    def minutes_planned(self) -> int:
        return sum(question.minutes for question in self.questions)

    def by_stage(self) -> list[tuple[str, list[PlannedQuestion]]]:
        """The plan grouped by conversation stage, in conversation order."""
        groups: dict[str, list[PlannedQuestion]] = {}
        for question in self.questions:
            groups.setdefault(question.stage, []).append(question)
        return [(items[0].stage_title, items) for items in groups.values()]


@dataclass(frozen=True)
class OfferItem:
    id: str
    text: str  # plain text
    reason: str  # plain text
    trigger: str


@dataclass(frozen=True)
class MeetingPlan:
    starts: datetime  # aware, in settings.timezone (midnight when no time was given)
    has_time: bool
    minutes: int
    format: str | None
    place: str | None
    zone_label: str | None = None  # e.g. "PST"; None when the profile never named a time zone (a plain local time)
    format_label: str | None = None  # "Video call", in the workbook's language

    @property
    def when(self) -> str:
        """E.g. "Thu 3 Dec 2026, 10:00" (or without the time)."""
        day = f"{self.starts:%a} {self.starts.day} {self.starts:%b %Y}"
        return f"{day}, {self.starts:%H:%M}" if self.has_time else day


@dataclass(frozen=True)
class ContactPlan:
    contact: Contact
    kind: str  # peer | senior | recruiter | adjacent
    meeting_kind: str  # first | follow-up
    target_role: TargetRole | None
    referred_by_id: str | None  # set when referred_by names another contact
    referred_by_text: str | None  # the referrer as the reader should see it
    referrals: tuple[str, ...]  # ids of contacts this person referred the seeker to
    meeting: MeetingPlan | None
    minutes: int  # the meeting's length (its own or settings.meeting_minutes)
    question_plan: QuestionPlan
    offers: tuple[OfferItem, ...]
    # "Before you go in": why the seeker chose this person, what they know of them, and what
    # happened last time (the latest `met` note). Plain text; None when the profile says nothing.
    why_them: str = ""
    known: str | None = None
    last_time: str | None = None
    thank_you_by: date | None = None  # the meeting's day + 1, when the meeting has a date
    due: tuple[DueItem, ...] = ()  # follow-through steps, soonest first (generator/cadence.py)
    drafts: tuple[Draft, ...] = ()  # what to send them next (generator/drafts.py)
    # Labels in the workbook's language (content/labels.yaml): status, relationship, and what kind of person
    # they are, which reads after their first name ("leads or manages in the field").
    status_label: str = ""
    relationship_label: str = ""
    kind_label: str = ""

    @property
    def id(self) -> str:
        return self.contact.id


@dataclass(frozen=True)
class RolePlan:
    role: TargetRole
    contact_ids: tuple[str, ...]  # contacts whose conversation informs this role
    questions: tuple[PlannedQuestion, ...]  # questions to ask about this role, filled in for it
    # Contacts whose job title matches this role's title or keywords but whose target_role is not this
    # role (an explicit target_role wins, so they are listed apart, as people who may also inform it).
    may_also_inform: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class Tracker:
    by_status: tuple[StatusCount, ...]  # every status in pipeline order, zeros included
    upcoming: tuple[str, ...]  # contact ids with a meeting today or later, soonest first
    overdue_follow_ups: tuple[str, ...]  # met before today but no thank-you recorded (status still `met`)
    referral_chains: tuple[tuple[str, ...], ...]  # contact ids, each chain from the first referrer down


@dataclass(frozen=True)
class GuidePage:
    slug: str  # e.g. "five-reasons"
    title: str
    markdown: str  # the project's own content (trusted)


@dataclass(frozen=True)
class ClientPlan:
    """One client's whole tailored plan: what every renderer shows (site, workbook PDF, sheets, calendar, plan.json).
    Named for what it is, not for the workbook the renderers make of it; an instance is called `workbook` in the
    templates, which read `workbook.contacts`, `workbook.words` and so on."""

    client_id: str
    seeker: Seeker
    coach: Coach | None
    coach_logo: Path | None  # resolved file inside the profile's folder
    settings: Settings
    roles: tuple[RolePlan, ...]
    contacts: tuple[ContactPlan, ...]
    tracker: Tracker
    guide: tuple[GuidePage, ...]
    banks: Banks
    built_on: date
    this_week: ThisWeek | None = None  # what is due and overdue, and the weekly goal (generator/cadence.py)
    # Every label and short sentence the renderers print, in the profile's language (generator/words.py).
    words: Words = field(default_factory=builtin_words)

    def contact(self, contact_id: str) -> ContactPlan:
        # By index, not a scan: templates look contacts up by id for every link, 2,000 contacts made it quadratic.
        return self._contacts_by_id[contact_id]

    @cached_property
    def _contacts_by_id(self) -> dict[str, ContactPlan]:
        return {plan.id: plan for plan in self.contacts}

    def role(self, role_id: str) -> RolePlan:
        return next(plan for plan in self.roles if plan.role.id == role_id)
