"""How long `workbook check` takes on a large profile: a coach's biggest client, 500 contacts.

    .venv/bin/python benchmarks/bench_check.py [--contacts N] [--runs N]

Prints the median in-process time of `load_profile` (parse + validate + cross-field checks)
and the wall time of one `workbook check` subprocess, interpreter start-up included.
The goal is well under a second for both on a 2-CPU machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import COMPANIES, FIRST, HOBBIES, LAST, TOPICS  # noqa: E402  # the benchmarks' one word list

from generator.load import load_profile  # noqa: E402
from generator.models import RELATIONSHIPS, STATUSES  # noqa: E402

FORMATS = ["in-person", "video", "phone"]
ZONES = ["America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo", "UTC"]


def synthetic_profile(contacts: int, seed: int = 1) -> str:
    """A realistic profile: a few target roles and `contacts` people with meetings, interests and notes."""
    rng = random.Random(seed)
    roles = ["career-advisor", "employer-relations", "learning-designer", "program-manager"]
    lines = [
        "# yaml-language-server: $schema=../data/schema/profile.schema.json",
        "seeker:",
        "  name: Maya Lopez",
        "  headline: Software trainer moving into university career services",
        "  email: maya@example.org",
        "  location: Portland, OR",
        "  strengths: [LinkedIn profile reviews, Designing hands-on workshops, Video editing]",
        "coach:",
        "  name: Dana Whitfield",
        "  website: https://example.coach",
        '  color: "#3f51b5"',
        "settings:",
        "  paper: letter",
        f"  timezone: {rng.choice(ZONES)}",
        "  meeting_minutes: 30",
        "target_roles:",
    ]
    for role in roles:
        lines += [
            f"  - id: {role}",
            f"    title: {role.replace('-', ' ').title()}",
            "    industry: Higher education",
            "    why: I want to help students land a first job they love.",
            f"    companies: [{', '.join(rng.sample(COMPANIES, 3))}]",
            f"    keywords: [{', '.join(rng.sample(TOPICS, 3))}]",
        ]
    lines.append("contacts:")
    for index in range(contacts):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {index}"
        lines += [
            f"  - name: {name}",
            f"    role: {rng.choice(['Career Advisor', 'Director', 'Recruiter', 'Dean'])}",
            f"    company: {rng.choice(COMPANIES)}",
            f"    target_role: {rng.choice(roles)}",
            f"    relationship: {rng.choice(RELATIONSHIPS)}",
            f"    status: {rng.choice(STATUSES)}",
            "    how_we_met: Introduced at a chamber mixer",
            f"    interests: [{', '.join(rng.sample(TOPICS, 2))}]",
            f"    hobbies: [{rng.choice(HOBBIES)}]",
            "    needs: [a trainer for LinkedIn workshops]",
        ]
        if index:
            lines.append(f"    referred_by: {rng.choice(FIRST)} {rng.choice(LAST)} {rng.randrange(index)}")
        if rng.random() < 0.7:
            hour = rng.randrange(8, 18)
            lines += [
                "    meeting:",
                f"      date: 2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{hour:02d}:{rng.choice(['00', '30'])}",
                f"      minutes: {rng.choice([15, 20, 30, 45, 60])}",
                f"      format: {rng.choice(FORMATS)}",
                "      place: Coffee downtown",
            ]
        lines += [
            "    questions:",
            "      - How did the peer-advising pilot go?",
            "    notes: |",
            "      Knows *everyone* in the training scene.",
            "      Ask about the **LinkedIn Lab**.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.yaml"
        path.write_text(synthetic_profile(args.contacts), encoding="utf-8")
        size = path.stat().st_size

        started = time.perf_counter()
        loaded = load_profile(path)  # first run: pays the one-time costs (time zone list, imports done above)
        first = time.perf_counter() - started
        assert len(loaded.profile.contacts) == args.contacts

        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            load_profile(path)
            times.append(time.perf_counter() - started)

        command = [str(Path(sys.executable).with_name("workbook")), "check", str(path)]
        if not Path(command[0]).exists():
            command = [sys.executable, "-m", "generator", "check", str(path)]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        end_to_end = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"workbook check failed ({result.returncode}):\n{result.stderr}")

    print(f"profile: {args.contacts} contacts, {size / 1024:.0f} KiB")
    print(f"load_profile, first call:          {first * 1000:7.1f} ms")
    print(
        f"load_profile, median of {args.runs:2d} runs:    {statistics.median(times) * 1000:7.1f} ms "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})"
    )
    print(f"`workbook check` subprocess, once: {end_to_end * 1000:7.1f} ms (interpreter start-up included)")


if __name__ == "__main__":
    main()
