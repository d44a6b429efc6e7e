"""Whatever a user (or a cat on the keyboard) does to a profile, loading it ends in one of two ways:
a valid profile, or a `UserError` whose every problem has a real position and a short message.

Two kinds of damage to data/example.yaml: edits to its data (keys deleted, values replaced by
anything YAML can hold, unknown keys, duplicated items, hostile ids, impossible dates and
minutes), and edits to its raw bytes. On CI the examples are derandomised, so a run there
never fails by chance; locally each run explores new ones (and remembers failures).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import UserError
from generator.load import load_profile
from generator.paths import EXAMPLE
from generator.source import parse_yaml

EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")
EXAMPLE_DATA = parse_yaml(EXAMPLE_TEXT.encode(), "example.yaml").data

# Derandomised under CI=true by the "ci" profile (tests/conftest.py).
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A longer hunt, locally: WORKBOOK_FUZZ_SCALE=20 .venv/bin/pytest tests/test_fuzz.py
SCALE = int(os.environ.get("WORKBOOK_FUZZ_SCALE", "1"))

# --- what a value can become --------------------------------------------------------------------

texts = st.one_of(
    st.text(max_size=30),
    st.builds(str.__mul__, st.text(min_size=1, max_size=3), st.integers(min_value=150, max_value=600)),  # long, cheaply
    st.sampled_from(
        [
            "",
            " ",
            "../x",
            "../../etc/passwd",
            "/etc/logo.png",
            "C:\\logo.png",
            "x" * 70,
            "A B",
            "Zoë",
            "王芳",
            "{{ 7 * 7 }}",
            "<script>alert(1)</script>",
            "yes",
            "null",
            "~",
            "2026-02-30",
            "2026-12-03T10:00",
            "#3f51b5",
            "https://example.org",
            "a@b.co",
            "\x1b[2J",
            "line\nbreak",
        ]
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    texts,
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, 4, 5, 240, 241, -1, 10**200]),
    st.floats(allow_nan=True, allow_infinity=True),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(texts, st.integers()), inner, max_size=4)
    ),
    max_leaves=12,
)
dates = st.one_of(
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?\Z"),
    st.sampled_from(["2026-02-29", "2028-02-29", "2026-12-03T24:00", "0000-01-01", "2026-1-1", "tomorrow"]),
    values,
)
minutes = st.one_of(st.integers(min_value=-(10**9), max_value=10**9), st.floats(allow_nan=True), values)


# --- how a profile is damaged -------------------------------------------------------------------


def paths_in(data: Any, path: tuple = ()) -> list[tuple]:
    """Every place in the document, the document itself included."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_in(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_in(value, path + (index,))
    return found


def get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: deep_copy(value) for key, value in data.items()}
    if isinstance(data, list):
        return [deep_copy(value) for value in data]
    return data


def _list_at(data: object, key: str) -> list:
    """data[key] when it is a list; a damaged profile may have anything there (or no mapping at all)."""
    found = data.get(key) if isinstance(data, dict) else None
    return found if isinstance(found, list) else []


