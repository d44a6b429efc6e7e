"""Plain text → Markdown that shows exactly that text: the one escaping helper for generated pages.

Whatever a user wrote (a name, a role, a question) is placed into the site's
Markdown through `md_escape`, so none of it is read as Markdown, HTML or
attr_list syntax: `*bold*` shows its asterisks, `<script>` shows as text,
`[x](javascript:…)` is not a link, `{: onclick=… }` is not an attribute list.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# Punctuation Python-Markdown (with the `tables` extension) accepts a backslash escape for. Escaping a
# character outside this set would show the backslash, so only these are escaped this way.
_BACKSLASH_ESCAPABLE = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
# HTML's own specials become character references: Markdown never reads those as markup, and inside a
# raw HTML block (where backslashes are not processed) they are still correct text. So does the tilde,
# which opens a fenced code block (~~~) but cannot be backslash-escaped.
_CHARACTER_REFERENCES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "~": "&#126;"}
_LINE_OPENERS = {"?": "&#63;", ":": "&#58;", "=": "&#61;"}
# A line break inside a value could start a new Markdown block (a heading, a list, an HTML block), so
# every run of whitespace, line and paragraph separators included, becomes one space (one space
# at the start of a line is not an indented code block). No-break spaces stay: a name may need them.
_WHITESPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def md_escape(value: object) -> Markup:
    """`value` as inline Markdown text that renders to exactly its characters (whitespace collapsed).

    Markup passes through unchanged: it is trusted content that was escaped or written by us.
    """
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    text = _WHITESPACE.sub(" ", str(value))
    text = _BACKSLASH_ESCAPABLE.sub(r"\\\1", text)
    # After the backslashes, so the references' own "#" is not escaped.
    text = "".join(_CHARACTER_REFERENCES.get(char, char) for char in text)
    # A value that starts a line could open a block with its first character: "??? " a collapsible
    # (pymdownx.details), ": " a definition (def_list). As a character reference it is only text.
    return Markup(_LINE_OPENERS.get(text[:1], text[:1]) + text[1:])
