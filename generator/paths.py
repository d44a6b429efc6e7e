"""Where the project's own files live. workbook runs from its checkout (installed editable)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "site_templates"
BASE_MKDOCS = ROOT / "mkdocs.yml"
EXAMPLE = ROOT / "data" / "example.yaml"
SCHEMA = ROOT / "data" / "schema" / "profile.schema.json"
STARTER = ROOT / "data" / "starter.yaml"
