"""Coach mode end to end: a folder of clients built for real, branded, incremental, resilient."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

import generator.batch
import generator.build
import generator.site
from generator.cli import main
from generator.merge import chapter_placeholder_name, placeholder_name
from generator.paths import CONTENT, ROOT
from generator.pdf import PdfRenderer, contacts_in_full

DEMO = ROOT / "data" / "coach-demo"
pytestmark = pytest.mark.slow  # every test here builds real sites and PDFs
BAD_CLIENT = """\
seeker:
  name: Broken Client
target_roles:
  - title: Analyst
contacts:
  - name: Jo
    role: Analyst
    relationship: cousin
"""


def build(*args: str):
    result = CliRunner().invoke(main, ["build", *args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> tuple[Path, int, str, str]:
    """The demo coach folder plus one broken client, built once from the command line with two workers.

    Returns base (base/clients, base/out), the exit code, stdout and stderr.
    """
    base = tmp_path_factory.mktemp("coach")
    clients = base / "clients"
    shutil.copytree(DEMO, clients)
    (clients / "broken-client.yaml").write_text(BAD_CLIENT)
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "clients", "-o", "out", "-j", "2"],
        capture_output=True,
        text=True,
        cwd=base,
    )
    return base, run.returncode, run.stdout, run.stderr


@pytest.fixture(scope="module")
def example_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The example built once from the command line, as a user does: `python -m generator build maya.yaml -o out`
    in a folder holding maya.yaml. Tests that change the output work on a copy (`copy_of`)."""
    folder = tmp_path_factory.mktemp("example")
    shutil.copy(ROOT / "data" / "example.yaml", folder / "maya.yaml")
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "maya.yaml", "-o", "out"],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    return folder, run


@pytest.fixture
def example_out(example_run) -> Path:
    folder, run = example_run
    assert run.returncode == 0, run.stderr
    return folder / "out"


def copy_of(out: Path, tmp_path: Path) -> Path:
    """A private copy of a built output folder: far cheaper than building it again."""
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "out"


