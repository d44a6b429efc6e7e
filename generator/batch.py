"""Which files a command works on, and building them: one profile, or a coach's whole folder in parallel.

Each client is built by a worker process that keeps one PDF renderer (fonts
and compiled CSS) for all the clients it builds. A client whose inputs are
unchanged since its last build is skipped; one bad client never stops the
others; the coach's overview (OUT/index.html) lists every client with output.
"""

from __future__ import annotations

import atexit
import os
import resource
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import click

from generator.coach import LoadedCoach, load_coach_file
from generator.errors import Problem, UserError, print_problems
from generator.models import make_id

COACH_FILE = "coach.yaml"


def find_inputs(target: Path) -> tuple[Path | None, list[Path]]:
    """A file is one profile; a folder is a coach's folder: its coach.yaml and every other *.yaml/*.yml.

    Two files whose names make the same client id (`Maya Lopez.yaml`, `maya-lopez.yaml`) are an error,
    for `check` as for `build`.
    """
    if target.is_file():
        return None, [target]
    if not target.is_dir():
        raise UserError([Problem(str(target), 1, 1, "", "not a profile file or a folder of profiles")])
    try:
        entries = sorted(target.iterdir())
    except OSError as error:
        raise UserError([Problem(str(target), 1, 1, "", f"cannot read the folder: {error.strerror}")]) from None
    coach = target / COACH_FILE
    profiles = [p for p in entries if p.suffix in (".yaml", ".yml") and p.is_file() and p.name != COACH_FILE]
    if not profiles:
        raise UserError([Problem(str(target), 1, 1, "", "no client profiles (*.yaml) in this folder")])
    seen: dict[str, Path] = {}
    clashes = []
    for path in profiles:
        client_id = make_id(path.stem)
        if client_id in seen:
            clashes.append(Problem(str(path), 1, 1, "", f"the client id '{client_id}' (from the file name) is also "
                                                        f"that of {seen[client_id].name}; rename one of the files"))
        seen.setdefault(client_id, path)
    if clashes:
        raise UserError(clashes)
    return (coach if coach.is_file() else None), profiles


@dataclass(frozen=True)
class Job:
    """One client to build, as a worker receives it (plain, picklable values)."""

    path: Path
    display: str
    client_id: str | None  # None: the slug of seeker.name (single-file builds)
    coach_path: Path | None
    coach_display: str | None
    out: Path
    force: bool
    today: date | None  # None: today in the client's settings.timezone


@dataclass
class Outcome:
    display: str
    client_id: str | None
    status: str  # built | skipped | failed
    seconds: float
    problems: list[str] = field(default_factory=list)
    summary: dict | None = None  # the manifest's summary, for the overview
    folder: Path | None = None
    peak_memory_mb: float = 0.0


_pdf_renderer = None


def _worker_start() -> None:
    """Each worker makes its PDF renderer once: fonts and compiled CSS are reused for every client."""
    global _pdf_renderer
    from generator.pdf import PdfRenderer

    _pdf_renderer = PdfRenderer()
    # Let go of WeasyPrint's font configuration while its C libraries are still loaded.
    atexit.register(_release_renderer)


def _release_renderer() -> None:
    global _pdf_renderer
    _pdf_renderer = None


@lru_cache(maxsize=4)
def _coach(path: Path, display: str, _mtime: float) -> LoadedCoach:
    return load_coach_file(path, display)


