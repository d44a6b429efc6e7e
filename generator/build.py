"""The build of one client, in named steps: tailor → render PDFs → render the site → record → swap into place.

Everything is written into a staging folder beside the client's folder and
only moved into place when every step succeeded, so a failed build leaves the
previous output exactly as it was. A manifest records what the output was
built from, so an unchanged client can be skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from generator import __version__
from generator.banks import Banks, builtin_banks
from generator.errors import InternalError, UserError
from generator.guide import load_guide
from generator.load import LoadedProfile
from generator.paths import BASE_MKDOCS, CONTENT, TEMPLATES

CODE = Path(__file__).resolve().parent  # a change to workbook itself changes the output too
from generator.plan_data import PLAN_FILE, write_plan
from generator.tailor import tailor
from generator.workbook import Workbook

MANIFEST = "manifest.json"


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
    summary: ClientSummary


def inputs_fingerprint(loaded: LoadedProfile, coach_file: Path | None, today: date) -> str:
    """A hash of everything the output depends on: profile, coach file, logo, content, templates, code, date."""
    digest = hashlib.sha256()
    digest.update(f"workbook {__version__} {today.isoformat()}\n".encode())
    # Named by role, not by absolute path, so moving the project or the folder changes nothing.
    files = [("profile", loaded.path), ("coach", coach_file), ("logo", loaded.logo), ("mkdocs.yml", BASE_MKDOCS)]
    for folder in (CONTENT, TEMPLATES, CODE):
        files += [(path.relative_to(folder.parent).as_posix(), path) for path in sorted(folder.rglob("*"))
                  if path.is_file() and "__pycache__" not in path.parts]
    for label, path in files:
        if path is not None:
            digest.update(label.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_manifest(folder: Path) -> dict | None:
    """The manifest of an earlier build, or None when there is none (or it is not one of ours)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("summary"), dict) or "inputs" not in manifest:
        return None
    return manifest


def outputs_present(folder: Path, manifest: dict) -> bool:
    """Whether every file the manifest lists is still there (a deleted sheet means: build again)."""
    summary = manifest["summary"]
    try:
        paths = [summary["site"], summary["workbook_pdf"], *(path for _, path in summary["sheets"])]
        return all((folder / path).is_file() for path in paths)
    except (KeyError, TypeError, ValueError):
        return False


def build_client(loaded: LoadedProfile, out: Path, *, banks: Banks | None = None, pdf=None,
                 today: date | None = None, fingerprint: str | None = None) -> BuildResult:
    """Build one client's site, workbook PDF and sheets into OUT/<client-id>/."""
    from generator.pdf import PdfRenderer
    from generator.calendar_file import write_calendar
    from generator.site import render_site

    today = today or date.today()
    out = out.absolute()  # the renderers return absolute paths; keep every path here comparable
    workbook = tailor(loaded, banks or builtin_banks(), load_guide(), today)
    final = out / loaded.client_id
    if final.exists() and read_manifest(final) is None:
        raise UserError(f"{final} exists and is not a workbook output (it has no {MANIFEST}); "
                        "move it away or choose another output folder with -o")
    staging = out / f".{loaded.client_id}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        (pdf or PdfRenderer()).render_all(workbook, staging)
        write_plan(workbook, staging / PLAN_FILE)  # the plan as data (FORMAT.md), beside the sheets it matches
        # The paths FORMAT.md promises, named here rather than looked up by id (a contact may be called "workbook").
        workbook_pdf = f"{workbook.client_id}-workbook.pdf"
        sheets = {plan.id: f"sheets/{plan.id}.pdf" for plan in workbook.contacts}
        missing = [path for path in [workbook_pdf, *sheets.values()] if not (staging / path).is_file()]
        if missing:
            raise InternalError(f"the PDF renderer did not write {', '.join(missing)}")
        write_calendar(workbook, staging / f"{workbook.client_id}.ics")  # before the site, which links to it
        index = render_site(workbook, staging, sheets=sheets, workbook_pdf=workbook_pdf)
        summary = _summary(workbook, index.relative_to(staging).as_posix(), workbook_pdf, sheets)
        manifest = {"tool": __version__, "inputs": fingerprint, "built_on": today.isoformat(), "summary": asdict(summary)}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_into_place(staging, final)
    return BuildResult(loaded.client_id, final, summary)


def _swap_into_place(staging: Path, final: Path) -> None:
    """Replace `final` with `staging`; the old output is removed only once the new one is in place."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    had_output = final.exists()
    if had_output:
        final.rename(old)
    try:
        staging.rename(final)
    except BaseException:  # put the previous output back before giving up
        if had_output:
            old.rename(final)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _summary(workbook: Workbook, site: str, workbook_pdf: str, sheets: dict[str, str]) -> ClientSummary:
    return ClientSummary(
        client_id=workbook.client_id,
        name=workbook.seeker.name,
        target_roles=[plan.role.title for plan in workbook.roles],
        counts={count.status: count.count for count in workbook.tracker.by_status},
        next_meetings=[(workbook.contact(cid).meeting.when, workbook.contact(cid).contact.name, cid)
                       for cid in workbook.tracker.upcoming[:3]],
        overdue=[workbook.contact(cid).contact.name for cid in workbook.tracker.overdue_follow_ups],
        site=site,
        workbook_pdf=workbook_pdf,
        sheets=[(workbook.contact(cid).contact.name, path) for cid, path in sheets.items()],
        due_overdue=workbook.this_week.overdue if workbook.this_week else 0,
    )
