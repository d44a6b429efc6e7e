"""Fixtures shared by the test modules, and how property tests run."""

import fcntl
import http.server
import os
import threading
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: on CI (CI=true, as CI services set it) every run tries the same examples, so a build
# never fails by chance and never replays a failure remembered from another run; on a developer's
# machine each run explores new examples and remembers failures in .hypothesis/. A failure found
# locally becomes an explicit @example next to its test.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev")
settings.load_profile("ci" if os.environ.get("CI", "").lower() in ("true", "1", "yes") else "dev")


# --- the order files run in under `make test` --------------------------------------------------------------

# `make test` runs each file whole on one of the workers (pytest-xdist, --dist loadfile), and with
# --no-loadscope-reorder the workers take the files in the order collected here: the longest first, so the
# short files fill in at the end and no long file starts last (without this, xdist starts the files with the
# most tests first, and a long file with few tests picked up last decided the suite's wall time).
# Seconds each took under `make test` (`--durations=0`, 2026-12-01; Chromium's own processes not counted), roughly;
# re-rank when a file's cost changes a lot.
LONGEST_FIRST = [
    "test_faults.py",  # 90
    "test_browser.py",  # 79
    "test_batch.py",  # 72
    "test_speed.py",  # 70
    "test_pdf.py",  # 48
    "test_wheel.py",  # 13
    "test_calendar.py",  # 9
    "test_serve.py",  # 8
    "test_plan_data.py",  # 8
    "test_site.py",  # 6
    "test_reference.py",  # 6
    "test_fuzz.py",  # 4
]


def pytest_collection_modifyitems(config, items):
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # a stable sort: each file keeps its order


EXAMPLE_DAY = "2026-12-02"


@pytest.fixture(scope="session")
def example_build(tmp_path_factory, worker_id) -> Path:
    """The example built once for the whole run with `--today 2026-12-02`; returns OUT/maya-lopez.

    Read it, never change it (copy it first). Under `make test` the first worker that asks builds it and
    the others wait for it (a lock file in the run's shared temporary folder), so the run builds it once.
    """
    from click.testing import CliRunner

    from generator.cli import main
    from generator.paths import EXAMPLE

    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    out = shared / f"example-{EXAMPLE_DAY}"
    with open(shared / f"example-{EXAMPLE_DAY}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "maya-lopez" / "manifest.json").is_file():
            result = CliRunner().invoke(main, ["build", str(EXAMPLE), "-o", str(out), "--today", EXAMPLE_DAY])
            assert result.exit_code == 0, result.output
    return out / "maya-lopez"


@pytest.fixture
def server():
    """A local web server that records every request it gets; the code under test must never cause one."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


# --- reference files: what the generated pages, configuration and print HTML look like ----------

REFERENCE = __import__("pathlib").Path(__file__).parent / "reference"


def pytest_addoption(parser):
    parser.addoption(
        "--update-reference",
        action="store_true",
        help="rewrite tests/reference/ (and the committed JSON Schema) from the current output",
    )


@pytest.fixture
def reference(request):
    """Compare text with tests/reference/<name>; `pytest --update-reference` rewrites the file instead.

    A template change then shows as a readable diff in review, and a change nobody meant fails here.
    """
    import difflib

    update = request.config.getoption("--update-reference")

    def check(name: str, text: str, *, path=None) -> None:
        target = path or REFERENCE / name
        if update:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
            return
        committed = target.read_text(encoding="utf-8") if target.exists() else ""
        if committed != text:
            diff = list(
                difflib.unified_diff(committed.splitlines(), text.splitlines(), "committed", "now", lineterm="", n=1)
            )
            shown = "\n".join(diff[:60]) + ("\n…" if len(diff) > 60 else "")
            pytest.fail(
                f"{target.name} differs from its reference. If the change is meant, run\n\n"
                f"    .venv/bin/pytest --update-reference {request.node.path.name}\n\n"
                f"and commit the result.\n{shown}",
                pytrace=False,
            )

    return check
