"""The guide pages: the project's own words, read in file-name order.

English lives in `content/guide/*.md`; a language with its own folder (`content/<language>/guide/`, found
like every content file: generator/languages.py) has its guide read from there instead, whole.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from generator.errors import Problem, UserError
from generator.languages import ENGLISH, content_file, content_root, shown
from generator.workbook import GuidePage

GUIDE_FOLDER = "guide"


def load_guide(language: str = ENGLISH, content: Path | None = None) -> tuple[GuidePage, ...]:
    """The guide in `language`: its own guide folder where it has one (replacing the English guide whole)."""
    return _load_guide(language, content_root(content))


@lru_cache(maxsize=16)
def _load_guide(language: str, content: Path) -> tuple[GuidePage, ...]:
    folder = content_file(GUIDE_FOLDER, language, content)
    pages = []
    for path in sorted(folder.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
            raise UserError(
                [Problem(shown(path, content), 1, 1, "", f"cannot read the guide page: {reason}")]
            ) from None
        heading = re.search(r"^# (.+)$", text, re.MULTILINE)
        slug = re.sub(r"^\d+-", "", path.stem)
        title = heading.group(1).strip() if heading else slug.replace("-", " ").title()
        pages.append(GuidePage(slug=slug, title=title, markdown=text))
    if not pages:
        # A language's guide folder replaces the English guide; an empty one would leave the reader none.
        raise UserError([Problem(shown(folder, content), 1, 1, "", "the guide folder has no pages (*.md files)")])
    return tuple(pages)