def pdf_text(path: Path) -> str:
    """The PDF's text with line breaks and runs of spaces folded, as a reader would read it."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_one_bad_client_fails_alone_with_located_problems_and_a_summary(folder):
    base, code, stdout, stderr = folder
    out = base / "out"
    assert code == 1
    assert re.search(r"broken-client\.yaml:8:19: contacts\[0\]\.relationship: 'cousin' is not one of", stderr)
    assert "3 built, 0 skipped, 1 failed" in stdout
    assert "Traceback" not in stdout + stderr
    for client in ("maya-lopez", "sam-okafor", "li-wei"):
        assert (out / client / "site" / "index.html").is_file()
        assert (out / client / f"{client}-workbook.pdf").is_file()
        assert (out / client / "manifest.json").is_file()
    assert not (out / "broken-client").exists()
    assert not list(out.glob(".*building*")), "no staging folder may be left behind"


def test_coach_branding_and_defaults_reach_site_and_pdf_and_client_keys_win(folder):
    base = folder[0]
    out = base / "out"
    # Li Wei sets no paper: the coach's a4. Maya sets letter: hers wins.
    li_box = PdfReader(out / "li-wei" / "li-wei-workbook.pdf").pages[0].mediabox
    maya_box = PdfReader(out / "maya-lopez" / "maya-lopez-workbook.pdf").pages[0].mediabox
    assert (round(li_box.width), round(li_box.height)) == (595, 842)
    assert (round(maya_box.width), round(maya_box.height)) == (612, 792)
    assert "Dana Whitfield" in pdf_text(out / "li-wei" / "li-wei-workbook.pdf")

    # The coach's colour, except where the client chose their own.
    def site_css(client):
        return (
            " ".join(p.read_text() for p in (out / client / "site").rglob("*.css"))
            + (out / client / "site" / "index.html").read_text()
        )

    assert "#00796b" in site_css("li-wei").lower()
    assert "#8e24aa" in site_css("sam-okafor").lower() and "#00796b" not in site_css("sam-okafor").lower()
    # The coach's own question and offer reach the clients they suit.
    sheets = " ".join(pdf_text(p) for p in (out / "maya-lopez" / "sheets").glob("*.pdf"))
    assert "fresh-eyes review of their LinkedIn profile" in sheets
    assert "first real break" in " ".join(pdf_text(p) for p in (out / "sam-okafor" / "sheets").glob("*.pdf"))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("href", "src") and value]


def test_the_overview_lists_every_built_client_and_its_links_resolve(folder):
    base = folder[0]
    overview = base / "out" / "index.html"
    html = overview.read_text()
    for name in ("Maya Lopez", "Sam Okafor", "李伟 (Li Wei)"):
        assert name in html
    assert "broken-client.yaml" in html and "Not built" in html
    assert "Grace Mensah" in html  # Sam's overdue thank-you
    parser = _Links()
    parser.feed(html)
    assert len(parser.links) >= 3 * 2
    for link in parser.links:
        assert not re.match(r"^(https?:)?//", link), f"external URL in the overview: {link}"
        assert (overview.parent / link).is_file(), f"broken link {link}"


class StubRenderer(PdfRenderer):
    """The real renderer's markup and fingerprints, with blank one-page PDFs in place of the real ones (the workbook
    layout with a named placeholder per in-full chapter and sheet, so the real merge runs), and a note of which
    client rendered what. For the skip and rebuild decisions, which do not depend on what a PDF shows."""

    def __init__(self, rendered: list[str]):
        super().__init__()
        self.rendered = rendered

    def render_workbook_layout(self, workbook, path, sheet_pages=None, chapter_pages=None):
        self.rendered.append(f"{workbook.client_id}: workbook")
        pages = chapter_pages or {}
        _blank_pdf(
            path,
            [
                name
                for plan in contacts_in_full(workbook)[0]
                for name in [
                    *(chapter_placeholder_name(plan.id, n) for n in range(1, pages.get(plan.id, 1) + 1)),
                    placeholder_name(plan.id, 1),
                ]
            ],
        )

    def render_chapter(self, workbook, contact_plan, path, sheet_pages=None):
        self.rendered.append(f"{workbook.client_id}: chapter {contact_plan.id}")
        _blank_pdf(path, [None])
        return 1

    def render_sheet(self, workbook, contact_plan, path):
        self.rendered.append(f"{workbook.client_id}: sheet {contact_plan.id}")
        _blank_pdf(path, [None])
        return 1


def _blank_pdf(path: Path, pages: list[str | None]) -> None:
    writer = PdfWriter()
    for name in pages or [None]:
        writer.add_blank_page(72, 72)
        if name:
            writer.add_named_destination(name, len(writer.pages) - 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        writer.write(stream)


def test_unchanged_clients_are_skipped_and_changes_rebuild_exactly_what_they_touch(folder, monkeypatch, tmp_path):
    """The skip and rebuild logic at the job level: the first build is the module's real one; the rebuilds after
    it use a stand-in renderer and site (the real ones are tested end to end above and in test_speed.py)."""
    shutil.copytree(folder[0], tmp_path, dirs_exist_ok=True)
    clients, out = tmp_path / "clients", tmp_path / "out"
    (clients / "broken-client.yaml").unlink()

    def manifests():
        return {c: (out / c / "manifest.json").read_text() for c in ("maya-lopez", "sam-okafor", "li-wei")}

    code, output = build(str(clients), "-o", str(out), "-j", "1")
    assert code == 0 and "0 built, 3 skipped, 0 failed" in output
    before = manifests()

    rendered: list[str] = []
    sites: list[str] = []

    def stand_in_site(workbook, client_dir, **_links):
        sites.append(workbook.client_id)
        (client_dir / "site").mkdir(parents=True, exist_ok=True)
        (client_dir / "site" / "index.html").write_text("stand-in")
        return client_dir / "site" / "index.html"

    monkeypatch.setattr(generator.batch, "_pdf_renderer", StubRenderer(rendered))
    monkeypatch.setattr(generator.site, "render_site", stand_in_site)

    def built_now() -> set[str]:
        """The clients whose site was made since the last call (a skipped client makes none)."""
        found = set(sites)
        sites.clear()
        return found

    (clients / "sam-okafor.yaml").write_text((clients / "sam-okafor.yaml").read_text().replace("Tacoma", "Olympia"))
    code, output = build(str(clients), "-o", str(out), "-j", "1")
    assert "1 built, 2 skipped, 0 failed" in output and "✓ sam-okafor" in output, output
    assert built_now() == {"sam-okafor"}

    (clients / "coach.yaml").write_text(
        (clients / "coach.yaml").read_text().replace("meeting_minutes: 25", "meeting_minutes: 35")
    )
    code, output = build(str(clients), "-o", str(out), "-j", "1")
    assert "3 built, 0 skipped, 0 failed" in output
    assert built_now() == {"maya-lopez", "sam-okafor", "li-wei"}

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    monkeypatch.setattr(generator.build, "CONTENT", content)
    code, output = build(str(clients), "-o", str(out), "-j", "1")
    assert "0 built, 3 skipped" in output
    assert built_now() == set()
    (content / "guide" / "01-welcome.md").write_text(
        (content / "guide" / "01-welcome.md").read_text() + "\nOne more line.\n"
    )
    code, output = build(str(clients), "-o", str(out), "-j", "1")
    assert "3 built, 0 skipped" in output
    assert built_now() == {"maya-lopez", "sam-okafor", "li-wei"}

    rendered.clear()
    code, output = build(str(clients), "-o", str(out), "-j", "1", "--force")
    assert "3 built, 0 skipped" in output
    assert built_now() == {"maya-lopez", "sam-okafor", "li-wei"}
    # --force renders every PDF again, the unchanged ones too.
    summaries = [json.loads(text)["summary"] for text in manifests().values()]
    # The workbook's layout, and a chapter and a sheet for each contact (every one has a chapter in these workbooks).
    assert len(rendered) == sum(1 + 2 * len(summary["sheets"]) for summary in summaries)
    assert json.loads(manifests()["li-wei"])["inputs"] != json.loads(before["li-wei"])["inputs"]


def test_a_client_that_breaks_keeps_its_earlier_output(folder):
    base = folder[0]
    clients, out = base / "clients", base / "out"
    site_before = (out / "li-wei" / "site" / "index.html").read_bytes()
    good = (clients / "li-wei.yaml").read_text()
    (clients / "li-wei.yaml").write_text(good.replace("relationship: cold", "relationship: stranger"))
    try:
        code, output = build(str(clients), "-o", str(out), "-j", "1")
    finally:
        (clients / "li-wei.yaml").write_text(good)
    assert code == 1
    assert "li-wei: failed; its earlier output is kept" in output
    assert (out / "li-wei" / "site" / "index.html").read_bytes() == site_before
    assert "The last build failed" in (out / "index.html").read_text()


def test_a_single_profile_builds_into_a_relative_out_folder_and_says_what_to_open(example_run, tmp_path):
    folder, first = example_run
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1] == "Open the site:   out/maya-lopez/site/index.html"
    assert (folder / "out" / "maya-lopez" / "site" / "index.html").is_file()
    shutil.copy(folder / "maya.yaml", tmp_path / "maya.yaml")
    copy_of(folder / "out", tmp_path)
    command = [sys.executable, "-m", "generator", "build", "maya.yaml", "-o", "out"]
    second = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert "maya-lopez: unchanged, skipped" in second.stdout
    assert second.stdout.strip().splitlines()[-1] == "Open the site:   out/maya-lopez/site/index.html"


def test_parallel_build_from_the_command_line_with_plain_progress_lines(folder):
    """The module's build: `python -m generator build FOLDER -j 2`, one progress line per client."""
    _, code, stdout, stderr = folder
    assert code == 1  # the broken client
    lines = stdout.splitlines()
    assert sum(line.startswith("✓ ") and " built in " in line for line in lines) == 3
    assert "✗ broken-client" in stderr
    assert "3 built, 0 skipped, 1 failed" in stdout
    assert "\x1b[" not in stdout + stderr, "no terminal escapes when output is not a terminal"


