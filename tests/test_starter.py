"""The starter teaches the fields that drive tailoring, and `check` warns about what is still as it wrote it."""

from __future__ import annotations

import yaml

from generator.load import load_profile
from generator.paths import EXAMPLE, STARTER

TAILORING = (
    "pitch",
    "strengths",
    "industry",
    "target_role",
    "relationship",
    "referred_by",
    "how_we_met",
    "interests",
    "hobbies",
    "needs",
    "questions",
    "company",
    "minutes",
    "history",
    "notes",
)


def write_starter(tmp_path, edit=lambda text: text):
    path = tmp_path / "profile.yaml"
    path.write_text(
        edit(STARTER.read_text(encoding="utf-8").replace("{schema}", "x.json").replace("{name}", "profile.yaml")),
        encoding="utf-8",
    )
    return path


def test_the_starter_names_every_field_that_drives_tailoring():
    text = STARTER.read_text(encoding="utf-8")
    for field in TAILORING:
        assert f"{field}:" in text, field


def test_values_left_as_in_the_starter_are_warnings_with_their_line(tmp_path):
    path = write_starter(tmp_path)
    loaded = load_profile(path)
    warned = {w.path: w for w in loaded.warnings}
    for where in (
        "seeker.name",
        "seeker.pitch",
        "target_roles[0].title",
        "target_roles[0].industry",
        "contacts[0].name",
        "contacts[0].interests[0]",
        "contacts[0].needs[0]",
        "contacts[0].questions[0]",
    ):
        assert where in warned, where
        assert warned[where].warning and "starter's placeholder" in warned[where].message
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "Your Name" in lines[warned["seeker.name"].line - 1]
    # Choices (relationship: friend, paper: letter) are not placeholders.
    assert not any(w.path.endswith(("relationship", "paper", "status")) for w in loaded.warnings)


def test_own_words_silence_the_warnings(tmp_path):
    path = write_starter(tmp_path, lambda text: text.replace("Your Name", "Maya Lopez"))
    assert "seeker.name" not in {w.path for w in load_profile(path).warnings}
    assert not [w for w in load_profile(EXAMPLE).warnings if "starter" in w.message]
    assert yaml.safe_load(STARTER.read_text(encoding="utf-8").replace("{schema}", "x").replace("{name}", "y"))
