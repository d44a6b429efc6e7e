"""The two kinds of failure: the user's input is wrong, or we are.

A `UserError` is expected and always printed without a traceback, as one
`file:line:col: path: message` line per `Problem`. Anything else escaping the
pipeline is a bug in workbook (an internal error) and may show a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one input file, located as precisely as we can."""

    file: str
    line: int
    column: int
    path: str  # where in the document, e.g. "contacts[2].relationship"; "" for the whole file
    message: str
    warning: bool = False  # a likely mistake that does not stop a build (`check` exits 0)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" + (": warning" if self.warning else "")
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class UserError(Exception):
    """Input the user can fix. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            message = problems
        else:
            self.problems = sorted(problems)
            message = "\n".join(str(p) for p in self.problems)
        super().__init__(message)


def print_problems(error: UserError) -> None:
    """Every problem of `error` on stderr, one `file:line:col: path: message` line each."""
    import click

    for line in [str(problem) for problem in error.problems] or [str(error)]:
        click.echo(line, err=True)


def print_warnings(warnings: tuple[Problem, ...] | list[Problem]) -> None:
    """Warnings on stderr, one `file:line:col: warning: path: message` line each."""
    import click

    for warning in warnings:
        click.echo(str(warning), err=True)


class InternalError(Exception):
    """A bug in workbook, not in the user's input."""


class AllProblems:
    """Several independent loading steps, and every problem they find raised at once (a user fixes them in one go).

    `found.attempt(step)` returns the step's result, or None when it raised a `UserError` (kept);
    `found.raise_any()` raises one `UserError` with every problem kept.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.messages: list[str] = []

    def attempt(self, step: Callable[[], T]) -> T | None:
        try:
            return step()
        except UserError as error:
            if error.problems:
                self.problems += error.problems
            else:
                self.messages.append(str(error))
            return None

    def raise_any(self) -> None:
        if self.problems:
            raise UserError(self.problems)
        if self.messages:
            raise UserError("\n".join(self.messages))
