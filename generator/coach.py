"""A coach's `coach.yaml`: branding and settings defaults for every client, and the coach's own banks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import Field

from generator.banks import Banks, OfferBankPatch, QuestionBankPatch, builtin_banks, combine
from generator.cadence import CadencePatch, builtin_cadence, combine_cadence
from generator.drafts import DraftBankPatch, builtin_drafts, combine_drafts, last_version_needs_nothing
from generator.load import Defaults, check_logo, unique_ids, validate
from generator.models import Coach, Model, Settings
from generator.source import read_yaml
from generator.words import Words, builtin_words, check_placeholders, check_text


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


@dataclass(frozen=True)
class LoadedCoach:
    path: Path
    coach: Coach | None  # the coach's own branding, validated
    defaults: Defaults
    banks: Banks


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
    banks = replace(
        combine(builtin_banks(), parsed.question_bank, parsed.offer_bank),
        cadence=combine_cadence(builtin_cadence(), parsed.cadence),
        drafts=combine_drafts(builtin_drafts(), parsed.drafts),
        words=parsed.words,
    )
    return LoadedCoach(path, parsed.coach, defaults, banks)
