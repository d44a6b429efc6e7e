"""Speed and scale (issue 12): the real `workbook build` command on synthetic profiles, timed as a user would.

    .venv/bin/python benchmarks/bench_scale.py [--rows example,60,edit,scale,check] [--large 2000] [-j 2]

Rows (each a separate subprocess, so interpreter start-up is included, as for a user):

* example: data/example.yaml (10 contacts), a full build (--force), whole command, median of 3.  goal ≤ 3 s
* 60:      a 60-contact profile, full build with -j 1 and -j N (the ratio is the speed-up).   goal ≤ 10 s
* edit:    the 60-contact output, one contact's notes edited, rebuilt: a contact the workbook PDF only lists
           in its table, and one it gives a chapter.                                    goal ≤ 1.5 s
* scale:   200 and --large (2,000) contacts, full build: time, the ratio (goal ≤ 11× for 10× the contacts),
           peak memory of the whole process tree (goal ≤ 1 GB), the site's size (goal ≤ 200 MB) and its
           largest page (goal ~100 KB).                                                 goal ≤ 3 min
* check:   `workbook check` of the --large profile.                                     goal ≤ 1 s

Peak memory is sampled every 0.1 s over the build and its worker processes: the sum of their PSS
(proportional set size: pages shared by forked workers counted once, split between them) and, for
comparison, the sum of their RSS (shared pages counted in each process). The coach's folder row
(50 clients × 10 contacts, -j 2 vs -j 1) is bench_batch.py's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import profile  # noqa: E402  # after the path above

TODAY = "2026-11-30"
ROUNDS = 3  # the example and edit rows: the median of three, each a whole command (the machine is noisy)


class TreeMemory:
    """The peak, over time, of the summed memory of a process and all its descendants (Linux /proc)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_pss = self.peak_rss = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _tree(self) -> list[int]:
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    todo += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
            except OSError:
                pass
        return found

    @staticmethod
    def _memory(pid: int) -> tuple[int, int]:
        pss = rss = 0
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
        except OSError:
            pass
        return pss, rss

    def _watch(self) -> None:
        while not self.done.is_set():
            sizes = [self._memory(pid) for pid in self._tree()]
            self.peak_pss = max(self.peak_pss, sum(p for p, _ in sizes))
            self.peak_rss = max(self.peak_rss, sum(r for _, r in sizes))
            self.done.wait(0.1)

    def stop(self) -> tuple[float, float]:
        self.done.set()
        self.thread.join()
        return self.peak_pss / 1024, self.peak_rss / 1024


