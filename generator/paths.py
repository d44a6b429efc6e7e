"""Where workbook's own files live, in a checkout and in an installed wheel alike.

In a checkout the resource folders sit at the top level beside `generator/`
(`content/`, `site_templates/`, `data/`, `mkdocs.yml`), where a contributor expects
them. The wheel carries the same files inside the package, under
`generator/resources/` (pyproject.toml maps them there), so an installed
`workbook` needs no checkout. Every other module asks this one; none builds a
path to the project's own files by itself.
"""

from importlib.resources import files
from pathlib import Path

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