def test_a_failed_mkdocs_build_leaves_the_previous_output_exactly_as_it_was(example_out, tmp_path, monkeypatch):
    out = copy_of(example_out, tmp_path)

    def files():
        """Every file in OUT but the client's lock file, which holds the process id of the last build that took it."""
        return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.suffix != ".lock"}

    before = files()
    assert (out / ".maya-lopez.lock").is_file() and len(before) > 50

    # A real MkDocs failure: a guide page with a link to a page that does not exist (strict mode).
    from generator.coach import content_for
    from generator.workbook import GuidePage

    banks, guide = content_for()
    broken = guide + (GuidePage("broken", "Broken", "# Broken\n\nSee [the missing page](missing.md).\n"),)
    monkeypatch.setattr(generator.build, "content_for", lambda language, coach: (banks, broken))
    code, output = build(str(ROOT / "data" / "example.yaml"), "-o", str(out), "--force")
    assert code == 1
    assert "missing.md" in output
    assert files() == before


def test_a_build_never_replaces_a_folder_or_page_it_did_not_make(tmp_path):
    out = tmp_path / "out"
    (out / "maya-lopez").mkdir(parents=True)
    (out / "maya-lopez" / "thesis.txt").write_text("years of work")
    code, output = build(str(ROOT / "data" / "example.yaml"), "-o", str(out))
    assert code == 1 and "is not a workbook output" in output
    assert (out / "maya-lopez" / "thesis.txt").read_text() == "years of work"

    clients = tmp_path / "clients"
    clients.mkdir()
    shutil.copy(DEMO / "sam-okafor.yaml", clients / "sam-okafor.yaml")  # one client is enough to reach the overview
    (out / "index.html").write_text("<h1>my own page</h1>")
    code, output = build(str(clients), "-o", str(out), "-j", "1")
    assert code == 1 and "was not written by workbook" in output
    assert (out / "index.html").read_text() == "<h1>my own page</h1>"


