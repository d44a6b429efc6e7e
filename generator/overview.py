"""The coach's overview, OUT/index.html: every client, their progress, and links to their outputs.

One self-contained page (inline CSS, no script, no other host), so it opens
from the file system like the sites do. Autoescaping is on: names are text.
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator import colour
from generator.errors import UserError
from generator.models import Coach
from generator.outfolder import os_problem, output_lock, read_regular, shown, write_fresh
from generator.paths import TEMPLATES
from generator.words import builtin_words, fill

PAGE = "index.html"
MARKER = '<meta name="generator" content="workbook">'  # in every overview we write; we replace only those
_env = Environment(
    loader=FileSystemLoader(TEMPLATES / "overview"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["fill"] = fill


# The page's backgrounds: cards in light mode, cards in dark mode (prefers-color-scheme: dark).
CARD_LIGHT = colour.WHITE
CARD_DARK = (30, 33, 41)


def _colours(coach_colour: str | None) -> dict[str, str]:
    """The header in the coach's colour with readable text on it; links in a shade that reads on the cards."""
    accent = colour.parse(coach_colour or colour.DEFAULT_ACCENT)
    return {
        "accent": colour.to_hex(accent),
        "on_accent": colour.to_hex(colour.text_on(accent)),
        "link": colour.to_hex(colour.readable(accent, CARD_LIGHT, colour.TEXT)),
        "link_dark": colour.to_hex(colour.readable(accent, CARD_DARK, colour.TEXT)),
    }


def render_overview(
    out: Path, outcomes: list[Any], today: date, coach: Coach | None = None, *, wait: bool = True
) -> Path:
    """Write OUT/index.html from the build outcomes (each with the summary from its manifest, if any).

    One writer at a time (a lock beside it); the page is replaced only if workbook wrote it, by a
    fresh temporary file renamed over it, so a planted link or a FIFO there is never written through.
    """
    clients = sorted((o for o in outcomes if o.summary), key=lambda o: o.summary["name"].casefold())
    without_output = sorted((o for o in outcomes if not o.summary), key=lambda o: o.display)
    html = _env.get_template("index.html").render(
        clients=clients,
        without_output=without_output,
        today=today,
        coach=coach,
        status_labels=builtin_words().statuses,
        words=builtin_words(),
        colours=_colours(coach.color if coach else None),
    )
    path = out / PAGE
    with output_lock(out, PAGE, wait=wait):
        _remove_leftover_temporaries(out)
        # Only its beginning is read: an 8 GB file there costs nothing. A link or FIFO is refused.
        existing = read_regular(path, 2000, prefix=True)
        if existing is not None and MARKER.encode() not in existing:
            raise UserError(
                f"{shown(path)} exists and was not written by workbook; not replacing it "
                "(choose another folder with -o)"
            )
        try:
            write_fresh(path, html.encode("utf-8"), step="overview")
        except OSError as error:
            raise os_problem(error, path) from None
    return path


def _remove_leftover_temporaries(out: Path) -> None:
    """Temporary pages of overview writes that were killed (ours: `.index.html.<random>.tmp`, or the old fixed name)."""
    for leftover in [*out.glob(f".{PAGE}.*.tmp"), out / f".{PAGE}.tmp"]:
        with contextlib.suppress(OSError):
            if leftover.is_symlink() or leftover.is_file():
                leftover.unlink()  # a link itself, never its target
