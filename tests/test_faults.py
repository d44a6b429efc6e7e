"""Never lose a workbook: builds killed, raced, starved of disk, fed strange output folders and hostile logos.

Every test runs the real command (`python -m generator build`) as a separate process, as a user
would, and checks what the user is left with: the previous output byte for byte (or a complete new
one), no hidden leftovers after the next build, no traceback, and the exit code.

Faults are injected with the build's test hook, WORKBOOK_FAULT=<step>[:<action>[:<client-id>]]
(generator/outfolder.py): `kill` is a real SIGKILL of the process at that step. The clients are the
smallest the format allows that still show everything: one contact each, built once for the module.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from generator.paths import ROOT

DEMO = ROOT / "data" / "coach-demo"
CLIENTS = ("li-wei", "sam-okafor")
TIMEOUT = 120  # a hang fails the test instead of blocking the suite


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def start(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", *args],
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )


def visible(out: Path, *, overview: bool = True) -> dict[str, bytes | int]:
    """Every file a user sees in OUT (hidden working files and lock files aside), with its bytes
    (a huge planted file: its size). `overview=False`: the clients' folders only."""
    return {
        str(p.relative_to(out)): p.read_bytes() if p.stat().st_size < 1 << 26 else p.stat().st_size
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and not p.relative_to(out).parts[0].startswith(".")
        and (overview or p.relative_to(out).parts[0] != "index.html")
    }


def _of(files: dict, client: str) -> dict:
    """The files of one client's folder among `visible`'s."""
    return {name: content for name, content in files.items() if name.startswith(f"{client}/")}


def visible_clients(files: dict) -> dict:
    return {name: content for name, content in files.items() if name != "index.html"}


def leftovers(out: Path) -> list[str]:
    """Hidden entries in OUT other than the (permanent, tiny) lock files."""
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock"))


def complete(out: Path, client: str) -> bool:
    from generator.build import outputs_present, read_manifest

    manifest = read_manifest(out / client)
    return bool(manifest) and outputs_present(out / client, manifest)


def wait_for(condition, seconds: float = 60.0, step: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A coach's folder of two one-contact clients (no coach.yaml), built once: base/clients, base/out."""
    base = tmp_path_factory.mktemp("faults")
    clients = base / "clients"
    clients.mkdir()
    for client in CLIENTS:
        (clients / f"{client}.yaml").write_text(one_contact(client), encoding="utf-8")
    result = run("clients", "-o", "out", "-j", "1", cwd=base)
    assert result.returncode == 0, result.stderr
    return base


def one_contact(client: str) -> str:
    """The demo client's profile with its first contact only and no coach (the smallest that shows everything)."""
    data = yaml.safe_load((DEMO / f"{client}.yaml").read_text(encoding="utf-8"))
    data["contacts"] = data["contacts"][:1]
    data.pop("coach", None)
    data["contacts"][0].pop("referred_by", None)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def site(built, tmp_path) -> Path:
    """A private copy of the built folder: tmp_path/clients and tmp_path/out (unchanged, so builds skip)."""
    shutil.copytree(built / "clients", tmp_path / "clients")
    shutil.copytree(built / "out", tmp_path / "out", symlinks=True)
    return tmp_path


def break_profile(folder: Path, client: str = "li-wei") -> None:
    path = folder / "clients" / f"{client}.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("relationship: alumni", "relationship: cousin"), encoding="utf-8"
    )


# --- killed at each step ------------------------------------------------------------------------------

