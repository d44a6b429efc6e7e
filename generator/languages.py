"""Which content file a workbook in a given language reads: the one rule, for every kind of content.

A language is a set of files under `content/<language>/` with the English files' names
(`questions.yaml`, `offers.yaml`, `drafts.yaml`, `cadence.yaml`, `labels.yaml`, the folder `guide/`).
For `settings.language: pt-BR` the file is looked for in `content/pt-BR/`, then `content/pt/`, then
the English one in `content/` is used. What a found file means is the loader's business: the banks,
drafts, cadence and guide replace the English ones whole; labels fall back entry by entry
(generator/words.py).
"""

from __future__ import annotations

from pathlib import Path

from generator import paths

ENGLISH = "en"


def content_root(content: Path | None = None) -> Path:
    """`content`, else the project's content folder; read when called, so a test can point every loader
    at a tree of its own (`monkeypatch.setattr(generator.paths, "CONTENT", tree)`)."""
    return content if content is not None else paths.CONTENT


def languages_tried(language: str) -> tuple[str, ...]:
    """The folders looked in, in order: `pt-BR` → (pt-BR, pt); English (and `en-…` after its own folder) ends
    the search, as the English files are the base."""
    tried: list[str] = []
    for candidate in dict.fromkeys((language, language.split("-")[0])):
        if candidate == ENGLISH:
            break
        tried.append(candidate)
    return tuple(tried)


def content_file(name: str, language: str = ENGLISH, content: Path | None = None) -> Path:
    """The file (or folder) `name` a workbook in `language` reads: its language's, its base language's,
    else the English one."""
    root = content_root(content)
    for candidate in languages_tried(language):
        path = root / candidate / name
        if path.exists():
            return path
    return root / name


def shown(path: Path, content: Path | None = None) -> str:
    """How errors name a content file: `content/pt/questions.yaml`, wherever workbook is installed."""
    root = content_root(content)
    try:
        return "content/" + path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
