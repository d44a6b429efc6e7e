"""Read a YAML file into plain Python values, remembering where each value came from.

Profiles are small, hand-written files, so anything a profile never needs is
refused with a clear message instead of being processed: files over
`MAX_BYTES`, nesting deeper than `MAX_DEPTH`, anchors and aliases (the
"billion laughs" blow-up), duplicate keys, non-text keys, bytes that are not
UTF-8. The parse uses libyaml (C) when PyYAML was built with it, and builds the
values straight from its event stream in one pass (no node tree, no second parse).
"""

from __future__ import annotations

import codecs
import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, cast

import yaml

from generator.errors import Problem, UserError

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 200_000
MAX_MESSAGE = 300

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Key = tuple[str | int, ...]


@dataclass
class Source:
    """A parsed YAML document and the position (1-based line, column) of every value and key."""

    file: str
    data: Any
    values: dict[Key, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Key, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Key, *, key: bool = False) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that exists."""
        table = self.keys if key else self.values
        while path:
            if path in table:
                return table[path]
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def problem(self, path: Key, message: str, *, key: bool = False) -> Problem:
        line, column = self.position(path, key=key)
        if len(message) > MAX_MESSAGE:  # a safety net: messages quote values through `shorten`
            message = message[: MAX_MESSAGE - 1] + "…"
        return Problem(self.file, line, column, format_path(path), message)


def format_path(path: Key) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{shorten(part)}" if text else shorten(part))
    return text


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shorten(value: object, limit: int = 40) -> str:
    """A value as a user would recognise it in a message: one line, no terminal control codes, never a wall of text."""
    try:
        text = value if isinstance(value, str) else repr(value)
    except ValueError:  # an int too long to print
        text = "a number with thousands of digits"
    if len(text) > 4 * limit:  # a huge value: don't scan all of it
        text = text[: 4 * limit]
    text = _CONTROL.sub(
        lambda match: "⏎" if match.group() in "\n\r\u2028\u2029" else f"\\x{ord(match.group()):02x}", text
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_yaml(path: Path, display_name: str | None = None) -> Source:
    """Parse `path`; raise `UserError` with located problems if it is not a usable YAML mapping."""
    name = display_name or str(path)
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise UserError([Problem(name, 1, 1, "", "this is a folder, not a profile file")])
        if not stat.S_ISREG(status.st_mode):  # a FIFO or a device would block or never end
            raise UserError([Problem(name, 1, 1, "", "this is not a regular file; give the path of a .yaml file")])
        raw = b""
        if status.st_size <= MAX_BYTES:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)  # +1: the file may have grown since stat()
    except OSError as error:
        raise UserError([Problem(name, 1, 1, "", f"cannot read the file: {error.strerror or error}")]) from None
    if status.st_size > MAX_BYTES or len(raw) > MAX_BYTES:
        limit = MAX_BYTES // (1024 * 1024)
        raise UserError(
            [Problem(name, 1, 1, "", f"the file is larger than {limit} MB; a profile is a few kilobytes of YAML")]
        )
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes, name: str) -> Source:
    text = _decode(raw, name)
    source = Source(name, None)
    builder = _Builder(text, source)
    try:
        source.data = builder.build()
    except yaml.MarkedYAMLError as error:
        raise UserError([_syntax_problem(error, name, text)]) from None
    except yaml.YAMLError as error:  # unmarked: rare, e.g. a reader error
        raise UserError([Problem(name, 1, 1, "", f"not valid YAML: {shorten(str(error), 120)}")]) from None
    if builder.problems:
        raise UserError(builder.problems)
    if source.data is None:
        raise UserError(
            [Problem(name, 1, 1, "", "the file is empty; expected a profile (run `workbook new` for a starter)")]
        )
    if not isinstance(source.data, dict):
        kind = "a list" if isinstance(source.data, list) else f"the single value '{shorten(source.data)}'"
        line, column = source.values[()]
        raise UserError(
            [
                Problem(
                    name,
                    line,
                    column,
                    "",
                    f"expected a mapping of keys such as `seeker:` at the top of the file, found {kind}",
                )
            ]
        )
    return source


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise UserError(
            [Problem(name, line, 1, "", "this looks like a binary file, not YAML text (it contains NUL bytes)")]
        )
    raw = raw.removeprefix(codecs.BOM_UTF8)  # a byte-order mark is harmless; drop it
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]  # valid UTF-8 up to here, so columns count characters, not bytes
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1
        raise UserError(
            [
                Problem(
                    name,
                    line,
                    column,
                    "",
                    f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x}); save it as UTF-8",
                )
            ]
        ) from None
    return text


def _syntax_problem(error: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or "not valid YAML"
    offending = text[mark.index] if mark and 0 <= mark.index < len(text) else ""
    if offending == "\t" or "'\\t'" in problem:
        message = "tabs cannot be used for indentation in YAML; indent with spaces"
    elif "mapping values are not allowed" in problem:
        message = "a `key: value` is not allowed here; check the indentation, or put text containing ': ' in quotes"
    elif "could not find expected ':'" in problem and error.context_mark and _too_long_for_a_key(error):
        message = "this key is longer than YAML allows (1024 characters); keys are short words such as `name`"
        line, column = error.context_mark.line + 1, error.context_mark.column + 1
    elif "could not find expected ':'" in problem:
        message = "expected `key: value` here; check the indentation of this line and the one above"
    elif "found character that cannot start any token" in problem:
        message = "this character cannot start a value; put the value in quotes"
    else:
        message = f"not valid YAML: {problem}"
        if error.context:
            message += f" ({error.context})"
    return Problem(name, line, column, "", message)


def _too_long_for_a_key(error: yaml.MarkedYAMLError) -> bool:
    """A `key: value` line whose key runs past YAML's 1024-character limit for a plain key."""
    start, end = error.context_mark, error.problem_mark
    return bool(start and end and start.line == end.line and end.column - start.column >= 1024)


