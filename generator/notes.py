"""A user's Markdown notes → safe HTML, shared by the site and the PDF.

Harmless Markdown (emphasis, lists, code, https/mailto links) survives, and a
line break stays a line break; raw
HTML is shown as text; images become their alt text (an image would be a
network request); links with any other scheme (javascript:, file:, data: …)
or pointing at another host's loopback become plain text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

import markdown  # type: ignore[import-untyped]  # Markdown ships no type hints (types-Markdown is not a dependency)
from markdown.treeprocessors import Treeprocessor  # type: ignore[import-untyped]  # as above
from markupsafe import Markup, escape

SAFE_SCHEMES = {"https", "http", "mailto"}


def is_safe_link(url: str) -> bool:
    """A link the reader may follow: http(s) to a named public host, or mailto."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return False
    if parts.scheme.lower() == "mailto":
        return bool(parts.path)
    host = (parts.hostname or "").lower()
    private = re.match(r"^(127\.|0\.|10\.|192\.168\.|169\.254\.|\[?::1\]?$|\d+$)", host)
    return bool(host) and host != "localhost" and not private


class _Sanitise(Treeprocessor):  # type: ignore[misc]  # Markdown's base class is untyped (Any)
    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "img":
                    replacement = etree.Element("span")
                    replacement.text = child.get("alt") or ""
                    replacement.tail = child.tail
                    parent.remove(child)
                    parent.insert(index, replacement)
                elif child.tag == "a":
                    href = child.get("href", "")
                    if is_safe_link(href):
                        child.attrib = {"href": href, "rel": "noopener noreferrer nofollow"}
                    else:
                        child.tag = "span"
                        child.attrib = {}


class _SafeNotes(markdown.Extension):  # type: ignore[misc]  # Markdown's base class is untyped (Any)
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("entity")
        md.treeprocessors.register(_Sanitise(md), "sanitise", 0)


def notes_to_html(text: str | None) -> Markup:
    """Render a note; the result is safe to insert into HTML as is."""
    if not text:
        return Markup("")
    # Escape what Markdown would otherwise pass through as HTML; Markdown syntax itself is untouched.
    prepared = str(escape(text))
    # nl2br: a note keeps the line breaks its writer typed (a list of names, an address), as people expect.
    converter = markdown.Markdown(extensions=[_SafeNotes(), "sane_lists", "nl2br"], output_format="html")
    html = converter.convert(prepared)
    # Markdown re-escapes the ampersands we produced; undo that one double escape.
    html = (
        html.replace("&amp;lt;", "&lt;")
        .replace("&amp;gt;", "&gt;")
        .replace("&amp;amp;", "&amp;")
        .replace("&amp;#39;", "&#39;")
        .replace("&amp;#34;", "&#34;")
        .replace("&amp;quot;", "&quot;")
    )
    return Markup(html)
