"""WeasyPrint, imported once and without its slow library search: every module that uses WeasyPrint at run time
imports its names from here (generator/pdf.py, generator/fetcher.py), so the first import goes through `_import`.

WeasyPrint loads Pango, HarfBuzz and fontconfig with cffi, trying each library under several names, Windows'
first ("libgobject-2.0-0"), the Linux soname ("libgobject-2.0.so.0") fourth. cffi asks
`ctypes.util.find_library` about every name it cannot open directly, and on Linux that runs `ldconfig -p`, `gcc`
and `ld`: 22 searches and 54 programs run, a quarter of a second of every process that lays out a PDF
(measured: `import weasyprint` 0.51-0.57 s, 0.29-0.31 s without the search; Kozea/WeasyPrint#1125). On Linux the soname
opens directly, so the search finds nothing the import needs: it is switched off for the import. Should the
import fail without it (a system whose libraries only `find_library` knows), it is tried again with the search,
and WeasyPrint's own message about missing libraries is the one the user sees.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import io
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def _without_library_search() -> Iterator[None]:
    def nothing(name: str) -> str | None:
        return None

    search = ctypes.util.find_library
    ctypes.util.find_library = nothing
    try:
        yield
    finally:
        ctypes.util.find_library = search


def _import() -> None:
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401  # WeasyPrint ships no type hints

        return
    try:
        # WeasyPrint prints its installation advice before it gives up; the second try prints it if it still fails.
        with _without_library_search(), contextlib.redirect_stdout(io.StringIO()):
            import weasyprint  # noqa: F401
    except OSError:
        import weasyprint  # noqa: F401


_import()

from weasyprint import CSS, HTML, Document  # noqa: E402  # after _import, which made them cheap
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]  # noqa: E402

__all__ = ["CSS", "HTML", "Document", "FontConfiguration", "URLFetcher", "URLFetcherResponse"]
