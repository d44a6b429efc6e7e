"""`workbook check`'s work, shared with `serve`: load a target's coach.yaml and every profile, as a build would.

The target is found by the batch's `find_inputs` (the same rules `build` uses: a file is one profile, a
folder is a coach's folder); this module loads each file, and the content each profile's language reads
(so a broken translation shows here too), and keeps each result, so one bad file never
hides the others. Printing is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator import load
from generator.batch import find_inputs
from generator.coach import content_for, load_coach_file
from generator.errors import Problem, UserError


@dataclass(frozen=True)
class FileCheck:
    path: Path
    error: UserError | None  # None: the file is valid
    warnings: tuple[Problem, ...] = ()

    def problem_lines(self) -> list[str]:
        if self.error is None:
            return []
        return [str(problem) for problem in self.error.problems] or [str(self.error)]


def check_inputs(target: Path, display: Callable[[Path], str]) -> list[FileCheck]:
    """One result per file (the coach's first), in the order a build reads them.

    Raises UserError when the target itself is wrong (no profiles in the folder, two files with one client id).
    """
    coach_file, profiles = find_inputs(target)
    results = []
    defaults = None
    changes = None
    if coach_file:
        try:
            coach = load_coach_file(coach_file, display(coach_file))
            defaults, changes = coach.defaults, coach.changes
            results.append(FileCheck(coach_file, None))
        except UserError as error:
            results.append(FileCheck(coach_file, error))
    for path in profiles:
        try:
            # Looked up on the module, so a test can stand in for the loader.
            loaded = load.load_profile(path, display_name=display(path), defaults=defaults)
            # The content the build would read for this profile's language (cached: read once per language).
            content_for(loaded.profile.settings.language, changes)
            results.append(FileCheck(path, None, tuple(loaded.warnings)))
        except UserError as error:
            results.append(FileCheck(path, error))
    return results