def test_a_deleted_output_file_is_rebuilt_not_skipped(example_out, tmp_path):
    out = copy_of(example_out, tmp_path)
    assert "maya-lopez: unchanged, skipped" in build(str(ROOT / "data" / "example.yaml"), "-o", str(out))[1]
    (out / "maya-lopez" / "sheets" / "jordan-smith.pdf").unlink()
    code, output = build(str(ROOT / "data" / "example.yaml"), "-o", str(out))
    assert code == 0 and "maya-lopez: built" in output
    assert (out / "maya-lopez" / "sheets" / "jordan-smith.pdf").is_file()


def test_a_folder_without_coach_yaml_builds_with_plain_branding(tmp_path):
    clients = tmp_path / "clients"
    clients.mkdir()
    shutil.copy(DEMO / "sam-okafor.yaml", clients / "sam.yaml")
    code, output = build(str(clients), "-o", str(tmp_path / "out"), "-j", "1")
    assert code == 0, output
    html = (tmp_path / "out" / "index.html").read_text()
    assert "<title>Client workbooks</title>" in html and "Sam Okafor" in html


def _optional_keys_of_the_demo_coach_file() -> list[tuple[str, ...]]:
    """Every key of data/coach-demo/coach.yaml, two levels deep, that the format does not require."""
    from pydantic import BaseModel

    from generator.coach import CoachFile
    from generator.load import _model_at

    data = yaml.safe_load((DEMO / "coach.yaml").read_text(encoding="utf-8"))
    keys = []
    for section, value in data.items():
        keys.append((section,))
        model = _model_at(CoachFile, (section,))
        if isinstance(value, dict) and model is not None and issubclass(model, BaseModel):
            keys += [(section, key) for key in value if not model.model_fields[key].is_required()]
    return keys


OPTIONAL_COACH_KEYS = _optional_keys_of_the_demo_coach_file()


def test_the_demo_coach_file_has_the_optional_keys_the_next_test_removes():
    assert {
        ("coach", "color"),
        ("coach", "logo"),
        ("coach", "email"),
        ("coach", "website"),
        ("coach",),
        ("settings",),
        ("question_bank",),
        ("offer_bank",),
    } <= set(OPTIONAL_COACH_KEYS)
    assert ("coach", "name") not in OPTIONAL_COACH_KEYS


@pytest.mark.slow
@pytest.mark.parametrize("removed", OPTIONAL_COACH_KEYS, ids=".".join)
def test_a_coach_file_without_any_one_optional_key_builds_its_overview(tmp_path, removed):
    """The demo coach folder with one key of coach.yaml removed, and one client with one contact (to stay quick)."""
    clients = tmp_path / "clients"
    clients.mkdir()
    shutil.copytree(DEMO / "assets", clients / "assets")
    coach = yaml.safe_load((DEMO / "coach.yaml").read_text(encoding="utf-8"))
    parent = coach if len(removed) == 1 else coach[removed[0]]
    del parent[removed[-1]]
    (clients / "coach.yaml").write_text(yaml.safe_dump(coach, allow_unicode=True, sort_keys=False), encoding="utf-8")
    client = yaml.safe_load((DEMO / "li-wei.yaml").read_text(encoding="utf-8"))
    client["contacts"] = client["contacts"][:1]
    (clients / "li-wei.yaml").write_text(yaml.safe_dump(client, allow_unicode=True, sort_keys=False), encoding="utf-8")

    code, output = build(str(clients), "-o", str(tmp_path / "out"), "-j", "1")
    assert code == 0, output
    assert "Traceback" not in output
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "李伟 (Li Wei)" in html
    assert ("Dana Whitfield" in html) == (removed != ("coach",))
    accent = re.search(r"--accent: ([^;]+);", html).group(1)
    assert accent == ("#00796b" if removed not in (("coach",), ("coach", "color")) else "#3f51b5")


