"""`workbook serve`: build, serve the site on this machine only, rebuild and reload on every save.

The build is the ordinary one (`build_target`, in this process so the PDF renderer stays warm) into a
folder of its own, so a preview never touches the user's out/. The site is served from 127.0.0.1 only.
A small script is added to each HTML page *as it is served* (never to the built files): it asks the
server every second which build it shows and reloads the page when a newer one is there. When the
profile has a problem, its `file:line:col` lines go to the terminal and onto the page, and the last
good site stays up.
"""

from __future__ import annotations

import http.server
import json
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any, TypedDict
from urllib.parse import unquote, urlsplit

import click

from generator.errors import UserError, print_problems

STATUS_PATH = "/__workbook__/status"
POLL_SECONDS = 0.3  # how often the profile's files are looked at

# Added before </body> of every HTML page served (not written to disk). textContent: problem lines are text.
RELOAD_SCRIPT = """<script>
(function () {
  var shown = null;
  function check() {
    fetch("@STATUS_PATH@", {cache: "no-store"}).then(function (response) { return response.json(); }).then(function (status) {
      if (shown === null) { shown = status.version; }
      else if (status.version !== shown) { location.reload(); return; }
      var box = document.getElementById("workbook-serve-problems");
      if (status.problems.length) {
        if (!box) {
          box = document.createElement("pre");
          box.id = "workbook-serve-problems";
          box.setAttribute("role", "alert");
          box.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:100;margin:0;padding:1em;" +
            "max-height:50vh;overflow:auto;white-space:pre-wrap;background:#5c1010;color:#fff;font-size:14px";
          document.body.appendChild(box);
        }
        box.textContent = "The profile has problems; showing the last good build.\\n\\n" + status.problems.join("\\n");
      } else if (box) {
        box.remove();
      }
    }).catch(function () {}).then(function () { setTimeout(check, 1000); });
  }
  check();
})();
</script>""".replace("@STATUS_PATH@", STATUS_PATH)

PROBLEMS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Workbook preview</title></head>
<body><h1>Workbook preview</h1><p>No site yet: the first build did not succeed. Fix the profile and save it.</p>
</body></html>"""


class _Status(TypedDict):
    """The status the page polls: the build's number and the current problems."""

    version: int
    problems: list[str]


_Stamp = tuple[str, int | None, int | None]  # a file's path, mtime in ns and size (None: could not stat it)


class _State:
    """What the server shows: the build's number, the current problems, and the page to start from."""

    def __init__(self) -> None:
        self.version = 0
        self.problems: list[str] = []
        self.start_page = "index.html"
        self.lock = threading.Lock()

    def snapshot(self) -> _Status:
        with self.lock:
            return {"version": self.version, "problems": list(self.problems)}


def _handler(root: Path, state: _State) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:  # as SimpleHTTPRequestHandler's
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = urlsplit(self.path).path
            if path == STATUS_PATH:
                return self._send(json.dumps(state.snapshot()).encode(), "application/json")
            if path == "/":
                target = root / state.start_page
                if not target.is_file():
                    return self._send(self._with_script(PROBLEMS_PAGE.encode()), "text/html; charset=utf-8")
                self.send_response(302)
                self.send_header("Location", "/" + state.start_page)
                self.end_headers()
                return None
            file = Path(self.translate_path(unquote(path)))
            if file.is_dir():
                file = file / "index.html"
            if file.suffix == ".html" and file.is_file():
                return self._send(self._with_script(file.read_bytes()), "text/html; charset=utf-8")
            return super().do_GET()

        def _with_script(self, html: bytes) -> bytes:
            script = RELOAD_SCRIPT.encode()
            position = html.rfind(b"</body>")
            return html[:position] + script + html[position:] if position >= 0 else html + script

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")  # a reload must show the new build
            super().end_headers()

        def log_message(self, *args: Any) -> None:  # requests are not news; builds and problems are
            pass

    return Handler


def _watched_files(target: Path) -> list[Path]:
    """The files whose saving means a rebuild: the profile, or every YAML file of a coach's folder."""
    if target.is_dir():
        return sorted(path for path in target.iterdir() if path.suffix in (".yaml", ".yml") and path.is_file())
    return [target]


def _signature(files: list[Path]) -> tuple[_Stamp, ...]:
    stamps: list[_Stamp] = []
    for path in files:
        try:
            status = path.stat()
            stamps.append((str(path), status.st_mtime_ns, status.st_size))
        except OSError:
            stamps.append((str(path), None, None))
    return tuple(stamps)


