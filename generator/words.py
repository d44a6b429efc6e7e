"""The workbook's own words: every label and short sentence a reader sees, as data, per language.

English lives in `content/labels.yaml`; another language is `content/<language>/labels.yaml` (the
language is `settings.language`, e.g. `de` or `pt-BR`; `pt-BR` falls back to `pt`: generator/languages.py).
Unlike the banks, drafts, cadence and guide, which a language's file replaces whole, a translation may
be partial: an entry it leaves out reads in English, and a language with no file reads wholly in
English. A coach may change any entry under `words:` in coach.yaml, entry by entry. Every file is
validated like a profile: an unknown section or key, an empty entry or a placeholder the entry may not
use is an error at its `file:line:col`.

The tailor stage puts the chosen words on the ClientPlan (`workbook.words`) and into the plans'
labels and reasons, so renderers stay thin: templates read `words.pages.home`, `words.site.clear_ticks`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field

from generator.banks import ContactKind, Stage, Trigger, placeholders_in
from generator.errors import Problem
from generator.languages import ENGLISH, content_file, content_root, shown
from generator.load import validate
from generator.models import MeetingFormat, Model, Relationship, Status, Text
from generator.source import Source, read_yaml

LABELS_FILE = "labels.yaml"
_PLACEHOLDER = re.compile(r"(\{[a-z_]+\})")

PageKey = Literal["home", "guide", "roles", "contacts", "tracker", "banks", "question_bank", "offer_bank"]
SiteKey = Literal[
    "site_name",
    "prepared_by",
    "clear_ticks",
    "offers_list",
    "after_list",
    "suits_anyone",
    "suits_kinds",
    "or",
    "chart_caption",
    "contact",
    "contacts",
]
ReasonKey = Literal[
    "own_question",
    "last_time",
    "how_we_met",
    "referral_unknown",
    "people_in_industry",
    "kind_sentence",
    "kind_with_role",
    "kind_with_role_at",
    "known",
    "known_interests",
    "known_needs",
    "known_hobbies",
]
KindClauseKey = Literal["senior", "senior_field", "peer", "recruiter", "adjacent", "adjacent_field"]
MeetingKindKey = Literal["first", "follow-up"]
DraftWordKey = Literal[
    "request",
    "connection-note",
    "nudge",
    "thank-you",
    "update",
    "check-in",
    "met_on",
    "met_recently",
    "characters",
    "words",
]
CalendarKey = Literal[
    "name", "meeting", "meeting_at", "who", "who_at", "length", "format", "place", "first_questions", "subject"
]

# The placeholders each entry may use: by (section, key), else by section; anything else is an error.
PLACEHOLDERS: dict[str | tuple[str, str], set[str]] = {
    ("site", "site_name"): {"name"},
    ("site", "offers_list"): {"name"},
    ("site", "after_list"): {"name"},
    ("site", "suits_kinds"): {"kinds"},
    ("site", "chart_caption"): {"total", "noun", "summary"},
    ("reasons", "own_question"): {"first_name"},
    ("reasons", "last_time"): {"note"},
    ("reasons", "how_we_met"): {"how"},
    ("reasons", "referral_unknown"): {"first_name"},
    ("reasons", "people_in_industry"): {"industry"},
    ("reasons", "kind_sentence"): {"first_name", "what"},
    ("reasons", "kind_with_role"): {"first_name", "what", "role"},
    ("reasons", "kind_with_role_at"): {"first_name", "what", "role", "company"},
    ("reasons", "known"): {"first_name", "facts"},
    ("reasons", "known_interests"): {"list"},
    ("reasons", "known_needs"): {"list"},
    ("reasons", "known_hobbies"): {"list"},
    ("why_relationship", "referral"): {"first_name", "referrer"},
    "why_relationship": {"first_name"},
    ("calendar", "name"): {"name"},
    ("calendar", "meeting"): {"name"},
    ("calendar", "meeting_at"): {"name", "company"},
    ("calendar", "who"): {"name", "role"},
    ("calendar", "who_at"): {"name", "role", "company"},
    ("calendar", "length"): {"minutes"},
    ("calendar", "format"): {"format"},
    ("calendar", "place"): {"place"},
    ("calendar", "subject"): {"subject"},
    ("draft_words", "met_on"): {"day"},
    ("draft_words", "characters"): {"count"},
    ("draft_words", "words"): {"count"},
    ("why_kind", "senior"): {"target"},
    ("why_kind", "adjacent"): {"target"},
}


class Words(Model):
    """The format of a labels file (and of `words:` in coach.yaml). Every section and entry is optional in a
    translation or a coach's file; the English file must have them all."""

    stages: dict[Stage, Text] = Field(default_factory=dict, description="Conversation stages, in order.")
    statuses: dict[Status, Text] = Field(default_factory=dict)
    relationships: dict[Relationship, Text] = Field(default_factory=dict)
    kinds: dict[ContactKind, Text] = Field(default_factory=dict, description="Reads after a first name.")
    formats: dict[MeetingFormat, Text] = Field(default_factory=dict)
    offer_triggers: dict[Trigger, Text] = Field(default_factory=dict)
    meeting_kinds: dict[MeetingKindKey, Text] = Field(default_factory=dict)
    pages: dict[PageKey, Text] = Field(default_factory=dict)
    site: dict[SiteKey, Text] = Field(default_factory=dict)
    after_meeting: list[Text] | None = Field(None, description="The after-meeting checklist, in order.")
    reasons: dict[ReasonKey, Text] = Field(default_factory=dict)
    why_relationship: dict[Relationship, Text] = Field(default_factory=dict)
    why_kind: dict[KindClauseKey, Text] = Field(default_factory=dict)
    calendar: dict[CalendarKey, Text] = Field(default_factory=dict)
    draft_words: dict[DraftWordKey, Text] = Field(default_factory=dict, description="Draft titles and sizes.")
    text: dict[str, dict[str, Text]] = Field(
        default_factory=dict,
        description="The words of each page template, by template and entry; the English file names every entry.",
    )


