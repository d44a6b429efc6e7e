"""Coach mode at scale: 50 synthetic clients × 10 contacts, and a mixed folder of one large client among small ones.

    .venv/bin/python benchmarks/bench_batch.py [--clients 50] [--contacts 10] [--rows coach,mixed]

Rows (`coach`): a full build with -j 1 and with -j 2 (the speed-up; goal ≥ 1.8×), a rebuild
with nothing changed (goal < 5% of the full build), a rebuild with one client changed, and the
peak memory of a worker process (goal < 400 MB). Rows (`mixed`): one 500-contact client and
ten 10-contact ones, -j 1 and -j 2: the speed-up shows whether the workers share the large
client's parts once the small ones are built (with one worker per client, the large one alone
sets the time: about 1.4×).
Each build runs the real command in a subprocess, as a coach would.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import profile_yaml  # noqa: E402

PEAK = """
import resource, sys
from generator.cli import main
try:
    main(sys.argv[1:])
finally:
    print(f"PEAK-CHILDREN-MB {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f}", file=sys.stderr)
    print(f"PEAK-SELF-MB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}", file=sys.stderr)
"""


def run(clients: Path, out: Path, *extra: str) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, "build", str(clients), "-o", str(out), *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stdout}\n{done.stderr}")
    peaks = {line.split()[0]: float(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK-")}
    return seconds, peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--contacts", type=int, default=10)
    parser.add_argument("--rows", default="coach,mixed", help="which rows: coach, mixed (comma-separated)")
    args = parser.parse_args()
    wanted = set(args.rows.split(","))
    rows = []
    if "coach" in wanted:
        rows += coach_rows(args.clients, args.contacts)
    if "mixed" in wanted:
        rows += mixed_rows()
    print("| measurement | result | note |\n| --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def coach_rows(clients_count: int, contacts: int) -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as temp:
        clients = Path(temp) / "clients"
        clients.mkdir()
        for number in range(clients_count):
            (clients / f"client-{number:02d}.yaml").write_text(
                profile_yaml(contacts, seed=number, name=f"Client Number {number}"), encoding="utf-8"
            )
        rows = []
        what = f"{clients_count} clients × {contacts} contacts"
        one, peaks_one = run(clients, Path(temp) / "out-1", "-j", "1")
        rows.append((f"{what}, full build, -j 1", f"{one:.1f} s", ""))
        two, peaks_two = run(clients, Path(temp) / "out-2", "-j", "2")
        rows.append((f"{what}, full build, -j 2", f"{two:.1f} s", f"speed-up {one / two:.2f}× (goal ≥ 1.8×)"))
        again, _ = run(clients, Path(temp) / "out-2", "-j", "2")
        rows.append(
            ("rebuild, nothing changed", f"{again:.2f} s", f"{100 * again / two:.1f}% of the full build (goal < 5%)")
        )
        changed = clients / "client-07.yaml"
        changed.write_text(
            changed.read_text(encoding="utf-8").replace("Trainer moving", "Teacher moving"), encoding="utf-8"
        )
        one_changed, _ = run(clients, Path(temp) / "out-2", "-j", "2")
        rows.append(("rebuild, one client changed", f"{one_changed:.2f} s", ""))
        worker = peaks_two.get("PEAK-CHILDREN-MB", 0)
        rows.append(("peak memory of a worker (-j 2)", f"{worker:.0f} MB", "goal < 400 MB"))
        rows.append(("peak memory, -j 1 (one process)", f"{peaks_one.get('PEAK-SELF-MB', 0):.0f} MB", ""))
    return rows


def mixed_rows(big: int = 500, small: int = 10, smalls: int = 10) -> list[tuple[str, str, str]]:
    """One large client among small ones: largest first, and the large one's sheets shared by every worker."""
    with tempfile.TemporaryDirectory() as temp:
        clients = Path(temp) / "clients"
        clients.mkdir()
        (clients / "big.yaml").write_text(profile_yaml(big, seed=99, name="Big Client"), encoding="utf-8")
        for number in range(smalls):
            (clients / f"small-{number:02d}.yaml").write_text(
                profile_yaml(small, seed=number, name=f"Small Client {number}"), encoding="utf-8"
            )
        what = f"mixed folder, 1 × {big} + {smalls} × {small} contacts"
        one, _ = run(clients, Path(temp) / "out-1", "-j", "1")
        two, _ = run(clients, Path(temp) / "out-2", "-j", "2")
    return [
        (f"{what}, -j 1", f"{one:.1f} s", ""),
        (f"{what}, -j 2", f"{two:.1f} s", f"speed-up {one / two:.2f}× (one worker per client: about 1.4×)"),
    ]


if __name__ == "__main__":
    main()
