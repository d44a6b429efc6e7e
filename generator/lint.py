"""Warnings: things in a valid profile that are probably mistakes, each with its line and column.

A warning never stops a build (`check` still exits 0); it names what would make the
workbook say something untrue (a tracker that calls a past meeting "scheduled") or what
was left as the starter file wrote it.
"""

from __future__ import annotations

from datetime import date

from generator.errors import Problem
from generator.models import Profile, status_from_history
from generator.source import Source

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


def profile_warnings(source: Source, profile: Profile, today: date) -> list[Problem]:
    warnings: list[Problem] = []
    for index, contact in enumerate(profile.contacts):
        here = ("contacts", index)
        status_at = here + ("status",) if contact.status_given else here

        def warn(path: tuple, message: str) -> None:
            problem = source.problem(path, message)
            warnings.append(Problem(problem.file, problem.line, problem.column, problem.path, message, warning=True))

        implied = status_from_history(contact.history)
        if contact.status_given and implied and contact.status not in _CONSISTENT.get(implied, {implied}):
            latest = next(e for e in reversed(contact.history) if status_from_history([e]))
            warn(status_at, f"status is '{contact.status}', but the latest event in `history` "
                            f"({latest.event} on {latest.date}) says '{implied}'; "
                            "update the status or leave it out so it follows the history")
        starts = contact.meeting.starts if contact.meeting else None
        met_on_record = any(event.event == "met" for event in contact.history)
        if contact.status == "scheduled" and starts and starts.date() < today:
            warn(status_at, f"status is 'scheduled', but the meeting date {contact.meeting.date} has passed; "
                            "if you met, set status to met (or run `workbook log … met`), otherwise move the date")
        if contact.status in ("met", "thanked") and not starts and not met_on_record:
            warn(status_at, f"status is '{contact.status}', but there is no meeting date; "
                            "add `meeting: {date: YYYY-MM-DD}` (or a `met` event in history) so thank-yous and "
                            "follow-ups can be dated")
        if contact.status == "to-contact" and starts and starts.date() < today:
            warn(status_at, f"status is 'to-contact', but the meeting date {contact.meeting.date} has passed; "
                            "update the status or the date")
    return warnings
