"""The command line as a user meets it: `workbook new`, `check` and `schema`, their output and exit codes.

The contract (shared/FORMAT.md): problems go to stderr as `file:line:col: path: message`
lines, never a traceback; exit 0 success, 1 invalid input, 2 usage error. The first tests
run the installed console command in a subprocess; the table of tricky inputs runs the
same command in-process (click's CliRunner), which is much quicker and just as real.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import generator.load
from generator.cli import main
from generator.errors import Problem, UserError
from generator.paths import EXAMPLE, SCHEMA

ERROR_LINE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<column>\d+): (?:(?P<path>\S+): )?(?P<message>.+)$")

GOOD = "seeker:\n  name: Maya Lopez\ntarget_roles:\n  - title: Career Advisor\n"
BAD = GOOD + "contacts:\n  - name: Jordan Smith\n    role: Director\n    relationship: cousin\n"


def workbook(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real console command, as a user would type it."""
    script = Path(sys.executable).with_name("workbook")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "generator"]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ERROR_LINE.match(line)]


# --- workbook new --------------------------------------------------------------------------------


def test_new_writes_a_commented_starter_that_passes_check(tmp_path):
    made = workbook("new", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    starter = tmp_path / "profile.yaml"
    text = starter.read_text(encoding="utf-8")
    assert "Wrote profile.yaml" in made.stdout

    header = text.splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", header)
    assert match, header
    reference = match.group(1)
    assert not Path(reference).is_absolute() and reference.endswith("data/schema/profile.schema.json")
    assert (tmp_path / reference).resolve() == SCHEMA.resolve()
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 10, (
        "the starter explains itself in comments"
    )
    assert "{schema}" not in text and "{name}" not in text

    checked = workbook("check", "profile.yaml", cwd=tmp_path)
    # Valid, with a warning for each placeholder still as the starter wrote it (issue 9).
    assert checked.returncode == 0
    assert "profile.yaml is valid" in checked.stdout
    assert checked.stderr and all(": warning: " in line for line in checked.stderr.splitlines())


def test_new_in_a_subfolder_points_at_the_schema_from_there(tmp_path):
    (tmp_path / "clients").mkdir()
    made = workbook("new", "clients/maya.yaml", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    header = (tmp_path / "clients" / "maya.yaml").read_text(encoding="utf-8").splitlines()[0]
    reference = header.split("$schema=", 1)[1]
    assert (tmp_path / "clients" / reference).resolve() == SCHEMA.resolve()


def test_new_never_overwrites(tmp_path):
    mine = tmp_path / "profile.yaml"
    mine.write_text("seeker: {name: Mine}\n", encoding="utf-8")
    refused = workbook("new", "profile.yaml", cwd=tmp_path)
    assert refused.returncode == 1
    assert "already exists" in refused.stderr and "Traceback" not in refused.stderr
    assert mine.read_text(encoding="utf-8") == "seeker: {name: Mine}\n"


def test_new_into_a_missing_folder_is_a_clear_error(tmp_path):
    result = workbook("new", "no/such/folder/p.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr


# --- workbook check ------------------------------------------------------------------------------


def test_check_accepts_the_example(tmp_path):
    result = workbook("check", str(EXAMPLE), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert "is valid" in result.stdout


def test_check_prints_located_problems_on_stderr_and_exits_1(tmp_path):
    (tmp_path / "p.yaml").write_text(BAD, encoding="utf-8")
    result = workbook("check", "p.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "p.yaml:8:19: contacts[0].relationship: 'cousin' is not one of: friend, family," in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [("check", "missing.yaml"), ("check", "--bogus", "x.yaml"), ("check",), ("frobnicate",)],
    ids=["missing-file", "unknown-option", "no-argument", "unknown-command"],
)
def test_usage_errors_exit_2(tmp_path, args):
    result = workbook(*args, cwd=tmp_path)
    assert result.returncode == 2, result
    assert "Usage:" in result.stderr and "Traceback" not in result.stderr


def test_check_folder_reports_every_bad_profile(tmp_path):
    clients = tmp_path / "clients"
    clients.mkdir()
    (clients / "maya.yaml").write_text(GOOD, encoding="utf-8")
    (clients / "sam.yaml").write_text(BAD, encoding="utf-8")
    (clients / "zoe.yaml").write_text(GOOD.replace("  name: Maya Lopez", "  nmae: Zoe"), encoding="utf-8")
    (clients / "notes.txt").write_text("not a profile", encoding="utf-8")
    result = workbook("check", "clients", cwd=tmp_path)
    assert result.returncode == 1
    reported = {ERROR_LINE.match(line)["file"] for line in problem_lines(result.stderr)}
    assert reported == {"clients/sam.yaml", "clients/zoe.yaml"}
    assert "2 of 3 file(s) have problems." in result.stderr


# --- workbook schema and the module entry point --------------------------------------------------


def test_schema_prints_the_committed_json_schema(tmp_path):
    result = workbook("schema", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "workbook profile"
    assert result.stdout == SCHEMA.read_text(encoding="utf-8")


def test_python_dash_m_generator_help(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0
    assert all(command in result.stdout for command in ("new", "check", "build", "schema"))


# --- our bugs and the user's mistakes look different ---------------------------------------------


def test_an_internal_error_shows_a_traceback_and_says_so(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(generator.load, "load_profile", broken)
    result = CliRunner().invoke(main, ["check", str(EXAMPLE)])
    assert result.exit_code != 0
    assert "Traceback" in result.output and "RuntimeError: boom" in result.output
    assert "internal error" in result.output


def test_a_user_error_never_shows_a_traceback(tmp_path, monkeypatch):
    def refuse(path, **kwargs):
        raise UserError([Problem("p.yaml", 3, 7, "seeker.name", "something the user can fix")])

    monkeypatch.setattr(generator.load, "load_profile", refuse)
    result = CliRunner().invoke(main, ["check", str(EXAMPLE)])
    assert result.exit_code == 1
    assert "p.yaml:3:7: seeker.name: something the user can fix" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


# --- tricky input: a clear, located, short message (or a clean pass), never a traceback ------------

CONTACT = "contacts:\n  - name: J\n    role: R\n    relationship: cold\n"
MEETING = GOOD + CONTACT + "    meeting:\n      date: 2026-12-03\n"
LONG_KEY = "k" * 1500

# (id, file content, expected exit code, a fragment every run must print: "" for a clean pass)
TRICKY = [
    (
        "very-long-key",
        f"seeker:\n  name: M\n  {LONG_KEY}: 1\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:3:3: this key is longer than YAML allows (1024 characters)",
    ),
    (
        "long-unknown-key",
        f"seeker:\n  name: M\n  {'k' * 800}: 1\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:3:3: seeker.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…: unknown key `kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…`",
    ),
    (
        "unicode-keys",
        "seeker:\n  name: M\n  名前: 王芳\n  názov: x\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:3:3: seeker.名前: unknown key `名前`; expected one of: name, headline",
    ),
    (
        "number-keys",
        "seeker:\n  name: M\n  1: x\n  2.5: y\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:3:3: seeker.1: unknown key `1`",
    ),
    (
        "null-key",
        "seeker:\n  name: M\n  null: x\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:3:3: seeker.null: unknown key `null`",
    ),
    (
        "list-as-key",
        "seeker:\n  ? [a, b]\n  : x\n  name: M\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:2:5: seeker: keys must be plain words such as `name`",
    ),
    (
        "null-everywhere",
        "seeker:\n  name:\n  headline:\n  strengths:\ncoach:\nsettings:\ntarget_roles:\ncontacts:\n",
        1,
        "p.yaml:2:8: seeker.name: expected text, but the value is empty",
    ),
    (
        "null-items",
        "seeker: null\ntarget_roles:\n  - null\n",
        1,
        "p.yaml:3:5: target_roles[0]: expected a mapping of `key: value` lines",
    ),
    ("empty-optional-sections", GOOD + "settings:\ncontacts:\ncoach:\n", 0, ""),
    (
        "empty-lists",
        "seeker:\n  name: M\n  strengths: []\ntarget_roles:\n  - title: A\n    companies: []\n    keywords:\ncontacts: []\n",
        0,
        "",
    ),
    (
        "contacts-as-mapping",
        GOOD + "contacts:\n  jordan:\n    name: J\n    role: R\n    relationship: cold\n",
        1,
        "p.yaml:6:3: contacts: expected a list (lines starting with `- `), found a mapping",
    ),
    (
        "windows-line-endings",
        BAD.replace("\n", "\r\n"),
        1,
        "p.yaml:8:19: contacts[0].relationship: 'cousin' is not one of",
    ),
    ("windows-line-endings-valid", GOOD.replace("\n", "\r\n"), 0, ""),
    (
        "latin-1-after-byte-order-mark",
        b"\xef\xbb\xbfseeker:\n  name: Zo\xeb\n",
        1,
        "p.yaml:2:11: the file is not UTF-8 text (byte 0xeb)",
    ),
    (
        "latin-1-after-wide-characters",
        "seeker:\n  name: 王芳 Zo".encode() + b"\xeb\n",
        1,
        "p.yaml:2:14: the file is not UTF-8 text (byte 0xeb)",
    ),
    ("only-document-marker", "---\n", 1, "p.yaml:1:1: the file is empty"),
    ("explicit-float-tag", "seeker:\n  name: !!float abc\ntarget_roles:\n  - title: A\n", 0, ""),
    (
        "base-60-minutes",
        "seeker:\n  name: M\nsettings:\n  meeting_minutes: 1:30\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:4:20: settings.meeting_minutes: expected a whole number, found '1:30'",
    ),
    ("base-60-place", MEETING + "      place: 10:30\n", 0, ""),
    (
        "yes-as-minutes",
        MEETING + "      minutes: yes\n",
        1,
        "p.yaml:11:16: contacts[0].meeting.minutes: expected a whole number, found `true`",
    ),
    (
        "huge-int-minutes",
        MEETING + "      minutes: " + "9" * 5000 + "\n",
        1,
        "p.yaml:11:16: contacts[0].meeting.minutes: '999999999999999999999999999999999999999…' minutes is outside the allowed range 5–240",
    ),
    (
        "long-time-zone",
        "seeker:\n  name: M\nsettings:\n  timezone: " + "A" * 3000 + "\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:4:13: settings.timezone: unknown time zone 'AAAA",
    ),
    (
        "long-language",
        "seeker:\n  name: M\nsettings:\n  language: ab" + "-abc" * 500 + "\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:4:13: settings.language: is too long",
    ),
    (
        "terminal-escape-in-key",
        'seeker:\n  name: M\n  "\\e[2J": x\ntarget_roles:\n  - title: A\n',
        1,
        "p.yaml:3:3: seeker.\\x1b[2J: unknown key",
    ),
    (
        "newline-in-key",
        'seeker:\n  name: M\n  "a\\nb": x\ntarget_roles:\n  - title: A\n',
        1,
        "p.yaml:3:3: seeker.a⏎b: unknown key `a⏎b`",
    ),
    (
        "logo-with-nul",
        'seeker:\n  name: M\ncoach:\n  name: C\n  logo: "a\\0b.png"\ntarget_roles:\n  - title: A\n',
        1,
        "p.yaml:5:9: coach.logo: 'a\\x00b.png' is not a file name",
    ),
    (
        "logo-name-too-long",
        "seeker:\n  name: M\ncoach:\n  name: C\n  logo: " + "a" * 400 + ".png\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:5:9: coach.logo: 'aaaa",
    ),
    (
        "logo-path-too-long",
        "seeker:\n  name: M\ncoach:\n  name: C\n  logo: " + "a/" * 300 + "x.png\ntarget_roles:\n  - title: A\n",
        1,
        "p.yaml:5:9: coach.logo: is too long (at most 500 characters)",
    ),
]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check_in_process(*args: str):
    return CliRunner().invoke(main, ["check", *args])


@pytest.mark.parametrize("content, code, expected", [t[1:] for t in TRICKY], ids=[t[0] for t in TRICKY])
def test_tricky_input(in_tmp, content, code, expected):
    (in_tmp / "p.yaml").write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result = check_in_process("p.yaml")
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert expected in result.stderr, result.stderr
    lines = problem_lines(result.stderr)
    assert bool(lines) == (code == 1)
    assert all(len(line) < 400 for line in lines), "messages quote values briefly"
    assert "\x1b" not in result.output, "a value must never reach the terminal as control codes"


def make_logo_setup(folder: Path, logo: str) -> Path:
    (folder / "p.yaml").write_text(
        f"seeker:\n  name: M\ncoach:\n  name: C\n  logo: {logo}\ntarget_roles:\n  - title: A\n", encoding="utf-8"
    )
    return folder / "p.yaml"


def test_symlinked_logo_escaping_the_folder_is_refused(in_tmp):
    outside = in_tmp / "outside"
    outside.mkdir()
    (outside / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    client = in_tmp / "client"
    (client / "assets").mkdir(parents=True)
    (client / "assets" / "logo.png").symlink_to(outside / "logo.png")
    (client / "brand").symlink_to(outside, target_is_directory=True)
    for logo in ("assets/logo.png", "brand/logo.png"):
        make_logo_setup(client, logo)
        result = check_in_process("client/p.yaml")
        assert result.exit_code == 1
        assert f"client/p.yaml:5:9: coach.logo: '{logo}' points outside this file's folder" in result.stderr


def test_symlinked_logo_inside_the_folder_is_fine(in_tmp):
    from PIL import Image

    Image.new("RGB", (4, 4)).save(in_tmp / "real.png")  # a real image: the loader reads its header
    (in_tmp / "logo.png").symlink_to(in_tmp / "real.png")
    make_logo_setup(in_tmp, "logo.png")
    assert check_in_process("p.yaml").exit_code == 0


def test_logo_that_is_a_folder(in_tmp):
    (in_tmp / "logo.png").mkdir()
    make_logo_setup(in_tmp, "logo.png")
    result = check_in_process("p.yaml")
    assert result.exit_code == 1
    assert "p.yaml:5:9: coach.logo: 'logo.png' is a folder, not a file" in result.stderr


def test_a_folder_without_profiles(in_tmp):
    (in_tmp / "looks-like.yaml").mkdir()
    result = check_in_process("looks-like.yaml")
    assert result.exit_code == 1
    assert "looks-like.yaml:1:1: no client profiles" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_a_usage_error_not_a_hang(in_tmp):
    os.mkfifo(in_tmp / "pipe.yaml")
    result = check_in_process("pipe.yaml")
    assert result.exit_code == 2
    assert "is not a file or a folder" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_a_device_is_a_usage_error(in_tmp):
    result = check_in_process("/dev/null")
    assert result.exit_code == 2
    assert "is not a file or a folder" in result.output


def test_an_unreadable_file_is_a_located_error(in_tmp, monkeypatch):
    (in_tmp / "p.yaml").write_text(GOOD, encoding="utf-8")
    # Tests run as root in CI, where chmod cannot take read permission away: simulate the refusal.
    real_open = Path.open

    def deny(self, *args, **kwargs):
        if self.name == "p.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    result = check_in_process("p.yaml")
    assert result.exit_code == 1
    assert "p.yaml:1:1: cannot read the file: Permission denied" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_an_unreadable_file_for_real(in_tmp):
    path = in_tmp / "p.yaml"
    path.write_text(GOOD, encoding="utf-8")
    path.chmod(0)
    try:
        result = workbook("check", "p.yaml", cwd=in_tmp)
    finally:
        path.chmod(0o644)
    assert result.returncode == 1
    assert "p.yaml:1:1: cannot read the file: Permission denied" in result.stderr


def test_new_keeps_an_odd_file_name_inside_the_comment(in_tmp):
    name = "odd\nname.yaml"
    result = CliRunner().invoke(main, ["new", name])
    assert result.exit_code == 0, result.output
    assert check_in_process(name).exit_code == 0


def test_loading_a_folder_or_a_pipe_as_a_profile_is_a_located_error(in_tmp):
    # `check` routes folders to the coach mode and refuses pipes first; the loader must still refuse them itself.
    (in_tmp / "folder.yaml").mkdir()
    with pytest.raises(UserError) as caught:
        generator.load.load_profile(in_tmp / "folder.yaml", display_name="folder.yaml")
    assert [str(p) for p in caught.value.problems] == ["folder.yaml:1:1: this is a folder, not a profile file"]
    if hasattr(os, "mkfifo"):
        os.mkfifo(in_tmp / "pipe.yaml")
        with pytest.raises(UserError) as caught:
            generator.load.load_profile(in_tmp / "pipe.yaml", display_name="pipe.yaml")
        assert "pipe.yaml:1:1: this is not a regular file" in str(caught.value)


@pytest.mark.parametrize("args", [["schema"], ["check", str(EXAMPLE)]])
def test_a_reader_that_goes_away_stops_the_command_quietly(tmp_path, args):
    """`workbook schema | head -1`: the pipe closes before we write; no traceback, no "internal error"."""
    script = Path(sys.executable).with_name("workbook")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "generator"]
    process = subprocess.Popen([*command, *args], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first line
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141  # the shell's code for a pipe that closed (128 + SIGPIPE)
    assert errors == ""