# Before the swap the previous output must be untouched; from the exchange on, the new one is complete.
STEPS_BEFORE_SWAP = ["tailor", "pdf", "site", "manifest", "swap"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "step,env",
    [(step, {}) for step in STEPS_BEFORE_SWAP] + [("exchanged", {}), ("aside", {"WORKBOOK_NO_EXCHANGE": "1"})],
)
def test_a_build_killed_at_any_step_keeps_a_complete_output_and_the_next_build_tidies_up(site, step, env):
    out = site / "out"
    before = visible(out)
    killed = run(
        "clients", "-o", "out", "-j", "1", "--force", cwd=site, env={"WORKBOOK_FAULT": f"{step}:kill:li-wei", **env}
    )
    assert killed.returncode == -signal.SIGKILL
    if step in STEPS_BEFORE_SWAP:
        assert visible(out) == before, "the previous output, byte for byte"
    elif step == "exchanged":
        assert complete(out, "li-wei"), "the new output is in place and complete"
    else:  # the portable swap's one unsafe instant: the output is hidden until the next build
        assert not (out / "li-wei").exists()

    # The next build, even one that fails (a broken profile), tidies up and says what it did.
    break_profile(site)
    after = run("clients", "-o", "out", "-j", "1", cwd=site)
    assert after.returncode == 1
    # Killed before its staging folder existed, a build leaves nothing to tidy.
    assert bool(re.search(r"^recovered: .*li-wei", after.stderr, re.MULTILINE)) == (step != "tailor"), after.stderr
    if step == "aside":
        assert "restored out/li-wei" in after.stderr
    assert leftovers(out) == []
    assert complete(out, "li-wei")
    if step in STEPS_BEFORE_SWAP:  # (the overview now says li-wei's last build failed)
        assert visible(out, overview=False) == visible_clients(before)


@pytest.mark.slow
def test_the_overview_killed_while_written_keeps_the_previous_page(site):
    out = site / "out"
    before = visible(out)
    killed = run("clients", "-o", "out", "-j", "1", cwd=site, env={"WORKBOOK_FAULT": "overview"})
    assert killed.returncode == -signal.SIGKILL
    assert visible(out) == before
    assert [name for name in leftovers(out) if name.startswith(".index.html.")], (
        "killed after writing, before the rename"
    )
    assert run("clients", "-o", "out", "-j", "1", cwd=site).returncode == 0
    assert leftovers(out) == []


# --- two builds at once ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_second_build_of_the_same_client_waits_or_with_no_wait_says_who_holds_it(site):
    out = site / "out"
    release = site / "release"
    # The first build holds li-wei's lock just before its swap until the test releases it (the hook's `hold`).
    first = start(
        "clients",
        "-o",
        "out",
        "-j",
        "1",
        "--force",
        cwd=site,
        env={"WORKBOOK_FAULT": "swap:hold:li-wei", "WORKBOOK_FAULT_RELEASE": str(release)},
    )
    try:
        wait_for(lambda: list(out.glob(".li-wei.building-*")) and (out / "li-wei").exists())
        refused = run("clients", "-o", "out", "-j", "1", "--no-wait", cwd=site)  # (sam-okafor: unchanged, skipped)
        assert refused.returncode == 1
        assert f"out/li-wei is being built by another workbook (process {first.pid})" in refused.stderr
        with open(site / "second.err", "w+", encoding="utf-8") as errors:
            second = subprocess.Popen(
                [sys.executable, "-m", "generator", "build", "clients", "-o", "out", "-j", "1", "--force"],
                cwd=site,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                text=True,
            )
            waiting = "waiting: out/li-wei is being built by another workbook"
            wait_for(lambda: waiting in (site / "second.err").read_text(encoding="utf-8"))
            release.touch()  # the first build goes on; the second, waiting for its lock, then builds
            assert second.wait(timeout=TIMEOUT) == 0, (site / "second.err").read_text(encoding="utf-8")
    finally:
        release.touch()
        first_out, first_err = first.communicate(timeout=TIMEOUT)
    assert first.returncode == 0, first_err
    assert "Traceback" not in first_err
    assert all(complete(out, client) for client in CLIENTS)
    assert (out / "index.html").is_file() and leftovers(out) == []