BIG = 16  # contacts of the large client: its 16 sheets go in 8 parts of 2 (16 / (4 × 2 workers))


def _mixed_folder(base: Path, big: int = BIG, small: int = 2) -> Path:
    """A coach's folder of one large client and two small ones (benchmarks/synthetic.py profiles)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import profile_yaml

    clients = base / "clients"
    clients.mkdir()
    (clients / "big.yaml").write_text(profile_yaml(big, seed=7, name="Big Client"), encoding="utf-8")
    for number in range(2):
        (clients / f"small-{number}.yaml").write_text(
            profile_yaml(small, seed=number, name=f"Small Client {number}"), encoding="utf-8"
        )
    return clients


def test_a_large_clients_tasks_run_in_every_worker_of_a_coachs_pool_and_its_output_is_whole(tmp_path):
    """-j 2 on one 16-contact client and two 2-contact ones: the worker that built the small ones then helps with
    the large one's sheets (the fault hook's `note` says which process ran which client's task). What they wrote
    together is what one process writes alone (-j 1): the same bytes."""
    clients = _mixed_folder(tmp_path)
    log = tmp_path / "tasks.log"
    build = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "clients", "-o", "out-2", "-j", "2", "--today", "2026-11-30"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "WORKBOOK_FAULT": "shared-task:note", "WORKBOOK_FAULT_LOG": str(log)},
    )
    stdout, stderr = build.communicate(timeout=600)
    assert build.returncode == 0, stderr
    assert "3 built, 0 skipped, 0 failed" in stdout
    ran = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    big_pids = {int(pid) for step, client, pid in ran if client == "big"}
    assert len(big_pids) == 2, ran  # both workers rendered parts of it
    assert build.pid not in {int(pid) for *_, pid in ran}  # the parent only hands out tasks
    # Its tasks: the site, the workbook's layout, the sheets in parts of 2, its chapters.
    assert sum(client == "big" for _, client, _ in ran) >= 2 + BIG // 2
    # Largest first: the big client started before the small ones, so its builder is not the one that built them.
    small_pids = {int(pid) for step, client, pid in ran if client != "big"}
    assert len(small_pids) == 1 and small_pids < big_pids

    code, output = build_one(tmp_path, "clients", "-o", "out-1", "-j", "1", "--today", "2026-11-30")
    assert code == 0, output
    for client in ("big", "small-0", "small-1"):
        together, alone = tmp_path / "out-2" / client, tmp_path / "out-1" / client
        manifest = json.loads((together / "manifest.json").read_text(encoding="utf-8"))
        summary = manifest["summary"]
        contacts = BIG if client == "big" else 2
        assert len(summary["sheets"]) == contacts
        pdfs = sorted(manifest["outputs"])
        # The sheets, the workbook PDF, its layout and its in-full contacts' chapters.
        assert len(pdfs) == contacts + 2 + len(contacts_in_full(workbook_of(clients / f"{client}.yaml"))[0])
        for path in pdfs:
            assert (together / path).read_bytes() == (alone / path).read_bytes(), f"{client}/{path}"
        names = [name for name, _ in summary["sheets"]]
        workbook_text = pdf_text(together / f"{client}-workbook.pdf")
        assert all(name.split()[0] in workbook_text for name in names)
        for name, sheet in summary["sheets"]:
            assert name in pdf_text(together / sheet)
        pages = sorted(p.relative_to(together).as_posix() for p in (together / "site").rglob("*.html"))
        assert len(pages) > contacts
        assert pages == sorted(p.relative_to(alone).as_posix() for p in (alone / "site").rglob("*.html"))
        for name in names:
            assert any(name in (together / page).read_text(encoding="utf-8") for page in pages if "contacts/" in page)
    assert not list((tmp_path / "out-2").glob(".*building*"))


def build_one(cwd: Path, *args: str) -> tuple[int, str]:
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    return run.returncode, run.stdout + run.stderr


def workbook_of(path: Path):
    """The client's plan as the build makes it (in a coach's folder without coach.yaml)."""
    from datetime import date

    from generator.build import tailor_client
    from generator.load import load_profile

    loaded = load_profile(path, display_name=path.name, client_id=path.stem, today=date(2026, 11, 30))
    return tailor_client(loaded, None, date(2026, 11, 30))