def build_job(job: Job) -> Outcome:
    """Load, check the manifest, build. Never raises: a failure is an outcome."""
    from generator.build import build_client, inputs_fingerprint, outputs_present, read_manifest
    from generator.load import load_profile, today_in

    started = time.perf_counter()
    client_id = job.client_id
    try:
        coach = _coach(job.coach_path, job.coach_display, job.coach_path.stat().st_mtime) if job.coach_path else None
        loaded = load_profile(job.path, display_name=job.display, client_id=job.client_id,
                              defaults=coach.defaults if coach else None)
        client_id = loaded.client_id
        today = job.today or today_in(loaded.profile.settings.timezone)
        fingerprint = inputs_fingerprint(loaded, job.coach_path, today)
        previous = read_manifest(job.out / client_id)
        if not job.force and previous and previous["inputs"] == fingerprint and outputs_present(job.out / client_id, previous):
            return Outcome(job.display, client_id, "skipped", time.perf_counter() - started,
                           summary=previous["summary"], folder=job.out / client_id, peak_memory_mb=_peak_mb())
        if _pdf_renderer is None:
            _worker_start()
        result = build_client(loaded, job.out, banks=coach.banks if coach else None, pdf=_pdf_renderer,
                              today=today, fingerprint=fingerprint)
        summary = read_manifest(result.folder)["summary"]
        return Outcome(job.display, client_id, "built", time.perf_counter() - started, summary=summary,
                       folder=result.folder, peak_memory_mb=_peak_mb())
    except UserError as error:
        problems = [str(p) for p in error.problems] or [f"{job.display}: {error}"]
    except Exception:  # a bug in workbook: keep the batch going, but show everything
        problems = [traceback.format_exc().rstrip(), f"{job.display}: internal error: this is a bug in workbook, please report it"]
    previous = read_manifest(job.out / client_id) if client_id else None  # a profile that did not load has no id
    return Outcome(job.display, client_id, "failed", time.perf_counter() - started, problems,
                   summary=previous["summary"] if previous else None, peak_memory_mb=_peak_mb())


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_jobs(jobs: list[Job], workers: int) -> Iterator[Outcome]:
    """Outcomes as clients finish. One worker: in this process, no pool to start."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield build_job(job)
        return
    # Each worker makes its PDF renderer on its first real build, so a run that skips everything stays quick.
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = [pool.submit(build_job, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def build_target(target: Path, out: Path, *, jobs: int | None, force: bool, display: Callable[[Path], str],
                 today: date | None = None) -> int:
    """Build what `target` names into `out`; print progress, problems and a summary; return the exit code."""
    started = time.perf_counter()
    try:
        coach_path, profiles = find_inputs(target)
        if coach_path:
            _coach(coach_path, display(coach_path), coach_path.stat().st_mtime)  # a broken coach.yaml stops the batch here
    except UserError as error:
        print_problems(error)
        return 1
    folder_mode = target.is_dir()
    job_list = _jobs(profiles, coach_path, folder_mode, out, force, today, display)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        click.echo(f"cannot create the output folder {display(out)}: {error.strerror}", err=True)
        return 1
    outcomes = list(_report(run_jobs(job_list, jobs or os.cpu_count() or 1), len(job_list)))
    if folder_mode:
        from generator.overview import render_overview

        # The validated branding (optional keys present as None), not the raw `coach:` mapping of coach.yaml.
        coach = _coach(coach_path, display(coach_path), coach_path.stat().st_mtime).coach if coach_path else None
        try:
            overview = render_overview(out, outcomes, today or date.today(), coach)
            click.echo(f"Coach's overview: {display(overview)}")
        except UserError as error:
            click.echo(str(error), err=True)
            outcomes.append(Outcome(display(out / "index.html"), None, "failed", 0.0))
    elif outcomes and outcomes[0].status != "failed":
        _print_single(outcomes[0], display)
    return _print_totals(outcomes, time.perf_counter() - started)


def _jobs(profiles: list[Path], coach_path: Path | None, folder_mode: bool, out: Path, force: bool, today: date | None,
          display: Callable[[Path], str]) -> list[Job]:
    """One job per profile; in a coach's folder the client id is the file's name."""
    return [Job(path, display(path), make_id(path.stem) if folder_mode else None, coach_path,
                display(coach_path) if coach_path else None, out, force, today) for path in profiles]


def _report(outcomes: Iterator[Outcome], total: int) -> Iterator[Outcome]:
    """A progress bar on a terminal; plain lines otherwise (CI, pipes)."""
    if not sys.stderr.isatty() or total <= 1:
        for outcome in outcomes:
            _print_outcome(outcome)
            yield outcome
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, highlight=False)
    with Progress(TextColumn("Building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("clients", total=total)
        for outcome in outcomes:
            bar.console.print(_outcome_line(outcome), markup=False)
            for line in outcome.problems:
                bar.console.print(line, markup=False)
            bar.advance(task)
            yield outcome


def _outcome_line(outcome: Outcome) -> str:
    mark = {"built": "✓", "skipped": "·", "failed": "✗"}[outcome.status]
    what = {"built": f"built in {outcome.seconds:.1f} s", "skipped": "unchanged, skipped",
            "failed": "failed; " + ("its earlier output is kept" if outcome.summary else "nothing was written")}[outcome.status]
    return f"{mark} {outcome.client_id or outcome.display}: {what}"


def _print_outcome(outcome: Outcome) -> None:
    click.echo(_outcome_line(outcome), err=outcome.status == "failed")
    for line in outcome.problems:
        click.echo(line, err=True)


def _print_single(outcome: Outcome, display: Callable[[Path], str]) -> None:
    folder = outcome.folder
    summary = outcome.summary
    click.echo(f"Workbook PDF:    {display(folder / summary['workbook_pdf'])}")
    click.echo(f"Question sheets: {display(folder / 'sheets')}/ ({len(summary['sheets'])})")
    click.echo(f"Open the site:   {display(folder / summary['site'])}")


def _print_totals(outcomes: list[Outcome], wall_seconds: float) -> int:
    counts = {status: sum(o.status == status for o in outcomes) for status in ("built", "skipped", "failed")}
    if len(outcomes) > 1:
        click.echo(f"{counts['built']} built, {counts['skipped']} skipped, {counts['failed']} failed "
                   f"({len(outcomes)} clients in {wall_seconds:.1f} s).")
    return 1 if counts["failed"] else 0
