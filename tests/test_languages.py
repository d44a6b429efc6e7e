"""A language is a set of files: content/<language>/ replaces the banks, drafts, cadence and guide whole,
found pt-BR → pt → English by one resolver (generator/languages.py); a coach's changes go on top of the
client's language. The test language `xx` is made from the English files with a marker on every sentence."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import generator.paths
from generator.cli import main
from generator.coach import content_for, load_coach_file
from generator.errors import UserError
from generator.languages import content_file
from generator.paths import CONTENT

TODAY = "2026-12-01"


def _rewrite(source: Path, target: Path, change) -> None:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _questions(data) -> None:
    for question in data["questions"]:
        question["text"] = "Qxx " + question["text"]


def _offers(data) -> None:
    for offer in data["offers"]:
        offer["text"] = "Oxx " + offer["text"]


def _drafts(data) -> None:
    for section in ("requests", "drafts"):
        for versions in data[section].values():
            for version in versions:
                version["body"] = "Dxx " + version["body"]


def _cadence(data) -> None:
    for step in data["steps"].values():
        step["text"] = "Cxx " + step["text"]


def make_language(root: Path, language: str = "xx", *, offers: bool = False) -> Path:
    """A copy of content/ with `language`'s questions, drafts, cadence and guide (and its offers if asked):
    every sentence marked, so what a workbook shows tells which file it came from."""
    content = root / "content"
    shutil.copytree(CONTENT, content)
    folder = content / language
    _rewrite(CONTENT / "questions.yaml", folder / "questions.yaml", _questions)
    if offers:
        _rewrite(CONTENT / "offers.yaml", folder / "offers.yaml", _offers)
    _rewrite(CONTENT / "drafts.yaml", folder / "drafts.yaml", _drafts)
    _rewrite(CONTENT / "cadence.yaml", folder / "cadence.yaml", _cadence)
    (folder / "guide").mkdir()
    (folder / "guide" / "01-bienvenue.md").write_text(
        "# Bienvenue xx\n\nGxx the guide's own words.\n", encoding="utf-8"
    )
    return content


@pytest.fixture
def language_tree(tmp_path, monkeypatch):
    """Every loader reads this tree (the resolver reads generator.paths.CONTENT when called)."""
    content = make_language(tmp_path)
    monkeypatch.setattr(generator.paths, "CONTENT", content)
    return content


# A coach who rewrites every reciprocity question (by id, so it replaces that question in every language)
# and the nudge draft.
def _coach_yaml() -> str:
    english = yaml.safe_load((CONTENT / "questions.yaml").read_text(encoding="utf-8"))["questions"]
    mine = [
        {**question, "text": "Coach asks {first_name} how to help."}
        for question in english
        if question["stage"] == "reciprocity"
    ]
    assert mine
    return yaml.safe_dump(
        {
            "question_bank": {"questions": mine},
            "drafts": {"drafts": {"nudge": [{"subject": "Still keen", "body": "Coach nudge for {first_name}."}]}},
        },
        sort_keys=False,
    )


# --- the resolver and the content a language reads ----------------------------------------------------------


def test_the_file_of_a_language_its_base_language_or_english(tmp_path):
    content = tmp_path / "content"
    for path in ["questions.yaml", "pt/questions.yaml", "pt-BR/drafts.yaml", "en-GB/labels.yaml"]:
        (content / path).parent.mkdir(parents=True, exist_ok=True)
        (content / path).write_text("x", encoding="utf-8")
    assert content_file("questions.yaml", "pt-BR", content) == content / "pt" / "questions.yaml"
    assert content_file("drafts.yaml", "pt-BR", content) == content / "pt-BR" / "drafts.yaml"
    assert content_file("drafts.yaml", "pt", content) == content / "drafts.yaml"  # a variant's file is its own
    assert content_file("questions.yaml", "de", content) == content / "questions.yaml"
    assert content_file("labels.yaml", "en-GB", content) == content / "en-GB" / "labels.yaml"
    assert content_file("questions.yaml", "en", content) == content / "questions.yaml"


def test_a_language_reads_its_own_files_whole_and_english_for_the_others(language_tree):
    english, english_guide = content_for("en")
    for language in ("xx", "xx-YY"):  # xx-YY has no folder: its base language's files
        banks, guide = content_for(language)
        assert [q.id for q in banks.questions] == [q.id for q in english.questions]
        assert all(q.text.startswith("Qxx ") for q in banks.questions)
        assert banks.offers == english.offers  # xx has no offers.yaml: the English file
        assert banks.drafts and all(v.body.startswith("Dxx ") for vs in banks.drafts.drafts.values() for v in vs)
        assert banks.cadence and all(step.text.startswith("Cxx ") for step in banks.cadence.steps.values())
        assert [page.title for page in guide] == ["Bienvenue xx"]
    assert not any("xx" in q.text for q in english.questions)
    assert len(english_guide) > 1 and content_for("zz") == (english, english_guide)  # no folder: English


def test_a_coachs_changes_go_on_top_of_each_clients_language(language_tree, tmp_path):
    (tmp_path / "coach.yaml").write_text(_coach_yaml(), encoding="utf-8")
    coach = load_coach_file(tmp_path / "coach.yaml")
    for language, marker in (("xx", "Qxx "), ("en", "")):
        banks = coach.banks_for(language)
        theirs = [q for q in banks.questions if q.stage == "reciprocity"]
        assert theirs and all(q.text == "Coach asks {first_name} how to help." for q in theirs)
        others = [q for q in banks.questions if q.stage != "reciprocity"]
        assert others and all(q.text.startswith(marker) for q in others)
        assert ("Qxx" in "".join(q.text for q in others)) == (language == "xx")
        assert banks.drafts and banks.drafts.drafts["nudge"][0].body == "Coach nudge for {first_name}."
        assert banks.drafts.drafts["thank-you"][0].body.startswith("Dxx ") == (language == "xx")
    assert coach.banks_for("xx") is coach.banks_for("xx")  # cached: fifty clients read the files once


def test_broken_translated_files_are_all_reported_at_their_lines(language_tree):
    questions = language_tree / "xx" / "questions.yaml"
    lines = questions.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("stage:"))
    lines[index] = lines[index].replace("stage:", "stage: nowhere #")
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cadence = language_tree / "xx" / "cadence.yaml"
    cadence.write_text(cadence.read_text(encoding="utf-8").replace("  nudge:", "  nudje:"), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        content_for("xx-YY")
    messages = [str(problem) for problem in caught.value.problems]
    column = lines[index].index("nowhere") + 1
    assert any(m.startswith(f"content/xx/questions.yaml:{index + 1}:{column}: questions[0].stage:") for m in messages)
    assert any(m.startswith("content/xx/cadence.yaml:") and "nudje" in m for m in messages), messages
    assert content_for("en")  # English is untouched

    # `check` reads what the build would, so it shows the same lines, without a traceback.
    profile = language_tree.parent / "p.yaml"
    profile.write_text(_profile("Ana Ruiz", "xx"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(profile)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"content/xx/questions.yaml:{index + 1}:{column}: questions[0].stage:" in result.output


def test_an_empty_guide_folder_is_an_error(language_tree):
    (language_tree / "xx" / "guide" / "01-bienvenue.md").unlink()
    with pytest.raises(UserError, match="content/xx/guide:1:1: the guide folder has no pages"):
        content_for("xx")


# --- one build, looked at several ways -----------------------------------------------------------------------


def _profile(name: str, language: str) -> str:
    return f"""\
