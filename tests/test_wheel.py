"""The wheel carries everything the command needs: installed outside the checkout, it works from an empty folder.

Like RenderCV's tests/test_offline_whl.py: build the wheel, install it into a fresh virtual
environment, and run the commands a new user runs, from a folder that has nothing of the checkout.
The fresh environment borrows this environment's third-party packages (a .pth line), so the test
needs no network; the workbook package itself comes only from the wheel (asserted).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from generator.paths import PACKAGE

CHECKOUT = PACKAGE.parent
pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin folder."""
    root = tmp_path_factory.mktemp("wheel")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        root / "dist",
        CHECKOUT,
        cwd=root,
    )
    (wheel,) = (root / "dist").glob("workbook-*.whl")
    env_dir = root / "fresh"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel, cwd=root)
    purelib = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=root).stdout.strip()
    )
    (purelib / "zz-borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir / "bin"


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    where = run(
        installed / "python", "-c", "import generator.paths as p; print(p.PACKAGE); print(p.ROOT)", cwd=tmp_path
    )
    package, root = where.stdout.split()
    assert not Path(package).is_relative_to(CHECKOUT), package
    assert root == str(Path(package) / "resources")


def test_new_check_build_and_schema_from_an_empty_folder(installed, tmp_path):
    workbook = installed / "workbook"
    assert "Wrote maya.yaml" in run(workbook, "new", "maya.yaml", cwd=tmp_path).stdout
    assert run(workbook, "check", "maya.yaml", cwd=tmp_path).returncode == 0
    assert "maya.yaml" in run(workbook, "check", "maya.yaml", cwd=tmp_path).stdout
    schema = json.loads(run(workbook, "schema", cwd=tmp_path).stdout)
    assert "seeker" in schema["properties"]
    built = run(workbook, "build", "maya.yaml", "-o", "out", cwd=tmp_path)
    assert "Open the site:" in built.stdout, built.stdout + built.stderr
    (client,) = [path for path in (tmp_path / "out").iterdir() if path.is_dir()]
    assert (client / "site" / "index.html").is_file()
    assert (client / f"{client.name}-workbook.pdf").read_bytes().startswith(b"%PDF")
    assert list((client / "sheets").glob("*.pdf"))
    # With no input, build makes the example workbook, carried inside the wheel.
    example = run(workbook, "build", "-o", "example-out", cwd=tmp_path)
    assert (tmp_path / "example-out" / "maya-lopez" / "site" / "index.html").is_file(), example.stdout + example.stderr
