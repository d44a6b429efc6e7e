"""Which files a command works on, and building them: one profile, or a coach's whole folder in parallel.

Each client is built by a worker process that keeps one PDF renderer (fonts
and compiled CSS) for all the clients it builds, largest client first; the
worker shares the client's parts (site, workbook layout, chapters, sheets) with
the whole pool, so a large client among small ones is finished by every worker
(WorkerPool). A client whose inputs are unchanged since its last build is
skipped; one bad client never stops the others; the coach's overview
(OUT/index.html) lists every client with output.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import resource
import shutil
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import lru_cache
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeAlias, overload

import click

from generator.coach import LoadedCoach, load_coach_file
from generator.errors import InternalError, Problem, UserError, print_problems
from generator.models import make_id
from generator.outfolder import fault_point, os_problem, output_lock

if TYPE_CHECKING:  # imported where used at run time (the PDF renderer is slow to load; build imports us)
    from generator.build import ClientPaths
    from generator.pdf import PdfRenderer
    from generator.workbook import ClientPlan

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
            clashes.append(
                Problem(
                    str(path),
                    1,
                    1,
                    "",
                    f"the client id '{client_id}' (from the file name) is also "
                    f"that of {seen[client_id].name}; rename one of the files",
                )
            )
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
    wait: bool = True  # for another build of the same client to finish (else: fail at once)
    workers: int = 1  # processes for this client's PDFs (a single profile's -j; a folder's clients each get one)


@dataclass
class Outcome:
    display: str
    client_id: str | None
    status: str  # built | skipped | failed
    seconds: float
    problems: list[str] = field(default_factory=list)
    summary: dict[str, Any] | None = None  # the manifest's summary (a ClientSummary as JSON), for the overview
    folder: Path | None = None
    peak_memory_mb: float = 0.0
    notes: list[str] = field(default_factory=list)  # e.g. what was recovered from an interrupted build


class Stopped(BaseException):
    """SIGTERM (or SIGINT) arrived: stop building, tidy up, exit. Not an Exception: nothing may swallow it."""

    def __init__(self, signal_number: int):
        super().__init__(signal_number)
        self.signal_number = signal_number


_pdf_renderer: PdfRenderer | None = None


def _worker_start() -> PdfRenderer:
    """Each worker makes its PDF renderer once: fonts and compiled CSS are reused for every client."""
    global _pdf_renderer
    from generator.pdf import PdfRenderer

    _pdf_renderer = renderer = PdfRenderer()
    # Let go of WeasyPrint's font configuration while its C libraries are still loaded.
    atexit.register(_release_renderer)
    return renderer


def _release_renderer() -> None:
    global _pdf_renderer
    _pdf_renderer = None


@lru_cache(maxsize=4)
def _coach(path: Path, display: str, _mtime: float) -> LoadedCoach:
    return load_coach_file(path, display)


def build_job(job: Job) -> Outcome:
    """Lock, recover, load, check the manifest, build. Never raises (except `Stopped`): a failure is an outcome."""
    started = time.perf_counter()
    notes: list[str] = []
    found_id = [job.client_id]  # single-file builds learn the id when the profile has loaded
    try:
        with contextlib.ExitStack() as held:
            if job.client_id:  # a coach's folder: the id is the file's name, so lock before reading anything
                _lock_and_recover(job, job.client_id, held, notes)
            outcome = _build_job(job, held, notes, started, found_id)
            outcome.notes = notes
            return outcome
    except UserError as error:
        problems = [str(p) for p in error.problems] or [f"{job.display}: {error}"]
    except OSError as error:  # the environment, not workbook: one line naming the path and the cause
        problems = [f"{job.display}: {os_problem(error)}"]
    except Exception:  # a bug in workbook: keep the batch going, but show everything
        problems = [
            traceback.format_exc().rstrip(),
            f"{job.display}: internal error: this is a bug in workbook, please report it",
        ]
    client_id = found_id[0]
    return Outcome(
        job.display,
        client_id,
        "failed",
        time.perf_counter() - started,
        problems,
        summary=_previous_summary(job.out, client_id),
        peak_memory_mb=_peak_mb(),
        notes=notes,
    )


def _lock_and_recover(job: Job, client_id: str, held: contextlib.ExitStack, notes: list[str]) -> None:
    """Take the client's lock for the rest of the job, then tidy what interrupted builds of it left."""
    from generator.build import recover

    held.enter_context(output_lock(job.out, client_id, wait=job.wait))
    note = recover(job.out, client_id)
    if note:
        notes.append(note)


def _build_job(
    job: Job, held: contextlib.ExitStack, notes: list[str], started: float, found_id: list[str | None]
) -> Outcome:
    from generator.build import build_client, inputs_fingerprint, outputs_present, read_manifest
    from generator.load import load_profile, today_in

    coach = _coach(job.coach_path, job.coach_display, job.coach_path.stat().st_mtime) if job.coach_path else None
    loaded = load_profile(
        job.path,
        display_name=job.display,
        client_id=job.client_id,
        defaults=coach.defaults if coach else None,
        today=job.today,
    )
    client_id = loaded.client_id
    if job.client_id is None:
        found_id[0] = client_id
        _lock_and_recover(job, client_id, held, notes)
    today = job.today or today_in(loaded.profile.settings.timezone)
    fingerprint = inputs_fingerprint(loaded, job.coach_path, today)
    previous = read_manifest(job.out / client_id)
    if (
        not job.force
        and previous
        and previous["inputs"] == fingerprint
        and outputs_present(job.out / client_id, previous)
    ):
        return Outcome(
            job.display,
            client_id,
            "skipped",
            time.perf_counter() - started,
            summary=previous["summary"],
            folder=job.out / client_id,
            peak_memory_mb=_peak_mb(),
        )
    if _pdf_renderer is None:
        _worker_start()
    result = build_client(
        loaded,
        job.out,
        coach=coach.changes if coach else None,
        pdf=_pdf_renderer,
        today=today,
        fingerprint=fingerprint,
        workers=job.workers,
        force=job.force,
    )
    summary = asdict(result.summary)  # in memory: the manifest is for the next build, not read back now
    return Outcome(
        job.display,
        client_id,
        "built",
        time.perf_counter() - started,
        summary=summary,
        folder=result.folder,
        peak_memory_mb=_peak_mb(),
    )


