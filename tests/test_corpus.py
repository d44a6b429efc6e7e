"""Every question and offer in the built-in banks, rendered with words real profiles contain, reads as
written by a person: no doubled words ("help with help", "the the"), no unfilled placeholder, no
stray capital mid-sentence ("Which changes in Corporate learning …"), no empty phrase."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import yaml

from generator.banks import builtin_banks
from generator.models import Contact, TargetRole
from generator.tailor import _fill, offer_values, placeholder_values

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "corpus.yaml").read_text(encoding="utf-8"))
BANKS = builtin_banks()

DOUBLED = re.compile(r"\b(\w+)\s+\1\b|\b(\w{3,})\s+(?:with|for|to|of|on|in|about)\s+\2\b", re.IGNORECASE)
# An empty phrase: "()", a space before punctuation, an article with nothing after it ("on the."), two articles.
EMPTY = re.compile(
    r"\(\s*\)|\s[,.;:?!]|\s{2,}|^\s|\s$|\b(?:a|an|the)\s*[.,;:?!]|\b(?:a|an|the)\s+(?:a|an|the)\b"
    r"|[:,]\s*[.?!]",
    re.IGNORECASE,
)
PLAIN_CAPITAL = re.compile(r"(?<![.?!:]\s)(?<!^)\b[A-Z][a-z]+(?:[-'’][a-z]+)*\b")


def test_the_corpus_is_big_enough():
    sizes = {key: len(CORPUS[key]) for key in ("needs", "interests", "hobbies", "industries", "companies", "roles")}
    assert all(size >= 12 for size in sizes.values()) and sum(sizes.values()) >= 40, sizes


def cases(count: int):
    """`count` profiles' worth of corpus words, each list walked in turn so every entry is used."""
    lists = [
        CORPUS[key]
        for key in ("needs", "interests", "hobbies", "industries", "companies", "roles", "strengths", "names")
    ]
    for index in range(count):
        yield [values[index % len(values)] for values in lists]


def rendered(text_of_entry, values: dict) -> str:
    return _fill(text_of_entry, values, BANKS.placeholders)


def allowed_capitals(*phrases: str | None) -> set[str]:
    """Words that may keep a capital mid-sentence: names, companies and role titles, as written."""
    return {word for phrase in phrases if phrase for word in re.findall(r"[\w'’-]+", phrase)} | {"I"}


def problems(text: str, allowed: set[str]) -> list[str]:
    found = []
    if "{" in text or "}" in text:
        found.append("unfilled placeholder")
    if match := DOUBLED.search(text):
        found.append(f"doubled words {match.group(0)!r}")
    if match := EMPTY.search(text):
        found.append(f"empty phrase {match.group(0)!r}")
    for sentence in re.split(r"(?<=[.?!:])\s+|\s+\(", text):
        sentence = sentence.lstrip("(")
        for match in PLAIN_CAPITAL.finditer(re.sub(r"['’]s\b", "", sentence)):
            if match.start() > 0 and match.group(0) not in allowed:
                found.append(f"stray capital {match.group(0)!r}")
    return found


N = max(len(values) for values in CORPUS.values())


@pytest.mark.parametrize("index", range(N))
def test_every_question_reads_well_with_real_words(index):
    need, interest, hobby, industry, company, title, strength, name = next(itertools.islice(cases(N), index, None))
    referrer = CORPUS["names"][(index + 3) % len(CORPUS["names"])]
    role = TargetRole(title=CORPUS["roles"][(index + 5) % len(CORPUS["roles"])], industry=industry)
    contact = Contact(
        name=name,
        role=title,
        relationship="cold",
        company=company,
        interests=[interest],
        needs=[need],
        hobbies=[hobby],
        referred_by=referrer,
    )
    values = placeholder_values(contact, role, referrer)
    # Past its first word, a value keeps the capitals its writer gave it ("a Spanish-speaking mentor").
    later_words = [value.split(" ", 1)[1] for value in (need, interest, hobby, industry, strength) if " " in value]
    allowed = allowed_capitals(name, company, referrer, role.title, title, *later_words)
    failures = []
    for question in BANKS.questions:
        for text in (rendered(question.text, values), rendered(question.why, values)):
            failures += [f"{question.id}: {p}: {text}" for p in problems(text, allowed)]
    for offer in BANKS.offers:
        trigger_value = {"need": need, "strength-match": need, "interest": interest, "hobby": hobby}.get(offer.trigger)
        filled = {**values, **offer_values(offer.trigger, trigger_value, strength)}
        for text in (rendered(offer.text, filled), rendered(offer.why, filled)):
            failures += [f"{offer.id}: {p}: {text}" for p in problems(text, allowed)]
    assert not failures, "\n".join(failures)


def test_the_checks_catch_what_the_issue_saw():
    allowed = allowed_capitals("Jordan")
    assert problems("Offer to help with help editing course videos", allowed)
    assert problems("Which changes in Corporate learning worry you most?", allowed)
    assert problems("Send the the article", allowed)
    assert problems("Send {first_name} an article", allowed)
    assert problems("Send Jordan an article on the .", allowed)
    assert problems("Send Jordan an article on the.", allowed)
    assert not problems(
        "Jordan is looking for a trainer for LinkedIn workshops: offer your experience with AI.", allowed
    )
