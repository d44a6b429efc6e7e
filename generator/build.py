"""The build of one client, in named steps: tailor → render PDFs → render the site → record → swap into place.

Everything is written into a fresh staging folder beside the client's folder
and only swapped into place when every step succeeded, so a failed, killed or
interrupted build leaves the previous output exactly as it was, and OUT/<id>
is never missing once it has existed. A manifest records what the output was
built from, so an unchanged client can be skipped. What a killed build leaves
behind (hidden `.<id>.building-*` / `.<id>.old-*` folders) is tidied by the
next build (`recover`). The named steps are also the test hook's fault points
(see generator/outfolder.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import shutil
import stat
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import __version__
from generator.coach import CoachChanges, content_for
from generator.errors import InternalError, UserError
from generator.filenames import file_stem
from generator.load import LoadedProfile
from generator.outfolder import (
    exchange,
    fault_point,
    make_fresh_folder,
    not_a_file,
    os_problem,
    read_regular,
    shown,
    signals_held,
)
from generator.paths import BASE_MKDOCS, CONTENT, TEMPLATES
from generator.plan_data import PLAN_FILE, write_plan
from generator.tailor import tailor
from generator.workbook import ClientPlan, ContactPlan

if TYPE_CHECKING:  # imported where used at run time: it loads the PDF renderer
    from generator.pdf import PdfRenderer

Manifest = dict[str, Any]  # a manifest as json.loads returns it: checked only in part (`read_manifest`)

CODE = Path(__file__).resolve().parent  # a change to workbook itself changes the output too

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ClientPaths:
    """Every file of a client's output, relative to its folder (FORMAT.md). Renderers are given these paths."""

    workbook_pdf: str
    sheets: dict[str, str]  # contact id -> its question sheet
    workbook_layout: str  # the workbook PDF before the sheets are merged in (kept: see output_fingerprints)
    calendar: str
    plan: str
    # in-full contact id -> its workbook chapter, laid out on its own and merged in (kept beside the layout)
    chapters: dict[str, str] = dataclasses.field(default_factory=dict)


def output_paths(workbook: ClientPlan) -> ClientPaths:
    """The one place that names a client's outputs; names made from ids go through generator/filenames.py,
    so a contact called `con` gets `sheets/con_.pdf`, which Windows can open."""
    from generator.pdf import contacts_in_full

    client = workbook.client_id
    return ClientPaths(
        workbook_pdf=f"{client}-workbook.pdf",  # "-workbook" keeps it clear of reserved names
        sheets={plan.id: f"sheets/{file_stem(plan.id)}.pdf" for plan in workbook.contacts},
        workbook_layout=f".layout/{client}-workbook.pdf",
        calendar=f"{file_stem(client)}.ics",
        plan=PLAN_FILE,
        chapters={plan.id: f".layout/chapters/{file_stem(plan.id)}.pdf" for plan in contacts_in_full(workbook)[0]},
    )


@dataclass
class ClientSummary:
    """What the coach's overview shows of a client; kept in the manifest so skipped clients still appear."""

    client_id: str
    name: str
    target_roles: list[str]
    counts: dict[str, int]
    next_meetings: list[tuple[str, str, str]]  # (when, contact name, contact id)
    overdue: list[str]  # contact names
    site: str  # paths relative to the client's folder
    workbook_pdf: str
    sheets: list[tuple[str, str]]  # (contact name, path)
    due_overdue: int = 0  # follow-through steps past their date (nudges, thank-yous, updates, check-ins)


@dataclass
class BuildResult:
    client_id: str
    folder: Path
    summary: ClientSummary  # in memory for the caller (the overview); also in the manifest for later skips
    rendered: int = 0  # PDFs rendered this time
    reused: int = 0  # PDFs unchanged since the last build, reused from it


