"""Plain text → Markdown that shows exactly that text: the one escaping helper for generated pages.

Whatever a user wrote (a name, a role, a question) is placed into the site's
Markdown through `md_escape`, so none of it is read as Markdown, HTML or
attr_list syntax: `*bold*` shows its asterisks, `<script>` shows as text,
`[x](javascript:…)` is not a link, `{: onclick=… }` is not an attribute list.

Two layers of Markdown read a value. Inline syntax (emphasis, links, code) is
disarmed with backslash escapes. Block syntax is read *before* any backslash
escape is processed, so characters that open a block where they stand (a
reference definition `[id]: url`, which also matches `[\\]:](page.md)`, a
footnote `[^1]`, an abbreviation `*[HTML]:`, a definition `: `, a collapsible
`???`, a setext underline `===`) become character references instead: Markdown
never reads `&#91;` as a bracket, and the browser shows it as one.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# Punctuation Python-Markdown (with the `tables` extension) accepts a backslash escape for. Escaping a
# character outside this set would show the backslash, so only these are escaped this way.
_BACKSLASH_ESCAPABLE = re.compile(r"([\\`*_{}()#+\-.!|])")
# Character references, for characters block syntax reads before backslash escapes count:
# HTML's own specials (inside a raw HTML block, where backslashes are not processed, they are still
# correct text); the tilde, which opens a fenced code block (~~~) but cannot be backslash-escaped;
# brackets, which open reference definitions, footnotes, abbreviations and task-list boxes at the start
# of a line even when backslash-escaped inside; and `?`, `:`, `=`, which open a collapsible (`???`),
# a definition (`: `) or underline a heading (`===`) at the start of a line.
_CHARACTER_REFERENCES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "~": "&#126;",
    "[": "&#91;",
    "]": "&#93;",
    "?": "&#63;",
    ":": "&#58;",
    "=": "&#61;",
}
# A line break inside a value could start a new Markdown block (a heading, a list, an HTML block), so
# every run of whitespace, line and paragraph separators included, becomes one space (one space
# at the start of a line is not an indented code block). No-break spaces stay: a name may need them.
_WHITESPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def md_escape(value: object) -> Markup:
    """`value` as inline Markdown text that renders to exactly its characters (whitespace collapsed).

    Safe wherever a page puts it: at the start of a line, in a heading, a list item, a table cell,
    link text, or between two other values. Markup passes through unchanged: it is trusted content
    that was escaped or written by us.
    """
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    text = _WHITESPACE.sub(" ", str(value))
    text = _BACKSLASH_ESCAPABLE.sub(r"\\\1", text)
    # After the backslashes, so the references' own "#" is not escaped.
    return Markup("".join(_CHARACTER_REFERENCES.get(char, char) for char in text))