def _previous_summary(out: Path, client_id: str | None) -> dict[str, Any] | None:
    """What the overview can still show of a client whose build failed (a profile that did not load has no id)."""
    from generator.build import read_manifest

    if not client_id:
        return None
    try:
        previous = read_manifest(out / client_id)
    except UserError:
        return None
    if not previous:
        return None
    summary: dict[str, Any] = previous["summary"]  # read_manifest checked that it is a dict
    return summary


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_jobs(jobs: list[Job], workers: int, executor: Executor | None = None) -> Iterator[Outcome]:
    """Outcomes as clients finish. One worker: in this process, no pool to start. More: a WorkerPool, whose
    workers share each client's parts; a lone client gets a pool of its own (`render_in_workers`).

    `executor`: any `concurrent.futures.Executor` (Dask's `Client.get_executor()`, a ProcessPoolExecutor): each client is
    one `executor.submit(build_job, job)`, largest first, and stays whole on one of its workers. Clients are independent, and a job never raises (a failure is an
    Outcome), so the engine only runs them. Its workers need this package installed and OUT on a shared
    file system; stopping, retries and crashed machines are the engine's business then, not WorkerPool's.
    """
    if executor is not None:
        from concurrent.futures import as_completed

        futures = [executor.submit(build_job, job) for job in sorted(jobs, key=_profile_size, reverse=True)]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()
        return
    if workers <= 1:
        for job in jobs:
            yield build_job(job)
        return
    # Every client may use every worker: its builder shares its sheets, layout and site with the pool (see
    # WorkerPool); a lone client renders them in a pool of its own. Largest first, so a big one never starts last.
    jobs = sorted((replace(job, workers=max(job.workers, workers)) for job in jobs), key=_profile_size, reverse=True)
    if len(jobs) == 1:
        if _an_update(jobs[0]):
            start_spare()
        try:
            yield build_job(jobs[0])
        finally:
            stop_spare()
        return
    yield from WorkerPool(min(workers, len(jobs))).run(jobs)


def _profile_size(job: Job) -> int:
    """How much there is to build for a client, roughly: its profile's size (contacts make most of it)."""
    try:
        return job.path.stat().st_size
    except OSError:
        return 0  # its own build reports the problem


# --- the worker processes ------------------------------------------------------------------------------

_busy = False  # in a worker: building a client (a SIGTERM must tidy up) or waiting for one (exit at once)
_pool_connection: Connection[Outcome | PdfDone | Share, Job | Task | Lent | Plan | PdfsDone | Settled | None] | None = (
    None
)
# In a worker of a coach's pool: its pipe to the parent, through which a client's builder shares its tasks.
_own_plan: ClientPlan | None = None  # in a builder waiting for its shared tasks: the plan they render
_borrowed: tuple[int, ClientPlan] | None = None  # (share key, plan): the other client's plan this worker last helped


def _worker_main(
    connection: Connection[Outcome | PdfDone | Share, Job | Task | Lent | Plan | PdfsDone | Settled | None],
    parent: int,
    warm: bool = False,
) -> None:
    """A worker: build the jobs the parent sends until it sends None, goes away, or asks us to stop.

    `warm`: load WeasyPrint and the fonts first (a spare, `start_spare`: forked before there was a plan to render,
    it is sent one, `Plan`, before its tasks)."""
    global _busy, _pool_connection, _borrowed, _shared
    if sys.platform.startswith("linux"):
        # The kernel sends us SIGTERM when the parent dies, even by kill -9: no worker outlives its build.
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(143)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent too; it stops us with SIGTERM
    signal.signal(signal.SIGTERM, _worker_stop)
    if hasattr(signal, "pthread_sigmask"):  # blocked by WorkerPool._start until the handlers above were in place
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    _pool_connection = connection
    try:
        if warm:
            fault_point("spare")  # the test hook: a spare that dies before the pool takes it
            # A renderer inherited from the parent (a build run in-process before) is kept: dropping it would delete
            # the folder its FontConfiguration shares with the parent (WeasyPrint removes it in __del__).
            (_pdf_renderer or _worker_start()).warm()
        while True:
            try:
                job = connection.recv()
            except (EOFError, OSError):
                break
            if job is None:
                break
            if isinstance(job, Plan):  # a spare's plan: its tasks come as a forked worker's do, without one
                import pickle

                _shared = (pickle.loads(job.plan), _pdf_renderer or _worker_start())
                continue
            _busy = True
            # A client (Job), part of another client's build (Lent, in a coach's pool), or part of one client's
            # (PdfTask, SiteTask, in a single profile's pool). build_job cleans up its staging folder on Stopped
            # before it gets here; a task writes only into the staging folder of the client it is part of.
            if isinstance(job, Lent):
                outcome: Outcome | PdfDone = _run_lent(job)
            elif isinstance(job, (PdfTask, SiteTask)):
                outcome = job.run()
            elif isinstance(job, Job):
                _borrowed = None  # the plan of a client it helped: not needed while it builds its own
                outcome = build_job(job)
            else:  # a Settled for a build that is over: nothing to do (never sent; the pool settles before Outcome)
                _busy = False
                continue
            _busy = False
            connection.send(outcome)
    except Stopped:
        os._exit(143)
    os._exit(0)  # not through atexit and the interpreter's teardown: the parent already has everything