def inputs_fingerprint(loaded: LoadedProfile, coach_file: Path | None, today: date) -> str:
    """A hash of everything the output depends on: profile, coach file, logo, content, templates, code, date."""
    digest = hashlib.sha256()
    digest.update(f"workbook {today.isoformat()} {_tool_fingerprint()}\n".encode())
    # Named by role, not by absolute path, so moving the project or the folder changes nothing.
    for label, path in [("profile", loaded.path), ("coach", coach_file), ("logo", loaded.logo)]:
        if path is not None:
            digest.update(label.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _tool_fingerprint() -> str:
    """A hash of workbook itself: its version, content, templates, code and base mkdocs.yml.

    The files are read again only when one's size or modification time changed (a long `serve` sees edits).
    """
    files = [("mkdocs.yml", BASE_MKDOCS)]
    for folder in (CONTENT, TEMPLATES, CODE):
        files += [
            (path.relative_to(folder.parent).as_posix(), path)
            for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        ]
    return _hash_files(tuple((label, path, path.stat().st_mtime_ns, path.stat().st_size) for label, path in files))


@lru_cache(maxsize=4)
def _hash_files(files: tuple[tuple[str, Path, int, int], ...]) -> str:
    digest = hashlib.sha256(f"workbook {__version__}\n".encode())
    for label, path, _, _ in files:
        digest.update(label.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def output_fingerprints(
    workbook: ClientPlan, paths: ClientPaths, renderer: PdfRenderer, chapter_pages: dict[str, int] | None = None
) -> dict[str, str]:
    """A hash per PDF of what it shows; an unchanged one is reused from the last build.

    The workbook's layout (`PdfRenderer.render_workbook_layout`, kept at `ClientPaths.workbook_layout`): its markup
    (with `chapter_pages` placeholders per chapter) and stylesheet (a few milliseconds to make, and exactly what it
    shows, so an edit to a contact it lists only in its table, or to a chapter that keeps its number of pages, leaves
    it alone). A chapter's (`PdfRenderer.render_chapter`, kept at `ClientPaths.chapters`): its markup and stylesheet.
    The workbook PDF's: its layout's and the fingerprints of the chapters and sheets it carries (generator/merge.py),
    so a changed chapter or sheet with an unchanged layout is only laid out alone and merged in again. A sheet's: its contact's plan and what every
    sheet shows (seeker, coach, settings, date, logo), as `repr` of the plan's frozen dataclasses and validated
    models (every field, in a fixed order); cheaper than its markup, which a build of 2,000 sheets would feel.
    """
    tool = _tool_fingerprint()
    logo = hashlib.sha256(workbook.coach_logo.read_bytes()).hexdigest() if workbook.coach_logo else ""
    # Not the build date, nor the plan's due items and drafts: a sheet shows neither, so a new day re-renders
    # only what shows dates (the pages listing this week, the workbook PDF), not every sheet.
    common = repr((workbook.client_id, workbook.seeker, workbook.coach, workbook.settings, logo))

    def digest(*parts: str) -> str:
        return hashlib.sha256("\0".join((tool, *parts)).encode("utf-8")).hexdigest()

    from generator.pdf import contacts_in_full

    layout = digest(
        "layout",
        renderer.workbook_html(workbook, chapter_pages=chapter_pages),
        renderer.stylesheet_source("workbook", workbook),
        logo,
    )
    found = {paths.workbook_layout: layout}
    in_full = contacts_in_full(workbook)[0]
    chapter_css = renderer.stylesheet_source("workbook-chapter", workbook)
    for plan in in_full:
        found[paths.chapters[plan.id]] = digest("chapter", renderer.chapter_html(workbook, plan), chapter_css)
    for plan in workbook.contacts:
        found[paths.sheets[plan.id]] = digest("sheet", common, repr(dataclasses.replace(plan, due=(), drafts=())))
    # The workbook PDF carries the chapters and sheets of its in-full contacts: a new one means a new merge, not
    # a new layout.
    carried = [found[kind[plan.id]] for plan in in_full for kind in (paths.chapters, paths.sheets)]
    found[paths.workbook_pdf] = digest("workbook", layout, *carried)
    return found


MAX_MANIFEST_BYTES = 32 * 1024 * 1024  # a few kilobytes, about 1 MB with 2,000 contacts


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of an earlier build, or None when there is none (or it is not one of ours).

    `folder` must be a real folder: a link, file, FIFO or device there (or as its manifest) is a
    `UserError` naming it, never followed, read whole or waited on.
    """
    try:
        status = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise os_problem(error, folder, "read") from None
    if not stat.S_ISDIR(status.st_mode):
        kind = "a file" if stat.S_ISREG(status.st_mode) else None
        raise (
            not_a_file(folder, status.st_mode, "a workbook output")
            if kind is None
            else UserError(
                f"{shown(folder)} is a file, not a workbook output; move it away or choose another output folder with -o"
            )
        )
    raw = read_regular(folder / MANIFEST, MAX_MANIFEST_BYTES)
    if raw is None:
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("summary"), dict) or "inputs" not in manifest:
        return None
    return manifest


def outputs_present(folder: Path, manifest: Manifest) -> bool:
    """Whether every file the manifest lists is still there (a deleted sheet means: build again)."""
    summary = manifest["summary"]
    try:
        paths = [summary["site"], summary["workbook_pdf"], *(path for _, path in summary["sheets"])]
        return all((folder / path).is_file() for path in paths)
    except (KeyError, TypeError, ValueError):
        return False


def tailor_client(loaded: LoadedProfile, coach: CoachChanges | None, today: date) -> ClientPlan:
    """The client's plan, from the content of the profile's `settings.language` (generator/languages.py) with
    the coach's changes on top; what `build`, `serve` and `check` all read."""
    banks, guide = content_for(loaded.profile.settings.language, coach)
    return tailor(loaded, banks, guide, today)


def build_client(
    loaded: LoadedProfile,
    out: Path,
    *,
    coach: CoachChanges | None = None,
    pdf: PdfRenderer | None = None,
    today: date | None = None,
    fingerprint: str | None = None,
    workers: int = 1,
    force: bool = False,
) -> BuildResult:
    """Build one client's site, workbook PDF and sheets into OUT/<client-id>/.

    `coach`: the changes of the client's coach (coach.yaml), put on top of the content of the client's language.

    `workers` > 1 renders the PDFs in that many worker processes (generator/batch.py's WorkerPool).
    A PDF whose fingerprint (`output_fingerprints`) matches the previous build's is reused from it,
    unless `force`. The caller holds the client's lock (`client_lock`). An error of the operating
    system (a full disk, a read-only folder) is a `UserError` naming the path; the previous output is kept.
    """
    out = out.absolute()  # the renderers return absolute paths; keep every path here comparable
    final = out / loaded.client_id
    try:
        return _build_in_staging(loaded, out, final, coach, pdf, today or date.today(), fingerprint, workers, force)
    except OSError as error:
        raise os_problem(error, final if _inside_staging(error, out, loaded.client_id) else None) from None


def _inside_staging(error: OSError, out: Path, client_id: str) -> bool:
    """Whether the failed path is one of our hidden working folders (then name the output, not it)."""
    name = error.filename
    if not isinstance(name, (str, bytes, os.PathLike)):
        return True
    name = os.fsdecode(name)
    return Path(name).absolute().is_relative_to(out) and f".{client_id}." in name


def _build_in_staging(
    loaded: LoadedProfile,
    out: Path,
    final: Path,
    coach: CoachChanges | None,
    pdf: PdfRenderer | None,
    today: date,
    fingerprint: str | None,
    workers: int,
    force: bool,
) -> BuildResult:
    from generator.calendar_file import write_calendar
    from generator.site import link_downloads, render_site

    client_id = loaded.client_id
    fault_point("tailor", client_id)
    workbook = tailor_client(loaded, coach, today)
    previous = read_manifest(final) if os.path.lexists(final) else None
    if os.path.lexists(final) and previous is None:
        raise UserError(
            f"{shown(final)} exists and is not a workbook output (it has no {MANIFEST}); "
            "move it away or choose another output folder with -o"
        )
    from generator.pdf import PdfRenderer, expected_chapter_pages

    pdf = pdf or PdfRenderer()
    paths = output_paths(workbook)
    # The last build's chapter page counts are the best guess of this one's (an edit seldom moves a page break).
    known = previous.get("chapter_pages") if previous else None
    chapter_pages = expected_chapter_pages(workbook, known if isinstance(known, dict) else None)
    fingerprints = output_fingerprints(workbook, paths, pdf, chapter_pages)
    # A fresh folder (mkdtemp: O_EXCL semantics, private): nothing planted in OUT is followed or reused.
    staging = make_fresh_folder(out, f".{client_id}.building-{os.getpid()}-")
    try:
        fault_point("pdf", client_id, staging)
        reused = set() if force else _reuse_unchanged(previous, fingerprints, final, staging)
        write_plan(workbook, staging / paths.plan)  # the plan as data (FORMAT.md), beside the sheets it matches
        write_calendar(workbook, staging / paths.calendar)  # before the site, which links to it
        todo = {path for path in fingerprints if path not in reused}
        # The site updates the previous one (only the pages whose Markdown changed are built), unless --force.
        earlier = None if force or previous is None else final
        if workers > 1 and len(todo) >= 1:
            # The site is built in a worker while the others render the PDFs; it gets them when all are written.
            fault_point("site", client_id, staging)
            pages = _render_pdfs(
                workbook, staging, paths, todo, pdf, workers, chapter_pages, site_from=earlier, with_site=True
            )
            _check_pdfs(staging, paths)
            link_downloads(staging, sheets=paths.sheets, workbook_pdf=paths.workbook_pdf, calendar=paths.calendar)
        else:
            pages = _render_pdfs(workbook, staging, paths, todo, pdf, workers, chapter_pages)
            _check_pdfs(staging, paths)
            fault_point("site", client_id, staging)
            render_site(
                workbook,
                staging,
                sheets=paths.sheets,
                workbook_pdf=paths.workbook_pdf,
                calendar=paths.calendar,
                earlier=earlier,
            )
        if pages != chapter_pages:  # the layout was made again with the chapters' real page counts: say so
            chapter_pages = pages
            fingerprints = output_fingerprints(workbook, paths, pdf, chapter_pages)
        summary = _summary(workbook, "site/index.html", paths.workbook_pdf, paths.sheets)
        manifest = {
            "tool": __version__,
            "inputs": fingerprint,
            "built_on": today.isoformat(),
            "summary": asdict(summary),
            "outputs": fingerprints,
            "chapter_pages": chapter_pages,  # the next build's guess (`expected_chapter_pages`)
        }
        fault_point("manifest", client_id, staging)
        # Written last: a staging folder with a manifest is a complete output (recovery relies on it).
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        fault_point("swap", client_id, staging)
        _swap_into_place(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(client_id, final, summary, rendered=len(fingerprints) - len(reused), reused=len(reused))


def _reuse_unchanged(previous: Manifest | None, fingerprints: dict[str, str], final: Path, staging: Path) -> set[str]:
    """Link into `staging` every PDF of the previous output whose fingerprint is unchanged; return their paths.

    A hard link, so the bytes are the very same file (the old folder is removed after the swap, which only
    drops its name for it); a copy where links are not possible.
    """
    before = previous.get("outputs") if previous else None
    if not isinstance(before, dict):
        return set()
    reused = set()
    real_final = os.path.realpath(final)
    for path, print_ in fingerprints.items():
        source = final / path
        # Only our own regular file at its own place: never through a link planted in the old output.
        if (
            before.get(path) != print_
            or not source.is_file()
            or os.path.realpath(source) != os.path.join(real_final, *path.split("/"))
        ):
            continue
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        reused.add(path)
    return reused


def _check_pdfs(staging: Path, paths: ClientPaths) -> None:
    missing = [path for path in [paths.workbook_pdf, *paths.sheets.values()] if not (staging / path).is_file()]
    if missing:
        raise InternalError(f"the PDF renderer did not write {', '.join(missing)}")


def _render_pdfs(
    workbook: ClientPlan,
    staging: Path,
    paths: ClientPaths,
    todo: set[str],
    pdf: PdfRenderer | None,
    workers: int,
    chapter_pages: dict[str, int],
    site_from: Path | None = None,
    with_site: bool = False,
) -> dict[str, int]:
    """Render the PDFs in `todo` into `staging`: here, or in worker processes when `workers` > 1 (`with_site`:
    the site too, in one of them, updating the site of the output `site_from` if given). The layout gets
    `chapter_pages` placeholders per chapter; returns the chapters' real page counts (the same, unless the merge
    found otherwise and laid the workbook out again)."""
    from generator.pdf import PdfRenderer

    sheets = [(plan.id, staging / paths.sheets[plan.id]) for plan in workbook.contacts if paths.sheets[plan.id] in todo]
    chapters = [(cid, staging / path) for cid, path in paths.chapters.items() if path in todo]
    layout = staging / paths.workbook_layout if paths.workbook_layout in todo else None
    merged = [chapter_pages]

    def merge() -> None:
        if paths.workbook_pdf in todo:
            merged[0] = _merge_workbook(workbook, staging, paths, pdf or PdfRenderer(), chapter_pages)

    if with_site or (workers > 1 and len(sheets) + len(chapters) + (layout is not None) > 1):
        from generator.batch import render_in_workers

        # The merge runs here as soon as the PDFs are written, while a worker may still be building the site.
        render_in_workers(
            workbook,
            layout,
            sheets,
            workers,
            pdf,
            site=(staging, paths, site_from) if with_site else None,
            chapters=chapters,
            chapter_pages=chapter_pages,
            when_pdfs_done=merge,
        )
    else:
        renderer = pdf or PdfRenderer()
        if layout is not None:
            renderer.render_workbook_layout(workbook, layout, chapter_pages=chapter_pages)
        for contact_id, path in chapters:
            renderer.render_chapter(workbook, workbook.contact(contact_id), path)
        for contact_id, path in sheets:
            renderer.render_sheet(workbook, workbook.contact(contact_id), path)
        merge()
    return merged[0]


def _merge_workbook(
    workbook: ClientPlan, staging: Path, paths: ClientPaths, renderer: PdfRenderer, chapter_pages: dict[str, int]
) -> dict[str, int]:
    """The workbook PDF: its layout with the in-full contacts' chapters and sheets merged in (all written or reused
    by now); returns the chapters' page counts the layout has.

    The layout has as many placeholder pages per sheet as expected (`expected_sheet_pages`) and per chapter as
    `chapter_pages` (the last build's, or a guess); when one took another number, the layout is made again here
    with the real counts (rare for a sheet: a meeting over 90 minutes; for a chapter: a first build, or an edit
    that moved a page break), and so is the chapter of a sheet that did (it says how many sheet pages follow).
    """
    from generator.merge import PlaceholderMismatch, merge_sheets
    from generator.pdf import contacts_in_full, expected_sheet_pages

    sheets = {plan.id: staging / paths.sheets[plan.id] for plan in contacts_in_full(workbook)[0]}
    chapters = {cid: staging / path for cid, path in paths.chapters.items()}
    layout = staging / paths.workbook_layout
    try:
        merge_sheets(layout, sheets, staging / paths.workbook_pdf, chapters)
        return chapter_pages
    except PlaceholderMismatch as mismatch:
        sheet_pages = expected_sheet_pages(workbook) | mismatch.sheets
        chapter_pages = chapter_pages | mismatch.chapters
        for cid in mismatch.sheets:
            chapters[cid].unlink()  # it may be a link to the previous output's: never write through it
            chapter_pages[cid] = renderer.render_chapter(
                workbook, workbook.contact(cid), chapters[cid], sheet_pages[cid]
            )
        layout.unlink()
        renderer.render_workbook_layout(workbook, layout, sheet_pages, chapter_pages)
        merge_sheets(layout, sheets, staging / paths.workbook_pdf, chapters)
        return chapter_pages


def _swap_into_place(staging: Path, final: Path) -> None:
    """Put the complete output `staging` at `final`; `final` is never missing once it has existed.

    With Linux's atomic exchange the two folders trade places in one step and the old output (now
    at the staging name) is removed. Elsewhere the old output is renamed aside first: a crash in
    that instant leaves it hidden, and the next build puts it back (`recover`).
    """
    with signals_held():
        if not os.path.lexists(final):
            os.rename(staging, final)
            return
        if exchange(staging, final):
            fault_point("exchanged", final.name)
            shutil.rmtree(staging, ignore_errors=True)  # the old output now
            return
        old = final.with_name(f".{final.name}.old-{os.getpid()}-{staging.name.rsplit('-', 1)[-1]}")
        os.rename(final, old)
        try:
            fault_point("aside", final.name)
            os.rename(staging, final)
        except BaseException:  # put the previous output back before giving up
            os.rename(old, final)
            raise
        shutil.rmtree(old, ignore_errors=True)


# --- what interrupted builds leave behind -------------------------------------------------------------

_LEFTOVER = re.compile(r"^\.(?P<id>[a-z0-9][a-z0-9-]{0,63})\.(?:building|old)-(?P<pid>[0-9]+)(?:-[A-Za-z0-9_]+)?$")


def leftovers(out: Path) -> dict[str, list[Path]]:
    """Hidden staging and set-aside folders in OUT, by client id."""
    found: dict[str, list[Path]] = {}
    try:
        entries = list(os.scandir(out))
    except OSError:
        return found
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if match and entry.is_dir(follow_symlinks=False):
            found.setdefault(match["id"], []).append(Path(entry.path))
    return found


def recover(out: Path, client_id: str) -> str | None:
    """Tidy what interrupted builds of this client left; say what was done (None: nothing to do).

    The caller holds the client's lock, so no live build owns any of these folders. If the visible
    output is missing, the newest complete hidden one (it has a manifest and every file it lists)
    is put back; everything else is removed.
    """
    candidates = sorted(leftovers(out).get(client_id, []))
    if not candidates:
        return None
    final = out / client_id
    restored = None
    if not os.path.lexists(final):
        complete = []
        for folder in candidates:
            with contextlib.suppress(UserError, OSError):
                manifest = read_manifest(folder)
                if manifest and outputs_present(folder, manifest):
                    complete.append((os.stat(folder / MANIFEST).st_mtime, folder))
        if complete:
            restored = max(complete)[1]
            os.rename(restored, final)
    for folder in candidates:
        if folder != restored:
            shutil.rmtree(folder, ignore_errors=True)
    removed = len(candidates) - (restored is not None)
    parts = []
    if restored:
        parts.append(f"restored {shown(final)} from {restored.name}, where an interrupted build had left it")
    if removed:
        parts.append(
            f"removed {removed} unfinished folder{'s' if removed != 1 else ''} of interrupted builds of {client_id}"
        )
    return "recovered: " + "; ".join(parts)


def _summary(workbook: ClientPlan, site: str, workbook_pdf: str, sheets: dict[str, str]) -> ClientSummary:
    return ClientSummary(
        client_id=workbook.client_id,
        name=workbook.seeker.name,
        target_roles=[plan.role.title for plan in workbook.roles],
        counts={count.status: count.count for count in workbook.tracker.by_status},
        next_meetings=[
            (_meeting_when(workbook.contact(cid)), workbook.contact(cid).contact.name, cid)
            for cid in workbook.tracker.upcoming[:3]
        ],
        overdue=[workbook.contact(cid).contact.name for cid in workbook.tracker.overdue_follow_ups],
        site=site,
        workbook_pdf=workbook_pdf,
        sheets=[(workbook.contact(cid).contact.name, path) for cid, path in sheets.items()],
        due_overdue=workbook.this_week.overdue if workbook.this_week else 0,
    )


def _meeting_when(plan: ContactPlan) -> str:
    """When an upcoming meeting is (the tracker lists as upcoming only contacts with a meeting)."""
    assert plan.meeting is not None, f"{plan.id} is upcoming but has no meeting"
    return plan.meeting.when
