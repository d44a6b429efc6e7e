"""The follow-through cadence: a contact's history + today → what is due, when, and why.

The rules are data (`content/cadence.yaml`, or a language's own `content/<language>/cadence.yaml`;
overridable under `cadence:` in a coach's coach.yaml), validated with line numbers like the banks. `due_items` is pure: the same
contact and the same day always give the same items, so a build pinned with
`--today` is reproducible.

Where a contact is comes from their status (given, or following from the latest
history event); when the wait began comes from the dated events in their history,
or from the meeting's date where the history says nothing. Without a date to count
from, nothing is due: the workbook never invents history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import Field, model_validator

from generator.banks import PLACEHOLDER, check_braces
from generator.errors import Problem
from generator.languages import ENGLISH, content_file, content_root, shown
from generator.load import validate
from generator.models import Contact, Day, HistoryEvent, Meeting, Model, Text
from generator.source import Source, read_yaml

DueKind = Literal["nudge", "no-response", "thank-you", "update", "check-in", "prepare"]
DUE_KINDS: tuple[str, ...] = get_args(DueKind)
STEP_PLACEHOLDERS = {"first_name", "name", "since", "meeting"}
# Events that show the contact answered a request (anything after which a nudge would be wrong).
ANSWERS = {"replied", "scheduled", "met", "thanked", "updated", "checked-in", "declined"}
Days = Annotated[int, Field(ge=0, le=730)]


def _check_placeholders(text: str | None, where: str) -> None:
    if text is None:
        return
    check_braces(text, STEP_PLACEHOLDERS, where)


class Step(Model):
    """One step of the cadence: how many days, and what the workbook says."""

    days: Days
    text: Text
    reason: Text

    @model_validator(mode="after")
    def _placeholders(self) -> Step:
        _check_placeholders(self.text, "text")
        _check_placeholders(self.reason, "reason")
        return self


class StepPatch(Model):
    """A coach's change to one step: the keys left out keep the built-in values."""

    days: Days | None = None
    text: Text | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _placeholders(self) -> StepPatch:
        _check_placeholders(self.text, "text")
        _check_placeholders(self.reason, "reason")
        return self


class CadenceFile(Model):
    """The format of content/cadence.yaml."""

    horizon_days: Annotated[int, Field(ge=1, le=60)] = 7
    steps: dict[DueKind, Step]


class CadencePatch(Model):
    """`cadence:` in a coach's coach.yaml: any step, any key."""

    horizon_days: Annotated[int, Field(ge=1, le=60)] | None = None
    steps: dict[DueKind, StepPatch] = Field(default_factory=dict)


@dataclass(frozen=True)
class Cadence:
    horizon_days: int
    steps: dict[str, Step]


@dataclass(frozen=True)
class DueItem:
    """One follow-through step for one contact, on a day. Plain text, filled in."""

    date: Day
    kind: str  # nudge | no-response | thank-you | update | check-in | prepare
    text: str
    reason: str
    contact_id: str = ""

    def overdue(self, today: Day) -> bool:
        return self.date < today

    @property
    def day_label(self) -> str:
        return short_day(self.date)


@dataclass(frozen=True)
class ThisWeek:
    """What the tracker and home page open with: items overdue or due within the horizon, and the weekly goal."""

    today: date
    until: date  # the last day the list covers
    items: tuple[DueItem, ...]  # soonest (most overdue) first
    overdue: int
    week_start: date  # the Monday requests are counted from
    requests_sent: int  # `requested` events from week_start to today
    weekly_goal: int | None
    contact_names: dict[str, str] = field(default_factory=dict)

    @property
    def until_label(self) -> str:
        return short_day(self.until)

    @property
    def week_start_label(self) -> str:
        return short_day(self.week_start)


def _all_steps_given(source: Source) -> Iterable[Problem]:
    steps = source.data.get("steps")
    missing = [kind for kind in DUE_KINDS if not isinstance(steps, dict) or kind not in steps]
    if missing:
        yield source.problem(("steps",) if isinstance(steps, dict) else (), "needs a step for: " + ", ".join(missing))


def read_cadence(path: Path, display_name: str) -> Cadence:
    parsed = validate(read_yaml(path, display_name), CadenceFile, [_all_steps_given])
    return Cadence(parsed.horizon_days, {kind: step for kind, step in parsed.steps.items()})


def builtin_cadence(language: str = ENGLISH, content: Path | None = None) -> Cadence:
    """The cadence in `language`: content/<language>/cadence.yaml where the language has it (replacing the English
    file whole, so it must have every step), else content/cadence.yaml."""
    return _builtin_cadence(language, content_root(content))


@lru_cache(maxsize=16)
def _builtin_cadence(language: str, content: Path) -> Cadence:
    path = content_file("cadence.yaml", language, content)
    return read_cadence(path, shown(path, content))


