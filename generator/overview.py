"""The coach's overview, OUT/index.html: every client, their progress, and links to their outputs.

One self-contained page (inline CSS, no script, no other host), so it opens
from the file system like the sites do. Autoescaping is on: names are text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator import colour
from generator.errors import UserError
from generator.models import Coach
from generator.paths import TEMPLATES
from generator.workbook import STATUS_LABELS

MARKER = '<meta name="generator" content="workbook">'  # in every overview we write; we replace only those
_env = Environment(loader=FileSystemLoader(TEMPLATES / "overview"), autoescape=select_autoescape(default=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


# The page's backgrounds: cards in light mode, cards in dark mode (prefers-color-scheme: dark).
CARD_LIGHT = colour.WHITE
CARD_DARK = (30, 33, 41)


def _colours(coach_colour: str | None) -> dict[str, str]:
    """The header in the coach's colour with readable text on it; links in a shade that reads on the cards."""
    accent = colour.parse(coach_colour or "#3f51b5")
    return {
        "accent": colour.to_hex(accent),
        "on_accent": colour.to_hex(colour.text_on(accent)),
        "link": colour.to_hex(colour.readable(accent, CARD_LIGHT, colour.TEXT)),
        "link_dark": colour.to_hex(colour.readable(accent, CARD_DARK, colour.TEXT)),
    }


def _coach_colour(coach) -> str | None:
    """The coach's colour, from a Coach or from coach.yaml's defaults (a plain mapping)."""
    if isinstance(coach, dict):
        return coach.get("color")
    return getattr(coach, "color", None)


def render_overview(out: Path, outcomes: list, today: date, coach: Coach | None = None) -> Path:
    """Write OUT/index.html from the build outcomes (each with the summary from its manifest, if any)."""
    clients = sorted((o for o in outcomes if o.summary), key=lambda o: o.summary["name"].casefold())
    without_output = sorted((o for o in outcomes if not o.summary), key=lambda o: o.display)
    html = _env.get_template("index.html").render(
        clients=clients, without_output=without_output, today=today, coach=coach, status_labels=STATUS_LABELS,
        colours=_colours(_coach_colour(coach)))
    path = out / "index.html"
    if path.exists() and MARKER not in path.read_text(encoding="utf-8", errors="replace")[:2000]:
        raise UserError(f"{path} exists and was not written by workbook; not replacing it (choose another folder with -o)")
    staging = out / ".index.html.tmp"
    staging.write_text(html, encoding="utf-8")
    staging.replace(path)
    return path