_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def _fork_worker(context: Any, warm: bool = False) -> tuple[BaseProcess, _ParentEnd]:
    """Start a worker process (`_worker_main`); return it and our end of its pipe."""
    ours, theirs = context.Pipe()
    process = context.Process(target=_worker_main, args=(theirs, os.getpid(), warm), daemon=True)
    # A forked worker starts with the parent's handlers, which raise Stopped: a SIGTERM from the pool before
    # _worker_main installs its own would raise it inside multiprocessing's start-up (a traceback on stderr,
    # or the signal swallowed and ignored from then on). Blocked across the start, the signal waits in the
    # worker until _worker_main is ready for it.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS) if hasattr(signal, "pthread_sigmask") else None
    try:
        process.start()
    finally:
        if blocked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    theirs.close()
    return process, ours


_spare: tuple[BaseProcess, _ParentEnd] | None = None  # in the parent of a lone client's build: see start_spare


def start_spare() -> None:
    """Fork a PDF worker as a lone client's build begins, before its profile is loaded: it loads WeasyPrint and
    the fonts (about 0.35 s) on the core that loading and tailoring leave idle, and the pool of the build's PDFs
    takes it (`render_in_workers`) instead of loading them in this process first. For an update (`_an_update`):
    an edit's few PDFs are then done in it while the site updates in another worker. Where workers are not forked,
    or this is a worker itself, nothing is done; a build that renders no PDF stops it (`stop_spare`)."""
    global _spare
    if _spare is not None or _pool_connection is not None or multiprocessing.get_start_method() != "fork":
        return
    _spare = _fork_worker(multiprocessing.get_context(), warm=True)


def _an_update(job: Job) -> bool:
    """Whether a lone client's build is likely to update an earlier output (then it starts a spare): OUT holds a
    built client and it is not --force. A full build keeps both cores busy from the start; a spare would load
    WeasyPrint once more (0.35 s of CPU) for no gain there, so it does not get one."""
    from generator.build import MANIFEST

    if job.force:
        return False
    try:
        return any((folder / MANIFEST).is_file() for folder in job.out.iterdir())
    except OSError:
        return False


def _take_spare() -> tuple[BaseProcess, _ParentEnd] | None:
    global _spare
    spare, _spare = _spare, None
    if spare is not None and not spare[0].is_alive():
        spare[1].close()
        return None
    return spare


def stop_spare() -> None:
    """Stop the spare if no pool took it (the build was skipped, failed or rendered no PDF)."""
    spare = _take_spare()
    if spare is None:
        return
    process, connection = spare
    with contextlib.suppress(OSError, ValueError):
        process.terminate()  # idle or still warming: it exits at once (_worker_stop)
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join()
    connection.close()


def _worker_stop(signal_number: int, _frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough; the tidy-up must not be cut short
    if not _busy:
        os._exit(143)
    raise Stopped(signal_number)


# --- sharing one client's tasks with the whole pool ---------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """From a worker building a client: its tasks, for whichever worker is free (it takes them too)."""

    tasks: tuple[Task, ...]  # without their plan (PdfTask.workbook is None): `plan` carries it once
    plan: bytes  # the pickled ClientPlan, for the workers that help; sent to each of them once


@dataclass(frozen=True)
class Lent:
    """From the parent: run one task of the client the worker `owner` builds (yours, if it is you)."""

    key: int  # the share it is part of
    owner: int  # the process id of the worker building that client
    task: Task
    plan: bytes | None  # the pickled plan, when this worker has not had it yet


@dataclass(frozen=True)
class Plan:
    """From the parent to a spare (`start_spare`), before its first task: the pickled plan its tasks render."""

    plan: bytes


@dataclass(frozen=True)
class PdfsDone:
    """From the parent to a builder: every PDF task it shared is done, the site is not (merge them now)."""


@dataclass(frozen=True)
class Settled:
    """From the parent to a builder: every task it shared is done; `failure`: the first that failed, if any."""

    failure: PdfDone | None


def _share_with_pool(
    connection: Connection[Any, Any],
    workbook: ClientPlan,
    tasks: list[Task],
    when_pdfs_done: Callable[[], object] | None = None,
) -> None:
    """Hand a client's tasks to the pool's parent and run the ones it gives back until all are done.

    The parent gives this builder its own tasks first, and the other workers the rest when they have no
    client left to start; so a large client among small ones ends up using every core. This worker runs
    nothing but its own client's tasks meanwhile: if it dies, only its own client fails. `when_pdfs_done`
    (the workbook's merge) runs here when the parent says every PDF is written (`PdfsDone`), while the site
    may still build elsewhere. Nothing is raised before every task is back: none still writes into the
    staging folder its caller removes on failure.
    """
    global _own_plan
    import pickle

    failed: Exception | None = None
    merged = when_pdfs_done is None

    def merge() -> None:
        nonlocal failed, merged
        merged = True
        try:
            if when_pdfs_done is not None:
                when_pdfs_done()
        except Exception as error:  # raised once the other tasks are back
            failed = error

    _own_plan = workbook
    try:
        plan = pickle.dumps(workbook, protocol=pickle.HIGHEST_PROTOCOL)
        connection.send(Share(tuple(replace(task, workbook=None) for task in tasks), plan))
        if not merged and not any(isinstance(task, PdfTask) for task in tasks):
            merge()
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):  # the parent is gone: stop as if told to (the staging folder is removed)
                raise Stopped(signal.SIGTERM) from None
            if isinstance(message, Settled):
                break
            if isinstance(message, PdfsDone):
                if not merged:
                    merge()
                continue
            if not isinstance(message, Lent):
                raise InternalError(f"a builder waiting for its tasks was sent {type(message).__name__}")
            if failed is not None:  # the build has failed: the rest is not worth running
                connection.send(PdfDone(message.task.label, f"not run: {failed}", user=True))
                continue
            connection.send(_run_lent(message))
    finally:
        _own_plan = None
    if failed is not None:
        raise failed
    _raise_failure(message.failure)
    if not merged and when_pdfs_done is not None:
        when_pdfs_done()


