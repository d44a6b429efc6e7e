"""Where workbook's own files live, in a checkout and in an installed wheel alike.

In a checkout the resource folders sit at the top level beside `generator/`
(`content/`, `site_templates/`, `data/`, `mkdocs.yml`), where a contributor expects
them. The wheel carries the same files inside the package, under
`generator/resources/` (pyproject.toml maps them there), so an installed
`workbook` needs no checkout. Every other module asks this one; none builds a
path to the project's own files by itself.
"""

import contextlib
import hashlib
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from jinja2 import BytecodeCache, FileSystemBytecodeCache
from jinja2.bccache import Bucket

# MkDocs, Jinja and WeasyPrint read real files, so the package must be installed as files (not zipped).
PACKAGE = Path(str(files("generator")))
_BUNDLED = PACKAGE / "resources"
ROOT = _BUNDLED if _BUNDLED.is_dir() else PACKAGE.parent

CONTENT = ROOT / "content"
TEMPLATES = ROOT / "site_templates"
BASE_MKDOCS = ROOT / "mkdocs.yml"
EXAMPLE = ROOT / "data" / "example.yaml"
SCHEMA = ROOT / "data" / "schema" / "profile.schema.json"
STARTER = ROOT / "data" / "starter.yaml"
MKDOCS_HOOKS = PACKAGE / "mkdocs_hooks.py"


def template_cache() -> BytecodeCache | None:
    """Jinja's compiled templates, kept between runs in the user's own private folder of the system's temporary
    folder (Jinja's choice: created 0700, refused if anyone else owns it). A build compiles some fifty templates
    (ours and the theme's), a fifth of a second that a one-page edit would otherwise pay every time. None when
    that folder cannot be had: the templates are then compiled as usual."""
    try:
        return _QuietCache()
    except (OSError, RuntimeError):
        return None


def cached_file(name: str, make: Callable[[], bytes]) -> bytes:
    """`make()`'s bytes, kept between runs as `name` in the same private folder as the templates (a name must
    say everything the bytes depend on). A file that is missing, cut short or not ours is made again; a folder
    that cannot be written costs only time."""
    cache = template_cache()
    folder = Path(cache.directory) if isinstance(cache, FileSystemBytecodeCache) else None
    if folder is not None:
        with contextlib.suppress(OSError):
            stored = (folder / name).read_bytes()
            digest, body = stored[:32], stored[32:]
            if hashlib.sha256(body).digest() == digest:
                return body
    body = make()
    if folder is not None:
        from generator.outfolder import write_fresh  # atomic, and its temporary file removed if the write fails

        with contextlib.suppress(OSError):
            write_fresh(folder / name, hashlib.sha256(body).digest() + body)
    return body


class _QuietCache(FileSystemBytecodeCache):
    """A cache that never fails a build: a compiled template it cannot read or write is compiled again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # cut short, overwritten, unreadable: whatever it is, it is not a compiled template
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)
