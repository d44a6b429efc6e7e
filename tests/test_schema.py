"""The published JSON Schema is the one the models generate, and it agrees with the validator.

data/schema/profile.schema.json is what editors use for completion (the starter's
`# yaml-language-server: $schema=` header points at it). When the models change, refresh it:

    .venv/bin/pytest --update-reference tests/test_schema.py
"""

from __future__ import annotations

import json

import pytest

from generator.errors import UserError
from generator.load import validate
from generator.models import Profile
from generator.paths import EXAMPLE, SCHEMA, STARTER
from generator.schema import profile_schema
from generator.source import parse_yaml


def test_committed_schema_is_the_generated_one(reference):
    reference("profile.schema.json", profile_schema(), path=SCHEMA)


def test_schema_is_json_with_a_title_and_the_draft():
    schema = json.loads(profile_schema())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"seeker", "target_roles"}


# --- the schema and the validator agree (editors flag what `workbook check` flags) -----------------

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def schema_validator():
    schema = json.loads(profile_schema())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def data_of(text: str) -> object:
    return parse_yaml(text.encode(), "p.yaml").data


def starter_text() -> str:
    return (
        STARTER.read_text(encoding="utf-8").replace("{schema}", "profile.schema.json").replace("{name}", "profile.yaml")
    )


def test_example_and_starter_validate_against_the_schema(schema_validator):
    for text in (EXAMPLE.read_text(encoding="utf-8"), starter_text()):
        errors = [error.message for error in schema_validator.iter_errors(data_of(text))]
        assert errors == []


MINIMAL = "seeker:\n  name: M\ntarget_roles:\n  - title: A\n"
CONTACT = "contacts:\n  - name: J\n    role: R\n    relationship: cold\n"

AGREEMENT = [
    ("minimal", MINIMAL, True),
    ("empty optional sections", MINIMAL + "settings:\ncontacts:\ncoach:\n", True),
    ("empty optional list", "seeker:\n  name: M\n  strengths:\ntarget_roles:\n  - title: A\n    keywords:\n", True),
    ("meeting with time", MINIMAL + CONTACT + "    meeting:\n      date: 2026-12-03T10:00\n      minutes: 20\n", True),
    ("unknown key", MINIMAL + "extra: 1\n", False),
    ("no target role", "seeker:\n  name: M\ntarget_roles: []\n", False),
    ("bad relationship", MINIMAL + CONTACT.replace("cold", "cousin"), False),
    ("minutes out of range", MINIMAL + CONTACT + "    meeting:\n      date: 2026-12-03\n      minutes: 500\n", False),
    ("date in the wrong form", MINIMAL + CONTACT + "    meeting:\n      date: next Tuesday\n", False),
    ("bad id", MINIMAL + CONTACT + "    id: ../x\n", False),
    ("number as text", "seeker:\n  name: 1984\ntarget_roles:\n  - title: A\n", False),
    ("empty name", "seeker:\n  name: ''\ntarget_roles:\n  - title: A\n", False),
]


@pytest.mark.parametrize("text, valid", [(a[1], a[2]) for a in AGREEMENT], ids=[a[0] for a in AGREEMENT])
def test_schema_and_validator_agree(schema_validator, text, valid):
    data = data_of(text)
    schema_ok = schema_validator.is_valid(data)
    try:
        validate(parse_yaml(text.encode(), "p.yaml"), Profile)
        model_ok = True
    except UserError:
        model_ok = False
    assert (schema_ok, model_ok) == (valid, valid)
