"""Fixtures shared by the test modules, and how property tests run."""

import http.server
import os
import threading

import pytest
from hypothesis import settings

# Property tests: on CI (CI=true, as CI services set it) every run tries the same examples, so a build
# never fails by chance and never replays a failure remembered from another run; on a developer's
# machine each run explores new examples and remembers failures in .hypothesis/. A failure found
# locally becomes an explicit @example next to its test.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev")
settings.load_profile("ci" if os.environ.get("CI", "").lower() in ("true", "1", "yes") else "dev")


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
