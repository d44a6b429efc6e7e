"""The load stage: YAML file → validated model, or every problem at once with its line and column.

`validate` is the one door: it takes a parsed `Source` and a model class,
maps pydantic's errors back to the YAML positions in friendly words, and adds
the caller's cross-field checks, so profiles, coach files and content banks
all report problems the same way.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from generator.errors import Problem, UserError
from generator.logo import has_logo_suffix, logo_problem
from generator.models import ID_PATTERN, MAX_MINUTES, MAX_TEXT, MIN_MINUTES, Profile, make_id
from generator.source import Key, Source, format_path, read_yaml, shorten

M = TypeVar("M", bound=BaseModel)
CrossCheck = Callable[[Source], Iterable[Problem]]


@dataclass(frozen=True)
class LoadedProfile:
    """A valid profile and the facts about its file that rendering needs."""

    profile: Profile
    path: Path
    client_id: str
    logo: Path | None  # resolved, inside the profile's folder
    warnings: tuple[Problem, ...] = ()  # likely mistakes that do not stop a build (see generator.lint)


@dataclass(frozen=True)
class Defaults:
    """What a coach's folder gives every client: branding and settings (client keys win)."""

    coach: dict[str, Any]
    settings: dict[str, Any]


def load_profile(
    path: Path,
    *,
    display_name: str | None = None,
    client_id: str | None = None,
    defaults: Defaults | None = None,
    today: date | None = None,
) -> LoadedProfile:
    """Read and validate a profile. `today` (default: today in the profile's time zone) dates the warnings."""
    from generator.lint import profile_warnings

    source = read_yaml(path, display_name)
    if defaults:
        _apply_defaults(source, defaults)
    base = path.resolve().parent
    profile = validate(
        source, Profile, [_check_ids, _check_references, _check_history_order, lambda s: check_logo(s, base)]
    )
    logo = (base / profile.coach.logo).resolve() if profile.coach and profile.coach.logo else None
    warnings = profile_warnings(source, profile, today or today_in(profile.settings.timezone))
    return LoadedProfile(profile, path, client_id or profile.client_id, logo, tuple(warnings))


def today_in(timezone: str, now: datetime | None = None) -> date:
    """Today's date where the seeker lives (settings.timezone), not where the build runs (`now`: an aware instant)."""
    return (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone)).date()


def _apply_defaults(source: Source, defaults: Defaults) -> None:
    """Fill in the coach's branding and settings where the client's own file is silent."""
    data = source.data
    for section, values in (("coach", defaults.coach), ("settings", defaults.settings)):
        own = data.get(section)
        if not values:
            continue
        if own is None:
            data[section] = dict(values)
        elif isinstance(own, dict):
            data[section] = {**values, **own}


def validate(source: Source, model: type[M], checks: Iterable[CrossCheck] = ()) -> M:
    """Validate `source.data` as `model`; raise `UserError` listing every problem with its position."""
    problems: list[Problem] = []
    result = None
    try:
        result = model.model_validate(source.data)
    except ValidationError as error:
        details = _without_missing_typos([dict(detail) for detail in error.errors(include_url=False)], model)
        problems.extend(_friendly(source, model, detail) for detail in details)
    for check in checks:
        problems.extend(check(source))
    if problems:
        raise UserError(sorted(set(problems)))
    assert result is not None
    return result


def _without_missing_typos(details: list[dict[str, Any]], model: type[BaseModel]) -> list[dict[str, Any]]:
    """`nmae: Maya` is one mistake, not two: drop "`name` is required" when a misspelling of it is present."""
    typos: set[tuple[Any, ...]] = set()
    for detail in details:
        if detail["type"] == "extra_forbidden":
            loc = tuple(detail["loc"])
            for close in difflib.get_close_matches(str(loc[-1]), _fields_at(model, loc[:-1]), n=1, cutoff=0.6):
                typos.add(loc[:-1] + (close,))
    return [d for d in details if not (d["type"] == "missing" and tuple(d["loc"]) in typos)]


