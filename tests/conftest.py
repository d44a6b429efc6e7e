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