DICT_SECTIONS: dict[str, tuple[str, ...]] = {
    "stages": get_args(Stage),
    "statuses": get_args(Status),
    "relationships": get_args(Relationship),
    "kinds": get_args(ContactKind),
    "formats": get_args(MeetingFormat),
    "offer_triggers": get_args(Trigger),
    "meeting_kinds": get_args(MeetingKindKey),
    "pages": get_args(PageKey),
    "site": get_args(SiteKey),
    "reasons": get_args(ReasonKey),
    "why_relationship": get_args(Relationship),
    "why_kind": get_args(KindClauseKey),
    "calendar": get_args(CalendarKey),
    "draft_words": get_args(DraftWordKey),
}


def fill(template: str, **values: object) -> str:
    """`template` with each {name} replaced by its value, once: a value is never read as a template."""
    return "".join(
        str(values[part[1:-1]]) if part.startswith("{") and part[1:-1] in values else part for part in _split(template)
    )


def parts(template: str, values: dict[str, Any]) -> list[tuple[str, Any]]:
    """A page's words cut into what each renderer escapes its own way: ("text", words), ("code", `a key`)
    and ("value", the value of a {placeholder}). Backticks in the project's words mark a key of the profile."""
    result: list[tuple[str, Any]] = []
    for piece in _split(template):
        name = piece[1:-1]
        if piece.startswith("{") and name in values:
            result.append(("value", values[name]))
            continue
        for index, chunk in enumerate(piece.split("`")):
            if chunk:
                result.append(("code" if index % 2 else "text", chunk))
    return result


def _split(template: str) -> list[str]:
    return [part for part in _PLACEHOLDER.split(template) if part]