def _run_lent(lent: Lent) -> PdfDone:
    """Run one shared task, with the plan of the client it is part of (ours, or carried in the message once)."""
    global _borrowed
    import pickle

    if lent.owner == os.getpid():
        plan = _own_plan
    else:
        if lent.plan is not None:
            _borrowed = None  # the previous client's plan goes before the next one is unpickled
            _borrowed = (lent.key, pickle.loads(lent.plan))
        plan = _borrowed[1] if _borrowed is not None and _borrowed[0] == lent.key else None
    if plan is None:
        return PdfDone(lent.task.label, "InternalError: a shared task arrived without its plan")
    # The test hook (tests/test_batch.py, test_faults.py): which process ran which client's task; a worker
    # killed or stopped while it helps another's client.
    fault_point("shared-task", plan.client_id)
    if lent.owner != os.getpid():
        fault_point("lent-task", plan.client_id)
    return replace(lent.task, workbook=plan).run()


def _raise_failure(done: PdfDone | None) -> None:
    """A failed task of this client's build, as the error its build reports."""
    if done is None or done.problem is None:
        return
    if done.user:
        raise UserError(done.problem)
    raise InternalError(f"rendering {done.label} failed:\n{done.problem}")


@dataclass
class _Shared:
    """The parent's record of one client's shared tasks."""

    key: int
    owner: int  # the process id of the worker building the client
    out: Path  # where its staging folder is (removed for it if it dies)
    plan: bytes
    queued: deque[Task]
    pdfs_left: int  # PdfTasks not back yet: at 0, the builder merges the workbook while the site builds
    running: int = 0  # lent and not back yet
    failure: PdfDone | None = None
    orphaned: bool = False  # its builder died: nothing more is lent, results are dropped


