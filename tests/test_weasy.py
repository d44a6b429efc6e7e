"""WeasyPrint is loaded without its library search (generator/weasy.py), and with it where that is what works.

Each test imports it in a fresh Python: the import happens once per process.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the search is switched off on Linux only")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)


def test_loading_weasyprint_runs_no_program_and_leaves_the_library_search_as_it_was():
    run = _python(
        """
import ctypes.util, subprocess
search = ctypes.util.find_library
started = []
real_init = subprocess.Popen.__init__
def counting(self, args, *rest, **options):
    started.append(args)
    real_init(self, args, *rest, **options)
subprocess.Popen.__init__ = counting
from generator.pdf import PdfRenderer
PdfRenderer().warm()
print(len(started), ctypes.util.find_library is search)
"""
    )
    assert run.returncode == 0, run.stderr
    # Without generator/weasy.py, WeasyPrint's import runs ldconfig, gcc and ld about 20 times each.
    assert run.stdout.split() == ["0", "True"]


def test_a_system_whose_libraries_only_the_search_finds_still_loads_weasyprint():
    # Libraries open only under the names the search gives: the first try (no search) fails, the second works.
    run = _python(
        """
import ctypes.util, _cffi_backend
search = ctypes.util.find_library
found = set()
def recording(name):
    path = search(name)
    if path:
        found.add(path)
    return path
ctypes.util.find_library = recording
load = _cffi_backend.load_library
def only_found(name, *rest):
    if name not in found:
        raise OSError(f"cannot load library {name!r} here")
    return load(name, *rest)
_cffi_backend.load_library = only_found
from generator.weasy import HTML
print(bool(found), HTML(string="<p>x</p>").render().pages[0].width > 0)
"""
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "True"]
    assert "could not import some external libraries" not in run.stdout + run.stderr