def combine_cadence(base: Cadence, patch: CadencePatch | None) -> Cadence:
    """The built-in cadence with a coach's changes, key by key."""
    if patch is None:
        return base
    steps = dict(base.steps)
    for kind, change in patch.steps.items():
        given = change.model_dump(exclude_none=True)
        steps[kind] = steps[kind].model_copy(update=given)
    return Cadence(patch.horizon_days or base.horizon_days, steps)


# --- what is due ---------------------------------------------------------------------------------


def short_day(day: date) -> str:
    """E.g. "Fri 20 Nov"."""
    return f"{day:%a} {day.day} {day:%b}"


def _latest(history: list[HistoryEvent], kinds: set[str]) -> tuple[int, HistoryEvent] | None:
    for index in range(len(history) - 1, -1, -1):
        if history[index].event in kinds:
            return index, history[index]
    return None


def due_items(contact: Contact, cadence: Cadence, today: date) -> tuple[DueItem, ...]:
    """Every follow-through step that is due for `contact`, overdue ones included, soonest first."""
    history = list(contact.history)
    steps = cadence.steps
    meeting_starts = contact.meeting.starts if contact.meeting else None
    meeting_day = meeting_starts.date() if meeting_starts else None
    meeting_when = _meeting_when(contact.meeting, meeting_starts) if contact.meeting and meeting_starts else ""
    items: list[DueItem] = []

    def add(kind: str, day: date, since: date) -> None:
        values = {
            "first_name": contact.first_name,
            "name": contact.name,
            "since": short_day(since),
            "meeting": meeting_when,
        }
        step = steps[kind]
        items.append(DueItem(day, kind, _fill(step.text, values), _fill(step.reason, values), contact.id or ""))

    status = contact.status
    if status in ("closed", "no-response"):
        return ()
    upcoming = meeting_day is not None and meeting_day >= today
    if status == "requested":
        asked = _latest(history, {"requested", "reminded"})
        if asked and not any(event.event in ANSWERS for event in history[asked[0] + 1 :]):
            index, event = asked
            kind = "nudge" if event.event == "requested" else "no-response"
            add(kind, event.day + timedelta(days=steps[kind].days), event.day)
    elif status == "met":
        met = _latest(history, {"met"})
        # Without a `met` event, the meeting's own date says when, once it has come.
        met_day = met[1].day if met else (meeting_day if meeting_day and meeting_day <= today else None)
        if met_day:
            add("thank-you", met_day + timedelta(days=steps["thank-you"].days), met_day)
    elif status == "thanked":
        thanked = _latest(history, {"thanked"})
        met = _latest(history, {"met"})
        # Without a dated thank-you, count from the day it was due.
        since: Day | None
        if thanked:
            since = thanked[1].day
        else:
            met_day = met[1].day if met else meeting_day
            since = met_day + timedelta(days=steps["thank-you"].days) if met_day else None
        if since:
            add("update", since + timedelta(days=steps["update"].days), since)
    elif status == "following-up" and not upcoming:
        last = _latest(history, {"updated", "checked-in", "thanked", "met", "replied"})
        if last:
            since = last[1].day
            add("check-in", since + timedelta(days=steps["check-in"].days), since)
    if (
        upcoming
        and meeting_day is not None
        and status in ("to-contact", "requested", "scheduled", "thanked", "following-up")
        and not any(event.event == "met" and event.day >= meeting_day for event in history)
    ):
        add("prepare", max(meeting_day - timedelta(days=steps["prepare"].days), today), meeting_day)
    return tuple(sorted(items, key=lambda item: (item.date, DUE_KINDS.index(item.kind))))


def this_week(
    contacts: Iterable[Contact],
    due: dict[str, tuple[DueItem, ...]],
    cadence: Cadence,
    today: date,
    weekly_goal: int | None,
) -> ThisWeek:
    """Items overdue or due before the horizon ends, and the requests sent since Monday."""
    until = today + timedelta(days=cadence.horizon_days - 1)
    contacts = list(contacts)
    items = sorted(
        (item for contact in contacts for item in due.get(contact.id, ()) if item.date <= until),
        key=lambda item: (item.date, DUE_KINDS.index(item.kind), item.contact_id),
    )
    monday = today - timedelta(days=today.weekday())
    sent = sum(
        1
        for contact in contacts
        for event in contact.history
        if event.event == "requested" and monday <= event.day <= today
    )
    return ThisWeek(
        today,
        until,
        tuple(items),
        sum(item.date < today for item in items),
        monday,
        sent,
        weekly_goal,
        {contact.id: contact.name for contact in contacts},
    )


def _fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), text)


def _meeting_when(meeting: Meeting, starts: datetime) -> str:
    day = short_day(starts.date())
    return f"{day}, {starts:%H:%M}" if meeting.has_time else day