# --- pydantic errors in the user's words --------------------------------------------------------

_PATTERN_MESSAGES = {
    "id": "{value} is not a valid id: use lower-case letters, digits and hyphens, starting with a letter or digit (at most 64 characters)",
    "target_role": "{value} is not a valid id: use lower-case letters, digits and hyphens",
    "date": "{value} is not a date in the form YYYY-MM-DD or YYYY-MM-DDTHH:MM",
    "email": "{value} is not an email address",
    "website": "{value} is not a web address; it must start with https:// or http://",
    "color": '{value} is not a colour; write it like "#3f51b5" (in quotes)',
    "language": "{value} is not a language code such as en, fr or pt-BR",
}


def _friendly(source: Source, model: type[BaseModel], detail: dict[str, Any]) -> Problem:
    loc: Key = tuple(detail["loc"])
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    field = next((part for part in reversed(loc) if isinstance(part, str)), "")
    shown = f"'{shorten(value)}'" if isinstance(value, str) else shorten(value)

    if kind == "missing":
        return source.problem(loc, f"`{loc[-1]}` is required")
    if kind == "extra_forbidden":
        message = f"unknown key `{shorten(loc[-1])}`"
        allowed = _fields_at(model, loc[:-1])
        return source.problem(loc, message + _did_you_mean(str(loc[-1]), allowed, listing=True), key=True)
    if kind in ("literal_error", "enum"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        message = f"{shown} is not one of: {', '.join(choices)}"
        return source.problem(loc, message + _did_you_mean(str(value), choices))
    if kind == "string_type":
        return source.problem(loc, _expected("text", value))
    if kind == "string_too_short":
        return source.problem(loc, "must not be empty")
    if kind == "string_too_long":
        return source.problem(loc, f"is too long (at most {ctx.get('max_length')} characters)")
    if kind == "string_pattern_mismatch":
        template = _PATTERN_MESSAGES.get(field, "{value} is not in the expected form")
        return source.problem(loc, template.format(value=shown))
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return source.problem(loc, _expected("a whole number", value))
    if kind in ("greater_than_equal", "less_than_equal", "int_parsing_size"):
        if isinstance(value, bool):  # YAML's yes/no/true/false: pydantic would compare it as 1 or 0
            return source.problem(loc, _expected("a whole number", value))
        if "minutes" in field:
            return source.problem(loc, f"{shown} minutes is outside the allowed range {MIN_MINUTES}–{MAX_MINUTES}")
        if kind == "int_parsing_size":
            return source.problem(loc, f"{shown} is far too large a number")
        bound = ctx.get("ge", ctx.get("le"))
        return source.problem(loc, f"{shown} must be {'at least' if 'ge' in ctx else 'at most'} {bound}")
    if kind == "list_type":
        return source.problem(loc, _expected("a list (lines starting with `- `)", value))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return source.problem(loc, _expected("a mapping of `key: value` lines", value))
    if kind == "too_short":
        return source.problem(loc, "needs at least one entry")
    if kind == "value_error":
        return source.problem(loc, str(ctx.get("error", detail["msg"])))
    return source.problem(loc, detail["msg"][0].lower() + detail["msg"][1:])


def _expected(what: str, value: Any) -> str:
    if value is None:
        return f"expected {what}, but the value is empty"
    if isinstance(value, bool):
        found = f"`{str(value).lower()}` (YAML reads yes/no/true/false as a yes-or-no value; put it in quotes for text)"
    elif isinstance(value, (int, float)):
        found = f"the number {shorten(value)}" + (" (put it in quotes to make it text)" if what == "text" else "")
    elif isinstance(value, list):
        found = "a list"
    elif isinstance(value, dict):
        found = "a mapping"
    else:
        found = f"'{shorten(value)}'"
    return f"expected {what}, found {found}"


def _did_you_mean(word: str, choices: Iterable[str], *, listing: bool = False) -> str:
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean `{close[0]}`?"
    if listing and choices:
        return f"; expected one of: {', '.join(choices)}"
    return ""


def _model_at(model: type[BaseModel], loc: Key) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc` (list indexes skipped)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return None
        current = _inner_model(current.model_fields[part].annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None if get_origin(annotation) or not isinstance(annotation, type) else annotation


def _fields_at(model: type[BaseModel], loc: Key) -> list[str]:
    found = _model_at(model, loc)
    return list(found.model_fields) if found else []


# --- rules across fields ------------------------------------------------------------------------


def _items(source: Source, section: str) -> list[tuple[int, dict[str, Any]]]:
    items = source.data.get(section)
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


def _effective_id(item: dict[str, Any], name_key: str) -> tuple[str | None, str]:
    """The id an item will have, and which key it comes from."""
    if isinstance(item.get("id"), str):
        return item["id"].strip(), "id"
    if isinstance(item.get(name_key), str) and item[name_key].strip():
        return make_id(item[name_key]), name_key
    return None, name_key


RESERVED_IDS = {"index"}  # contacts/index and roles/index are the pages that list them all


def _duplicate_id(
    source: Source,
    section: tuple[str, ...],
    item_id: str,
    first: tuple[int, str],
    here: tuple[int, str],
    hint: str = "",
) -> Problem:
    """The one message for an id used twice, in a profile and a bank alike: both places, by index and line."""
    where = format_path(section)
    first_line = source.position((*section, *first))[0]
    here_line = source.position((*section, *here))[0]
    return source.problem(
        (*section, *here),
        f"duplicate id '{shorten(item_id)}': {where}[{first[0]}] on line {first_line} "
        f"and {where}[{here[0]}] on line {here_line} both have it{hint}",
    )


def unique_ids(section: str, key: str = "id") -> CrossCheck:
    """A cross-check: the `key` of the items in the list at `section` (dotted, e.g. "offer_bank.offers") are unique."""
    path = tuple(section.split("."))

    def check(source: Source) -> Iterable[Problem]:
        container: Any = source.data
        for part in path:
            container = container.get(part) if isinstance(container, dict) else None
        if not isinstance(container, list):
            return
        seen: dict[str, int] = {}
        for index, item in enumerate(container):
            if isinstance(item, dict) and isinstance(item.get(key), str):
                if item[key] in seen:
                    yield _duplicate_id(source, path, item[key], (seen[item[key]], key), (index, key))
                else:
                    seen[item[key]] = index

    return check


def _check_ids(source: Source) -> Iterable[Problem]:
    for section, name_key in (("target_roles", "title"), ("contacts", "name")):
        seen: dict[str, tuple[int, str]] = {}
        for index, item in _items(source, section):
            item_id, origin = _effective_id(item, name_key)
            if item_id is None:
                continue
            if item_id in RESERVED_IDS:
                yield source.problem(
                    (section, index, origin),
                    f"the id '{item_id}' is reserved for the list of all "
                    f"{section.replace('_', ' ')}; give this one another `id:`",
                )
            elif item_id in seen:
                first_index, first_origin = seen[item_id]
                how = (
                    ""
                    if origin == "id" and first_origin == "id"
                    else (f" (an id defaults to a slug of the {name_key}; give one of them its own `id:`)")
                )
                yield _duplicate_id(source, (section,), item_id, (first_index, first_origin), (index, origin), how)
            else:
                seen[item_id] = (index, origin)


def _check_references(source: Source) -> Iterable[Problem]:
    role_ids = list(
        dict.fromkeys(rid for _, role in _items(source, "target_roles") if (rid := _effective_id(role, "title")[0]))
    )
    valid_ids = [rid for rid in role_ids if re.match(ID_PATTERN, rid)]  # the model reports the others
    known = ", ".join(valid_ids[:8]) + (", …" if len(valid_ids) > 8 else "") or "none"
    for index, contact in _items(source, "contacts"):
        wanted = contact.get("target_role")
        if isinstance(wanted, str) and wanted not in role_ids and re.match(ID_PATTERN, wanted):
            message = f"'{wanted}' is not the id of any target role (known: {known})"
            yield source.problem(("contacts", index, "target_role"), message + _did_you_mean(wanted, valid_ids))


def _check_history_order(source: Source) -> Iterable[Problem]:
    """A contact's history is written oldest first, so the latest event (and the status it implies) is last."""
    for index, contact in _items(source, "contacts"):
        history = contact.get("history")
        if not isinstance(history, list):
            continue
        previous: tuple[int, str] | None = None
        for position, event in enumerate(history):
            day = event.get("date") if isinstance(event, dict) else None
            if not (isinstance(day, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.strip())):
                continue  # the model reports a missing or malformed date
            day = day.strip()
            if previous and day < previous[1]:
                yield source.problem(
                    ("contacts", index, "history", position, "date"),
                    f"{day} comes before {previous[1]} (history[{previous[0]}]); write the history oldest first",
                )
            previous = (position, day)


def check_logo(source: Source, base: Path) -> Iterable[Problem]:
    coach = source.data.get("coach")
    logo = coach.get("logo") if isinstance(coach, dict) else None
    if not isinstance(logo, str) or len(logo) > MAX_TEXT or not has_logo_suffix(logo):
        return  # missing, too long or of the wrong kind: the model reports that
    problems = list(check_inside_folder(source, ("coach", "logo"), logo.strip(), base))
    if not problems:  # an existing file of bounded size: is it a usable, self-contained image? (generator/logo.py)
        reason = logo_problem((base / logo.strip()).resolve())
        if reason:
            problems.append(source.problem(("coach", "logo"), f"'{shorten(logo.strip())}' {reason}"))
    yield from problems


MAX_ASSET_BYTES = 2 * 1024 * 1024  # a logo; the PDF renderer would refuse a much larger file anyway


def check_inside_folder(source: Source, path: Key, relative: str, base: Path) -> Iterable[Problem]:
    """A user-given file path must name an existing file inside `base` (no absolute paths, no `..` out)."""
    shown = shorten(relative)
    if any(ord(char) < 32 for char in relative):
        yield source.problem(path, f"'{shown}' is not a file name (it contains control characters)")
        return
    candidate = Path(relative)
    if (
        candidate.is_absolute()
        or relative.startswith(("~", "\\"))
        or re.match(r"^[a-zA-Z]:", relative)
        or "://" in relative
    ):
        yield source.problem(path, f"'{shown}' must be a path relative to this file's folder")
        return
    try:
        # resolve() follows symlinks, so a link that leads out of the folder is caught too.
        resolved = (base / candidate).resolve()
        inside = resolved.is_relative_to(base.resolve())
        is_file = inside and resolved.is_file()
        exists = inside and resolved.exists()
    except (OSError, ValueError, RuntimeError) as error:  # name too long, symlink loop, ...
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "the path cannot be used"
        yield source.problem(path, f"'{shown}' cannot be read: {reason.lower()}")
        return
    if not inside:
        yield source.problem(path, f"'{shown}' points outside this file's folder; keep the file next to the profile")
    elif exists and not is_file:
        yield source.problem(path, f"'{shown}' is a folder, not a file")
    elif not is_file:
        yield source.problem(path, f"'{shown}' does not exist (looked for {_tail(str(resolved))})")
    elif resolved.stat().st_size > MAX_ASSET_BYTES:
        yield source.problem(
            path, f"'{shown}' is larger than {MAX_ASSET_BYTES // (1024 * 1024)} MB; use a smaller file"
        )


def _tail(path: str, limit: int = 120) -> str:
    """A long path by its end, which is the part that tells files apart."""
    return path if len(path) <= limit else "…" + path[-(limit - 1) :]
