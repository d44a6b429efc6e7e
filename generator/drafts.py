"""Drafts in the seeker's voice: the message a contact needs next, filled in from the profile.

The words are data (`content/drafts.yaml`, or a language's own `content/<language>/drafts.yaml`;
replaceable draft by draft under `drafts:` in a coach's coach.yaml). Which draft a contact gets follows where they are: a meeting request
(by relationship) and a connection note before you ask, a nudge while you wait, a thank-you
after you meet, an update after the thank-you, a check-in after that. Values are inserted
once, by code: what a user wrote is never read as a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, get_args
from urllib.parse import quote

from pydantic import Field, StringConstraints, model_validator

from generator.banks import PLACEHOLDER, check_braces, placeholders_in
from generator.errors import Problem
from generator.languages import ENGLISH, content_file, content_root, shown
from generator.load import validate
from generator.models import RELATIONSHIPS, Contact, Model, Relationship, Seeker, Text
from generator.source import Source, read_yaml
from generator.words import Words, builtin_words, fill

FollowUpKind = Literal["connection-note", "nudge", "thank-you", "update", "check-in"]
DRAFT_KINDS: tuple[str, ...] = ("request", *get_args(FollowUpKind))
Needable = Literal["pitch", "interest", "referrer", "shared", "company"]
ALWAYS_THERE = {"first_name", "my_name", "my_first_name", "minutes", "met_on"}
FALLBACK_PLACEHOLDERS = ("company", "target_role")
DRAFT_PLACEHOLDERS = ALWAYS_THERE | set(FALLBACK_PLACEHOLDERS) | set(get_args(Needable))
MAX_EMAIL_WORDS = 120
MAX_NOTE_CHARS = 200
MAX_ASK_MINUTES = 30  # a longer meeting is something they offer, not something you ask for
# Which drafts fit a contact at each status; none while a meeting is set or after a no.
DRAFTS_AT = {
    "to-contact": ("request", "connection-note"),
    "requested": ("nudge",),
    "met": ("thank-you",),
    "thanked": ("update",),
    "following-up": ("check-in",),
}
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=3000)]


class Version(Model):
    needs: list[Needable] = Field(default_factory=list)
    subject: Text | None = None
    body: Body

    @model_validator(mode="after")
    def _placeholders(self) -> Version:
        for where, text in (("subject", self.subject), ("body", self.body)):
            if text is None:
                continue
            check_braces(text, DRAFT_PLACEHOLDERS, where)
            for name in sorted(placeholders_in(text) & set(get_args(Needable)) - set(self.needs)):
                raise ValueError(
                    f"{{{name}}} may be empty; add `needs: [{name}]` so this version is only used when it has a value"
                )
        return self


Versions = Annotated[list[Version], Field(min_length=1)]


class DraftBankFile(Model):
    """The format of content/drafts.yaml."""

    placeholders: dict[Literal["company", "target_role"], Text] = Field(default_factory=dict)
    requests: dict[Relationship, Versions] = Field(default_factory=dict)
    drafts: dict[FollowUpKind, Versions] = Field(default_factory=dict)


class DraftBankPatch(DraftBankFile):
    """`drafts:` in a coach's coach.yaml: any draft given replaces that draft's versions."""


@dataclass(frozen=True)
class DraftBank:
    placeholders: dict[str, str]
    requests: dict[str, tuple[Version, ...]]
    drafts: dict[str, tuple[Version, ...]]


@dataclass(frozen=True)
class Draft:
    """One message to send, filled in; plain text (renderers escape it)."""

    kind: str  # request | connection-note | nudge | thank-you | update | check-in
    title: str
    subject: str | None  # None for a connection note
    body: str
    email: str | None  # the contact's, for a mailto: link
    size_label: str = ""  # "84 words" or "180 characters", in the workbook's language (content/labels.yaml)

    @property
    def is_note(self) -> bool:
        return self.kind == "connection-note"

    @property
    def size(self) -> int:
        """Characters for a connection note, words for an email."""
        return len(self.body) if self.is_note else len(self.body.split())

    @property
    def limit(self) -> int:
        return MAX_NOTE_CHARS if self.is_note else MAX_EMAIL_WORDS

    @property
    def too_long(self) -> bool:
        return self.size > self.limit

    @property
    def mailto(self) -> str | None:
        """A mailto: URL with subject and body (RFC 6068: every value percent-encoded, lines end CRLF)."""
        if not self.email or self.is_note:
            return None
        body = "\r\n".join(self.body.split("\n"))
        return (
            f"mailto:{quote(self.email, safe='@')}?subject={quote(self.subject or '', safe='')}"
            f"&body={quote(body, safe='')}"
        )


def last_version_needs_nothing(*prefix: str) -> Callable[[Source], Iterable[Problem]]:
    """A cross-check: the last version of every draft needs nothing (under `prefix`, e.g. a coach's `drafts:`)."""

    def check(source: Source) -> Iterable[Problem]:
        data = source.data
        for part in prefix:
            data = data.get(part) if isinstance(data, dict) else None
        for section in ("requests", "drafts"):
            lists = data.get(section) if isinstance(data, dict) else None
            if not isinstance(lists, dict):
                continue
            for key, versions in lists.items():
                last = versions[-1] if isinstance(versions, list) and versions else None
                if isinstance(last, dict) and last.get("needs"):
                    yield source.problem(
                        (*prefix, section, key, len(versions) - 1, "needs"),
                        "the last version must need nothing, so there is always a draft",
                    )

    return check


def _complete(source: Source) -> Iterable[Problem]:
    requests = source.data.get("requests") if isinstance(source.data.get("requests"), dict) else {}
    drafts = source.data.get("drafts") if isinstance(source.data.get("drafts"), dict) else {}
    missing = [r for r in RELATIONSHIPS if r not in requests] + [k for k in get_args(FollowUpKind) if k not in drafts]
    placeholders = source.data.get("placeholders") if isinstance(source.data.get("placeholders"), dict) else {}
    missing += [f"placeholders.{name}" for name in FALLBACK_PLACEHOLDERS if name not in placeholders]
    if missing:
        yield source.problem((), "needs drafts for: " + ", ".join(missing))


def read_draft_bank(path: Path, display_name: str) -> DraftBank:
    parsed = validate(read_yaml(path, display_name), DraftBankFile, [last_version_needs_nothing(), _complete])
    return DraftBank(
        dict(parsed.placeholders.items()),
        {k: tuple(v) for k, v in parsed.requests.items()},
        {k: tuple(v) for k, v in parsed.drafts.items()},
    )


def builtin_drafts(language: str = ENGLISH, content: Path | None = None) -> DraftBank:
    """The drafts in `language`: content/<language>/drafts.yaml where the language has it (replacing the English
    file whole, so it must have every draft), else content/drafts.yaml."""
    return _builtin_drafts(language, content_root(content))


@lru_cache(maxsize=16)
def _builtin_drafts(language: str, content: Path) -> DraftBank:
    path = content_file("drafts.yaml", language, content)
    return read_draft_bank(path, shown(path, content))


def combine_drafts(base: DraftBank, patch: DraftBankPatch | None) -> DraftBank:
    if patch is None:
        return base
    return DraftBank(
        {**base.placeholders, **dict(patch.placeholders.items())},
        {**base.requests, **{k: tuple(v) for k, v in patch.requests.items()}},
        {**base.drafts, **{k: tuple(v) for k, v in patch.drafts.items()}},
    )


# --- a contact's drafts ---------------------------------------------------------------------------


def drafts_for(
    contact: Contact,
    seeker: Seeker,
    bank: DraftBank,
    *,
    minutes: int,
    referrer: str | None,
    target_role: str | None,
    words: Words | None = None,
) -> tuple[Draft, ...]:
    """The drafts that fit where `contact` is (none while a meeting is set, or after a no).

    `words`: the titles and labels in the workbook's language (default: English)."""
    labels: dict[str, str] = dict((words or builtin_words()).draft_words.items())
    kinds = DRAFTS_AT.get(contact.status or "to-contact", ())
    if contact.status == "requested" and any(event.event == "reminded" for event in contact.history):
        kinds = ()  # nudged already: the cadence suggests letting it go, not a second nudge
    met = next((event for event in reversed(contact.history) if event.event == "met"), None)
    meeting_day = contact.meeting.starts.date() if contact.meeting and contact.meeting.starts else None
    met_day = met.day if met else meeting_day
    values = {
        "first_name": contact.first_name,
        "my_name": seeker.name,
        "my_first_name": seeker.name.split()[0],
        "pitch": _sentence(seeker.pitch),
        "company": contact.company,
        "interest": _phrase(contact.interests[0]) if contact.interests else None,
        "referrer": referrer if contact.relationship == "referral" else None,
        "shared": _phrase(met.note) if met and met.note else None,
        "target_role": target_role,
        "minutes": str(min(minutes, MAX_ASK_MINUTES)),
        "met_on": (
            fill(labels["met_on"], day=f"{met_day:%a} {met_day.day} {met_day:%b}")
            if met_day
            else labels["met_recently"]
        ),
    }
    drafts = []
    for kind in kinds:
        versions = bank.requests[contact.relationship] if kind == "request" else bank.drafts[kind]
        drafts.append(_choose(kind, versions, values, bank.placeholders, contact.email, labels))
    return tuple(drafts)


def _choose(
    kind: str,
    versions: tuple[Version, ...],
    values: dict[str, str | None],
    fallbacks: dict[str, str],
    email: str | None,
    labels: Mapping[str, str],
) -> Draft:
    """The first version whose needs have values and that keeps to the limit; else the last one."""
    usable = [version for version in versions if all(values.get(need) for need in version.needs)] or [versions[-1]]
    for version in usable:
        draft = Draft(
            kind,
            labels[kind],
            _fill(version.subject, values, fallbacks) if version.subject else None,
            _fill(version.body, values, fallbacks),
            email,
        )
        draft = replace(draft, size_label=fill(labels["characters" if draft.is_note else "words"], count=draft.size))
        if not draft.too_long:
            return draft
    return draft  # over the limit even at its shortest: shown with its size, so the seeker can trim it


def _fill(text: str, values: dict[str, str | None], fallbacks: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1)) or fallbacks.get(match.group(1), ""), text).strip()


def _phrase(text: str) -> str:
    """A value used inside a sentence: without its own closing punctuation."""
    return re.sub(r"[\s.!?;:,]+$", "", " ".join(text.split()))


def _sentence(text: str | None) -> str | None:
    """The pitch as a sentence of its own (it may be written without a full stop)."""
    if not text:
        return None
    text = " ".join(text.split())
    return text if text[-1] in ".!?…" else text + "."