class WorkerPool:
    """Worker processes that each build one client at a time, sharing its tasks with the others.

    A worker building a client hands its tasks (sheets, the workbook layout, the site) to this parent
    (`Share`), which lends them (`Lent`) to the builder itself first and to any worker with no client
    left to start, and tells the builder when all are back (`Settled`). Clients are started while any
    are left, so workers help a large client once the small ones are all under way.

    A worker that dies (killed, out of memory) fails only the client it was building or helping,
    reported with its id; a new worker takes over the rest. When the parent stops (Ctrl-C, SIGTERM,
    an error) every worker is stopped with SIGTERM, tidies its staging folder and exits; one that does
    not within a few seconds is killed and its staging folder removed for it.
    """

    STOP_GRACE_SECONDS = 10

    def __init__(
        self,
        size: int,
        warm: Callable[[], object] | None = None,
        spare: tuple[BaseProcess, _ParentEnd, bytes] | None = None,
    ):
        self.size = size
        # `spare`: a worker forked as the build began (`start_spare`), warm by now or soon, and the pickled plan
        # to send it; it counts as one of the `size`. The parent then warms nothing (`warm` is not used): the
        # site goes to a fresh fork, which loads WeasyPrint itself if PDF tasks are left when the site is done.
        self.spare = spare
        # `warm`: what the parent loads before forking workers that need it (WeasyPrint, fonts). When given and
        # the first job is the site, which needs none of it, one worker is forked for the site first, then the
        # parent warms and forks the others; once the site is built, that cold worker is replaced by a warm one.
        self.warm = warm
        self.cold: set[int | None] = set()
        self.context = multiprocessing.get_context()
        self.workers: list[tuple[BaseProcess, _ParentEnd]] = []  # (process, connection)
        self.current: dict[int | None, Job | Task] = {}  # pid -> the job it is building
        self.restarts = 0
        self.shares: dict[int, _Shared] = {}  # key -> a client's shared tasks, until all are back
        self.share_of: dict[int | None, int] = {}  # pid of a builder -> the key of its unsettled share
        self.lent: dict[int | None, tuple[int, Task]] = {}  # pid -> (key, task): the shared task it runs now
        self.plan_at: dict[int | None, int] = {}  # pid -> the key of the last plan it was sent
        self.serial = 0

    def _start(self) -> tuple[BaseProcess, _ParentEnd]:
        process, ours = _fork_worker(self.context)
        self.workers.append((process, ours))
        return process, ours

    def _adopt_spare(self, pending: list[Job | Task]) -> int:
        """Take the spare into the pool, after forking the site's worker if the site is first; return how many
        workers that started."""
        if self.spare is None:
            return 0
        started = 0
        if self.size > 1 and pending and isinstance(pending[-1], SiteTask):
            self._start()
            self._hand_out(pending)
            started = 1
        process, connection, plan = self.spare
        self.spare = None
        self.workers.append((process, connection))
        try:
            connection.send(Plan(plan))  # waits, if the plan is large, until the spare is warm and reads it
        except OSError:  # it died: a fresh fork, which shares the plan, takes its place
            self._replace_idle(process, connection)
        return started + 1

    @overload
    def run(self, jobs: Sequence[Job]) -> Iterator[Outcome]: ...
    @overload
    def run(self, jobs: Sequence[Task]) -> Iterator[PdfDone]: ...
    def run(self, jobs: Sequence[Job] | Sequence[Task]) -> Iterator[Outcome | PdfDone]:
        """Outcomes as jobs finish: an Outcome per client (Job), a PdfDone per part of one client's (Task)."""
        pending: list[Job | Task] = list(reversed(jobs))
        try:
            warm = self.warm if self.spare is None else None
            started = self._adopt_spare(pending)
            if warm is not None and pending and isinstance(pending[-1], SiteTask):
                process, _ = self._start()
                self.cold.add(process.pid)
                self._hand_out(pending)
                started = 1
            if warm is not None:
                warm()
            for _ in range(started, self.size):
                self._start()
            while pending or self.current or self.lent:
                self._hand_out(pending)
                busy = [(p, c) for p, c in self.workers if p.pid in self.current or p.pid in self.lent]
                if not busy:
                    continue  # (every free worker had died; _hand_out started others)
                ready = set(wait([c for _, c in busy] + [p.sentinel for p, _ in busy]))
                for process, connection in busy:
                    if connection not in ready and process.sentinel not in ready:
                        continue
                    try:
                        message = connection.recv()
                    except (EOFError, OSError):  # it died mid-build
                        outcome = self._died(process, connection)
                        if pending or self.current or self.lent:
                            self._start()
                        if outcome is not None:
                            yield outcome
                        continue
                    if isinstance(message, Share):
                        self._take_share(process.pid, message)
                    elif process.pid in self.lent:
                        self._lent_back(process.pid, message)
                    else:
                        self.current.pop(process.pid)
                        yield message
        finally:
            self._stop_all()

    def _hand_out(self, pending: list[Job | Task]) -> None:
        """Give every free worker something to do: a builder its own shared tasks; any other a new client
        while there are some, else a task another client shared (one of the client it helped last, if any)."""
        for process, connection in list(self.workers):
            pid = process.pid
            if pid in self.lent or (pid in self.current and pid not in self.share_of):
                continue
            if pid in self.current:  # a builder waiting for its tasks: it runs only its own
                shared = self.shares[self.share_of[pid]]
                if shared.queued:
                    self._lend(process, connection, shared, None)
                continue
            if pending and pid in self.cold and not isinstance(pending[-1], SiteTask):
                # Forked before the parent loaded WeasyPrint: a fresh fork starts warm, this one would load it again.
                self.cold.discard(pid)
                with contextlib.suppress(OSError):
                    connection.send(None)
                self._forget(process, connection)
                self._start()
                self._hand_out(pending)
                return
            if pending:
                try:
                    connection.send(pending[-1])
                except OSError:  # it died while idle: replace it, the job waits for the new one
                    self._replace_idle(process, connection)
                    continue
                self.current[pid] = pending.pop()
                self.plan_at.pop(pid, None)  # it lets go of a plan it borrowed (_worker_main)
                continue
            waiting = [shared for shared in self.shares.values() if shared.queued]
            if waiting:
                shared = next((s for s in waiting if s.key == self.plan_at.get(pid)), min(waiting, key=lambda s: s.key))
                self._lend(process, connection, shared, shared.plan if self.plan_at.get(pid) != shared.key else None)

    def _lend(self, process: BaseProcess, connection: _ParentEnd, shared: _Shared, plan: bytes | None) -> None:
        task = shared.queued.popleft()
        try:
            connection.send(Lent(shared.key, shared.owner, task, plan))
        except OSError:  # it died: the task goes back, the death is seen (a builder) or it is replaced (idle)
            shared.queued.appendleft(task)
            if process.pid not in self.current:
                self._replace_idle(process, connection)
            return
        if plan is not None:
            self.plan_at[process.pid] = shared.key
        self.lent[process.pid] = (shared.key, task)
        shared.running += 1

    def _replace_idle(self, process: BaseProcess, connection: _ParentEnd) -> None:
        self._forget(process, connection)
        self.restarts += 1
        if self.restarts > 2 * self.size + 8:  # workers die as they start: do not loop forever
            raise InternalError("worker processes keep dying as soon as they start") from None
        self._start()

    def _take_share(self, owner: int | None, share: Share) -> None:
        job = self.current.get(owner)
        if owner is None or not isinstance(job, Job):
            raise InternalError("a worker shared tasks without building a client")
        self.serial += 1
        pdfs = sum(isinstance(task, PdfTask) for task in share.tasks)
        shared = _Shared(self.serial, owner, job.out, share.plan, deque(share.tasks), pdfs)
        self.shares[shared.key] = shared
        self.share_of[owner] = shared.key
        self._settle_if_done(shared)

    def _lent_back(self, pid: int | None, done: PdfDone | Outcome) -> None:
        key, task = self.lent.pop(pid)
        shared = self.shares[key]
        shared.running -= 1
        if not isinstance(done, PdfDone):
            done = PdfDone(task.label, f"InternalError: a worker answered a shared task with {type(done).__name__}")
        if done.problem is not None and shared.failure is None:
            shared.failure = done
            shared.queued.clear()  # the client fails: nothing more of it is started
        if done.problem is None and isinstance(task, PdfTask):
            shared.pdfs_left -= 1
            if shared.pdfs_left == 0 and shared.failure is None and (shared.queued or shared.running):
                self._tell(shared.owner, PdfsDone())  # (with nothing out, Settled says as much)
        self._settle_if_done(shared)

    def _settle_if_done(self, shared: _Shared) -> None:
        """When all of a client's shared tasks are back, tell its builder (or tidy up after a dead one)."""
        if shared.queued or shared.running:
            return
        del self.shares[shared.key]
        if shared.orphaned:  # a task that came back after its builder died may have written into its staging
            _remove_staging_of(shared.out, shared.owner)
            return
        del self.share_of[shared.owner]
        self._tell(shared.owner, Settled(shared.failure))

    def _tell(self, pid: int, message: PdfsDone | Settled) -> None:
        connection = next((c for p, c in self.workers if p.pid == pid), None)
        if connection is not None:
            with contextlib.suppress(OSError):  # it died: that is seen when its pipe closes
                connection.send(message)

    def _forget(self, process: BaseProcess, connection: _ParentEnd) -> None:
        process.join(5)
        self.workers.remove((process, connection))
        connection.close()

    def _died(self, process: BaseProcess, connection: _ParentEnd) -> Outcome | PdfDone | None:
        """A worker died: fail the client it was building (its Outcome) and the one whose task it ran."""
        self._forget(process, connection)
        pid = process.pid
        code = process.exitcode
        how = f"was killed by signal {-code}" if code is not None and code < 0 else f"stopped (exit code {code})"

        def task_lost(label: str) -> PdfDone:
            # Not a bug to show a traceback for: something outside killed it (out of memory, a signal).
            return PdfDone(label, f"the worker process rendering {label} {how}; the previous output is kept", user=True)

        self.plan_at.pop(pid, None)
        if pid in self.share_of:  # its own client's tasks: no more are lent; those out are waited for
            shared = self.shares[self.share_of.pop(pid)]
            shared.orphaned = True
            shared.queued.clear()
            self._settle_if_done(shared)
        if pid in self.lent:
            key, task = self.lent.pop(pid)
            shared = self.shares[key]
            shared.running -= 1
            if shared.failure is None:
                shared.failure = task_lost(task.label)
                shared.queued.clear()
            self._settle_if_done(shared)
        job = self.current.pop(pid, None)
        if job is None:
            return None
        if isinstance(job, (PdfTask, SiteTask)):
            return task_lost(job.label)
        if pid is not None:  # always: it was started
            _remove_staging_of(job.out, pid)
        problems = [f"{job.display}: the worker process building this client {how}; the other clients go on"]
        return Outcome(
            job.display, job.client_id, "failed", 0.0, problems, summary=_previous_summary(job.out, job.client_id)
        )

    def _stop_all(self) -> None:
        for process, connection in self.workers:
            with contextlib.suppress(OSError, ValueError):
                if process.pid in self.current or process.pid in self.lent:
                    process.terminate()  # SIGTERM: it removes its staging folder and exits
                else:
                    connection.send(None)
        deadline = time.monotonic() + self.STOP_GRACE_SECONDS
        for process, connection in self.workers:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
            connection.close()
        # Only when every worker is gone: a helper stopped mid-task may have written into a builder's staging
        # folder after the builder removed it. (A PdfTask of a single profile has no staging folder of its own.)
        staging = [(job.out, pid) for pid, job in self.current.items() if isinstance(job, Job)]
        staging += [(shared.out, shared.owner) for shared in self.shares.values()]
        for out, pid in staging:
            if pid is not None:
                _remove_staging_of(out, pid)
        self.workers.clear()


