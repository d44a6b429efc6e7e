"""The coach's overview, OUT/index.html: every client, their progress, and links to their outputs.

One self-contained page (inline CSS, no script, no other host), so it opens
from the file system like the sites do. Autoescaping is on: names are text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator.errors import UserError
from generator.models import Coach
from generator.paths import TEMPLATES
from generator.workbook import STATUS_LABELS

MARKER = '<meta name="generator" content="workbook">'  # in every overview we write; we replace only those
_env = Environment(loader=FileSystemLoader(TEMPLATES / "overview"), autoescape=select_autoescape(default=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_overview(out: Path, outcomes: list, today: date, coach: Coach | None = None) -> Path:
    """Write OUT/index.html from the build outcomes (each with the summary from its manifest, if any)."""
    clients = sorted((o for o in outcomes if o.summary), key=lambda o: o.summary["name"].casefold())
    without_output = sorted((o for o in outcomes if not o.summary), key=lambda o: o.display)
    html = _env.get_template("index.html").render(
        clients=clients, without_output=without_output, today=today, coach=coach, status_labels=STATUS_LABELS)
    path = out / "index.html"
    if path.exists() and MARKER not in path.read_text(encoding="utf-8", errors="replace")[:2000]:
        raise UserError(f"{path} exists and was not written by workbook; not replacing it (choose another folder with -o)")
    staging = out / ".index.html.tmp"
    staging.write_text(html, encoding="utf-8")
    staging.replace(path)
    return path