def workbook(*args: str, cwd: Path, memory: bool = True) -> tuple[float, float, float, str]:
    """Run `workbook ARGS`; (seconds, peak PSS MB, peak RSS MB, output). Fails loudly if the command does.

    `memory=False`: no sampling (0, 0 for the memory): reading every process's smaps_rollup ten times a second
    takes CPU from a build on two cores, which a row that only times it should not pay."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *args], cwd=cwd, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    sampler = TreeMemory(process.pid) if memory else None
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    pss, rss = sampler.stop() if sampler else (0.0, 0.0)
    if process.returncode != 0:
        sys.exit(f"workbook {' '.join(args)} failed:\n{output}")
    return seconds, pss, rss, output


def write_profile(path: Path, contacts: int) -> Path:
    path.write_text(yaml.safe_dump(profile(contacts), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def folder_size(folder: Path) -> tuple[float, float, str]:
    """(MB on disk counting each hard-linked file once, largest HTML page in KB, its name)."""
    seen, total, largest, name = set(), 0, 0, ""
    for path in folder.rglob("*"):
        if path.is_file():
            status = path.stat()
            if status.st_ino not in seen:
                seen.add(status.st_ino)
                total += status.st_size
            if path.suffix == ".html" and status.st_size > largest:
                largest, name = status.st_size, path.relative_to(folder).as_posix()
    return total / 1e6, largest / 1024, name


def edit_notes(path: Path, contact_id: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    person = next(c for c in data["contacts"] if c["id"] == contact_id)
    person["notes"] = person.get("notes", "") + f"\nEdited at {time.time()}.\n"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="example,60,edit,scale,check")
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    rows_wanted = set(args.rows.split(","))
    rows: list[tuple[str, str, str]] = []
    jobs = str(args.jobs)
    with tempfile.TemporaryDirectory() as temp:
        temp = Path(temp)
        if "example" in rows_wanted:
            example = [
                "build",
                str(ROOT / "data" / "example.yaml"),
                "-o",
                str(temp / "ex"),
                "-j",
                jobs,
                "--today",
                TODAY,
            ]
            workbook(*example, cwd=ROOT)  # warm: files cached, fonts found
            runs = sorted(workbook(*example, "--force", cwd=ROOT, memory=False)[0] for _ in range(ROUNDS))
            rows.append(
                (
                    "example (10 contacts), full build, whole command",
                    f"{statistics.median(runs):.1f} s",
                    f"≤ 3 s; median of {ROUNDS}: {', '.join(f'{run:.2f}' for run in runs)} s",
                )
            )
        sixty = write_profile(temp / "sixty.yaml", 60)
        if "60" in rows_wanted or "edit" in rows_wanted:
            one, *_ = workbook("build", str(sixty), "-o", str(temp / "o60-1"), "-j", "1", "--today", TODAY, cwd=ROOT)
            seconds, pss, _, _ = workbook(
                "build", str(sixty), "-o", str(temp / "o60"), "-j", jobs, "--today", TODAY, cwd=ROOT
            )
            rows.append(("60 contacts, full build, -j 1", f"{one:.1f} s", ""))
            rows.append(
                (
                    f"60 contacts, full build, -j {jobs}",
                    f"{seconds:.1f} s",
                    f"≤ 10 s; speed-up over -j 1: {one / seconds:.2f}×; peak {pss:.0f} MB",
                )
            )
        if "edit" in rows_wanted:
            from datetime import date

            from generator.banks import builtin_banks
            from generator.guide import load_guide
            from generator.load import load_profile
            from generator.pdf import contacts_in_full
            from generator.tailor import tailor

            loaded = load_profile(
                sixty, display_name="sixty", client_id=None, defaults=None, today=date.fromisoformat(TODAY)
            )
            in_full, in_table = contacts_in_full(
                tailor(loaded, builtin_banks(), load_guide(), date.fromisoformat(TODAY))
            )
            for label, plan in (
                ("listed in the workbook's table", in_table[0] if in_table else in_full[0]),
                ("with a workbook chapter", in_full[0]),
            ):
                runs = []
                for _ in range(ROUNDS):
                    edit_notes(sixty, plan.id)
                    seconds, *_ = workbook(
                        "build",
                        str(sixty),
                        "-o",
                        str(temp / "o60"),
                        "-j",
                        jobs,
                        "--today",
                        TODAY,
                        cwd=ROOT,
                        memory=False,
                    )
                    runs.append(seconds)
                runs.sort()
                rows.append(
                    (
                        f"60 contacts, one contact edited ({label})",
                        f"{statistics.median(runs):.2f} s",
                        f"≤ 1.5 s; median of {ROUNDS}: {', '.join(f'{run:.2f}' for run in runs)} s",
                    )
                )
        if "scale" in rows_wanted or "check" in rows_wanted:
            large = write_profile(temp / "large.yaml", args.large)
        if "scale" in rows_wanted:
            small = write_profile(temp / "small.yaml", args.large // 10)
            small_s, small_pss, _, _ = workbook(
                "build", str(small), "-o", str(temp / "small"), "-j", jobs, "--today", TODAY, cwd=ROOT
            )
            rows.append((f"{args.large // 10} contacts, full build", f"{small_s:.1f} s", f"peak {small_pss:.0f} MB"))
            large_s, pss, rss, _ = workbook(
                "build", str(large), "-o", str(temp / "large"), "-j", jobs, "--today", TODAY, cwd=ROOT
            )
            site_mb, page_kb, page = folder_size(temp / "large" / "bench-mark" / "site")
            out_mb, _, _ = folder_size(temp / "large" / "bench-mark")
            rows.append((f"{args.large} contacts, full build", f"{large_s:.0f} s", "≤ 3 min"))
            rows.append(
                (
                    f"{args.large} contacts, peak memory of the process tree",
                    f"{pss:.0f} MB PSS ({rss:.0f} MB RSS)",
                    "≤ 1 GB",
                )
            )
            rows.append(
                (f"{args.large} contacts, site size", f"{site_mb:.0f} MB (whole output {out_mb:.0f} MB)", "≤ 200 MB")
            )
            rows.append((f"{args.large} contacts, largest page", f"{page_kb:.0f} KB ({page})", "~100 KB"))
            contact_kb = (
                max(
                    p.stat().st_size
                    for p in (temp / "large" / "bench-mark" / "site" / "contacts").glob("contact-*.html")
                )
                / 1024
            )
            rows.append((f"{args.large} contacts, largest contact page", f"{contact_kb:.0f} KB", "~100 KB"))
            rows.append((f"scaling {args.large // 10} → {args.large} contacts", f"{large_s / small_s:.1f}×", "≤ 11×"))
        if "check" in rows_wanted:
            workbook("check", str(large), cwd=ROOT)
            seconds, *_ = workbook("check", str(large), cwd=ROOT, memory=False)
            rows.append((f"{args.large} contacts, `workbook check`", f"{seconds:.2f} s", "≤ 1 s"))
    print(f"-j {jobs} on {os.cpu_count()} CPUs")
    print("| measurement | measured | goal / note |\n| --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
