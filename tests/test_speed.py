"""Speed and scale, as a user sees it: one edit rebuilds only what it touches, -j renders one client's PDFs in
worker processes with the same bytes, clients can go to any concurrent.futures executor, and a long list
stays printable (the workbook PDF) and light (the site's pages)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

import generator.pdf
from generator.banks import builtin_banks
from generator.cli import main
from generator.guide import load_guide
from generator.load import load_profile
from generator.paths import ROOT
from generator.pdf import WORKBOOK_FULL_CONTACTS, PdfRenderer, contacts_in_full
from generator.site import NAV_SECTION_PAGES, render_site
from generator.tailor import tailor

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import profile

EXAMPLE = ROOT / "data" / "example.yaml"
DEMO = ROOT / "data" / "coach-demo"
TODAY = "2026-11-30"
pytestmark = pytest.mark.slow  # real WeasyPrint and MkDocs builds


def build(*args: str):
    result = CliRunner().invoke(main, ["build", *args, "--today", TODAY], catch_exceptions=False)
    return result.exit_code, result.output


def files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder`: its bytes and inode (the same inode: the file was reused, not written again)."""
    return {
        path.relative_to(folder).as_posix(): (path.read_bytes(), path.stat().st_ino)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def workbook_of(path: Path):
    loaded = load_profile(path, display_name=path.name, client_id=None, defaults=None, today=date(2026, 11, 30))
    return tailor(loaded, builtin_banks(), load_guide(), date(2026, 11, 30))


@pytest.fixture(scope="module")
def example_built(tmp_path_factory) -> Path:
    """The example built once, with two workers (the site in one while the other renders PDFs): OUT/maya-lopez.

    Tests that build again work on a copy (`copy_built`): a copy costs far less than a build.
    """
    out = tmp_path_factory.mktemp("example") / "out"
    code, output = build(str(EXAMPLE), "-o", str(out), "-j", "2")
    assert code == 0, output
    assert not list(out.glob(".*.building-*"))  # no staging folder left behind
    return out


def _edit_dev_patels_note(folder: Path) -> None:
    """FOLDER/maya.yaml with Dev Patel's note edited: he moved to Tacoma, not Seattle."""
    source = folder / "maya.yaml"
    text = source.read_text(encoding="utf-8")
    assert "Moved to a job in Seattle" in text
    source.write_text(text.replace("Moved to a job in Seattle", "Moved to a job in Tacoma"), encoding="utf-8")


def copy_built(example_built: Path, folder: Path) -> Path:
    """FOLDER/maya.yaml (the example) and FOLDER/out, a copy of its build: the next build skips it."""
    shutil.copyfile(EXAMPLE, folder / "maya.yaml")
    shutil.copytree(example_built, folder / "out")
    return folder / "out"


def test_editing_one_contact_rebuilds_its_outputs_only_and_force_rebuilds_all(example_built, tmp_path):
    out = copy_built(example_built, tmp_path)
    source = tmp_path / "maya.yaml"
    client = out / "maya-lopez"
    before = files(client)

    _edit_dev_patels_note(tmp_path)
    code, output = build(str(source), "-o", str(out), "-j", "2")
    assert code == 0, output
    after = files(client)
    assert before.keys() == after.keys()
    changed = {path for path in after if after[path][0] != before[path][0]}
    assert "Tacoma" in "".join(page.extract_text() for page in PdfReader(client / "sheets" / "dev-patel.pdf").pages)
    # Dev Patel's sheet, workbook chapter and page, the workbook PDF (his chapter merged in again), the search
    # index; nothing else: not the workbook's layout, which keeps a placeholder page for each page of his chapter.
    assert {
        "sheets/dev-patel.pdf",
        ".layout/chapters/dev-patel.pdf",
        "maya-lopez-workbook.pdf",
        "docs/contacts/dev-patel.md",
        "site/contacts/dev-patel.html",
    } <= changed
    unexpected = {
        path
        for path in changed
        if not (
            "dev-patel" in path
            or path
            in (
                "maya-lopez-workbook.pdf",
                "docs/downloads/maya-lopez-workbook.pdf",
                "site/downloads/maya-lopez-workbook.pdf",
            )
            or path.startswith("site/search/")
            or path in ("plan.json", "manifest.json")
        )
    }
    assert not unexpected
    # The other sheets and chapters and the layout were not rendered again: the very same files, carried over.
    for path in (p for p in after if p.startswith(("sheets/", ".layout/")) and "dev-patel" not in p):
        assert after[path][1] == before[path][1], path
    assert (
        ".layout/maya-lopez-workbook.pdf" in after
        and len([p for p in after if p.startswith(".layout/chapters/")]) == 10
    )
    for path in ("sheets/dev-patel.pdf", ".layout/chapters/dev-patel.pdf"):
        assert after[path][1] != before[path][1], path
    workbook_text = "".join(page.extract_text() for page in PdfReader(client / "maya-lopez-workbook.pdf").pages)
    assert "Tacoma" in workbook_text  # his chapter's notes, as edited, in the workbook

    # Nothing changed: the client is skipped; --force renders every PDF again, to the same bytes. Every PDF of
    # `after` was rendered by two workers (the fixture's build or the edit's) and every one of `forced` by one
    # process: one profile with two workers writes what one process writes.
    assert "unchanged, skipped" in build(str(source), "-o", str(out))[1]
    assert build(str(source), "-o", str(out), "--force", "-j", "1")[0] == 0
    forced = files(client)
    pdfs = [p for p in forced if p.endswith(".pdf") and not p.startswith(("site/", "docs/"))]
    assert len(pdfs) >= 11
    for path in pdfs:
        assert forced[path][1] != after[path][1], f"{path} was not rendered again"
        assert forced[path][0] == after[path][0], f"{path} is not deterministic"
    assert not list(out.glob(".*.building-*"))  # no staging folder left behind


def html_times(client: Path) -> dict[str, int]:
    return {path.relative_to(client).as_posix(): path.stat().st_mtime_ns for path in (client / "site").rglob("*.html")}


def test_an_edit_builds_only_the_pages_it_changed_and_the_site_is_what_a_full_build_makes(example_built, tmp_path):
    """MkDocs builds again only the pages whose Markdown changed; the others, and every other page's search
    entries, come from the earlier site. The result is byte for byte the site a full build (--force) makes."""
    out = copy_built(example_built, tmp_path)  # copied with their times
    source = tmp_path / "maya.yaml"
    client = out / "maya-lopez"
    docs_before = files(client / "docs")
    times_before = html_times(client)

    _edit_dev_patels_note(tmp_path)
    code, output = build(str(source), "-o", str(out), "-j", "2")
    assert code == 0, output
    docs_after = files(client / "docs")
    pages_changed = {
        f"site/{path[: -len('.md')]}.html"
        for path in docs_after
        if path.endswith(".md") and docs_after[path][0] != docs_before[path][0]
    }
    assert "site/contacts/dev-patel.html" in pages_changed
    times_after = html_times(client)
    assert times_before.keys() == times_after.keys()
    rebuilt = {path for path in times_after if times_after[path] != times_before[path]}
    assert rebuilt == pages_changed, "only the pages whose Markdown changed are built again"
    assert "Tacoma" in (client / "site" / "contacts" / "dev-patel.html").read_text(encoding="utf-8")
    index = (client / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Tacoma" in index and "Seattle" not in index
    assert "Welcome to your workbook" in index  # a page not built this time keeps its entries

    full = tmp_path / "full"
    assert build(str(source), "-o", str(full), "--force")[0] == 0
    assert site_files(client) == site_files(full / "maya-lopez")

    # A new name shows in every page's navigation (the example's ten contacts are all in it): all are built.
    source.write_text(source.read_text(encoding="utf-8").replace("Dev Patel", "Dev Patil"), encoding="utf-8")
    assert build(str(source), "-o", str(out), "-j", "2")[0] == 0
    times_renamed = html_times(client)
    assert all(times_renamed[path] != times_after[path] for path in times_after)
    assert build(str(source), "-o", str(full), "--force")[0] == 0
    assert site_files(client) == site_files(full / "maya-lopez")


def site_files(client: Path) -> dict[str, bytes]:
    return {path: content for path, (content, _) in files(client / "site").items()}


def test_a_chapter_longer_or_shorter_than_its_placeholders_lays_the_workbook_out_again(example_built, tmp_path):
    """The layout keeps as many placeholder pages per chapter as the last build's manifest says (an edit seldom
    moves a page break); when a chapter has another number, the layout is made again with the real one."""
    import json

    out = copy_built(example_built, tmp_path)
    client = out / "maya-lopez"
    before = files(client)
    manifest = json.loads((client / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["chapter_pages"]["dev-patel"] == len(PdfReader(client / ".layout/chapters/dev-patel.pdf").pages)
    manifest["chapter_pages"]["dev-patel"] += 1  # as if his chapter had been a page longer last time
    (client / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, output = build(str(tmp_path / "maya.yaml"), "-o", str(out), "--force")
    assert code == 0, output
    after = files(client)
    for path in ("maya-lopez-workbook.pdf", ".layout/maya-lopez-workbook.pdf"):
        assert after[path][0] == before[path][0], path  # the same workbook as with the right count from the start
    fixed = json.loads((client / "manifest.json").read_text(encoding="utf-8"))
    assert fixed["chapter_pages"]["dev-patel"] == manifest["chapter_pages"]["dev-patel"] - 1
    assert fixed["outputs"] == json.loads(before["manifest.json"][0])["outputs"]  # so the next build reuses it


def test_a_new_day_changes_only_what_shows_dates(example_built, tmp_path):
    """`--today` moves this week's list and the due items; the sheets show no such date and are kept as they are."""
    out = copy_built(example_built, tmp_path)
    client = out / "maya-lopez"
    before = files(client)
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "-o", str(out), "--today", "2026-12-09"])
    assert result.exit_code == 0, result.output
    after = files(client)
    changed = {path for path in after if path not in before or after[path][0] != before[path][0]}
    pages = {path for path in changed if path.startswith("docs/") and path.endswith(".md")}
    assert {"docs/index.md", "docs/tracker.md"} <= pages
    # Only contacts with something due in either week show a different page; every other page is the same.
    due_either_week = {
        item.contact_id
        for day in ("2026-11-30", "2026-12-09")
        for item in tailor(
            load_profile(EXAMPLE), builtin_banks(), load_guide(), date.fromisoformat(day)
        ).this_week.items
    }
    assert pages - {"docs/index.md", "docs/tracker.md"} <= {f"docs/contacts/{cid}.md" for cid in due_either_week}
    assert not {path for path in changed if path.startswith(("docs/guide/", "docs/roles/", "docs/banks/"))}
    # The sheets were not rendered again: the very same files.
    for path in (p for p in after if p.startswith("sheets/")):
        assert after[path][1] == before[path][1], path


def test_clients_can_be_handed_to_a_concurrent_futures_executor(tmp_path):
    """The coach demo's folder with one contact per client: what is tested is who builds them, not their size."""
    clients = tmp_path / "clients"
    shutil.copytree(DEMO, clients)
    for path in clients.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "contacts" in data:
            data["contacts"] = data["contacts"][:1]
            data["contacts"][0].pop("referred_by", None)
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, output = build(
        str(clients), "-o", str(tmp_path / "out"), "--executor", "concurrent.futures:ProcessPoolExecutor"
    )
    assert code == 0, output
    profiles = [path for path in clients.glob("*.yaml") if path.name != "coach.yaml"]
    assert f"{len(profiles)} built, 0 skipped, 0 failed" in output
    for path in profiles:
        assert (tmp_path / "out" / path.stem / "site" / "index.html").is_file()
    assert (tmp_path / "out" / "index.html").is_file()

    code, output = build(str(clients), "-o", str(tmp_path / "out"), "--executor", "no_such_module:Executor")
    assert code == 1
    assert "--executor no_such_module:Executor: cannot import it" in output
    assert "Traceback" not in output


@pytest.fixture(scope="module")
def long_list(tmp_path_factory) -> Path:
    """A profile with more contacts than the workbook gives chapters and the site's navigation lists."""
    count = max(WORKBOOK_FULL_CONTACTS, NAV_SECTION_PAGES) + 6
    path = tmp_path_factory.mktemp("long") / "long.yaml"
    path.write_text(yaml.safe_dump(profile(count), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_past_the_threshold_the_workbook_pdf_has_chapters_for_the_active_and_a_table_for_the_rest(
    long_list, tmp_path, monkeypatch
):
    workbook = workbook_of(long_list)
    in_full, in_table = contacts_in_full(workbook)
    assert len(in_full) == WORKBOOK_FULL_CONTACTS and len(in_full) + len(in_table) == len(workbook.contacts)
    upcoming = set(workbook.tracker.upcoming)
    # Meetings coming up come first: no one left to the table has one while a chapter went to someone without.
    assert not (upcoming & {plan.id for plan in in_table}) or upcoming >= {plan.id for plan in in_full}
    # The PDF is rendered with a lower threshold: the same rules, a fifth of the chapters and sheets to lay out.
    limit = 5
    monkeypatch.setattr(generator.pdf, "WORKBOOK_FULL_CONTACTS", limit)
    in_full, in_table = contacts_in_full(workbook)
    assert len(in_full) == limit
    path = tmp_path / "workbook.pdf"
    PdfRenderer().render_workbook(workbook, path)
    reader = PdfReader(path)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert f"With {len(workbook.contacts)} people on your list, this workbook gives a chapter to the {limit}" in text
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    chapters = [
        title for title in _titles(reader.outline) if title in {plan.contact.name for plan in workbook.contacts}
    ]
    assert sorted(chapters) == sorted(plan.contact.name for plan in in_full)
    assert outline  # the parts are still bookmarked
    for plan in in_table:  # everyone without a chapter is still in the tracker's table
        assert plan.contact.name in text


def _titles(outline) -> list[str]:
    found = []
    for item in outline:
        found += _titles(item) if isinstance(item, list) else [item.title]
    return found


def test_past_the_threshold_the_site_navigation_lists_sections_and_the_index_lists_everyone(long_list, tmp_path):
    workbook = workbook_of(long_list)
    index = render_site(workbook, tmp_path / "client")
    site = index.parent
    contact_page = (site / "contacts" / f"{workbook.contacts[0].id}.html").read_text(encoding="utf-8")
    others = [plan.id for plan in workbook.contacts[1:]]
    # A contact's page does not link to every other contact (it would make the site grow with their square)…
    assert sum(f"{other}.html" in contact_page for other in others) < 3
    # …the contacts' index page does, and every page is still built.
    listing = (site / "contacts" / "index.html").read_text(encoding="utf-8")
    assert all(f"{other}.html" in listing for other in others)
    assert all((site / "contacts" / f"{other}.html").is_file() for other in others)


# --- one client's worker processes keep the build's promises ---------------------------------------------


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", *args, "--today", TODAY],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.fixture
def built_example(example_built, tmp_path) -> Path:
    """TMP/maya.yaml and TMP/out, a copy of the example's build."""
    copy_built(example_built, tmp_path)
    assert "unchanged, skipped" in _run("maya.yaml", "-o", "out", env={}, cwd=tmp_path).stdout
    return tmp_path


def test_a_pdf_worker_that_dies_fails_the_build_and_keeps_the_previous_output(built_example):
    out = built_example / "out"
    before = _snapshot(out / "maya-lopez")
    result = _run(
        "maya.yaml", "-o", "out", "-j", "2", "--force", env={"WORKBOOK_FAULT": "pdf-worker:kill"}, cwd=built_example
    )
    assert result.returncode == 1
    assert "was killed by signal 9" in result.stderr and "Traceback" not in result.stderr
    assert _snapshot(out / "maya-lopez") == before
    assert not list(out.glob(".*.building-*"))


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads a process's children from /proc")
def test_sigterm_while_pdf_workers_render_stops_them_all_and_keeps_the_previous_output(built_example):
    out = built_example / "out"
    before = _snapshot(out / "maya-lopez")
    build = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "maya.yaml", "-o", "out", "-j", "2", "--force", "--today", TODAY],
        cwd=built_example,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "WORKBOOK_FAULT": "pdf-worker:sleep30"},
    )
    try:
        deadline = time.monotonic() + 120
        while len(workers := _children(build.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) >= 2
        time.sleep(0.5)  # both in their tasks
        build.send_signal(signal.SIGTERM)
        _, stderr = build.communicate(timeout=60)
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode == 143
    assert "stopped by SIGTERM" in stderr and "Traceback" not in stderr
    deadline = time.monotonic() + 30
    while (
        any(
            Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2:3]
            for pid in workers
        )
        and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert not [
        pid
        for pid in workers
        if Path(f"/proc/{pid}").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    ]
    assert _snapshot(out / "maya-lopez") == before
    assert not list(out.glob(".*.building-*"))


def test_an_update_renders_its_pdfs_in_a_worker_that_loaded_weasyprint_while_the_profile_loaded(built_example):
    """The spare (generator/batch.py's start_spare): forked as an update begins, it renders the update's PDFs. A
    full build (--force) has none: both cores are busy from its start."""
    log = built_example / "who.log"
    env = {"WORKBOOK_FAULT": "spare:note,pdf-worker:note", "WORKBOOK_FAULT_LOG": str(log)}
    result = _run("maya.yaml", "-o", "out", "-j", "2", "--force", env=env, cwd=built_example)
    assert result.returncode == 0, result.stderr
    steps = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert "pdf-worker" in {step for step, *_ in steps} and "spare" not in {step for step, *_ in steps}

    log.unlink()
    _edit_dev_patels_note(built_example)
    result = _run("maya.yaml", "-o", "out", "-j", "2", env=env, cwd=built_example)
    assert result.returncode == 0, result.stderr
    steps = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    spares = [pid for step, _, pid in steps if step == "spare"]
    assert len(spares) == 1
    assert spares[0] in {pid for step, _, pid in steps if step == "pdf-worker"}


# A spare killed as it starts, long before the pool would take it (the build waits a second at its tailor step),
# and one that starts late (it is sent the plan and its tasks while it still loads WeasyPrint).
@pytest.mark.parametrize("fault", ["spare:kill,tailor:sleep1", "spare:sleep1"])
def test_an_update_whose_spare_died_or_is_slow_to_start_is_built_all_the_same(built_example, fault):
    client = built_example / "out" / "maya-lopez"
    pages = len(PdfReader(client / "maya-lopez-workbook.pdf").pages)
    _edit_dev_patels_note(built_example)
    result = _run("maya.yaml", "-o", "out", "-j", "2", env={"WORKBOOK_FAULT": fault}, cwd=built_example)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Tacoma" in "".join(page.extract_text() for page in PdfReader(client / "sheets" / "dev-patel.pdf").pages)
    workbook = PdfReader(client / "maya-lopez-workbook.pdf")
    assert len(workbook.pages) == pages and "Tacoma" in "".join(page.extract_text() for page in workbook.pages)


def test_updates_one_after_another_through_the_python_entry_point_each_work_and_leave_no_worker_behind(built_example):
    """In one process whose PDF renderer has its fonts in a temporary folder (as after a build in it): an update
    whose spare PDF worker inherits that renderer (it must not drop it: WeasyPrint would delete the folder the other
    workers use), then a skipped one, which never takes its spare: it is stopped, not left for the next build or
    the interpreter's exit."""
    import gc
    import multiprocessing

    from generator import batch

    source = built_example / "maya.yaml"
    # The renderer has the Letter stylesheets; the update is to A4, every PDF again: the site's worker renders
    # some once the site is done, compiling A4's stylesheets into that folder.
    (batch._pdf_renderer or batch._worker_start()).stylesheet(
        "question-sheet", workbook_of(source), generator.pdf.SHEET_DENSITIES[0]
    )
    text = source.read_text(encoding="utf-8")
    assert "paper: letter" in text
    source.write_text(text.replace("paper: letter", "paper: a4"), encoding="utf-8")
    thresholds = gc.get_threshold()
    for update in (True, False):
        if update:  # (inherited by the workers) an object dropped is collected at once, not by chance
            gc.set_threshold(1, 1, 1)
        try:
            code = batch.build_target(
                source, built_example / "out", jobs=2, force=False, display=str, today=date(2026, 11, 30)
            )
        finally:
            gc.set_threshold(*thresholds)
        assert code == 0, update
        assert multiprocessing.active_children() == []


def test_one_function_names_every_output_with_names_windows_can_open(tmp_path):
    from generator.build import output_paths

    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["contacts"][0]["id"] = "con"
    for contact in data["contacts"][1:]:  # the example's referrals name the first contact by its old id
        if contact.get("referred_by") == data["contacts"][0].get("id"):
            contact.pop("referred_by")
    path = tmp_path / "nul.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    loaded = load_profile(path, display_name=path.name, client_id="nul", defaults=None, today=date(2026, 11, 30))
    paths = output_paths(tailor(loaded, builtin_banks(), load_guide(), date(2026, 11, 30)))
    assert paths.sheets["con"] == "sheets/con_.pdf"
    assert paths.calendar == "nul_.ics" and paths.workbook_pdf == "nul-workbook.pdf"
    assert len(set(paths.sheets.values())) == len(data["contacts"])
