"""The guide pages (content/guide/*.md): the project's own words, read in file-name order."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from generator.paths import CONTENT
from generator.workbook import GuidePage


@lru_cache(maxsize=4)
def load_guide(content: Path = CONTENT) -> tuple[GuidePage, ...]:
    pages = []
    for path in sorted((content / "guide").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        heading = re.search(r"^# (.+)$", text, re.MULTILINE)
        slug = re.sub(r"^\d+-", "", path.stem)
        title = heading.group(1).strip() if heading else slug.replace("-", " ").title()
        pages.append(GuidePage(slug=slug, title=title, markdown=text))
    return tuple(pages)
