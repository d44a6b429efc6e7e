"""How fast the PDFs are: the workbook against bare WeasyPrint, the time per question sheet, and the
whole workbook against `mkdocs build` with the mkdocs-with-pdf plugin over the same content.

Run: .venv/bin/python benchmarks/bench_pdf.py [--contacts 60] [--rounds 3] [--no-with-pdf] [--profile]

It writes a synthetic profile with 60 contacts into a temporary folder and prints:

* workbook: `PdfRenderer.render_workbook_layout` (the workbook's own pages with placeholders for the chapters
  and sheets merged in; a renderer already warm, as in a build that renders
  many documents) against a bare WeasyPrint render of the same HTML with the same stylesheet text
  and fresh objects (`HTML(string=…).write_pdf(stylesheets=[CSS(string=…)])`, a new
  FontConfiguration): the median of alternating rounds and the ratio. Goal: ≤ 1.25 ×.
* sheets: the median, 90th percentile and slowest time of `render_sheet` over every contact (wall
  clock, and the process's CPU time, steadier on a shared machine), how many renders a sheet took
  (a sheet that does not fit is set tighter and rendered again), where a sheet's time goes (render:
  parse, style, layout; write: draw, fonts, PDF objects), and a bare WeasyPrint render of each final
  sheet's HTML for comparison. Goal: median ≤ 60 ms. `--profile` adds the functions that take the
  most time over all sheets (cProfile; everything runs about twice as slowly under it).
* mkdocs-with-pdf: the same workbook content as Markdown pages (written by the site renderer),
  built by `mkdocs build` with the mkdocs-with-pdf plugin, in a throwaway virtual environment under
  benchmarks/.cache/ (the plugin pins old dependencies, so it never touches .venv), against our whole
  `workbook build --force` of the profile (site, workbook PDF and every sheet). Goal: ours ≥ 4 × faster.
  When it cannot be installed or run here, the row says so and is skipped.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import profile_yaml  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from generator.banks import builtin_banks  # noqa: E402
from generator.guide import load_guide  # noqa: E402
from generator.load import load_profile  # noqa: E402
from generator.pdf import PDF_OPTIONS, PdfRenderer  # noqa: E402
from generator.tailor import tailor  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache"
WITH_PDF_VENV = CACHE / "with-pdf-venv"
WITH_PDF_PACKAGES = ["mkdocs-with-pdf", "mkdocs-material"]


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bare_render(html: str, css_text: str, base_url: str, target: Path) -> None:
    """WeasyPrint as anyone would call it: fresh fonts, a fresh stylesheet, the same options."""
    fonts = FontConfiguration()
    HTML(string=html, base_url=base_url).write_pdf(
        target,
        stylesheets=[CSS(string=css_text, base_url=base_url, font_config=fonts)],
        font_config=fonts,
        **PDF_OPTIONS,
    )


def bench_workbook(renderer: PdfRenderer, workbook, folder: Path, rounds: int) -> float:
    base_url = renderer.templates.as_uri() + "/"
    html = renderer.workbook_html(workbook)
    css_text = renderer.stylesheet_source("workbook", workbook)
    # The layout: what render once leaves to lay out in one document (the chapters and sheets are laid out on
    # their own and merged in; see the README's Speed section), against WeasyPrint given the same markup.
    cold = timed(lambda: renderer.render_workbook_layout(workbook, folder / "cold.pdf"))
    ours, bare = [], []
    for _ in range(rounds):
        ours.append(timed(lambda: renderer.render_workbook_layout(workbook, folder / "ours.pdf")))
        bare.append(timed(lambda: bare_render(html, css_text, base_url, folder / "bare.pdf")))
    from pypdf import PdfReader

    pages = len(PdfReader(folder / "ours.pdf").pages)
    ours_median, bare_median = statistics.median(ours), statistics.median(bare)
    print(f"workbook PDF's layout ({pages} pages, {len(workbook.contacts)} contacts), median of {rounds} rounds:")
    print(
        f"  workbook renderer    {milliseconds(ours_median)}   (first render in a fresh renderer: {milliseconds(cold)})"
    )
    print(f"  bare WeasyPrint      {milliseconds(bare_median)}")
    print(f"  ratio                {ours_median / bare_median:.2f} ×   (goal ≤ 1.25 ×)")
    return ours_median


def bench_sheets(renderer: PdfRenderer, workbook, folder: Path, profile: bool = False) -> None:
    base_url = renderer.templates.as_uri() + "/"
    # Count the renders each sheet needs and keep the last one's HTML and CSS for the bare comparison.
    calls: list[tuple[str, object]] = []
    document = renderer._document

    def counting(html, stylesheet, workbook):
        calls.append((html, stylesheet))
        return document(html, stylesheet, workbook)

    renderer._document = counting
    times, cpu_times, renders, finals = [], [], [], []
    try:
        for plan in workbook.contacts:
            calls.clear()
            cpu = time.process_time()
            times.append(timed(lambda: renderer.render_sheet(workbook, plan, folder / "sheets" / f"{plan.id}.pdf")))
            cpu_times.append(time.process_time() - cpu)
            renders.append(len(calls))
            finals.append(calls[-1])
    finally:
        renderer._document = document
    # The final render of each sheet again, in its two halves.
    render_times, write_times = [], []
    for plan, (html, stylesheet) in zip(workbook.contacts, finals):
        start = time.process_time()
        rendered = document(html, stylesheet, workbook)
        middle = time.process_time()
        rendered.write_pdf(folder / "split.pdf", **PDF_OPTIONS)
        render_times.append(middle - start)
        write_times.append(time.process_time() - middle)
    css_texts = {}
    bare = []
    for plan, (html, stylesheet) in zip(workbook.contacts, finals):
        key = id(stylesheet)
        if key not in css_texts:
            # Recover the text of the compiled stylesheet from the renderer's own cache key.
            for (kind, _paper, _accent, density), css in renderer._stylesheets.items():
                if css is stylesheet:
                    css_texts[key] = renderer.stylesheet_source(kind, workbook, density)
        bare.append(timed(lambda: bare_render(html, css_texts[key], base_url, folder / "bare-sheet.pdf")))
    ordered = sorted(times)
    print(f"question sheets ({len(times)} contacts, all in this one process):")
    print(
        f"  median {milliseconds(statistics.median(times))}, 90th percentile {milliseconds(ordered[int(0.9 * (len(ordered) - 1))])}, "
        f"slowest {milliseconds(ordered[-1])}   (goal: median ≤ 60 ms)"
    )
    print(f"  CPU time: median {milliseconds(statistics.median(cpu_times))}")
    print(f"  renders per sheet: {statistics.mean(renders):.2f} on average, at most {max(renders)}")
    print(
        f"  one render, CPU time: render (parse, style, layout) median {milliseconds(statistics.median(render_times))}, "
        f"write (draw, fonts, PDF) median {milliseconds(statistics.median(write_times))}"
    )
    print(f"  bare WeasyPrint, same final HTML and CSS, fresh objects: median {milliseconds(statistics.median(bare))}")
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for plan in workbook.contacts:
            renderer.render_sheet(workbook, plan, folder / "profiled.pdf")
        profiler.disable()
        print(f"  the functions with the most time of their own, over {len(workbook.contacts)} sheets (cProfile):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(20)


def with_pdf_python() -> Path | None:
    """The throwaway venv's python with mkdocs-with-pdf installed, or None (and why) when that fails."""
    python = WITH_PDF_VENV / "bin" / "python"
    if (
        python.exists()
        and subprocess.run([python, "-c", "import mkdocs_with_pdf, material"], capture_output=True).returncode == 0
    ):
        return python
    print(
        f"  setting up {WITH_PDF_VENV.relative_to(ROOT)} (once): pip install {' '.join(WITH_PDF_PACKAGES)}", flush=True
    )
    shutil.rmtree(WITH_PDF_VENV, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    # The base interpreter (not .venv's), so the throwaway venv shares nothing with the project's.
    steps = [
        [getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(WITH_PDF_VENV)],
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *WITH_PDF_PACKAGES],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            print("  skipped: could not install mkdocs-with-pdf here:")
            print(
                "   ",
                (result.stderr or result.stdout).strip().splitlines()[-1]
                if (result.stderr or result.stdout).strip()
                else result.returncode,
            )
            return None
    return python


def whole_build(profile: Path, folder: Path, rounds: int) -> float:
    """The median time of `workbook build --force` (site, workbook PDF, sheets), the whole command, every core."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "generator", "build", str(profile), "-o", str(folder / "out"), "--force"],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_with_pdf(workbook, folder: Path, rounds: int) -> None:
    print("mkdocs build with the mkdocs-with-pdf plugin, same content:")
    python = with_pdf_python()
    if python is None:
        return
    try:
        from generator.site import render_site
    except ImportError as error:
        print(f"  skipped: the site renderer is not available ({error})")
        return
    # The site renderer writes the workbook's pages as Markdown (and builds the site, which we ignore).
    client = folder / "site-source"
    render_site(workbook, client)
    generated = yaml.safe_load((client / "mkdocs.yml").read_text(encoding="utf-8"))
    base = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    project = folder / "with-pdf"
    shutil.copytree(client / "docs", project / "docs")
    config = {
        "site_name": generated.get("site_name", workbook.seeker.name),
        "docs_dir": "docs",
        "site_dir": "site",
        "use_directory_urls": False,
        "theme": {"name": "material", "font": False},
        "markdown_extensions": base.get("markdown_extensions", []),
        "plugins": [{"with-pdf": {"author": workbook.seeker.name, "output_path": "pdf/workbook.pdf"}}],
    }
    if "nav" in generated:
        config["nav"] = generated["nav"]
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    times = []
    for _ in range(rounds):
        shutil.rmtree(project / "site", ignore_errors=True)
        start = time.perf_counter()
        result = subprocess.run(
            [str(python), "-m", "mkdocs", "build", "-q"],
            cwd=project,
            capture_output=True,
            text=True,
            env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
            timeout=1800,
        )
        times.append(time.perf_counter() - start)
        if result.returncode != 0 or not (project / "site" / "pdf" / "workbook.pdf").exists():
            lines = (result.stderr or result.stdout).strip().splitlines()
            print(f"  skipped: mkdocs-with-pdf failed here: {lines[-1] if lines else result.returncode}")
            return
    median = statistics.median(times)
    ours = whole_build(folder / "profile.yaml", folder, rounds)
    print(
        f"  mkdocs build + with-pdf   {milliseconds(median)}   (median of {rounds}: the site and one PDF of its pages)"
    )
    print(
        f"  workbook build --force    {milliseconds(ours)}   (median of {rounds}: the site, the workbook PDF, every sheet)"
    )
    print(f"  ratio                     mkdocs-with-pdf takes {median / ours:.1f} × as long   (goal ≥ 4 ×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-with-pdf", action="store_true", help="skip the mkdocs-with-pdf comparison")
    parser.add_argument("--profile", action="store_true", help="profile the sheets and print the costliest functions")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as temporary:
        folder = Path(temporary)
        (folder / "profile.yaml").write_text(profile_yaml(args.contacts), encoding="utf-8")
        workbook = tailor(load_profile(folder / "profile.yaml"), builtin_banks(), load_guide(), date(2026, 11, 29))
        renderer = PdfRenderer()
        bench_workbook(renderer, workbook, folder, args.rounds)
        bench_sheets(renderer, workbook, folder, args.profile)
        if args.no_with_pdf:
            print("mkdocs-with-pdf: skipped (--no-with-pdf)")
        else:
            bench_with_pdf(workbook, folder, max(1, args.rounds - 1))


if __name__ == "__main__":
    main()
