"""`workbook log`: add one dated event to a contact's history in the user's own YAML file.

The file is the user's: its comments, key order, quoting and blank lines are kept. It is read
with ruamel.yaml's round-trip loader, and only if writing it back unchanged gives the very
same text (otherwise we could not promise to keep their formatting, and we refuse). The new
file must validate as a profile, and may differ from the old one only by the lines we add
(and the contact's `status:` line); it replaces the old file in one step (a temporary file
in the same folder, then os.replace), so an interrupted write never leaves half a file.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import UserError
from generator.lint import _CONSISTENT
from generator.load import LoadedProfile, load_profile, today_in
from generator.models import HISTORY_EVENTS, Contact, HistoryEvent, status_from_history

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.tokens import CommentToken

# Indentation styles tried in turn: the one that writes the file back exactly as it was is the file's own.
INDENT_STYLES = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 0), (2, 4, 0))
BOM = "\ufeff"


@dataclass(frozen=True)
class Logged:
    contact: Contact
    event: HistoryEvent
    status_before: str
    status_after: str
    status_written: bool  # the file has a `status:` for this contact and it was changed


def log_event(
    path: Path,
    contact_ref: str,
    event: str,
    *,
    day: date | None = None,
    note: str | None = None,
    display_name: str | None = None,
) -> Logged:
    """Append `event` to the history of the contact named by id or name; raise UserError when it cannot."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    display = display_name or str(path)
    loaded = load_profile(path, display_name=display)  # every problem of the file as it is, before we touch it
    contact, index = _find_contact(loaded.profile.contacts, contact_ref, display)
    if event not in HISTORY_EVENTS:
        raise UserError(
            f"'{event}' is not an event; use one of: {', '.join(HISTORY_EVENTS)}" + _did_you_mean(event, HISTORY_EVENTS)
        )
    day = day or today_in(loaded.profile.settings.timezone)
    try:
        new_event = HistoryEvent(date=day.isoformat(), event=event, note=note)
    except ValueError as error:  # pydantic's ValidationError: only the note can be wrong here
        reason = error.errors()[0]["msg"] if hasattr(error, "errors") else str(error)
        raise UserError(f"--note: {reason}") from None

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{display}: not UTF-8 text") from None
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    yaml, document = _round_trip(text, display)

    node = document["contacts"][index]
    entry = CommentedMap([("date", day)])
    entry["event"] = event
    if note:
        entry["note"] = new_event.note
    history = node.get("history")
    if isinstance(history, CommentedSeq) and len(history):
        if history.fa.flow_style():
            raise UserError(
                f"{display}: contacts[{index}].history is written in [flow, style]; "
                "write it as a list with one `- {date: …, event: …}` per line, then run this again"
            )
        if isinstance(history[-1], CommentedMap) and history[-1].fa.flow_style():
            entry.fa.set_flow_style()
        # Oldest first: after every event on the same day or earlier.
        position = sum(1 for item in contact.history if item.day <= day)
        history.insert(position, entry)
    else:
        entry.fa.set_flow_style()
        trailing = _take_trailing_comment(node)
        if "history" in node:
            node["history"] = CommentedSeq([entry])
        else:
            node.insert(len(node), "history", CommentedSeq([entry]))
        if trailing is not None:
            node["history"].ca.items[0] = [trailing, None]

    history_after = sorted([*contact.history, new_event], key=lambda item: item.day)
    implied = status_from_history(history_after)
    status_before = contact.status
    status_written = False
    if "status" in node and implied and contact.status not in _CONSISTENT.get(implied, {implied}):
        node["status"] = implied
        status_written = True

    buffer = io.StringIO()
    yaml.dump(document, buffer)
    new_text = buffer.getvalue()
    _only_added_lines(text, new_text, display)
    after = _replace(path, (BOM if bom else "") + new_text, display)
    return Logged(contact, new_event, status_before, after.profile.contacts[index].status, status_written)


