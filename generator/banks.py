"""The question bank and offer bank: content as data, validated like profiles.

The built-in banks live in `content/questions.yaml` and `content/offers.yaml`;
a language may have its own, whole (`content/<language>/questions.yaml`: generator/languages.py).
A coach's `coach.yaml` may add `question_bank:` and `offer_bank:` sections in
the same format, with `replace: true` to use only the coach's entries; an entry
whose id matches a built-in one takes its place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

from pydantic import Field, model_validator

from generator.errors import AllProblems, Problem
from generator.languages import ENGLISH, content_file, content_root, shown
from generator.load import unique_ids, validate
from generator.models import Id, Model, Relationship, Text
from generator.source import Source, read_yaml

if TYPE_CHECKING:
    from generator.cadence import Cadence
    from generator.drafts import DraftBank
    from generator.words import Words

Stage = Literal["warm-up", "story", "trends", "advice", "referral", "reciprocity"]
Theme = Literal[
    "warm-up",
    "path",
    "drew-them",
    "love",
    "trends",
    "challenges",
    "surprises",
    "shaped-them",
    "learning",
    "advice",
    "resources",
    "assignments",
    "role-fit",
    "referral",
    "reciprocity",
]
Tiara = Literal["trends", "insights", "advice", "resources", "assignments"]
ContactKind = Literal["peer", "senior", "recruiter", "adjacent"]
MeetingKind = Literal["first", "follow-up", "any"]
Trigger = Literal["interest", "hobby", "need", "strength-match", "strength", "always"]

STAGE_OF_THEME: dict[str, str] = {
    "warm-up": "warm-up",
    "path": "story",
    "drew-them": "story",
    "love": "story",
    "trends": "trends",
    "challenges": "trends",
    "surprises": "trends",
    "shaped-them": "advice",
    "learning": "advice",
    "advice": "advice",
    "resources": "advice",
    "assignments": "advice",
    "role-fit": "advice",
    "referral": "referral",
    "reciprocity": "reciprocity",
}
STAGES: tuple[str, ...] = ("warm-up", "story", "trends", "advice", "referral", "reciprocity")
ALWAYS_KEPT_STAGES = ("referral", "reciprocity")

# Placeholders a text may use. Those with a fallback (in the bank's `placeholders:`) never leave a hole;
# the others must be listed in the question's `needs:` so it is only used when the value exists.
QUESTION_PLACEHOLDERS = {"first_name", "company", "industry", "target_role", "interest", "need", "referrer"}
NEEDABLE = Literal["interest", "need", "referrer", "company", "industry"]
# What a question can know about the person in front of you. A question that uses one of these (and
# the contact has it) is *tailored*: it is chosen ahead of an untailored question of the same stage.
PERSONAL_PLACEHOLDERS = ("interest", "need", "company", "referrer")
FALLBACK_PLACEHOLDERS = ("company", "industry", "target_role")
OFFER_PLACEHOLDERS: dict[str, set[str]] = {
    "interest": {"interest"},
    "hobby": {"hobby"},
    "need": {"need"},
    "strength-match": {"need", "strength"},
    "strength": {"strength"},
    "always": set(),
}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders_in(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def check_braces(text: str, allowed: set[str], where: str) -> None:
    """Every {placeholder} in `text` is one of `allowed`, and no brace stands alone (banks, drafts, cadence)."""
    unknown = sorted(placeholders_in(text) - allowed)
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{unknown[0]}}} in {where}; allowed: "
            + ", ".join("{" + name + "}" for name in sorted(allowed))
        )
    if PLACEHOLDER.sub("", text).count("{") or PLACEHOLDER.sub("", text).count("}"):
        raise ValueError(f"a lone brace in {where}; braces are only for placeholders such as {{first_name}}")


class Applies(Model):
    """Which contacts and meetings an entry suits; a key left out means all."""

    relationships: list[Relationship] | None = None
    kinds: list[ContactKind] | None = None
    meeting: MeetingKind = "any"


class Question(Model):
    id: Id
    stage: Stage
    theme: Theme
    tiara: Tiara | None = None
    minutes: Annotated[int, Field(ge=1, le=10)]
    priority: Annotated[int, Field(ge=1, le=3)] = 2
    core: bool = Field(
        False, description="Can carry a stage of the core: story, trend, in-my-shoes advice, referral, reciprocity."
    )
    text: Text
    why: Text
    applies: Applies = Field(default_factory=Applies)
    needs: list[NEEDABLE] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if STAGE_OF_THEME[self.theme] != self.stage:
            raise ValueError(
                f"theme '{self.theme}' belongs to stage '{STAGE_OF_THEME[self.theme]}', not '{self.stage}'"
            )
        for where, text in (("text", self.text), ("why", self.why)):
            check_braces(text, QUESTION_PLACEHOLDERS, where)
            for name in placeholders_in(text) - set(FALLBACK_PLACEHOLDERS) - {"first_name"} - set(self.needs):
                raise ValueError(
                    f"{{{name}}} has no fallback; add `needs: [{name}]` so the question is only used "
                    "when it has a value"
                )
        return self


class Offer(Model):
    id: Id
    trigger: Trigger
    text: Text
    why: Text
    applies: Applies = Field(default_factory=Applies)
    needs: list[Literal["company"]] = Field(
        default_factory=list, description="Offered only when the contact has these (a team's offers need a company)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Offer:
        allowed = {"first_name", "company"} | OFFER_PLACEHOLDERS[self.trigger]
        for where, text in (("text", self.text), ("why", self.why)):
            check_braces(text, allowed, where)
        return self


class QuestionBank(Model):
    placeholders: dict[Literal["company", "industry", "target_role"], Text] = Field(
        default_factory=dict, description="Fallback text for company, industry, target_role."
    )
    contact_kinds: dict[Literal["recruiter", "senior", "senior_in_field", "former"], list[Text]] = Field(
        default_factory=dict,
        description="Whole words of a job title: recruiter; senior (leads people); senior_in_field (leads people "
        "when the rest of the title shares a word with the role, e.g. 'Employer Relations Manager'); "
        "former (retired, ex-: not leading anyone now).",
    )
    questions: list[Question] = Field(default_factory=list)


class OfferBank(Model):
    offers: list[Offer] = Field(default_factory=list)


class QuestionBankPatch(QuestionBank):
    replace: bool = Field(
        False, description="true: use only these questions; false: add to (and override by id) the built-in bank."
    )


class OfferBankPatch(OfferBank):
    replace: bool = False


@dataclass(frozen=True)
class Banks:
    """The banks a workbook is tailored from."""

    placeholders: dict[str, str]
    contact_kinds: dict[str, tuple[str, ...]]
    questions: tuple[Question, ...]
    offers: tuple[Offer, ...]
    cadence: Cadence | None = None  # the language's, with a coach's changes (None: the profile language's file)
    drafts: DraftBank | None = None  # the language's, with a coach's changes (None: the profile language's file)
    words: Words | None = None  # a coach's changes to the labels (None: the language's own, generator/words.py)


def _fallbacks_complete(source: Source) -> Iterable[Problem]:
    given = source.data.get("placeholders")
    missing = [name for name in FALLBACK_PLACEHOLDERS if not isinstance(given, dict) or name not in given]
    if missing:
        yield source.problem(("placeholders",), "needs a fallback text for: " + ", ".join(missing))


def builtin_banks(language: str = ENGLISH, content: Path | None = None) -> Banks:
    """The banks in `language`: content/<language>/questions.yaml and offers.yaml where the language has them
    (each replaces the English file whole, and is validated as complete), else the English ones."""
    return _builtin_banks(language, content_root(content))


@lru_cache(maxsize=16)
def _builtin_banks(language: str, content: Path) -> Banks:
    questions_file = content_file("questions.yaml", language, content)
    offers_file = content_file("offers.yaml", language, content)
    found = AllProblems()
    questions = found.attempt(
        lambda: validate(
            read_yaml(questions_file, shown(questions_file, content)),
            QuestionBank,
            [unique_ids("questions"), _fallbacks_complete],
        )
    )
    offers = found.attempt(
        lambda: validate(read_yaml(offers_file, shown(offers_file, content)), OfferBank, [unique_ids("offers")])
    )
    found.raise_any()
    assert questions is not None and offers is not None  # raise_any raised otherwise
    return Banks(
        placeholders=dict(questions.placeholders.items()),
        contact_kinds={kind: tuple(words) for kind, words in questions.contact_kinds.items()},
        questions=tuple(questions.questions),
        offers=tuple(offers.offers),
    )


def combine(base: Banks, questions: QuestionBankPatch | None, offers: OfferBankPatch | None) -> Banks:
    """The built-in banks with a coach's entries added (same id: the coach's wins) or in their place."""
    placeholders = dict(base.placeholders)
    kinds = dict(base.contact_kinds)
    question_list = list(base.questions)
    offer_list = list(base.offers)
    if questions:
        placeholders.update(questions.placeholders.items())
        kinds.update({kind: tuple(words) for kind, words in questions.contact_kinds.items()})
        question_list = _merged([] if questions.replace else question_list, questions.questions)
    if offers:
        offer_list = _merged([] if offers.replace else offer_list, offers.offers)
    return Banks(placeholders, kinds, tuple(question_list), tuple(offer_list))


Entry = TypeVar("Entry", Question, Offer)


def _merged(base: list[Entry], extra: list[Entry]) -> list[Entry]:
    """The coach's entries first (so they win ties when plans are fitted), then the built-in ones they don't replace."""
    replaced = {entry.id for entry in extra}
    return list(extra) + [entry for entry in base if entry.id not in replaced]
