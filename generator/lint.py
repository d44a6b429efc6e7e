"""Warnings: things in a valid profile that are probably mistakes, each with its line and column.

A warning never stops a build (`check` still exits 0); it names what would make the
workbook say something untrue (a tracker that calls a past meeting "scheduled") or what
was left as the starter file wrote it.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import yaml

from generator.errors import Problem
from generator.models import Profile, status_from_history
from generator.paths import STARTER
from generator.source import Key, Source, shorten

# Keys whose value in the starter is a placeholder for the user's own words (not a choice such as
# `relationship: friend` or `paper: letter`, which may well be meant).
_FREE_TEXT_KEYS = {
    "name",
    "headline",
    "strengths",
    "pitch",
    "title",
    "industry",
    "why",
    "companies",
    "keywords",
    "role",
    "company",
    "how_we_met",
    "interests",
    "hobbies",
    "needs",
    "questions",
    "referred_by",
    "notes",
    "place",
    "location",
}

# A status written beside a history is consistent with what the latest event implies when it is that
# status, or a later step the history need not record.
_CONSISTENT = {
    "requested": {"requested", "no-response", "closed"},
    "scheduled": {"scheduled", "closed"},
    "met": {"met", "following-up", "closed"},
    "thanked": {"thanked", "following-up", "closed"},
    "following-up": {"following-up", "closed"},
    "closed": {"closed"},
}


@lru_cache(maxsize=1)
def starter_values() -> frozenset[str]:
    """The placeholder texts of data/starter.yaml (what `workbook new` writes)."""
    found: set[str] = set()

    def walk(node: object, key: str | None) -> None:
        if isinstance(node, dict):
            for child_key, value in node.items():
                walk(value, str(child_key))
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and key in _FREE_TEXT_KEYS:
            found.add(node.strip())

    walk(yaml.safe_load(STARTER.read_text(encoding="utf-8")), None)
    return frozenset(found)


def _starter_warnings(source: Source) -> list[Problem]:
    """Every value still exactly as the starter wrote it, where the starter's value was a placeholder."""
    placeholders = starter_values()
    warnings: list[Problem] = []

    def walk(node: object, path: Key, key: str | None) -> None:
        if isinstance(node, dict):
            for child_key, value in node.items():
                walk(value, path + (child_key,), str(child_key))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, path + (index,), key)
        elif isinstance(node, str) and key in _FREE_TEXT_KEYS and node.strip() in placeholders:
            problem = source.problem(
                path,
                f"still the starter's placeholder '{shorten(node.strip())}'; "
                "write your own (or delete the line if it is optional)",
            )
            warnings.append(
                Problem(problem.file, problem.line, problem.column, problem.path, problem.message, warning=True)
            )

    walk(source.data, (), None)
    return warnings


# A `met` note that talks about them ("she said …") reads wrongly when the thank-you draft quotes it to them.
_THIRD_PERSON = re.compile(r"\b(she|he|her|him|his)\b|\bthey (said|say|told me|think|mentioned)\b", re.IGNORECASE)


def profile_warnings(source: Source, profile: Profile, today: date) -> list[Problem]:
    warnings: list[Problem] = _starter_warnings(source)
    for index, contact in enumerate(profile.contacts):
        here = ("contacts", index)
        status_at = here + ("status",) if contact.status_given else here

        def warn(path: Key, message: str) -> None:
            problem = source.problem(path, message)
            warnings.append(Problem(problem.file, problem.line, problem.column, problem.path, message, warning=True))

        for position, event in enumerate(contact.history):
            if event.event == "met" and event.note and _THIRD_PERSON.search(event.note):
                warn(
                    here + ("history", position, "note"),
                    'the thank-you draft quotes this note to them ("One thing you shared has stayed with me: …"); '
                    'write it as what they shared, e.g. "how the rotation kept new trainers from burning out"',
                )
        implied = status_from_history(contact.history)
        if contact.status_given and implied and contact.status not in _CONSISTENT.get(implied, {implied}):
            latest = next(e for e in reversed(contact.history) if status_from_history([e]))
            warn(
                status_at,
                f"status is '{contact.status}', but the latest event in `history` "
                f"({latest.event} on {latest.date}) says '{implied}'; "
                "update the status or leave it out so it follows the history",
            )
        starts = contact.meeting.starts if contact.meeting else None
        meeting_date = contact.meeting.date if contact.meeting else None
        met_on_record = any(event.event == "met" for event in contact.history)
        if contact.status == "scheduled" and starts and starts.date() < today:
            warn(
                status_at,
                f"status is 'scheduled', but the meeting date {meeting_date} has passed; "
                "if you met, set status to met (or run `workbook log … met`), otherwise move the date",
            )
        if contact.status in ("met", "thanked") and not starts and not met_on_record:
            warn(
                status_at,
                f"status is '{contact.status}', but there is no meeting date; "
                "add `meeting: {date: YYYY-MM-DD}` (or a `met` event in history) so thank-yous and "
                "follow-ups can be dated",
            )
        if contact.status == "to-contact" and starts and starts.date() < today:
            warn(
                status_at,
                f"status is 'to-contact', but the meeting date {meeting_date} has passed; "
                "update the status or the date",
            )
    return warnings