# --- the disk says no -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "step,cause",
    [
        ("pdf:enospc", "No space left on device"),
        ("site:erofs", "Read-only file system"),
        ("overview:enospc", "No space left on device"),
    ],
)
def test_an_os_error_is_one_line_naming_the_path_and_the_previous_output_is_kept(site, step, cause):
    out = site / "out"
    overview = step.startswith("overview")
    before = visible(out, overview=overview)  # a failed client changes the overview: it says so
    failed = run(
        "clients", "-o", "out", "-j", "1", *([] if overview else ["--force"]), cwd=site, env={"WORKBOOK_FAULT": step}
    )
    assert failed.returncode == 1
    target = "out/index.html" if overview else "out/li-wei"
    assert re.search(rf"cannot write {re.escape(target)}: {cause}", failed.stderr), failed.stderr
    assert visible(out, overview=overview) == before
    assert leftovers(out) == []


def _mount_tmpfs(folder: Path, kilobytes: int) -> bool:
    folder.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(folder)], capture_output=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@pytest.mark.slow
def test_a_really_full_disk_keeps_the_previous_output(site):
    """A small tmpfs that holds the output but not a second copy of it (root only; else the test hook above)."""
    disk = site / "disk"
    used = sum(p.stat().st_size for p in (site / "out").rglob("*") if p.is_file()) // 1024
    if not _mount_tmpfs(disk, used + 400):
        pytest.skip("cannot mount a tmpfs here (needs root); the ENOSPC test hook covers this")
    try:
        shutil.copytree(site / "out", disk / "out", symlinks=True)
        out = disk / "out"
        before = visible(out)
        failed = run(str(site / "clients"), "-o", "out", "-j", "1", "--force", cwd=disk)
        assert failed.returncode == 1
        assert "No space left on device" in failed.stderr, failed.stderr
        assert visible(out, overview=False) == visible_clients(before)
        assert leftovers(out) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


@pytest.mark.slow
def test_an_immutable_output_folder_is_one_line_and_nothing_changes(site):
    out = site / "out"
    before = visible(out)
    if subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here; the EROFS test hook covers a read-only folder")
    try:
        failed = run("clients", "-o", "out", "-j", "1", "--force", cwd=site)
    finally:
        subprocess.run(["chattr", "-i", str(out)], check=True)
    assert failed.returncode == 1
    assert "cannot write out/li-wei: Operation not permitted" in failed.stderr, failed.stderr
    assert visible(out) == before and leftovers(out) == []


# --- strange things in OUT --------------------------------------------------------------------------------


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return "is a named pipe (FIFO)"


def _folder(path: Path) -> str:
    path.mkdir()
    return "is a folder"


def _sparse(path: Path) -> str:
    with open(path, "wb") as handle:
        handle.truncate(8 * 1024**3)  # 8 GB that take no space; reading it whole would take 16 GB of memory
    return {"index.html": "was not written by workbook", "manifest.json": "is larger than"}.get(
        path.name, "is a file, not a workbook output"
    )


def _dangling(path: Path) -> str:
    path.symlink_to(path.parent / "nowhere")
    return "is a symbolic link"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("where", ["index.html", "li-wei/manifest.json", "li-wei", ".li-wei.lock"])
@pytest.mark.parametrize("plant", [_fifo, _folder, _sparse, _dangling], ids=lambda f: f.__name__.strip("_"))
def test_a_strange_file_where_workbook_reads_is_a_clear_error_never_a_hang(site, where, plant):
    out = site / "out"
    path = out / where
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    if plant is _sparse and where == ".li-wei.lock":
        pytest.skip("a lock file is workbook's own: a large one is simply emptied, and the build goes on")
    said = plant(path)
    before = visible(out, overview=False)
    if where == "li-wei" and plant is _folder:
        said = "exists and is not a workbook output"
    failed = run("clients", "-o", "out", "-j", "1", cwd=site, timeout=60)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    line = next((line for line in failed.stderr.splitlines() if f"out/{where}" in line), "")
    assert said in line, failed.stderr
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 1024 * 1024, "an 8 GB file is never read whole"
    assert visible(out, overview=False) == before, "nothing else changed"
    assert "sam-okafor" in failed.stdout + failed.stderr  # the other client is still handled
    assert leftovers(out) == []


