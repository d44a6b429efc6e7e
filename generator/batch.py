"""Which files a command works on, and the build of one profile or of a coach's whole folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from generator.coach import LoadedCoach, load_coach_file
from generator.errors import Problem, UserError

COACH_FILE = "coach.yaml"


def find_inputs(target: Path) -> tuple[Path | None, list[Path]]:
    """A file is one profile; a folder is a coach's folder: its coach.yaml and every other *.yaml/*.yml."""
    if target.is_file():
        return None, [target]
    coach = target / COACH_FILE
    profiles = sorted(p for p in target.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file() and p.name != COACH_FILE)
    if not profiles:
        raise UserError([Problem(str(target), 1, 1, "", "no client profiles (*.yaml) in this folder")])
    return (coach if coach.is_file() else None), profiles


def build_target(target: Path, out: Path, *, jobs: int | None, force: bool, display: Callable[[Path], str]) -> int:
    """Build what `target` names into `out`; return the exit code."""
    from generator.build import build_client
    from generator.load import load_profile

    coach: LoadedCoach | None = None
    coach_path, profiles = find_inputs(target)
    if coach_path:
        try:
            coach = load_coach_file(coach_path, display(coach_path))
        except UserError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            return 1
    failed = 0
    for path in profiles:
        try:
            loaded = load_profile(path, display_name=display(path), defaults=coach.defaults if coach else None,
                                  client_id=path.stem if coach_path or target.is_dir() else None)
            result = build_client(loaded, out, banks=coach.banks if coach else None)
        except UserError as error:
            for problem in error.problems or [error]:
                click.echo(str(problem), err=True)
            failed += 1
            continue
        click.echo(result.summary(display))
    return 1 if failed else 0