seeker:
  name: {name}
  pitch: I teach adults and I am moving into careers advice.
settings:
  language: {language}
  meeting_minutes: 30
target_roles:
  - title: Career Advisor
    industry: higher education
contacts:
  - name: Jo Park
    role: Career Advisor
    company: City College
    relationship: friend
    status: requested
    history:
      - {{date: 2026-11-20, event: requested}}
"""


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.slow
def test_a_coachs_clients_get_their_own_languages_content(language_tree, tmp_path):
    folder = tmp_path / "clients"
    folder.mkdir()
    (folder / "coach.yaml").write_text(_coach_yaml(), encoding="utf-8")
    (folder / "ana.yaml").write_text(_profile("Ana Ruiz", "xx-YY"), encoding="utf-8")
    (folder / "ben.yaml").write_text(_profile("Ben Ode", "en"), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(out), "-j", "1", "--today", TODAY])
    assert result.exit_code == 0, result.output

    def shown(client: str) -> dict[str, str]:
        site = out / client / "site"
        return {
            "sheet": _pdf_text(out / client / "sheets" / "jo-park.pdf"),
            "contact": (site / "contacts" / "jo-park.html").read_text(encoding="utf-8"),
            "home": (site / "index.html").read_text(encoding="utf-8"),
            "guide": " ".join(p.read_text(encoding="utf-8") for p in (site / "guide").glob("*.html")),
            "workbook": _pdf_text(out / client / f"{client}-workbook.pdf"),
        }

    ana, ben = shown("ana"), shown("ben")
    # The xx client: the translated questions on the sheet and the page, except the coach's own question.
    assert "Qxx" in ana["sheet"] and "Qxx" in ana["contact"]
    assert "Coach asks Jo how to help." in ana["contact"] and "Coach asks Jo" in ana["sheet"]
    # The translated guide, whole: the English pages are not there.
    assert "Gxx the guide" in ana["guide"] and "Bienvenue xx" in ana["workbook"]
    assert not (out / "ana" / "site" / "guide" / "five-reasons.html").exists()
    # The coach's nudge draft (over the translated one) and the translated cadence's nudge step.
    assert "Coach nudge for Jo." in ana["contact"] and "Cxx Send Jo one short nudge" in ana["home"]
    # The English client of the same coach: English content, the same coach's question and nudge.
    assert "Qxx" not in ben["sheet"] + ben["contact"] + ben["home"] and "Gxx" not in ben["guide"]
    assert "Coach asks Jo how to help." in ben["contact"] and "Coach nudge for Jo." in ben["contact"]
    assert "Send Jo one short nudge" in ben["home"] and (out / "ben" / "site" / "guide" / "five-reasons.html").is_file()