def check_placeholders(prefix: tuple[str, ...] = ()) -> Any:
    """A cross-check: each entry uses only the placeholders it may (see PLACEHOLDERS)."""

    def check(source: Source) -> Iterable[Problem]:
        data: Any = source.data
        for part in prefix:
            data = data.get(part) if isinstance(data, dict) else None
        if not isinstance(data, dict):
            return
        for section in DICT_SECTIONS:
            entries = data.get(section)
            if not isinstance(entries, dict):
                continue
            for key, text in entries.items():
                if not isinstance(text, str):
                    continue
                allowed = PLACEHOLDERS.get((section, key), PLACEHOLDERS.get(section, set()))
                unknown = sorted(placeholders_in(text) - allowed)
                if unknown:
                    may = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
                    yield source.problem(
                        (*prefix, section, key), f"unknown placeholder {{{unknown[0]}}}; this entry may use: {may}"
                    )

    return check


def check_text(base: Words, prefix: tuple[str, ...] = ()) -> Any:
    """A cross-check: every `text:` entry is one the English file has, using only the placeholders it uses."""

    def check(source: Source) -> Iterable[Problem]:
        data: Any = source.data
        for part in (*prefix, "text"):
            data = data.get(part) if isinstance(data, dict) else None
        if not isinstance(data, dict):
            return
        for page, entries in data.items():
            if page not in base.text:
                known = ", ".join(sorted(base.text))
                yield source.problem((*prefix, "text", page), f"no page '{page}' has words (known: {known})", key=True)
                continue
            if not isinstance(entries, dict):
                continue
            for key, text in entries.items():
                if key not in base.text[page]:
                    yield source.problem((*prefix, "text", page, key), f"'{page}' has no entry '{key}'", key=True)
                elif isinstance(text, str):
                    allowed = placeholders_in(base.text[page][key])
                    unknown = sorted(placeholders_in(text) - allowed)
                    if unknown:
                        may = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
                        yield source.problem(
                            (*prefix, "text", page, key),
                            f"unknown placeholder {{{unknown[0]}}}; this entry may use: {may}",
                        )

    return check


def _complete(source: Source) -> Iterable[Problem]:
    """The English file is the fallback for every other language, so it must have every entry."""
    data = source.data if isinstance(source.data, dict) else {}
    for section, keys in DICT_SECTIONS.items():
        given = data.get(section)
        missing = [key for key in keys if not isinstance(given, dict) or key not in given]
        if missing:
            yield source.problem((section,) if section in data else (), f"{section}: missing " + ", ".join(missing))
    if not data.get("after_meeting"):
        yield source.problem((), "after_meeting: missing (the after-meeting checklist)")


def read_words(path: Path, display_name: str, *, complete: bool = False, base: Words | None = None) -> Words:
    """A labels file; `complete`: the English one, which must have every entry; `base`: the English words."""
    checks = [check_placeholders()]
    if complete:
        checks.append(_complete)
    if base is not None:
        checks.append(check_text(base))
    return validate(read_yaml(path, display_name), Words, checks)


def words_for(language: str = ENGLISH, coach: Words | None = None, content: Path | None = None) -> Words:
    """English, then the language's own entries over it, then the coach's (coach.yaml `words:`) over those."""
    words = builtin_words(language, content)
    return combine(words, coach) if coach is not None else words


def builtin_words(language: str = ENGLISH, content: Path | None = None) -> Words:
    """English, with the language's own entries (content/<language>/labels.yaml) over it."""
    return _builtin_words(language, content_root(content))


@lru_cache(maxsize=16)
def _builtin_words(language: str, content: Path) -> Words:
    english = content / LABELS_FILE
    words = read_words(english, shown(english, content), complete=True)
    path = content_file(LABELS_FILE, language, content)
    if path != english:
        words = combine(words, read_words(path, shown(path, content), base=words))
    return words


def combine(base: Words, patch: Words) -> Words:
    """`base` with every entry `patch` gives in its place (entry by entry; the checklist as a whole)."""
    values = base.model_dump()
    for section, given in patch.model_dump(exclude_unset=True).items():
        if section == "text":
            values["text"] = {page: {**values["text"].get(page, {}), **entries} for page, entries in given.items()}
            values["text"].update({page: entries for page, entries in base.text.items() if page not in given})
        elif isinstance(given, dict):
            values[section] = {**values[section], **given}
        elif given is not None:
            values[section] = given
    return Words.model_validate(values)
