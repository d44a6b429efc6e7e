"""The only door through which WeasyPrint may read anything while it renders a PDF.

A workbook is private: rendering must never touch the network and must never
read a file the user did not hand us. WeasyPrint's own fetcher follows any URL
a document names (http, https, file, data, with redirects), so the PDF renderer
gives it this one instead. It serves:

* files under the project's own asset folders (`site_templates/print/`, …);
* the few extra files a render is allowed to show (the coach's logo, already
  checked by the loader to lie inside the profile's folder);
* `data:` URLs the renderer generated itself and registered here by value.

Everything else is refused before any I/O happens: the refusal is logged and
raised, so WeasyPrint leaves the resource out (and logs it too) instead of
fetching it. Files are read directly (never through urllib), so there are no
redirects to follow.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import Request, url2pathname

from generator.paths import TEMPLATES
from generator.weasy import URLFetcher, URLFetcherResponse

LOGGER = logging.getLogger("workbook.fetcher")

# The project's own asset folders. Only print assets: the site theme's files are built for browsers.
PROJECT_ASSETS: tuple[Path, ...] = (TEMPLATES / "print",)

# A file larger than this is not a logo or a stylesheet; refusing it keeps a bad file from stalling a build.
MAX_BYTES = 10 * 1024 * 1024

mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("font/ttf", ".ttf")


class RefusedURL(ValueError):
    """A document asked for something outside what this render may read."""


class AssetFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint's base class is untyped (Any)
    """A WeasyPrint URL fetcher that reads only allowed local files and registered data: URLs.

    `folders`: every file below these folders may be read (symlinks are
    resolved first, so one pointing outside is refused). `files`: these exact
    files may be read as well. `generated`: data: URLs the renderer made,
    mapped to their bytes and media type; they are served from memory.
    """

    def __init__(
        self,
        folders: Iterable[Path] = PROJECT_ASSETS,
        files: Iterable[Path] = (),
        generated: Mapping[str, tuple[bytes, str]] | None = None,
    ) -> None:
        # No timeout, no SSL context, no redirects: nothing here ever opens a connection.
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=False)
        self.folders = tuple(Path(folder).resolve() for folder in folders)
        self.files = frozenset(Path(file).resolve() for file in files)
        self.generated = dict(generated or {})

    def with_files(self, files: Iterable[Path]) -> AssetFetcher:
        """The same rules, plus some extra files (e.g. one client's logo)."""
        return AssetFetcher(self.folders, self.files | {Path(file) for file in files}, self.generated)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        try:
            return self._serve(url)
        except RefusedURL as refusal:
            LOGGER.warning("refused to fetch %s: %s", _shorten(url), refusal)
            raise

    # urllib's OpenerDirector.open would reach the network; make sure nothing can call it.
    def open(  # noqa: ARG002
        self, url: str | Request, data: object = None, timeout: float | None = None
    ) -> URLFetcherResponse:
        return self.fetch(url if isinstance(url, str) else url.full_url)

    def _serve(self, url: str) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower() if ":" in url else ""
        if scheme == "data":
            if url not in self.generated:
                raise RefusedURL("data: URLs are only served when the renderer generated them")
            body, media_type = self.generated[url]
            return URLFetcherResponse(url, body, {"Content-Type": media_type})
        if scheme != "file":
            raise RefusedURL(f"only local project files may be read, not {scheme or 'relative'} URLs")
        path = self.allowed_path(url)
        body = path.read_bytes()
        if path in self.files and path.suffix.lower() == ".svg":
            # The loader checked this logo; check the bytes actually served too (the file may have changed
            # since), so a logo that refers to a file, itself included, can never make a render recurse.
            from generator.logo import svg_problem

            problem = svg_problem(body)
            if problem:
                raise RefusedURL(f"the logo {problem}")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body, {"Content-Type": media_type})

    def allowed_path(self, url: str) -> Path:
        """The real file a file: URL names, if this fetcher may read it; else raise RefusedURL."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL("file: URLs on another host are not allowed")
        # Query and fragment never name a different file; WeasyPrint drops them too.
        raw = Path(url2pathname(unquote(parts.path)))
        if not raw.is_absolute():
            raise RefusedURL("relative file paths are not allowed")
        try:
            # strict: the file must exist; symlinks and `..` are resolved before the check, not after.
            real = raw.resolve(strict=True)
        except (OSError, RuntimeError):
            raise RefusedURL("no such file") from None
        inside = real in self.files or any(real.is_relative_to(folder) for folder in self.folders)
        if not inside:
            raise RefusedURL("outside the project's assets and the files this render may show")
        if not real.is_file():
            raise RefusedURL("not a regular file")
        if real.stat().st_size > MAX_BYTES:
            raise RefusedURL(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
        return real


def _shorten(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[:limit] + "…"