@st.composite
def damaged_profiles(draw: st.DrawFn) -> Any:
    data = deep_copy(EXAMPLE_DATA)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        places = paths_in(data)
        path = draw(st.sampled_from(places))
        target = get(data, path)
        action = draw(st.sampled_from(["delete", "replace", "unknown-key", "duplicate", "id", "date", "minutes"]))
        if action == "delete" and path:
            parent = get(data, path[:-1])
            del parent[path[-1]]
        elif action == "replace":
            if path:
                get(data, path[:-1])[path[-1]] = draw(values)
            else:
                data = draw(values)
        elif action == "unknown-key" and isinstance(target, dict):
            target[draw(st.one_of(texts, st.integers(), st.sampled_from(["nmae", "contact", "id", "<<"])))] = draw(
                values
            )
        elif action == "duplicate" and isinstance(target, list) and target:
            target.append(deep_copy(draw(st.sampled_from(target))))
        elif action == "id":
            section = draw(st.sampled_from(["target_roles", "contacts"]))
            for item in _list_at(data, section):
                if isinstance(item, dict) and draw(st.booleans()):
                    item["id"] = draw(st.one_of(texts, st.sampled_from(["../x", "a/b", "CON", "-x", "x" * 65]), values))
        elif action == "date":
            for item in _list_at(data, "contacts"):
                if isinstance(item, dict) and isinstance(item.get("meeting"), dict) and draw(st.booleans()):
                    item["meeting"]["date"] = draw(dates)
        elif action == "minutes":
            if isinstance(data, dict) and isinstance(data.get("settings"), dict):
                data["settings"]["meeting_minutes"] = draw(minutes)
            for item in _list_at(data, "contacts"):
                if isinstance(item, dict) and isinstance(item.get("meeting"), dict) and draw(st.booleans()):
                    item["meeting"]["minutes"] = draw(minutes)
    return data


@st.composite
def damaged_bytes(draw: st.DrawFn) -> bytes:
    raw = bytearray(EXAMPLE_TEXT.encode("utf-8"))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        position = draw(st.integers(min_value=0, max_value=len(raw)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "splice"]))
        if action == "insert":
            raw[position:position] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=4),
                    st.sampled_from(
                        [
                            b":",
                            b"- ",
                            b"\t",
                            b"\n  ",
                            b"&a ",
                            b"*a",
                            b"!!python/object ",
                            b"---\n",
                            b"\xef\xbb\xbf",
                            b"\x00",
                            b"\xff",
                            b"\r\n",
                            b"[",
                            b"{",
                            b"'",
                            b'"',
                            b"? ",
                            b"|",
                            b"%YAML 1.1\n",
                        ]
                    ),
                )
            )
        elif action == "delete":
            del raw[position : position + draw(st.integers(min_value=1, max_value=40))]
        elif action == "replace" and position < len(raw):
            raw[position] = draw(st.integers(min_value=0, max_value=255))
        elif action == "splice":  # move a chunk of lines elsewhere: wrong indentation, keys in the wrong section
            lines = raw.split(b"\n")
            start = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            chunk = lines[start : start + draw(st.integers(min_value=1, max_value=5))]
            del lines[start : start + len(chunk)]
            at = draw(st.integers(min_value=0, max_value=len(lines)))
            lines[at:at] = chunk
            raw = bytearray(b"\n".join(lines))
    return bytes(raw)


# --- the property -------------------------------------------------------------------------------


def assert_loads_or_explains(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.yaml"
        path.write_bytes(raw)
        try:
            load_profile(path, display_name="p.yaml")
        except UserError as error:
            assert error.problems, "a UserError always lists its problems"
            text = raw.decode("utf-8", "replace")
            lines = sum(text.count(brk) for brk in ("\n", "\r", "\x85", "\u2028", "\u2029")) + 2  # YAML's line breaks
            for problem in error.problems:
                text = str(problem)
                assert problem.line >= 1 and problem.column >= 1, text
                assert problem.line <= lines, text
                assert problem.message.strip(), text
                assert len(text) < 400, text
                assert "\n" not in text and "\x1b" not in text, text


@settings(FUZZ, max_examples=120 * SCALE)
@given(data=damaged_profiles())
def test_damaged_data_loads_or_explains_itself(data):
    try:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)
    except ValueError:  # PyYAML refuses to print some values (e.g. giant ints): not our input to check
        return
    assert_loads_or_explains(text.encode("utf-8"))


@settings(FUZZ, max_examples=80 * SCALE)
@given(raw=damaged_bytes())
def test_damaged_bytes_load_or_explain_themselves(raw):
    assert_loads_or_explains(raw)


def test_the_undamaged_example_loads():
    assert_loads_or_explains(EXAMPLE_TEXT.encode("utf-8"))
    assert load_profile(EXAMPLE).profile.seeker.name == "Maya Lopez"
