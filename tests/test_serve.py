"""`workbook serve`, end to end: a real process, a real HTTP server on 127.0.0.1, real builds on save."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.slow

PROFILE = """\
seeker:
  name: Sam Lee
  headline: First headline
target_roles:
  - title: Data Analyst
contacts:
  - name: Ana Ruiz
    role: Analyst
    relationship: friend
"""


class Preview:
    """`workbook serve` in a child process; its output lines are read on a thread so no wait can hang."""

    def __init__(self, profile: Path, out: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", str(profile), "--port", "0", "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for_line(self, pattern: str, seconds: float = 60) -> re.Match:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, "serve stopped:\n" + "".join(self.output)
                continue
            self.output.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r} within {seconds} s:\n" + "".join(self.output))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=10)


@contextmanager
def browser_page():
    """A Chromium tab (Debian's, as in test_browser.py); skipped where it is not installed."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file():
        pytest.skip("Debian's chromium is not installed (make setup installs it)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own server on loopback)
        return response.read().decode("utf-8")


def wait_for_status(base: str, check, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = json.loads(get(base + "__workbook__/status"))
        if check(status):
            return status
        time.sleep(0.3)
    raise AssertionError(f"the preview did not reach the expected state within {seconds} s: {status}")


def test_serve_builds_serves_on_loopback_rebuilds_on_save_and_keeps_the_last_good_site(tmp_path):
    profile = tmp_path / "sam.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    out = tmp_path / "out"
    preview = Preview(profile, out)
    try:
        base = preview.wait_for_line(r"at (http://127\.0\.0\.1:\d+/)").group(1)
        # The site, with the reload script added as it is served and never written into the built files.
        home = get(base)  # redirected to the client's site
        assert "Sam Lee" in home and "First headline" in home and "__workbook__/status" in home
        built = (out / "sam-lee" / "site" / "index.html").read_text(encoding="utf-8")
        assert "First headline" in built and "__workbook__" not in built
        first = wait_for_status(base, lambda status: status["version"] >= 1)
        assert first["problems"] == []

        # Saving the profile rebuilds, and a page open in a browser reloads itself to show it.
        with browser_page() as page:
            page.goto(base)
            assert "First headline" in page.inner_text("article")
            profile.write_text(PROFILE.replace("First headline", "Second headline"), encoding="utf-8")
            page.wait_for_function(
                "document.querySelector('article').innerText.includes('Second headline')", timeout=60_000
            )
            preview.wait_for_line(r"Site updated in [\d.]+ s; the PDFs follow")  # the site first, PDFs after

            # A mistake: its file:line:col line on the page and in the terminal; the last good site stays up.
            profile.write_text(PROFILE.replace("  headline: First headline", "  headlin: Third"), encoding="utf-8")
            page.wait_for_selector("#workbook-serve-problems", timeout=60_000)
            assert "sam.yaml:3:3: seeker.headlin: unknown key" in page.inner_text("#workbook-serve-problems")
            assert "Second headline" in page.inner_text("article")

        broken = wait_for_status(base, lambda status: status["problems"])
        assert any(re.match(r".*sam\.yaml:3:3: seeker\.headlin: unknown key", line) for line in broken["problems"])
        preview.wait_for_line(r"sam\.yaml:3:3: seeker\.headlin")
        assert "Second headline" in get(base + "sam-lee/site/index.html")

        # Fixed again: the problems go, a new build comes.
        profile.write_text(PROFILE.replace("First headline", "Fourth headline"), encoding="utf-8")
        fixed = wait_for_status(
            base, lambda status: not status["problems"] and status["version"] > first["version"] + 1
        )
        assert fixed["problems"] == [] and "Fourth headline" in get(base + "sam-lee/site/index.html")
    finally:
        code = preview.stop()
    assert code == 0, "".join(preview.output)
