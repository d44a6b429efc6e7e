"""How a user's words read inside one of our sentences.

People write list items as they would a heading ("Corporate learning", "Lesson planning").
Dropped into the middle of a sentence, that capital reads as a mistake ("Which changes in
Corporate learning worry you most?"). `in_sentence` takes it away, and only that: acronyms
(AI), mixed case (LinkedIn, EdTech, SaaS), phrases that look like names (Portland State,
Salesforce) and anything after the first word stay as written.

A need is written as a noun phrase ("a trainer for LinkedIn workshops", "help editing
course videos"), which reads well after "looking for". Some people write it as an action
("find a new venue"); `need_phrase` turns that into "help to find a new venue".
"""

from __future__ import annotations

import re

# A lone capitalised word ending like these is almost always a common noun ("Gardening",
# "Education", "Leadership"), not a name ("Python", "Salesforce"), which is kept.
_COMMON_ENDINGS = ("ing", "ion", "ment", "ness", "ity", "ship", "ics", "ery", "ance", "ence", "ism", "ure", "ies")
_PLAIN_CAPITAL = re.compile(r"^[A-Z][a-z]+(?:[-'’][a-z]+)*$")
# Verbs a need may start with when it is written as an action rather than a noun phrase.
_ACTION_VERBS = {
    "find",
    "hire",
    "build",
    "get",
    "grow",
    "recruit",
    "improve",
    "fix",
    "train",
    "write",
    "design",
    "plan",
    "launch",
    "organise",
    "organize",
    "run",
    "test",
    "edit",
    "review",
    "create",
    "make",
    "set",
    "update",
    "reach",
    "raise",
    "learn",
    "start",
    "track",
    "manage",
    "move",
    "prepare",
    "translate",
    "redesign",
    "automate",
    "digitise",
    "digitize",
    "streamline",
    "cut",
    "reduce",
    "increase",
    "expand",
    "replace",
}


def in_sentence(text: str) -> str:
    """`text` as it should read mid-sentence: a heading-style first capital lowered, nothing else."""
    words = text.split(" ")
    first = words[0]
    if first in ("A", "An", "The") and len(words) > 1:
        first_is_plain = True  # an article: "A trainer for …"
    else:
        first_is_plain = bool(_PLAIN_CAPITAL.match(first))
    if not first_is_plain:
        return text  # "AI tutoring", "LinkedIn profiles", "eLearning", "3D printing": as written
    rest = [word for word in words[1:] if word]
    if rest:
        # "Portland State alumni", "The Washington Post": a second plain capitalised word makes it look
        # like a name. (Mixed case and acronyms later on, as in "A trainer for LinkedIn", do not.)
        if any(_PLAIN_CAPITAL.match(word.strip(",.;:()")) for word in rest):
            return text
        return first[0].lower() + first[1:] + text[len(first) :]
    if first.casefold().endswith(_COMMON_ENDINGS):
        return first[0].lower() + first[1:]
    return text


def need_phrase(need: str) -> str:
    """A need as a noun phrase that reads after "looking for" (and mid-sentence)."""
    text = in_sentence(need)
    first = text.split(" ", 1)[0].casefold()
    if first in _ACTION_VERBS:
        return f"help to {text[0].lower()}{text[1:]}"
    if first == "to" and len(text.split()) > 1:
        return f"help {text}"
    return text