def _problems(target: Path, display: Callable[[Path], str]) -> list[str]:
    """Every problem `workbook check` would report for `target`, as lines; none when it is valid."""
    from generator.checking import check_inputs

    try:
        results = check_inputs(target, display)
    except UserError as error:
        print_problems(error)
        return [str(problem) for problem in error.problems] or [str(error)]
    lines: list[str] = []
    for result in results:
        if result.error:
            print_problems(result.error)
            lines += result.problem_lines()
    return lines


def _site_first(target: Path, out: Path, display: Callable[[Path], str]) -> bool | None:
    """Re-render only the site of a single profile, in place, linking the PDFs of the last build.

    The site is what the open browser shows, and it takes a fraction of the time the PDFs take; the full
    build that follows brings the PDFs up to date (and replaces this folder). Returns whether every
    contact already had its sheet (if not, the full build adds links, so the page reloads once more);
    None when there is no earlier build to update (a coach's folder always takes the full build).
    """
    from generator.build import output_paths, read_manifest, tailor_client
    from generator.load import load_profile
    from generator.site import render_site

    if target.is_dir():
        return None
    loaded = load_profile(target, display_name=display(target))
    folder = out / loaded.client_id
    if read_manifest(folder) is None:
        return None
    workbook = tailor_client(loaded, None, date.today())
    paths = output_paths(workbook)
    sheets = {contact_id: path for contact_id, path in paths.sheets.items() if (folder / path).is_file()}
    render_site(
        workbook,
        folder,
        sheets=sheets,
        calendar=paths.calendar,
        workbook_pdf=paths.workbook_pdf if (folder / paths.workbook_pdf).is_file() else None,
        earlier=folder,  # in place: only the pages whose Markdown changed are built again
    )
    return len(sheets) == len(workbook.contacts)


STOPPED_CODES = (130, 143)  # what build_target returns after Ctrl-C or SIGTERM


def _rebuild(target: Path, out: Path, state: _State, display: Callable[[Path], str], first: bool = False) -> None:
    from generator.batch import build_target

    started = time.perf_counter()
    problems = _problems(target, display)
    if problems:
        with state.lock:
            state.problems = problems
        click.echo(f"Problems in {display(target)}; the preview keeps the last good site.", err=True)
        return
    complete = None
    if not first:
        try:
            complete = _site_first(target, out, display)
        except UserError:
            complete = None  # the full build below reports it
        if complete is not None:
            with state.lock:
                state.problems = []
                state.version += 1
            click.echo(f"Site updated in {time.perf_counter() - started:.1f} s; the PDFs follow.")
            sys.stdout.flush()
    code = build_target(target, out, jobs=1, force=False, display=display)
    if code in STOPPED_CODES:  # Ctrl-C or SIGTERM arrived during the build, which tidied up: stop serving too
        raise KeyboardInterrupt
    failed = code != 0
    with state.lock:
        state.problems = ["the build failed; see the terminal"] if failed else []
        if not failed and not complete:
            state.version += 1
    if not failed:
        took = f"{time.perf_counter() - started:.1f} s"
        click.echo(
            f"Built in {took}."
            if first
            else f"PDFs rebuilt; all done in {took}."
            if complete
            else f"Built in {took}; the browser reloads."
        )


def _start_page(target: Path, out: Path) -> str:
    if target.is_dir():
        return "index.html"
    sites = sorted(out.glob("*/site/index.html"))
    return sites[0].relative_to(out).as_posix() if sites else "index.html"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(target: Path, *, port: int, out: Path | None, display: Callable[[Path], str]) -> int:
    """Build `target`, serve it on 127.0.0.1:`port` and rebuild on every save until interrupted."""
    temporary = out is None
    out = Path(tempfile.mkdtemp(prefix="workbook-serve-")) if out is None else out
    out.mkdir(parents=True, exist_ok=True)
    state = _State()
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler(out, state))
    except OSError as error:
        click.echo(
            f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}; choose another with --port", err=True
        )
        return 1
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    signal.signal(signal.SIGTERM, _interrupt)  # a terminated preview still tidies up after itself
    try:
        files = _watched_files(target)
        seen = _signature(files)
        _rebuild(target, out, state, display, first=True)
        state.start_page = _start_page(target, out)
        thread.start()
        click.echo(
            f"Serving {display(target)} at http://127.0.0.1:{server.server_address[1]}/ "
            "(this machine only). Save the profile to rebuild; Ctrl+C to stop."
        )
        sys.stdout.flush()
        while True:
            time.sleep(POLL_SECONDS)
            files = _watched_files(target)
            current = _signature(files)
            if current != seen:
                seen = current
                _rebuild(target, out, state, display)
                state.start_page = _start_page(target, out)
                sys.stdout.flush()
    except KeyboardInterrupt:
        click.echo("Stopped.")
        return 0
    finally:
        if thread.is_alive():
            server.shutdown()
        server.server_close()
        if temporary:
            shutil.rmtree(out, ignore_errors=True)
