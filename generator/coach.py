"""A coach's `coach.yaml`: branding and settings defaults for every client, and the coach's changes to the content.

The changes (`question_bank`, `offer_bank`, `cadence`, `drafts`, `words`) are validated when the file is read
and kept as they are; `content_for` puts them on top of each client's *language's* content
(generator/languages.py), so a coach's question replaces the Portuguese one for a client in Portuguese
and the English one for a client in English.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from generator.banks import Banks, OfferBankPatch, QuestionBankPatch, builtin_banks, combine
from generator.cadence import CadencePatch, builtin_cadence, combine_cadence
from generator.drafts import DraftBankPatch, builtin_drafts, combine_drafts, last_version_needs_nothing
from generator.errors import AllProblems
from generator.guide import load_guide
from generator.languages import ENGLISH, content_root
from generator.load import Defaults, check_logo, unique_ids, validate
from generator.models import Coach, Model, Settings
from generator.source import read_yaml
from generator.words import Words, builtin_words, check_placeholders, check_text
from generator.workbook import GuidePage


class CoachFile(Model):
    """The format of `coach.yaml`. Every section is optional."""

    coach: Coach | None = None
    settings: Settings | None = None
    question_bank: QuestionBankPatch | None = Field(
        None, description="Same format as content/questions.yaml, plus `replace`."
    )
    offer_bank: OfferBankPatch | None = Field(None, description="Same format as content/offers.yaml, plus `replace`.")
    cadence: CadencePatch | None = Field(None, description="Changes to content/cadence.yaml, step by step, key by key.")
    drafts: DraftBankPatch | None = Field(
        None, description="Drafts that replace those in content/drafts.yaml, draft by draft."
    )
    words: Words | None = Field(
        None, description="Changes to content/labels.yaml (the labels and short sentences), entry by entry."
    )


# eq=False: compared (and cached, in `content_for`) by identity; the validated sections hold lists, not hashable.
@dataclass(frozen=True, eq=False)
class CoachChanges:
    """A coach's changes to the content, validated, in no language of their own: applied per client."""

    question_bank: QuestionBankPatch | None = None
    offer_bank: OfferBankPatch | None = None
    cadence: CadencePatch | None = None
    drafts: DraftBankPatch | None = None
    words: Words | None = None


NO_CHANGES = CoachChanges()


@dataclass(frozen=True)
class LoadedCoach:
    path: Path
    coach: Coach | None  # the coach's own branding, validated
    defaults: Defaults
    changes: CoachChanges = field(default=NO_CHANGES)

    def banks_for(self, language: str = ENGLISH) -> Banks:
        """The banks a client of this coach in `language` is tailored from."""
        return content_for(language, self.changes)[0]


def load_coach_file(path: Path, display_name: str | None = None) -> LoadedCoach:
    source = read_yaml(path, display_name)
    base = path.resolve().parent

    checks = [
        unique_ids("question_bank.questions"),
        unique_ids("offer_bank.offers"),
        lambda s: check_logo(s, base),
        last_version_needs_nothing("drafts"),
        check_placeholders(("words",)),
        check_text(builtin_words(), ("words",)),
    ]
    parsed = validate(source, CoachFile, checks)
    # Only the keys the coach wrote become defaults, so a client's own keys (and the built-in defaults) still apply.
    defaults = Defaults(coach=dict(source.data.get("coach") or {}), settings=dict(source.data.get("settings") or {}))
    changes = CoachChanges(parsed.question_bank, parsed.offer_bank, parsed.cadence, parsed.drafts, parsed.words)
    return LoadedCoach(path, parsed.coach, defaults, changes)


def content_for(
    language: str = ENGLISH, changes: CoachChanges | None = None, content: Path | None = None
) -> tuple[Banks, tuple[GuidePage, ...]]:
    """What a client's workbook is tailored from: the banks (with the cadence, drafts and the coach's words) and
    the guide of the client's language, the coach's changes on top. A problem in any of the language's files is
    raised with all the others at once. Cached per (language, changes, content folder): a coach's fifty clients
    read each file once."""
    return _content_for(language, changes or NO_CHANGES, content_root(content))


@lru_cache(maxsize=64)
def _content_for(language: str, changes: CoachChanges, content: Path) -> tuple[Banks, tuple[GuidePage, ...]]:
    found = AllProblems()
    banks = found.attempt(lambda: builtin_banks(language, content))
    cadence = found.attempt(lambda: builtin_cadence(language, content))
    drafts = found.attempt(lambda: builtin_drafts(language, content))
    found.attempt(lambda: builtin_words(language, content))  # read by the tailor stage; checked here to show all
    guide = found.attempt(lambda: load_guide(language, content))
    found.raise_any()
    assert banks is not None and cadence is not None and drafts is not None and guide is not None  # raised otherwise
    combined = replace(
        combine(banks, changes.question_bank, changes.offer_bank),
        cadence=combine_cadence(cadence, changes.cadence),
        drafts=combine_drafts(drafts, changes.drafts),
        words=changes.words,
    )
    return combined, guide