def test_a_planted_link_at_the_overviews_temporary_name_is_never_written_through(site):
    out = site / "out"
    victim = site / "victim.txt"
    victim.write_text("precious")
    (out / ".index.html.tmp").symlink_to(victim)
    ok = run("clients", "-o", "out", "-j", "1", cwd=site)
    assert ok.returncode == 0, ok.stderr
    assert victim.read_text() == "precious"
    assert "Client workbooks" in (out / "index.html").read_text(encoding="utf-8")
    assert not (out / "index.html").is_symlink()
    assert leftovers(out) == []


def test_a_link_planted_as_the_overview_is_refused_and_its_target_untouched(site):
    out = site / "out"
    victim = site / "victim.html"
    victim.write_text('<meta name="generator" content="workbook"> not yours')
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(victim)
    failed = run("clients", "-o", "out", "-j", "1", cwd=site)
    assert failed.returncode == 1
    assert "out/index.html is a symbolic link" in failed.stderr
    assert victim.read_text() == '<meta name="generator" content="workbook"> not yours'


# --- workers and signals ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_dead_worker_fails_only_its_client_and_the_others_finish(site):
    out = site / "out"
    before = visible(out)
    result = run("clients", "-o", "out", "-j", "2", "--force", cwd=site, env={"WORKBOOK_FAULT": "pdf:kill:li-wei"})
    assert result.returncode == 1
    assert "✗ li-wei: failed; its earlier output is kept" in result.stderr
    assert "clients/li-wei.yaml: the worker process building this client was killed by signal 9" in result.stderr
    assert "✓ sam-okafor: built" in result.stdout
    assert "1 built, 0 skipped, 1 failed" in result.stdout
    assert _of(visible(out), "li-wei") == _of(before, "li-wei")
    assert leftovers(out) == []


def _workers_building(out: Path) -> list[int]:
    pids = [int(m[1]) for p in out.iterdir() if (m := re.match(r"^\.[a-z0-9-]+\.building-(\d+)-", p.name))]
    return pids if len(pids) == 2 else []


@pytest.mark.slow
@pytest.mark.parametrize("how,code", [("SIGTERM", 143), ("SIGINT", 130), ("SIGKILL", None)])
def test_stopping_the_build_stops_every_worker_and_keeps_every_output(site, how, code):
    out = site / "out"
    before = visible(out)
    build = start("clients", "-o", "out", "-j", "2", "--force", cwd=site)
    try:
        workers = wait_for(lambda: _workers_building(out))
        build.send_signal(getattr(signal, how))
        _, stderr = build.communicate(timeout=TIMEOUT)
    finally:
        if build.poll() is None:
            build.kill()
    if code is None:  # the parent killed outright: the kernel tells each worker (PR_SET_PDEATHSIG)
        assert build.returncode == -signal.SIGKILL
    else:
        assert build.returncode == code
        assert stderr.strip().splitlines()[-1].startswith(f"stopped by {'Ctrl-C' if how == 'SIGINT' else how}")
        assert "Traceback" not in stderr
    wait_for(lambda: not any(alive(pid) for pid in workers), seconds=30)
    wait_for(lambda: leftovers(out) == [], seconds=10)
    assert visible(out) == before


# --- a large client shared by every worker ---------------------------------------------------------------


