"""Read a YAML file into plain Python values, remembering where each value came from.

Profiles are small, hand-written files, so anything a profile never needs is
refused with a clear message instead of being processed: files over
`MAX_BYTES`, nesting deeper than `MAX_DEPTH`, anchors and aliases (the
"billion laughs" blow-up), duplicate keys, non-text keys, bytes that are not
UTF-8. The parse uses libyaml (C) when PyYAML was built with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem, UserError

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 200_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Parser = getattr(yaml, "CParser", None)

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
        return Problem(self.file, line, column, format_path(path), message)


def format_path(path: Key) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def shorten(value: object, limit: int = 40) -> str:
    """A value as a user would recognise it in a message, never a wall of text."""
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_yaml(path: Path, display_name: str | None = None) -> Source:
    """Parse `path`; raise `UserError` with located problems if it is not a usable YAML mapping."""
    name = display_name or str(path)
    try:
        raw = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
    except OSError as error:
        raise UserError([Problem(name, 1, 1, "", f"cannot read the file: {error.strerror}")]) from None
    if raw is None:
        limit = MAX_BYTES // (1024 * 1024)
        raise UserError([Problem(name, 1, 1, "", f"the file is larger than {limit} MB; a profile is a few kilobytes of YAML")])
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes, name: str) -> Source:
    text = _decode(raw, name)
    _prescan(text, name)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise UserError([_syntax_problem(error, name, text)]) from None
    except yaml.YAMLError as error:  # unmarked: rare, e.g. a reader error
        raise UserError([Problem(name, 1, 1, "", f"not valid YAML: {shorten(str(error), 120)}")]) from None
    if root is None:
        raise UserError([Problem(name, 1, 1, "", "the file is empty; expected a profile (run `workbook new` for a starter)")])
    source = Source(name, None)
    problems: list[Problem] = []
    source.data = _convert(root, (), source, problems)
    if problems:
        raise UserError(problems)
    if not isinstance(source.data, dict):
        kind = "a list" if isinstance(source.data, list) else f"the single value '{shorten(source.data)}'"
        raise UserError([Problem(name, root.start_mark.line + 1, root.start_mark.column + 1, "",
                                 f"expected a mapping of keys such as `seeker:` at the top of the file, found {kind}")])
    return source


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise UserError([Problem(name, line, 1, "", "this looks like a binary file, not YAML text (it contains NUL bytes)")])
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is harmless; drop it
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise UserError([Problem(name, line, column, "", f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x}); save it as UTF-8")]) from None
    return text


def _prescan(text: str, name: str) -> None:
    """Refuse aliases, deep nesting and huge documents before anything is built.

    The event stream is flat, so this costs no recursion and no memory even
    for a hostile file.
    """
    depth = 0
    count = 0
    try:
        events = yaml.parse(text, Loader=_Loader)
        for event in events:
            count += 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise UserError([Problem(name, mark.line + 1, mark.column + 1, "",
                                         "anchors and aliases (`&name`, `*name`) are not supported in profiles; write the value out")])
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise UserError([Problem(name, mark.line + 1, mark.column + 1, "",
                                             f"the document is nested more than {MAX_DEPTH} levels deep")])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent) and count > 2:
                mark = event.start_mark
                raise UserError([Problem(name, mark.line + 1, mark.column + 1, "",
                                         "the file holds more than one YAML document (`---`); a profile is one document")])
            if count > MAX_NODES:
                mark = event.start_mark
                raise UserError([Problem(name, mark.line + 1, mark.column + 1, "", "the document has too many values for a profile")])
    except yaml.MarkedYAMLError as error:
        raise UserError([_syntax_problem(error, name, text)]) from None


def _syntax_problem(error: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or "not valid YAML"
    offending = text[mark.index] if mark and 0 <= mark.index < len(text) else ""
    if offending == "\t" or "'\\t'" in problem:
        message = "tabs cannot be used for indentation in YAML; indent with spaces"
    elif "mapping values are not allowed" in problem:
        message = "a `key: value` is not allowed here; check the indentation, or put text containing ': ' in quotes"
    elif "could not find expected ':'" in problem:
        message = "expected `key: value` here; check the indentation of this line and the one above"
    elif "found character that cannot start any token" in problem:
        message = "this character cannot start a value; put the value in quotes"
    else:
        message = f"not valid YAML: {problem}"
        if error.context:
            message += f" ({error.context})"
    return Problem(name, line, column, "", message)


_constructor = yaml.constructor.SafeConstructor()


def _convert(node: yaml.Node, path: Key, source: Source, problems: list[Problem]) -> Any:
    source.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem(source.file, *key_position, format_path(path), "keys must be plain words such as `name`"))
                continue
            key = key_node.value
            if key in result:
                first = source.keys[path + (key,)]
                problems.append(Problem(source.file, *key_position, format_path(path + (key,)),
                                        f"duplicate key `{shorten(key)}` (first given on line {first[0]})"))
                continue
            source.keys[path + (key,)] = key_position
            result[key] = _convert(value_node, path + (key,), source, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (index,), source, problems) for index, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    """Plain YAML types, except that timestamps stay text: we parse dates ourselves, with better messages."""
    if node.style:  # quoted or block scalar: always text
        return node.value
    tag = node.tag
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return node.value.lower() in ("yes", "true", "on", "y")
    if tag == "tag:yaml.org,2002:int":
        try:
            return _constructor.construct_yaml_int(node)
        except ValueError:  # e.g. thousands of digits: leave it as text for the validator to refuse
            return node.value
    if tag == "tag:yaml.org,2002:float":
        return _constructor.construct_yaml_float(node)
    return node.value
