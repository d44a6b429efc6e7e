"""The command line: parse arguments, call the stages, print progress and problems.

Exit codes (FORMAT.md): 0 success, 1 invalid input or a failed client, 2 usage error.
Problems go to stderr as plain `file:line:col: path: message` lines, one per problem.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from generator import __version__
from generator.errors import UserError, print_problems, print_warnings
from generator.paths import EXAMPLE, SCHEMA, STARTER


def _display(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Workbook(click.Group):
    """Any exception that is not a UserError is a bug in workbook: show the traceback and say so."""

    def invoke(self, ctx: click.Context) -> Any:  # click.Group.invoke returns Any
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except UserError as error:  # a stage that forgot to catch its own: still the user's problem
            print_problems(error)
            sys.exit(1)
        except BrokenPipeError:
            # The reader of our output went away (`workbook build | head`): stop quietly, as `cat` would, with
            # the shell's code for SIGPIPE. A build stopped this way keeps the previous output, like any other.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit would fail on the pipe again
            sys.exit(141)
        except Exception:
            import traceback

            traceback.print_exc()
            click.echo(
                "internal error: this is a bug in workbook, not in your files; please report it with the lines above.",
                err=True,
            )
            sys.exit(1)


@click.group(cls=_Workbook, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbook")
def main() -> None:
    """Turn a job seeker's YAML profile into an informational-interviewing workbook:
    a private website, a PDF workbook and a printable question sheet per meeting."""


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), default=Path("profile.yaml"))
def new(file: Path) -> None:
    """Write a commented starter profile to FILE (default: profile.yaml). Never overwrites."""
    try:
        schema = Path(os.path.relpath(SCHEMA, file.resolve().parent)).as_posix()
    except ValueError:  # another drive on Windows: no relative path exists
        schema = SCHEMA.as_uri()
    # The name lands in a YAML comment: keep it on one line.
    name = " ".join(_display(file).splitlines())
    text = STARTER.read_text(encoding="utf-8").replace("{schema}", schema).replace("{name}", name)
    try:
        with open(file, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        click.echo(
            f"{_display(file)} already exists; not overwriting it. Choose another name: workbook new OTHER.yaml",
            err=True,
        )
        sys.exit(1)
    except OSError as error:
        click.echo(f"cannot write {_display(file)}: {error.strerror or error}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {_display(file)}. Edit it, then run: workbook check {_display(file)}")


@main.command()
@click.argument("target", type=click.Path(exists=True, path_type=Path))
def check(target: Path) -> None:
    """Validate a profile FILE, or every profile in a coach's folder DIR."""
    from generator.checking import check_inputs

    if not (target.is_file() or target.is_dir()):  # a FIFO or a device: reading it would block or never end
        raise click.BadParameter(f"'{_display(target)}' is not a file or a folder.", param_hint="'TARGET'")
    try:
        results = check_inputs(target, _display)
    except UserError as error:
        print_problems(error)
        sys.exit(1)
    for result in results:
        if result.error:
            print_problems(result.error)
        else:
            print_warnings(result.warnings)
    failed = sum(result.error is not None for result in results)
    if failed:
        click.echo(f"{failed} of {len(results)} file(s) have problems.", err=True)
        sys.exit(1)
    click.echo(f"{len(results)} file(s) OK." if len(results) != 1 else f"{_display(results[0].path)} is valid.")


@main.command()
@click.argument("target", type=click.Path(exists=True, path_type=Path), default=EXAMPLE)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder to write the workbook(s) into.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes: for a coach's folder's clients, or a single profile's PDFs (default: the number of CPUs).",
)
@click.option("--force", is_flag=True, help="Rebuild everything, even what did not change.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help='Pin "today" (due dates, this week, upcoming meetings). Default: today in settings.timezone.',
)
@click.option(
    "--no-wait",
    is_flag=True,
    help="If another build is writing the same output, fail at once (exit 1) instead of waiting for it.",
)
@click.option(
    "--executor",
    default=None,
    metavar="MODULE:CALLABLE",
    help="Hand a coach's clients to this concurrent.futures executor, made by calling MODULE:CALLABLE "
    "(e.g. a Dask or Ray cluster's). Default: workbook's own local worker processes.",
)
def build(
    target: Path, out: Path, jobs: int | None, force: bool, today: datetime | None, no_wait: bool, executor: str | None
) -> None:
    """Build the workbook for a profile FILE, or for every client in a coach's folder DIR.

    With no FILE, builds the example profile (data/example.yaml) into out/.
    """
    from generator.batch import build_target

    sys.exit(
        build_target(
            target,
            out,
            jobs=jobs,
            force=force,
            display=_display,
            today=today.date() if today else None,
            wait=not no_wait,
            executor=executor,
        )
    )


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("contact")
@click.argument("event")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="The day it happened (default: today in settings.timezone).",
)
@click.option("--note", default=None, help="What happened; for `met`, what they shared.")
def log(file: Path, contact: str, event: str, day: datetime | None, note: str | None) -> None:
    """Add EVENT to CONTACT's history in FILE (and update their status), keeping the file's comments.

    CONTACT is an id or a name; EVENT is one of requested, reminded, replied, scheduled, met, thanked,
    updated, checked-in, declined, note.
    """
    from generator.logbook import log_event

    try:
        logged = log_event(
            file, contact, event, day=day.date() if day else None, note=note, display_name=_display(file)
        )
    except UserError as error:
        print_problems(error)
        sys.exit(1)
    change = (
        f"; status {logged.status_before} → {logged.status_after}"
        if logged.status_after != logged.status_before
        else f"; status stays {logged.status_after}"
    )
    click.echo(f"{_display(file)}: {logged.contact.name}: {logged.event.event} on {logged.event.date}{change}.")


@main.command()
@click.argument("target", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 to serve on (0: any free port).",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to build into (default: a temporary folder, removed when you stop).",
)
def serve(target: Path, port: int, out: Path | None) -> None:
    """Build FILE or DIR, serve the site on 127.0.0.1, and rebuild and reload on every save."""
    from generator.serve import serve as run

    sys.exit(run(target, port=port, out=out, display=_display))


@main.command()
def schema() -> None:
    """Print the JSON Schema of the profile format (for editor completion and checks)."""
    from generator.schema import profile_schema

    click.echo(profile_schema(), nl=False)