class _Resolves(Protocol):
    """PyYAML's `Resolver.resolve`, which its stubs leave untyped: a scalar's implicit tag."""

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str: ...


_constructor = yaml.constructor.SafeConstructor()
_resolver: _Resolves = yaml.resolver.Resolver()
_MERGE = "tag:yaml.org,2002:merge"


_Scalar, _Alias = yaml.ScalarEvent, yaml.AliasEvent
_MappingStart, _MappingEnd = yaml.MappingStartEvent, yaml.MappingEndEvent
_SequenceStart, _SequenceEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent


class _Builder:
    """Turn the parser's event stream straight into plain values, recording positions as it goes.

    One pass, no intermediate node tree: the hostile-input limits (aliases, depth, size,
    several documents) are enforced on each event before anything is built from it, and
    the nesting limit keeps the recursion shallow. Events are told apart by exact type,
    which keeps a 500-contact profile well under a second.
    """

    def __init__(self, text: str, source: Source):
        self.parser = _Loader(text)
        self.source = source
        self.problems: list[Problem] = []
        self.depth = 0
        self.count = 0
        self.documents = 0

    def build(self) -> Any:
        data = None
        try:
            while (event := self._next()) is not None:
                if type(event) is yaml.DocumentStartEvent and self.documents > 1:
                    self._refuse(event, "the file holds more than one YAML document (`---`); a profile is one document")
                if isinstance(event, yaml.NodeEvent):
                    data = self._value(event, ())
        finally:
            self.parser.dispose()
        return data

    def _next(self) -> yaml.Event | None:
        if not self.parser.check_event():
            return None
        event: yaml.Event = self.parser.get_event()  # not None: check_event said one is there
        self.count += 1
        if self.count > MAX_NODES:
            self._refuse(event, "the document has too many values for a profile")
        kind = type(event)
        if kind is _Scalar:
            if cast(yaml.NodeEvent, event).anchor:
                self._refuse_alias(event)
        elif kind is _MappingStart or kind is _SequenceStart:
            if cast(yaml.NodeEvent, event).anchor:
                self._refuse_alias(event)
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self._refuse(event, f"the document is nested more than {MAX_DEPTH} levels deep")
        elif kind is _MappingEnd or kind is _SequenceEnd:
            self.depth -= 1
        elif kind is _Alias:
            self._refuse_alias(event)
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
        return event

    def _refuse_alias(self, event: yaml.Event) -> None:
        self._refuse(event, "anchors and aliases (`&name`, `*name`) are not supported in profiles; write the value out")

    def _refuse(self, event: yaml.Event, message: str) -> None:
        mark = event.start_mark
        assert mark is not None  # the parser marks every event it produces
        raise UserError([Problem(self.source.file, mark.line + 1, mark.column + 1, "", message)])

    def _value(self, event: yaml.Event | None, path: Key) -> Any:
        assert event is not None  # inside a value the parser raises before its events run out
        mark = event.start_mark
        assert mark is not None  # the parser marks every event it produces
        self.source.values[path] = (mark.line + 1, mark.column + 1)
        kind = type(event)
        if kind is _Scalar:
            return _scalar(cast(yaml.ScalarEvent, event))
        if kind is _MappingStart:
            return self._mapping(path)
        items: list[Any] = []
        while type(item := self._next()) is not _SequenceEnd:
            items.append(self._value(item, path + (len(items),)))
        return items

    def _mapping(self, path: Key) -> dict[str, Any]:
        result: dict[str, Any] = {}
        keys = self.source.keys
        while type(key_event := self._next()) is not _MappingEnd:
            assert key_event is not None  # inside a mapping the parser raises before its events run out
            mark = key_event.start_mark
            assert mark is not None  # the parser marks every event it produces
            key_position = (mark.line + 1, mark.column + 1)
            if type(key_event) is not _Scalar or _tag(key_event) == _MERGE:
                self.problems.append(
                    Problem(
                        self.source.file, *key_position, format_path(path), "keys must be plain words such as `name`"
                    )
                )
                self._skip(key_event)
                self._skip(self._next())
                continue
            key = key_event.value
            if key in result:
                first = keys[path + (key,)]
                self.problems.append(
                    Problem(
                        self.source.file,
                        *key_position,
                        format_path(path + (key,)),
                        f"duplicate key `{shorten(key)}` (first given on line {first[0]})",
                    )
                )
                self._skip(self._next())
                continue
            keys[path + (key,)] = key_position
            result[key] = self._value(self._next(), path + (key,))
        return result

    def _skip(self, event: yaml.Event | None) -> None:
        """Consume a value nobody will use (its limits are still enforced)."""
        if type(event) is _MappingStart or type(event) is _SequenceStart:
            depth = self.depth
            while self.depth >= depth and self._next() is not None:
                pass


