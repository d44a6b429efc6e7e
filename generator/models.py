"""The profile format (shared/FORMAT.md) as pydantic models.

Every model forbids unknown keys, so a typo is an error and never silently
ignored. Per-field rules live here; rules that compare fields across the
document (unique ids, references, the logo's folder) live in `generator.load`,
where the source positions are at hand. The JSON Schema users get from
`workbook schema` is generated from these models.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)
from slugify import slugify

from generator.colour import HEX_PATTERN
from generator.logo import LOGO_KINDS, has_logo_suffix
from generator.source import shorten

Relationship = Literal["friend", "family", "colleague", "alumni", "referral", "cold", "recruiter"]
Status = Literal["to-contact", "requested", "scheduled", "met", "thanked", "following-up", "no-response", "closed"]
Paper = Literal["letter", "a4"]
MeetingFormat = Literal["in-person", "video", "phone"]
HistoryEventKind = Literal[
    "requested", "reminded", "replied", "scheduled", "met", "thanked", "updated", "checked-in", "declined", "note"
]

Day = date  # a name for the type that a field called `date` cannot shadow
RELATIONSHIPS: tuple[str, ...] = get_args(Relationship)
STATUSES: tuple[Status, ...] = get_args(Status)
HISTORY_EVENTS: tuple[str, ...] = get_args(HistoryEventKind)
# The status a contact is at after each kind of event (a `note` changes nothing).
STATUS_AFTER_EVENT: dict[str, Status] = {
    "requested": "requested",
    "reminded": "requested",
    "replied": "requested",
    "scheduled": "scheduled",
    "met": "met",
    "thanked": "thanked",
    "updated": "following-up",
    "checked-in": "following-up",
    "declined": "closed",
}
MAX_PITCH = 400

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$"
MIN_MINUTES, MAX_MINUTES = 5, 240
MAX_TEXT = 500

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Minutes = Annotated[int, Field(ge=MIN_MINUTES, le=MAX_MINUTES)]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^[^@\s<>\"'`=]+@[^@\s<>\"'`=]+\.[^@\s<>\"'`=]+$", max_length=254
    ),
]
WebAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^https?://[^\s<>\"'`]+$", max_length=500)
]
Color = Annotated[str, StringConstraints(strip_whitespace=True, pattern=HEX_PATTERN)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)]


def _may_be_empty(kind: Any, empty: Callable[[], object]) -> BeforeValidator:
    """An optional list or section written as a bare key (`contacts:` with every entry deleted or
    commented out) means "none" / "the defaults", as it would had the key been left out."""
    return BeforeValidator(lambda value: empty() if value is None else value, json_schema_input_type=kind | None)


TextList = Annotated[list[Text], _may_be_empty(list[Text], list)]


def make_id(name: str) -> str:
    """The default id of a named thing: a lower-case ASCII slug (names in any script are transliterated)."""
    # Slugs are asked for twice per item (the id check, the model) and transliteration is slow: remember
    # the usual short names, but never hold on to huge values from a hostile file.
    return _slug(name) if len(name) <= 200 else _slug.__wrapped__(name)


@lru_cache(maxsize=4096)
def _slug(name: str) -> str:
    return slugify(name, max_length=64, word_boundary=True) or "item"


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Seeker(Model):
    """The job seeker this workbook is for."""

    name: Text
    headline: Text | None = None
    email: Email | None = None
    location: Text | None = None
    strengths: TextList = Field(default_factory=list, description="What the seeker can help others with.")
    pitch: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PITCH)] | None = Field(
        None, description="Your 20-second introduction (at most 400 characters); on sheets and in drafts."
    )


class Coach(Model):
    """Who prepared the workbook; their branding appears in the site and PDFs."""

    name: Text
    email: Email | None = None
    website: WebAddress | None = None
    logo: Text | None = Field(
        None, description="PNG, JPEG or SVG; a path relative to the YAML file, inside its folder."
    )
    color: Color | None = Field(None, description='Primary colour of site and PDF, e.g. "#3f51b5".')

    @field_validator("logo")
    @classmethod
    def _logo_kind(cls, logo: str | None) -> str | None:
        if logo is not None and not has_logo_suffix(logo):
            raise ValueError(f"the logo must be {LOGO_KINDS}")
        return logo


class Settings(Model):
    paper: Paper = "letter"
    language: LanguageCode = "en"
    timezone: str = Field("UTC", description="IANA time zone name, e.g. America/Los_Angeles.")
    meeting_minutes: Minutes = 30
    weekly_goal: Annotated[int, Field(ge=0, le=50)] | None = Field(
        None, description="Meeting requests to send per week."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        if name not in known_timezones():
            raise ValueError(
                f"unknown time zone '{shorten(name)}'; use an IANA name such as America/Los_Angeles or Europe/Berlin"
            )
        return name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class TargetRole(Model):
    """A role the seeker is aiming at."""

    if TYPE_CHECKING:
        id: str  # always set once validated (`_default_id`); the field below is what the schema shows
    else:
        id: Id | None = Field(None, description="Default: a slug of the title.")
    title: Text
    industry: Text | None = None
    why: Text | None = None
    companies: TextList = Field(default_factory=list)
    keywords: TextList = Field(default_factory=list)

    @model_validator(mode="after")
    def _default_id(self) -> TargetRole:
        if self.id is None:
            object.__setattr__(self, "id", make_id(self.title))
        return self


def _real_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        if "T" in value:
            datetime.strptime(value, "%Y-%m-%dT%H:%M")
        else:
            date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date and time") from None
    return value


class Meeting(Model):
    date: (
        Annotated[
            str,
            Field(
                pattern=DATE_PATTERN,
                description="YYYY-MM-DD or YYYY-MM-DDTHH:MM, local to settings.timezone. "
                "Optional: a meeting not yet scheduled may give just its minutes.",
            ),
        ]
        | None
    ) = None
    minutes: Minutes | None = Field(None, description="Default: settings.meeting_minutes.")
    format: MeetingFormat | None = None
    place: Text | None = None

    _date_is_real = field_validator("date")(_real_date)

    @property
    def has_time(self) -> bool:
        return self.date is not None and "T" in self.date

    @property
    def starts(self) -> datetime | None:
        """The start as a naive local datetime (midnight when only a day is given); None when not yet scheduled."""
        if self.date is None:
            return None
        return (
            datetime.fromisoformat(self.date)
            if self.has_time
            else datetime.combine(date.fromisoformat(self.date), datetime.min.time())
        )


class HistoryEvent(Model):
    """One dated thing that happened with a contact."""

    date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD.")]
    event: HistoryEventKind
    note: Text | None = Field(None, description="What happened; a `met` note is what they shared.")

    _date_is_real = field_validator("date")(_real_date)

    @property
    def day(self) -> Day:
        return date.fromisoformat(self.date)


class Contact(Model):
    """A person the seeker wants to talk to."""

    if TYPE_CHECKING:
        id: str  # always set once validated (`_defaults`); the field below is what the schema shows
    else:
        id: Id | None = Field(None, description="Default: a slug of the name.")
    name: Text
    role: Text = Field(description="Their job title.")
    company: Text | None = None
    target_role: Id | None = Field(None, description="The id of the target role this conversation informs.")
    relationship: Relationship
    referred_by: Text | None = Field(None, description="Another contact's name or id, or free text.")
    how_we_met: Text | None = None
    interests: TextList = Field(default_factory=list, description="Professional topics they care about.")
    hobbies: TextList = Field(default_factory=list)
    needs: TextList = Field(
        default_factory=list,
        description='What they said they need, as a noun phrase ("a trainer for …", "help editing course videos").',
    )
    email: Email | None = Field(None, description="For mailto: links on drafts.")
    if TYPE_CHECKING:
        status: Status  # always set once validated (`_defaults`); the field below is what the schema shows
    else:
        status: Status | None = Field(
            None, description="Default: follows from the latest history event, else to-contact."
        )
    meeting: Meeting | None = None
    questions: TextList = Field(default_factory=list, description="Your own extra questions for this person.")
    notes: LongText | None = Field(None, description="Markdown allowed; rendered safely.")
    _status_given: bool = PrivateAttr(False)
    history: Annotated[list[HistoryEvent], _may_be_empty(list[HistoryEvent], list)] = Field(
        default_factory=list, description="What happened, oldest first."
    )

    @model_validator(mode="after")
    def _defaults(self) -> Contact:
        if self.id is None:
            object.__setattr__(self, "id", make_id(self.name))
        self._status_given = self.status is not None
        if self.status is None:
            object.__setattr__(self, "status", status_from_history(self.history) or "to-contact")
        return self

    @property
    def status_given(self) -> bool:
        """Whether the profile wrote `status:` (rather than it following from the history)."""
        return self._status_given

    @property
    def first_name(self) -> str:
        """How the seeker addresses them: "Ngozi" for "Dr. Ngozi Okonkwo", "Uncle Ray" for "Uncle Ray"."""
        return address_name(self.name)


# Titles written before a name that are not how you greet someone in a note ("Dr. Ngozi …" → "Ngozi"), and
# family words that are ("Uncle Ray" stays "Uncle Ray"). English for now, like the rest of the words.
_TITLES = {"dr", "prof", "professor", "mr", "mrs", "ms", "mx", "miss", "sir", "dame", "rev", "revd", "fr", "hon"}
_FAMILY_WORDS = {"uncle", "aunt", "auntie", "aunty", "grandma", "grandpa", "granny", "nana", "cousin"}


def address_name(name: str) -> str:
    words = name.split()
    if len(words) == 2 and words[0].rstrip(".").casefold() in _TITLES:
        return name  # "Mr. Smith": the title and a surname are how you greet them
    while len(words) > 2 and words[0].rstrip(".").casefold() in _TITLES:
        words = words[1:]
    if len(words) > 1 and words[0].casefold() in _FAMILY_WORDS:
        return f"{words[0]} {words[1]}"
    return words[0]


def status_from_history(history: list[HistoryEvent]) -> Status | None:
    """The status the latest status-changing event implies (None when the history implies none)."""
    for event in reversed(history):
        if event.event in STATUS_AFTER_EVENT:
            return STATUS_AFTER_EVENT[event.event]
    return None


class Profile(Model):
    """One job seeker's profile: the input of a workbook."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "workbook profile"},
    )

    seeker: Seeker
    coach: Coach | None = None
    settings: Annotated[Settings, _may_be_empty(Settings, dict)] = Field(default_factory=Settings)
    target_roles: Annotated[list[TargetRole], Field(min_length=1)]
    contacts: Annotated[list[Contact], _may_be_empty(list[Contact], list)] = Field(default_factory=list)

    @property
    def client_id(self) -> str:
        return make_id(self.seeker.name)