# --- one client's PDFs in worker processes -------------------------------------------------------------

# Set in the parent before its workers start; a forked worker inherits the workbook and warm renderer with
# no copy. Where processes are spawned instead (macOS, Windows), each PdfTask carries the workbook.
_shared: tuple[ClientPlan, PdfRenderer] | None = None  # (workbook, renderer)

SHEETS_PER_TASK = 8  # small enough that both workers finish together, large enough that tasks cost little


@dataclass(frozen=True)
class PdfTask:
    """Part of one client's PDFs: the workbook PDF's layout (generator/merge.py), a few question sheets, or a few
    of its chapters."""

    label: str
    workbook_pdf: Path | None
    sheets: tuple[tuple[str, Path], ...]  # (contact id, path)
    workbook: ClientPlan | None = None  # only when the worker was not forked from the parent
    chapters: tuple[tuple[str, Path], ...] = ()  # (contact id, path) of workbook chapters (PdfRenderer.render_chapter)
    chapter_pages: tuple[tuple[str, int], ...] = ()  # the layout's placeholder pages per chapter (contact id, count)

    def run(self) -> PdfDone:
        fault_point("pdf-worker")  # the test hook: a PDF worker killed, or slow, mid-build
        shared = _shared if _shared is not None and self.workbook is None else None
        renderer = shared[1] if shared is not None else _pdf_renderer if _pdf_renderer is not None else _worker_start()

        def render() -> None:
            workbook = shared[0] if shared is not None else _carried(self.workbook)
            if self.workbook_pdf is not None:  # the chapters and sheets are merged in after
                renderer.render_workbook_layout(workbook, self.workbook_pdf, chapter_pages=dict(self.chapter_pages))
            for contact_id, path in self.chapters:
                renderer.render_chapter(workbook, workbook.contact(contact_id), path)
            for contact_id, path in self.sheets:
                renderer.render_sheet(workbook, workbook.contact(contact_id), path)

        return _done(self.label, render)


@dataclass(frozen=True)
class SiteTask:
    """One client's site, built while the PDFs render (with stand-ins for them; see render_site)."""

    folder: Path
    paths: ClientPaths
    workbook: ClientPlan | None = None  # as in PdfTask
    label: str = "the site"
    earlier: Path | None = None  # the output whose site this one updates (render_site's `earlier`)

    def run(self) -> PdfDone:
        from generator.site import render_site

        workbook = self.workbook if self.workbook is not None else _carried(_shared[0] if _shared else None)
        paths = self.paths
        return _done(
            self.label,
            lambda: render_site(
                workbook,
                self.folder,
                sheets=paths.sheets,
                workbook_pdf=paths.workbook_pdf,
                calendar=paths.calendar,
                downloads_ready=False,
                earlier=self.earlier,
            ),
        )


def _done(label: str, work: Callable[[], object]) -> PdfDone:
    """Run one part of a client's build in a worker; its failure becomes a `PdfDone` the parent reports."""
    try:
        work()
    except UserError as error:
        return PdfDone(label, str(error), user=True)
    except Exception:
        return PdfDone(label, traceback.format_exc().rstrip())
    return PdfDone(label)


@dataclass(frozen=True)
class PdfDone:
    label: str
    problem: str | None = None
    user: bool = False  # the problem is the input's (a UserError), not a bug


Task = PdfTask | SiteTask  # part of one client's build, for a worker
if TYPE_CHECKING:  # Connection is generic only in typeshed
    # The parent's end of a worker's pipe: what it sends, what it receives.
    _ParentEnd: TypeAlias = Connection[Job | Task | Lent | Plan | PdfsDone | Settled | None, Outcome | PdfDone | Share]


