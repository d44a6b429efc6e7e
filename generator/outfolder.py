"""The output folder's safety rules: what we read from it, how we write into it, who may write.

OUT belongs to the user and may hold anything: a FIFO where a manifest should
be, a folder named index.html, an 8 GB sparse file, a symlink planted where we
write a temporary file. So:

* files are read from OUT only through `read_regular`: opened without blocking
  (a FIFO cannot hang us) and without following a final symlink, checked to be a
  regular file, and read up to a size cap;
* files are written only through `write_fresh`: a new file created with
  O_CREAT|O_EXCL (it cannot already exist, so no planted link is followed) and
  moved over its name with one atomic rename;
* one build at a time per output: `output_lock` takes an advisory lock on a
  small file beside it (`OUT/.<name>.lock`, kept; the kernel releases the lock
  when its holder dies, so a stale lock never blocks anyone);
* a folder is replaced by `exchange`, Linux's atomic renameat2(RENAME_EXCHANGE),
  so the visible folder is never missing, not even for an instant;
* OS errors become one line naming the path and the cause (`os_problem`).

`fault_point` is a test hook (tests/test_faults.py): with the environment
variable WORKBOOK_FAULT=<step>[:<action>[:<client-id>]] (several, separated by
commas) a build stops at that step, as if killed (`kill`, the default) or as if the disk said no (`enospc`,
`erofs`, `eacces`), or pauses there (`sleep<N>` seconds), or notes that it got
there (`note`: a line `<step> <client-id> <process id>` appended to the file
WORKBOOK_FAULT_LOG). Steps: `tailor`, `pdf`, `site`, `manifest`, `swap`,
`exchanged`, `aside` (generator/build.py), `overview` (after the page's temporary
file is written), `pdf-worker` and `shared-task` (a part of a client's build in a
worker process), `lent-task` (the same, in a worker helping another's client),
`spare` (a lone client's spare PDF worker as it starts; generator/batch.py). It
does nothing when the variable is not set.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import signal
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from generator.errors import UserError

_UMASK = os.umask(0)
os.umask(_UMASK)


def shown(path: Path | str) -> str:
    """A path as the user would type it: relative to the working folder when it is below it."""
    path = Path(path)
    try:
        return str(path.absolute().relative_to(Path.cwd().absolute()))
    except ValueError:
        return str(path)


# --- errors the operating system reports, in one line ------------------------------------------


def os_problem(error: OSError, path: Path | str | None = None, doing: str = "write") -> UserError:
    """`cannot write out/li-wei: No space left on device` — the path and the cause, nothing else."""
    where = path if path is not None else error.filename
    cause = error.strerror or str(error)
    hint = {
        errno.ENOSPC: "; free some space and build again",
        errno.EDQUOT: "; free some space and build again",
        errno.EROFS: "; choose a writable output folder with -o",
        errno.EACCES: "; check the folder's permissions or choose another with -o",
        errno.EPERM: "; check the folder's permissions or attributes (chattr) or choose another with -o",
    }
    message = f"cannot {doing} {shown(where)}: {cause}" if where is not None else f"cannot {doing}: {cause}"
    return UserError(message + (hint.get(error.errno, "") if error.errno is not None else ""))


# --- reading ---------------------------------------------------------------------------------------


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def not_a_file(path: Path, mode: int, expected: str = "a file workbook wrote") -> UserError:
    """`out/index.html is a folder, not a file workbook wrote; …`"""
    return UserError(
        f"{shown(path)} is {_kind(mode)}, not {expected}; move it away or choose another output folder with -o"
    )


def read_regular(path: Path, limit: int, *, prefix: bool = False) -> bytes | None:
    """The bytes of the regular file `path` (None if there is none).

    A FIFO, device, folder or symbolic link there is a `UserError` naming the path; so is a file
    larger than `limit`, unless `prefix` asks for only its first `limit` bytes.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link
            raise not_a_file(path, stat.S_IFLNK) from None
        raise os_problem(error, path, "read") from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise not_a_file(path, status.st_mode)
        if status.st_size > limit and not prefix:
            raise UserError(
                f"{shown(path)} is larger than {limit // 1024} KB, too large to be a file workbook "
                "wrote; move it away or choose another output folder with -o"
            )
        chunks, left = [], limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise os_problem(error, path, "read") from None
    finally:
        os.close(fd)


# --- writing ---------------------------------------------------------------------------------------


