"""The base mkdocs.yml every workbook inherits is well-formed: no key written twice (YAML keeps the last silently)."""

from __future__ import annotations

import yaml

from generator.paths import BASE_MKDOCS


class _StrictLoader(yaml.SafeLoader):
    """Refuses a mapping that repeats a key; MkDocs' own loader would drop the first silently."""


def _no_repeats(loader, node, deep=False):
    keys = [key.value for key, _ in node.value]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    assert not repeated, f"{BASE_MKDOCS.name} line {node.start_mark.line + 1}: repeated key(s) {repeated}"
    return loader.construct_mapping(node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_repeats)
_StrictLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def test_base_mkdocs_yml_repeats_no_key():
    config = yaml.load(BASE_MKDOCS.read_text(encoding="utf-8"), Loader=_StrictLoader)
    scripts = config["extra_javascript"]
    assert "assets/workbook/checklist.js" in scripts and "assets/workbook/copy-draft.js" in scripts