def _carried(workbook: ClientPlan | None) -> ClientPlan:
    """A task's workbook: carried in it, or shared by the parent it was forked from; always one of the two."""
    if workbook is None:
        raise InternalError("a PDF task has no workbook: neither carried nor shared by a forked parent")
    return workbook


def render_in_workers(
    workbook: ClientPlan,
    workbook_pdf: Path | None,
    sheets: list[tuple[str, Path]],
    workers: int,
    renderer: PdfRenderer | None = None,
    site: tuple[Path, ClientPaths, Path | None] | None = None,
    chapters: list[tuple[str, Path]] | None = None,
    chapter_pages: Mapping[str, int] | None = None,
    when_pdfs_done: Callable[[], object] | None = None,
) -> None:
    """Render one client's workbook PDF (its layout, with `chapter_pages` placeholders per chapter, and its
    `chapters`) and sheets, and its site, in
    `workers` processes, with the WorkerPool's guarantees: a dead worker is reported, Ctrl-C or SIGTERM stops
    them all, none outlives the build. Raises on the first failure; the caller removes its staging folder.
    `site`: the staging folder, the output's paths and the earlier output whose site to update (or None).
    The site goes first (one MkDocs build, the longest task), then the workbook's layout, its chapters, the sheets.
    `when_pdfs_done` (the workbook's merge) runs here once every PDF is written, while the site may still build."""
    global _shared
    from generator.pdf import PdfRenderer

    forked = multiprocessing.get_start_method() == "fork"
    carried = None if forked else workbook
    tasks: list[Task] = [SiteTask(site[0], site[1], carried, earlier=site[2])] if site is not None else []
    if workbook_pdf is not None:
        tasks.append(
            PdfTask("the workbook PDF", workbook_pdf, (), carried, chapter_pages=tuple((chapter_pages or {}).items()))
        )
    chapters = chapters or []
    each = max(1, min(SHEETS_PER_TASK, -(-len(chapters) // (4 * workers))))
    for start in range(0, len(chapters), each):
        part = tuple(chapters[start : start + each])
        tasks.append(PdfTask(f"the workbook chapters of {', '.join(cid for cid, _ in part)}", None, (), carried, part))
    # Smaller tasks for a few sheets, so a 10-contact client's sheets still spread over every worker.
    size = max(1, min(SHEETS_PER_TASK, -(-len(sheets) // (4 * workers))))
    for start in range(0, len(sheets), size):
        part = tuple(sheets[start : start + size])
        tasks.append(PdfTask(f"the question sheets of {', '.join(cid for cid, _ in part)}", None, part, carried))
    for _, path in sheets[:1] + chapters[:1]:
        path.parent.mkdir(parents=True, exist_ok=True)  # once here, not raced by the workers
    if _pool_connection is not None:  # a worker of a coach's pool: every worker of the pool may take them
        _share_with_pool(_pool_connection, workbook, tasks, when_pdfs_done)
        return
    # Warm before the fork: fonts, templates and compiled CSS are then every PDF worker's from the start. The
    # site's worker is forked before (the pool's `warm`): it needs no WeasyPrint, so it starts 0.35 s sooner.
    pdf_renderer = renderer or _pdf_renderer or PdfRenderer()
    _shared = (workbook, pdf_renderer) if forked else None
    pdfs_left = sum(isinstance(task, PdfTask) for task in tasks)
    try:
        if pdfs_left == 0 and when_pdfs_done is not None:
            when_pdfs_done()
        spare = _take_spare() if forked else None
        if spare is not None:
            import pickle

            plan = pickle.dumps(workbook, protocol=pickle.HIGHEST_PROTOCOL)
            pool = WorkerPool(min(workers, len(tasks)), spare=(*spare, plan))
        else:
            pool = WorkerPool(min(workers, len(tasks)), warm=pdf_renderer.warm if forked else None)
        for done in pool.run(tasks):
            if done.problem is not None:
                if done.user:
                    raise UserError(done.problem)
                raise InternalError(f"rendering {done.label} failed:\n{done.problem}")
            pdfs_left -= done.label != SiteTask.label
            if pdfs_left == 0 and when_pdfs_done is not None and done.label != SiteTask.label:
                when_pdfs_done()
    finally:
        _shared = None


def _remove_staging_of(out: Path, pid: int) -> None:
    """The staging folders a dead worker left (their names carry its process id)."""
    for folder in out.glob(f".*.building-{pid}-*"):
        shutil.rmtree(folder, ignore_errors=True)


# --- a whole build -------------------------------------------------------------------------------------

_EXIT_CODES: dict[int, int] = {signal.SIGINT: 130, signal.SIGTERM: 143}


def make_executor(spec: str) -> Executor:
    """The executor `--executor MODULE:CALLABLE` names: the callable imported and called with no arguments."""
    import importlib

    module_name, _, name = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError, ValueError) as error:
        raise UserError(
            f"--executor {spec}: cannot import it ({error}); give MODULE:CALLABLE, "
            "e.g. concurrent.futures:ProcessPoolExecutor"
        ) from None
    executor: Executor = factory()  # taken on trust: whatever the user's callable makes, used as an Executor
    return executor


def build_target(
    target: Path,
    out: Path,
    *,
    jobs: int | None,
    force: bool,
    display: Callable[[Path], str],
    today: date | None = None,
    wait: bool = True,
    executor: str | Executor | None = None,
) -> int:
    """Build what `target` names into `out`; print progress, problems and a summary; return the exit code.

    Ctrl-C or SIGTERM stops every build in progress (their staging folders removed, every earlier
    output kept) and returns 130 or 143.
    """
    with _stop_on_signals():
        try:
            return _build_target(
                target, out, jobs=jobs, force=force, display=display, today=today, wait=wait, executor=executor
            )
        except (Stopped, KeyboardInterrupt) as stop:
            number = stop.signal_number if isinstance(stop, Stopped) else signal.SIGINT
            name = "Ctrl-C" if number == signal.SIGINT else "SIGTERM"
            click.echo(f"stopped by {name}: no build was left half-done; earlier outputs are kept", err=True)
            return _EXIT_CODES.get(number, 1)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM raises `Stopped` like Ctrl-C raises KeyboardInterrupt, so cleanup code runs for both."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number: int, _frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the tidy-up short
        raise Stopped(number)

    old_term = signal.signal(signal.SIGTERM, stop)
    old_int = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)


def _build_target(
    target: Path,
    out: Path,
    *,
    jobs: int | None,
    force: bool,
    display: Callable[[Path], str],
    today: date | None,
    wait: bool,
    executor: str | Executor | None = None,
) -> int:
    started = time.perf_counter()
    try:
        coach_path, profiles = find_inputs(target)
        if coach_path:
            _coach(
                coach_path, display(coach_path), coach_path.stat().st_mtime
            )  # a broken coach.yaml stops the batch here
    except UserError as error:
        print_problems(error)
        return 1
    folder_mode = target.is_dir()
    job_list = _jobs(profiles, coach_path, folder_mode, out, force, today, display, wait)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        click.echo(f"cannot create the output folder {display(out)}: {error.strerror}", err=True)
        return 1
    _recover_all(out)
    workers = jobs or os.cpu_count() or 1
    if not folder_mode:  # one client: -j is the processes for its PDFs
        job_list = [replace(job, workers=workers) for job in job_list]
    engine = None
    if isinstance(executor, str):  # --executor MODULE:CALLABLE
        try:
            engine = make_executor(executor)
        except UserError as error:
            print_problems(error)
            return 1
    elif executor is not None:  # the Python entry point: an executor object
        engine = executor
    try:
        outcomes = list(_report(run_jobs(job_list, workers, engine), len(job_list)))
    finally:
        if engine is not None and engine is not executor:
            engine.shutdown(wait=True, cancel_futures=True)
    if folder_mode:
        from generator.overview import render_overview

        # The validated branding (optional keys present as None), not the raw `coach:` mapping of coach.yaml.
        coach = _coach(coach_path, display(coach_path), coach_path.stat().st_mtime).coach if coach_path else None
        try:
            overview = render_overview(out, outcomes, today or date.today(), coach, wait=wait)
            click.echo(f"Coach's overview: {display(overview)}")
        except UserError as error:
            print_problems(error)
            outcomes.append(Outcome(display(out / "index.html"), None, "failed", 0.0))
    elif outcomes and outcomes[0].status != "failed":
        _print_single(outcomes[0], display)
    return _print_totals(outcomes, time.perf_counter() - started)


def _recover_all(out: Path) -> None:
    """Tidy what interrupted builds left in OUT for any client no one is building now, and say so."""
    from generator.build import leftovers, recover

    for client_id in sorted(leftovers(out)):
        with contextlib.suppress(UserError):  # being built now, or a strange lock file: its own job reports that
            with output_lock(out, client_id, wait=False):
                note = recover(out, client_id)
                if note:
                    click.echo(note, err=True)


def _jobs(
    profiles: list[Path],
    coach_path: Path | None,
    folder_mode: bool,
    out: Path,
    force: bool,
    today: date | None,
    display: Callable[[Path], str],
    wait: bool = True,
) -> list[Job]:
    """One job per profile; in a coach's folder the client id is the file's name."""
    return [
        Job(
            path,
            display(path),
            make_id(path.stem) if folder_mode else None,
            coach_path,
            display(coach_path) if coach_path else None,
            out,
            force,
            today,
            wait,
        )
        for path in profiles
    ]


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
    with Progress(
        TextColumn("Building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("clients", total=total)
        for outcome in outcomes:
            for note in outcome.notes:
                bar.console.print(note, markup=False)
            bar.console.print(_outcome_line(outcome), markup=False)
            for line in outcome.problems:
                bar.console.print(line, markup=False)
            bar.advance(task)
            yield outcome


def _outcome_line(outcome: Outcome) -> str:
    mark = {"built": "✓", "skipped": "·", "failed": "✗"}[outcome.status]
    what = {
        "built": f"built in {outcome.seconds:.1f} s",
        "skipped": "unchanged, skipped",
        "failed": "failed; " + ("its earlier output is kept" if outcome.summary else "nothing was written"),
    }[outcome.status]
    return f"{mark} {outcome.client_id or outcome.display}: {what}"


def _print_outcome(outcome: Outcome) -> None:
    for note in outcome.notes:
        click.echo(note, err=True)
    click.echo(_outcome_line(outcome), err=outcome.status == "failed")
    for line in outcome.problems:
        click.echo(line, err=True)


def _print_single(outcome: Outcome, display: Callable[[Path], str]) -> None:
    folder = outcome.folder
    summary = outcome.summary
    assert folder is not None and summary is not None, "a built or skipped client has its folder and summary"
    click.echo(f"Workbook PDF:    {display(folder / summary['workbook_pdf'])}")
    click.echo(f"Question sheets: {display(folder / 'sheets')}/ ({len(summary['sheets'])})")
    click.echo(f"Open the site:   {display(folder / summary['site'])}")


def _print_totals(outcomes: list[Outcome], wall_seconds: float) -> int:
    counts = {status: sum(o.status == status for o in outcomes) for status in ("built", "skipped", "failed")}
    if len(outcomes) > 1:
        click.echo(
            f"{counts['built']} built, {counts['skipped']} skipped, {counts['failed']} failed "
            f"({len(outcomes)} clients in {wall_seconds:.1f} s)."
        )
    return 1 if counts["failed"] else 0