@pytest.fixture(scope="module")
def built_mixed(tmp_path_factory) -> Path:
    """The two one-contact clients and a 16-contact one (`big`), built once: base/clients, base/out. With -j 2,
    the worker that builds the two small clients then helps with the big one's sheets."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import profile_yaml

    base = tmp_path_factory.mktemp("mixed")
    (base / "clients").mkdir()
    for client in CLIENTS:
        (base / "clients" / f"{client}.yaml").write_text(one_contact(client), encoding="utf-8")
    (base / "clients" / "big.yaml").write_text(profile_yaml(16, seed=3, name="Big Client"), encoding="utf-8")
    result = run("clients", "-o", "out", "-j", "1", cwd=base)
    assert result.returncode == 0, result.stderr
    return base


@pytest.fixture
def mixed(built_mixed, tmp_path) -> Path:
    shutil.copytree(built_mixed / "clients", tmp_path / "clients")
    shutil.copytree(built_mixed / "out", tmp_path / "out", symlinks=True)
    return tmp_path


@pytest.mark.slow
def test_a_worker_killed_while_it_helps_another_client_fails_only_that_client(mixed):
    """The fault hook's `lent-task` step: a worker running a task of a client another worker builds."""
    out = mixed / "out"
    before = visible(out)
    result = run("clients", "-o", "out", "-j", "2", "--force", cwd=mixed, env={"WORKBOOK_FAULT": "lent-task:kill:big"})
    assert result.returncode == 1
    assert "✗ big: failed; its earlier output is kept" in result.stderr
    assert re.search(r"^clients/big\.yaml: the worker process rendering .+ was killed by signal 9", result.stderr, re.M)
    assert "✓ li-wei: built" in result.stdout and "✓ sam-okafor: built" in result.stdout
    assert "2 built, 0 skipped, 1 failed" in result.stdout
    assert _of(visible(out), "big") == _of(before, "big")
    assert leftovers(out) == []
    assert complete(out, "big")  # the earlier output, whole: the next build finds nothing to do
    assert "0 built, 3 skipped, 0 failed" in run("clients", "-o", "out", "-j", "2", cwd=mixed).stdout


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads a process's children from /proc")
def test_sigterm_while_a_worker_helps_another_client_stops_every_worker_and_keeps_every_output(mixed):
    out = mixed / "out"
    before = visible(out)
    build = start(
        "clients", "-o", "out", "-j", "2", "--force", cwd=mixed, env={"WORKBOOK_FAULT": "lent-task:sleep60:big"}
    )
    try:
        assert build.stdout is not None
        done = [build.stdout.readline() for _ in CLIENTS]  # the small clients; their worker then helps with big
        assert all(" built in " in line for line in done), done
        workers = [int(child) for child in Path(f"/proc/{build.pid}/task/{build.pid}/children").read_text().split()]
        assert len(workers) == 2
        time.sleep(1)  # the helper is in its task by now
        build.send_signal(signal.SIGTERM)
        _, stderr = build.communicate(timeout=TIMEOUT)
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode == 143, stderr
    assert stderr.strip().splitlines()[-1].startswith("stopped by SIGTERM") and "Traceback" not in stderr
    wait_for(lambda: not any(alive(pid) for pid in workers), seconds=30)
    wait_for(lambda: leftovers(out) == [], seconds=10)
    assert _of(visible(out), "big") == _of(before, "big")
    assert all(complete(out, client) for client in (*CLIENTS, "big"))


# --- hostile logos ----------------------------------------------------------------------------------------


def _coach_with_logo(site: Path, name: str, content: bytes) -> Path:
    (site / "clients" / "assets").mkdir(exist_ok=True)
    (site / "clients" / "assets" / name).write_bytes(content)
    coach = site / "clients" / "coach.yaml"
    coach.write_text(f"coach:\n  name: Dana\n  logo: assets/{name}\n", encoding="utf-8")
    return coach


SELF_REFERENCE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="9" height="9">\n'
    b'<image href="logo.svg" width="9" height="9"/><image xlink:href="logo.svg" width="9" height="9"/></svg>\n'
)


def _bomb() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("1", (13000, 13000)).save(buffer, "PNG", optimize=True)  # ~20 KB that decode to 169 million pixels
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("logo.svg", SELF_REFERENCE, 'refers to another file: <image href="logo.svg"> on line 2 of the SVG'),
        (
            "use.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><use href="other.svg#a"/></svg>',
            "refers to another file",
        ),
        (
            "style.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:url(x.svg#p)}</style></svg>',
            "refers to another file",
        ),
        ("bomb.png", None, "is 13000 × 13000 pixels; a logo may have at most 16 million pixels"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "is not a PNG or JPEG image that can be read"),
    ],
)
def test_a_hostile_logo_is_refused_at_its_line_before_anything_is_built(site, name, content, message):
    out = site / "out"
    before = visible(out)
    _coach_with_logo(site, name, _bomb() if content is None else content)
    started = time.monotonic()
    failed = run("clients", "-o", "out", "-j", "1", cwd=site, timeout=60)
    assert failed.returncode == 1
    assert f"clients/coach.yaml:3:9: coach.logo: 'assets/{name}' {message}" in failed.stderr, failed.stderr
    assert time.monotonic() - started < 30
    assert visible(out) == before