_STR = "tag:yaml.org,2002:str"


def _tag(event: yaml.ScalarEvent) -> str:
    """The scalar's tag, resolved as PyYAML's composer would."""
    if event.tag is not None and event.tag != "!":
        return event.tag
    if not event.implicit[0]:  # quoted or block text
        return _STR
    return _plain_tag(event.value) if len(event.value) <= 64 else _plain_tag.__wrapped__(event.value)


@lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """Keys and short values repeat across a profile; only these are remembered."""
    return _resolver.resolve(yaml.ScalarNode, value, (True, False))


def _scalar(event: yaml.ScalarEvent) -> Any:
    """Plain YAML types, except that timestamps stay text: we parse dates ourselves, with better messages.

    YAML 1.1's base-60 numbers (`10:30` read as 630) also stay text, as they are in YAML 1.2 and in editors.
    """
    if event.style:  # quoted or block scalar: always text
        return event.value
    tag = _tag(event)
    value = event.value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() in ("yes", "true", "on", "y")
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and ":" not in value:
        node = yaml.ScalarNode(tag, value)
        try:
            if tag == "tag:yaml.org,2002:int":
                return _constructor.construct_yaml_int(node)
            return _constructor.construct_yaml_float(node)
        except ValueError:  # e.g. thousands of digits, or `!!float abc`: leave it as text for the validator to refuse
            return value
    return value