def _find_contact(contacts: list[Contact], ref: str, display: str) -> tuple[Contact, int]:
    wanted = " ".join(ref.casefold().split())
    for index, contact in enumerate(contacts):
        if wanted in (contact.id, " ".join(contact.name.casefold().split())):
            return contact, index
    names = [contact.name for contact in contacts] + [contact.id for contact in contacts]
    if not contacts:
        raise UserError(f"{display}: has no contacts yet; add one under `contacts:` first")
    raise UserError(f"{display}: no contact '{ref}' (give an id or a name)" + _did_you_mean(ref, names))


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6) or difflib.get_close_matches(
        word.casefold(), [choice.casefold() for choice in choices], n=1, cutoff=0.6
    )
    if not close:
        return ""
    match = next((choice for choice in choices if choice.casefold() == close[0].casefold()), close[0])
    return f"; did you mean '{match}'?"


def _round_trip(text: str, display: str) -> tuple[YAML, CommentedMap]:
    """A round-trip loader for this file, set to the file's own indentation; refuse a file it would rewrite."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    for mapping, sequence, offset in INDENT_STYLES:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 100_000  # never fold a long line
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        try:
            document = yaml.load(text)
            buffer = io.StringIO()
            yaml.dump(document, buffer)
        except YAMLError as error:
            raise UserError(f"{display}: cannot be read for editing ({str(error).splitlines()[0]})") from None
        if buffer.getvalue() == text:
            return yaml, document
    raise UserError(
        f"{display}: workbook log cannot keep this file's formatting exactly as it is "
        "(unusual indentation, flow style or other layout), so it has not touched it. "
        "Add the event by hand under the contact's `history:`."
    )


def _take_trailing_comment(node: object) -> CommentToken | None:
    """Detach the blank lines and comments that follow a mapping's last value, so a key added at its end
    goes before them (where the user would have typed it), not after."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap) and len(node):
        key = list(node.keys())[-1]
        value = node[key]
        if isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not value.fa.flow_style():
            return _take_trailing_comment(value)
        entry = node.ca.items.get(key)
        if entry and len(entry) > 2 and entry[2] is not None:
            return _split_off_after_line(entry, 2)
    if isinstance(node, CommentedSeq) and len(node):
        value = node[-1]
        if isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not value.fa.flow_style():
            return _take_trailing_comment(value)
        entry = node.ca.items.get(len(node) - 1)
        if entry and entry[0] is not None:
            return _split_off_after_line(entry, 0)
    return None


def _split_off_after_line(entry: list[Any], slot: int) -> CommentToken | None:
    """The token in entry[slot] holds the rest of the value's line (an inline comment) and what follows it;
    leave the inline comment in place and return what follows, as a token of its own (None if nothing)."""
    from ruamel.yaml.tokens import CommentToken

    token: CommentToken = entry[slot]  # ruamel's comment slots are untyped lists; the callers checked this one is set
    line_end = token.value.find("\n")
    if line_end < 0:
        return None
    own_line, rest = token.value[: line_end + 1], token.value[line_end + 1 :]
    if not rest:
        return None
    if own_line.strip():
        token.value = own_line  # the inline comment stays on its line
        return CommentToken("\n" + rest, token.start_mark, None)  # the line break ends the added entry's line
    entry[slot] = None
    return token


def _only_added_lines(old: str, new: str, display: str) -> None:
    """The new text may only add lines, and change the one `status:` line; anything else means we would
    have reformatted the user's file."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    for tag, a1, a2, _b1, _b2 in matcher.get_opcodes():
        if tag in ("equal", "insert"):
            continue
        changed = old.splitlines()[a1:a2]
        if tag == "replace" and len(changed) == 1 and changed[0].strip().startswith("status:"):
            continue
        raise UserError(
            f"{display}: adding the event would change other lines of the file (line {a1 + 1}), "
            "so it has not been touched. Add the event by hand under the contact's `history:`."
        )


def _replace(path: Path, text: str, display: str) -> LoadedProfile:
    """Validate the new text as a profile, then put it in place in one step."""
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".log-tmp", delete=False
    )
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(text)
        try:
            shutil.copymode(path, temporary)
        except OSError:
            pass  # the default mode of a new file is fine
        try:
            after = load_profile(temporary, display_name=display)
        except UserError as error:
            raise UserError(
                "the file would not be valid after the change, so it has not been touched:\n" + str(error)
            ) from None
        os.replace(temporary, path)
        return after
    finally:
        temporary.unlink(missing_ok=True)