def test_a_fragment_reference_inside_an_svg_logo_is_fine():
    from generator.logo import svg_problem

    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<defs><linearGradient id="g"/><circle id="c" r="2"/></defs>'
        b'<use xlink:href="#c"/><rect style="fill:url(#g)" fill="url( \'#g\' )"/></svg>'
    )
    assert svg_problem(svg) is None
    assert svg_problem((DEMO / "assets" / "whitfield-logo.svg").read_bytes()) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fake build reaches workers by fork")
def test_the_worker_pool_replaces_workers_that_die_busy_or_idle(monkeypatch, tmp_path):
    """The pool's bookkeeping, with a stand-in build (workers are forked, so they see the patch)."""
    from datetime import date

    import generator.batch as batch

    def fake_build(job):
        if job.display == "dies":
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.2)
        return batch.Outcome(job.display, job.client_id, "built", 0.0)

    monkeypatch.setattr(batch, "build_job", fake_build)
    names = ["a", "dies", "b", "c", "d", "e"]
    jobs = [batch.Job(tmp_path / f"{n}.yaml", n, n, None, None, tmp_path, False, date.today()) for n in names]
    pool = batch.WorkerPool(2)
    outcomes = {}
    for outcome in pool.run(jobs):
        outcomes[outcome.display] = outcome
        idle = [p for p, _ in pool.workers if p.pid not in pool.current and p.is_alive()]
        if len(outcomes) == 2 and idle:  # one worker dies while it waits for work
            os.kill(idle[0].pid, signal.SIGKILL)
            idle[0].join(5)
    assert {name: o.status for name, o in outcomes.items()} == {**{n: "built" for n in names}, "dies": "failed"}
    assert "was killed by signal 9" in outcomes["dies"].problems[0]
    assert pool.restarts == 1 and pool.workers == []


def test_the_pdf_fetcher_refuses_a_self_referencing_logo_even_if_it_changed_after_loading(tmp_path):
    from generator.fetcher import AssetFetcher, RefusedURL

    logo = tmp_path / "logo.svg"
    logo.write_bytes(SELF_REFERENCE)
    fetcher = AssetFetcher(files=[logo])
    with pytest.raises(RefusedURL, match="refers to another file"):
        fetcher.fetch(logo.as_uri())
    logo.write_bytes((DEMO / "assets" / "whitfield-logo.svg").read_bytes())
    assert fetcher.fetch(logo.as_uri()).read() == (DEMO / "assets" / "whitfield-logo.svg").read_bytes()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker is forked, with the parent's handlers")
@pytest.mark.parametrize("attempt", range(3))  # a race: a few tries (each fails without the fix)
def test_a_worker_stopped_as_it_starts_exits_quietly(capfd, attempt):
    """A SIGTERM that reaches a worker before its own handlers are in place (the pool stops it just after
    starting it) must not run the parent's inherited handler inside multiprocessing's start-up: a traceback."""
    import generator.batch as batch

    with batch._stop_on_signals():  # the parent's handlers during a build, which a forked worker inherits
        pool = batch.WorkerPool(1)
        process, connection = pool._start()
        process.terminate()
        with contextlib.suppress(OSError):  # (it may have gone already: the broken pipe is fine)
            connection.send(None)  # nothing for it to do: a worker that missed the signal exits 0
        process.join(30)
        connection.close()
    assert process.exitcode == 143  # stopped by its own handler, whenever the signal came
    assert "Traceback" not in capfd.readouterr().err
