"""How much the workbook adds to a plain MkDocs build: a 60-contact site against a bare `mkdocs build`.

Run: .venv/bin/python benchmarks/bench_site.py [--contacts 60] [--rounds 5]

It writes a synthetic profile with 60 contacts into a temporary folder, then
alternates, round after round:

* workbook: `render_site` (write the Markdown pages and mkdocs.yml, one strict MkDocs build);
* bare:     a plain MkDocs build of a copy of the very same Markdown pages with the same theme,
            Markdown extensions and plugins, and no workbook code (no hooks, no overrides).

and prints the median of each and their ratio. The goal: workbook ≤ 1.5 × bare.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import profile_yaml  # noqa: E402

from generator.banks import builtin_banks  # noqa: E402
from generator.guide import load_guide  # noqa: E402
from generator.load import load_profile  # noqa: E402
from generator.site import render_site  # noqa: E402
from generator.tailor import tailor  # noqa: E402


def bare_config(client_dir: Path, bare_dir: Path) -> Path:
    """The same pages, theme, extensions and plugins as the workbook's build, and no workbook code."""
    root = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    client = yaml.safe_load((client_dir / "mkdocs.yml").read_text(encoding="utf-8"))
    shutil.copytree(client_dir / "docs", bare_dir / "docs")
    theme = {key: value for key, value in root["theme"].items()}
    config = {
        "site_name": "Bare",
        "use_directory_urls": False,
        "strict": True,
        "theme": theme,
        "plugins": root["plugins"],
        "extra": {"generator": False},
        "extra_css": root["extra_css"],
        "markdown_extensions": root["markdown_extensions"],
        "nav": client["nav"],
    }
    path = bare_dir / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def bare_build(config_file: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(config_file))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # the bare build's INFO lines are not the point

    with tempfile.TemporaryDirectory(prefix="bench-site-") as folder:
        folder = Path(folder)
        profile = folder / "profile.yaml"
        profile.write_text(profile_yaml(args.contacts), encoding="utf-8")
        start = time.perf_counter()
        workbook = tailor(load_profile(profile), builtin_banks(), load_guide(), date(2026, 11, 29))
        tailoring = time.perf_counter() - start
        client_dir = folder / "out" / workbook.client_id
        render_site(workbook, client_dir)  # warm-up: imports, theme discovery, both sides profit alike
        bare = bare_config(client_dir, folder / "bare")
        bare_build(bare)
        pages = len(list((client_dir / "docs").rglob("*.md")))

        workbook_times, bare_times = [], []
        for _ in range(args.rounds):
            workbook_times.append(timed(lambda: render_site(workbook, client_dir)))
            bare_times.append(timed(lambda: bare_build(bare)))

    ours, theirs = statistics.median(workbook_times), statistics.median(bare_times)
    print(f"{args.contacts} contacts, {pages} Markdown pages, median of {args.rounds} rounds")
    print(f"tailor (once):         {tailoring:.3f} s")
    print(f"workbook render_site:  {ours:.3f} s   (rounds: {', '.join(f'{t:.2f}' for t in workbook_times)})")
    print(f"bare mkdocs build:     {theirs:.3f} s   (rounds: {', '.join(f'{t:.2f}' for t in bare_times)})")
    print(f"ratio workbook / bare: {ours / theirs:.2f}  (goal: at most 1.50)")


if __name__ == "__main__":
    main()