def write_fresh(path: Path, data: bytes, step: str | None = None) -> None:
    """Write `path` atomically through a new temporary file beside it; no existing file or link is followed.

    `step`: the name of this write for the test hook (`fault_point`), hit just before the rename.
    """
    # mkstemp opens with O_CREAT|O_EXCL: a name that exists (a planted link included) is never reused.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            os.fchmod(handle.fileno(), 0o666 & ~_UMASK)  # mkstemp makes it private; an output is not
        if step:
            fault_point(step, None, path)
        os.replace(temporary, path)  # replaces a link at `path` itself, never its target
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def make_fresh_folder(parent: Path, prefix: str) -> Path:
    """A new, empty folder `parent/<prefix><random>` that no one else could have prepared."""
    folder = Path(tempfile.mkdtemp(dir=parent, prefix=prefix))
    os.chmod(folder, 0o777 & ~_UMASK)  # mkdtemp makes it private; the output folder it becomes is not
    return folder


# --- the atomic exchange ------------------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class _Renameat2(Protocol):
    """glibc's renameat2(olddirfd, oldpath, newdirfd, newpath, flags) -> 0 or -1, as ctypes calls it."""

    def __call__(self, olddirfd: int, oldpath: bytes, newdirfd: int, newpath: bytes, flags: int, /) -> int: ...


def _renameat2() -> _Renameat2 | None:
    if not sys.platform.startswith("linux") or os.environ.get("WORKBOOK_NO_EXCHANGE"):  # the env: a test hook
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2  # glibc 2.28 or later
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths atomically. False when this system or file system cannot; OSError on failure."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # an old kernel, or a file system without it
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done (a swap and its cleanup are never cut in half)."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# --- one build per output ------------------------------------------------------------------------------


class Busy(UserError):
    """Another build holds the lock and we were asked not to wait."""


def lock_path(out: Path, name: str) -> Path:
    return out / f".{name}.lock"


@contextlib.contextmanager
def output_lock(out: Path, name: str, *, wait: bool = True, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the advisory lock of OUT/<name> (a client's folder or index.html) for the block."""
    path = lock_path(out, name)
    flags = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o666 & ~_UMASK)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EISDIR):
            raise not_a_file(path, stat.S_IFLNK if error.errno == errno.ELOOP else stat.S_IFDIR) from None
        if error.errno not in (errno.EROFS, errno.EACCES, errno.EPERM) or not os.path.lexists(path):
            raise os_problem(error, path) from None
        try:  # a read-only folder: an existing lock file still locks (and the build will say it cannot write)
            fd = os.open(path, os.O_RDONLY | flags)
        except OSError:
            raise os_problem(error, path) from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise not_a_file(path, status.st_mode)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            what = f"{shown(out / name)} is being built by another workbook (process {holder})"
            if not wait:
                raise Busy(f"{what}; not waiting (--no-wait). Try again when it has finished.") from None
            (say or _say)(f"waiting: {what} …")
            fcntl.flock(fd, fcntl.LOCK_EX)  # a signal (Ctrl-C) still interrupts the wait
        with contextlib.suppress(OSError):  # who holds it, for the message above (not in a read-only folder)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return text if text.isdigit() else "unknown"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the test hook -----------------------------------------------------------------------------------

_FAULT_ERRORS = {"enospc": errno.ENOSPC, "erofs": errno.EROFS, "eacces": errno.EACCES}


def fault_point(step: str, client_id: str | None = None, path: Path | None = None) -> None:
    """Test hook: stop here when WORKBOOK_FAULT names this step (and this client, if it names one); it may name
    several, separated by commas."""
    wanted = os.environ.get("WORKBOOK_FAULT")
    if not wanted:
        return
    for fault in wanted.split(","):
        name, _, rest = fault.partition(":")
        action, _, only = rest.partition(":")
        if name == step and (not only or only == client_id):
            _fault(step, client_id, path, action)


def _fault(step: str, client_id: str | None, path: Path | None, action: str) -> None:
    if action in ("", "kill"):
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "note":  # which process got here, for tests that check who did what
        with open(os.environ["WORKBOOK_FAULT_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{step} {client_id} {os.getpid()}\n")
        return
    if action.startswith("sleep"):  # hold on here (and to any lock) for N seconds, then go on
        time.sleep(float(action[5:] or 5))
        return
    if action == "hold":  # hold on here (and to any lock) until the file WORKBOOK_FAULT_RELEASE exists (at most 60 s)
        release = Path(os.environ["WORKBOOK_FAULT_RELEASE"])
        deadline = time.monotonic() + 60
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return
    code = _FAULT_ERRORS[action]
    raise OSError(code, os.strerror(code), str(path) if path else None)
