"""The site renderer: a ClientPlan → a private mkdocs-material website, built the MkDocs way.

`render_site` writes, into the client folder it is given:

* `docs/`       the generated Markdown pages (kept, so `mkdocs serve -f <client>/mkdocs.yml` works);
* `mkdocs.yml`  a small file that INHERITs the project's root mkdocs.yml and adds this client's name,
                navigation, logo and colour;
* `site/`       the built site, from one strict MkDocs build through its Python API.

Renderers choose nothing: the pages lay out what the tailor stage decided.

Nothing a user writes is code. Pages come from Jinja2 templates in
site_templates/site/ whose every `{{ value }}` goes through `md_escape`
(the environment's `finalize`), so escaping is the default and only content we
produced ourselves (marked Markup) passes as is. Notes are rendered by
`notes_to_html` and embedded as an HTML block. File names come only from
validated ids. Titles that MkDocs prints into HTML unescaped (site_name, page
titles) are written HTML-escaped; see generator/mkdocs_hooks.py.
"""

from __future__ import annotations

import hashlib
import logging
import os
import posixpath
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import quote

import material  # type: ignore[import-untyped]  # mkdocs-material ships no type hints
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from generator import colour
from generator.banks import Applies
from generator.errors import InternalError, UserError
from generator.filenames import file_stem, safe_path
from generator.logo import LOGO_SUFFIXES
from generator.markdown_escape import md_escape
from generator.models import ID_PATTERN
from generator.notes import is_safe_link, notes_to_html
from generator.paths import BASE_MKDOCS, MKDOCS_HOOKS, TEMPLATES, template_cache
from generator.words import Words, fill, parts
from generator.workbook import ClientPlan, ContactPlan, OfferItem

SITE_TEMPLATES = TEMPLATES / "site"
SITE_ASSETS = TEMPLATES / "assets"
THEME_OVERRIDES = TEMPLATES / "overrides"
HOOKS = MKDOCS_HOOKS
DOWNLOADS_FOLDER = "downloads"  # inside docs/ and site/: the site's own copies of the PDFs and the calendar
ASSETS_FOLDER = "assets/workbook"  # inside docs/ and site/: our stylesheet, the coach's logo and colour
MATERIAL_LANGUAGES = Path(material.__file__).parent / "templates" / "partials" / "languages"

_ID = re.compile(ID_PATTERN)
# A path to one of our own outputs (a sheet PDF), relative to the client folder.
_OUTPUT_PATH = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")

# MkDocs' `nav`: {page title: docs path} for a page, {section title: [pages]} for a group. Every page's title is
# written here (HTML-escaped, like the front matter's), so a page rebuilt alone shows the others' titles right.
NavPage = dict[str, str]
Nav = list[NavPage | dict[str, list[NavPage]]]
# In docs/: what the site was built from (`_site_key`); a dot file, so MkDocs leaves it out of the site.
BUILT_FROM = ".built-from"


def render_site(
    workbook: ClientPlan,
    client_dir: Path,
    *,
    sheets: dict[str, str] | None = None,
    workbook_pdf: str | None = None,
    calendar: str | None = None,
    downloads_ready: bool = True,
    earlier: Path | None = None,
) -> Path:
    """Write the client's Markdown pages and mkdocs.yml into `client_dir`, build the site; return its index.html.

    `sheets` maps contact id → that contact's sheet PDF, and `workbook_pdf` names the whole workbook PDF,
    both relative to `client_dir` (e.g. "sheets/jordan-smith.pdf"); pages link to the ones given. `calendar`
    names the calendar file (default: <client-id>.ics), linked when it exists. `downloads_ready=False`: the
    PDFs are still being rendered (the build renders them beside the site); the site is built with empty
    stand-ins for them and the caller puts the real files in with `link_downloads` once they are written.

    `earlier`: a client folder this renderer built before (`client_dir` itself to update it in place). When
    its site was built from the same configuration, pages and theme (`_site_key`), only the pages whose
    Markdown changed are built again (MkDocs' dirty build; the hooks keep the other pages' search entries);
    the rest of its site is copied. Otherwise the whole site is built.
    Raises UserError with MkDocs' own words if the build fails.
    """
    client_dir = Path(os.path.abspath(client_dir))
    sheets = {contact_id: _output_path(path) for contact_id, path in (sheets or {}).items()}
    workbook_pdf = _output_path(workbook_pdf) if workbook_pdf else None
    _check_ids(workbook)
    calendar = _output_path(calendar) if calendar else f"{_valid_id(workbook.client_id)}.ics"
    if not (client_dir / calendar).is_file():
        calendar = None

    earlier = Path(os.path.abspath(earlier)) if earlier is not None else None
    in_place = earlier == client_dir
    docs = _Docs(client_dir / "docs", earlier / "docs" if earlier is not None and not in_place else None, in_place)
    # The site carries its own copies of the PDFs and the calendar, so every link resolves wherever site/
    # is opened, served or previewed from; pages link to the copies.
    downloads = _downloads(sheets, workbook_pdf, calendar)
    in_site = {path: f"site/{DOWNLOADS_FOLDER}/{safe_path(path)}" for path in downloads}
    nav = _write_pages(
        workbook,
        docs,
        {contact_id: in_site[path] for contact_id, path in sheets.items()},
        in_site.get(workbook_pdf) if workbook_pdf is not None else None,
        in_site.get(calendar) if calendar is not None else None,
    )
    _write_assets(workbook, docs)
    for path in downloads:
        target = docs.root / DOWNLOADS_FOLDER / safe_path(path)
        if downloads_ready or path == calendar:
            _link_or_copy(client_dir / path, target)
        else:  # a stand-in, so MkDocs sees the file every link points to; link_downloads replaces it
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            target.write_bytes(b"")
        docs.kept(target)
    config_file = client_dir / "mkdocs.yml"
    config = _generate_config(workbook, client_dir, nav)
    config_file.write_text(config, encoding="utf-8")
    key = _site_key(config, docs)
    dirty = earlier is not None and _reuse_earlier_site(earlier, client_dir, key, docs.changed)
    docs.put(BUILT_FROM, key)
    docs.remove_stale()
    _run_mkdocs(config_file, dirty=dirty)
    if downloads_ready:
        _link_downloads(client_dir, downloads, docs=False)
    return client_dir / "site" / "index.html"


class _Docs:
    """The client's docs/ folder, written so that an unchanged file stays the very file it was.

    It starts as a copy of an earlier build's docs/ (or, in place, as it is; or empty), every file keeping its
    modification time. A file is written only when its bytes differ, so MkDocs' dirty build (which compares a
    page's time with its built page's) sees exactly the changed pages as new; `changed` lists them. Files the
    earlier build had and this one does not write are removed (`remove_stale`).
    """

    def __init__(self, root: Path, copy_of: Path | None, in_place: bool):
        self.root = root
        self.changed: set[str] = set()  # docs paths whose bytes differ from the earlier build's
        self._written: set[str] = set()
        if not in_place and root.exists():
            shutil.rmtree(root)
        if copy_of is not None and copy_of.is_dir():
            _copy_regular_files(copy_of, root, skip=(DOWNLOADS_FOLDER,))
        root.mkdir(parents=True, exist_ok=True)

    def put(self, path: str, content: str | bytes) -> str:
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.root / path
        self._written.add(path)
        try:
            if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
                return path
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # a new file: never through a link to an earlier build's
        target.write_bytes(data)
        self.changed.add(path)
        return path

    def kept(self, target: Path) -> None:
        """A file written by other means (a download's link) is part of this build."""
        self._written.add(target.relative_to(self.root).as_posix())

    def files(self) -> list[str]:
        return sorted(self._written)

    def remove_stale(self) -> None:
        for path in sorted(self.root.rglob("*"), reverse=True):
            relative = path.relative_to(self.root).as_posix()
            if path.is_dir() and not path.is_symlink():
                if not any(path.iterdir()):
                    path.rmdir()
            elif relative not in self._written:
                path.unlink()


def _site_key(config: str, docs: _Docs) -> str:
    """A hash of what every built page shows besides its own Markdown: the configuration (navigation with every
    page's title, theme, colours), the set of files, the theme and our overrides and hooks, the assets and the
    versions of MkDocs and its theme. Equal keys: a page whose Markdown is unchanged is unchanged."""
    from importlib.metadata import version

    digest = hashlib.sha256(config.encode("utf-8"))
    for package in ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown"):
        digest.update(f"\0{package} {version(package)}".encode())
    for path in [BASE_MKDOCS, HOOKS, *sorted(THEME_OVERRIDES.rglob("*"))]:
        if path.is_file():
            digest.update(b"\0" + path.read_bytes())
    for name in docs.files():
        digest.update(f"\0{name}".encode())
        if name.startswith(ASSETS_FOLDER + "/"):
            digest.update(b"\0" + (docs.root / name).read_bytes())
    return digest.hexdigest()


def _reuse_earlier_site(earlier: Path, client_dir: Path, key: str, changed: set[str]) -> bool:
    """Whether the earlier site can be updated rather than built again; if so, put it in `client_dir/site`
    (copied, unless in place) without the pages whose Markdown changed, so MkDocs builds those again."""
    try:
        if (earlier / "docs" / BUILT_FROM).read_text(encoding="utf-8") != key:
            return False
    except (OSError, UnicodeDecodeError):
        return False
    earlier_site = earlier / "site"
    if not (earlier_site / "index.html").is_file() or not (earlier_site / "search" / "search_index.json").is_file():
        return False
    site = client_dir / "site"
    if earlier != client_dir:
        if site.exists():
            shutil.rmtree(site)
        _copy_regular_files(earlier_site, site, skip=(DOWNLOADS_FOLDER,))
    else:
        shutil.rmtree(site / DOWNLOADS_FOLDER, ignore_errors=True)  # links to the PDFs: MkDocs copies them anew
    for path in changed:
        if path.endswith(".md"):
            (site / (path[: -len(".md")] + ".html")).unlink(missing_ok=True)
    return True


def _copy_regular_files(source: Path, target: Path, skip: tuple[str, ...] = ()) -> None:
    """Copy the folders and regular files under `source` (times kept), never following or copying a link;
    `skip`: top-level names left out."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(source):
        if entry.name in skip and Path(entry.path).parent == source:
            continue
        if entry.is_dir(follow_symlinks=False):
            _copy_regular_files(Path(entry.path), target / entry.name)
        elif entry.is_file(follow_symlinks=False):
            shutil.copy2(entry.path, target / entry.name, follow_symlinks=False)


def link_downloads(client_dir: Path, *, sheets: dict[str, str], workbook_pdf: str | None, calendar: str | None) -> None:
    """Put the real PDFs into a site built with `downloads_ready=False` (its docs/ and site/ copies)."""
    client_dir = Path(os.path.abspath(client_dir))
    sheets = {contact_id: _output_path(path) for contact_id, path in sheets.items()}
    downloads = _downloads(
        sheets,
        _output_path(workbook_pdf) if workbook_pdf else None,
        _output_path(calendar) if calendar and (client_dir / calendar).is_file() else None,
    )
    _link_downloads(client_dir, downloads, docs=True)


def _downloads(sheets: dict[str, str], workbook_pdf: str | None, calendar: str | None) -> list[str]:
    return [path for path in (workbook_pdf, *sheets.values(), calendar) if path]


def _link_downloads(client_dir: Path, downloads: list[str], *, docs: bool) -> None:
    for path in downloads:  # MkDocs copied them; one file with three names is enough
        if docs:
            _link_or_copy(client_dir / path, client_dir / "docs" / DOWNLOADS_FOLDER / safe_path(path))
        _link_or_copy(client_dir / path, client_dir / "site" / DOWNLOADS_FOLDER / safe_path(path))


# --- the pages ----------------------------------------------------------------------------------


def _valid_id(value: str | None) -> Markup:
    """An id used in a file name or link: only ever one the loader validated."""
    if not isinstance(value, str) or not _ID.match(value):
        raise InternalError(f"not a valid id for a page name: {value!r}")
    return Markup(value)


def _page(value: str | None) -> Markup:
    """The file stem of a contact's or role's page: its validated id, kept clear of names Windows reserves."""
    return Markup(file_stem(_valid_id(value)))


def _html(value: object) -> Markup:
    """Text inside a raw HTML block, where Markdown is not processed: HTML-escaped only."""
    return Markup("") if value is None else escape(str(value))


def _with_prefix(value: object, prefix: str, suffix: str = "") -> Markup:
    """`prefix` + the escaped value + `suffix` when there is a value, else nothing (affixes are template text)."""
    if value is None or value == "" or value is False:
        return Markup("")
    return Markup(prefix) + md_escape(value) + Markup(suffix)


def _applies_to(applies: Applies, words: Words) -> str:
    """Which contacts and meetings a bank entry suits, in words."""
    parts = []
    if applies.relationships is not None:
        parts.append(", ".join(words.relationships[relationship] for relationship in applies.relationships))
    if applies.kinds is not None:
        parts.append(
            fill(
                words.site["suits_kinds"],
                kinds=f" {words.site['or']} ".join(words.kinds[kind] for kind in applies.kinds),
            )
        )
    if applies.meeting != "any":
        parts.append(words.meeting_kinds[applies.meeting])
    return " · ".join(parts) or words.site["suits_anyone"]


def _say(template: str, **values: object) -> Markup:
    """Words of the page (content/labels.yaml `text:`) as Markdown: escaped, `keys` as code, values escaped
    unless they are our own Markup (a link made by `_link`)."""
    out = []
    for kind, part in parts(str(template), values):
        if kind == "code":
            out.append(Markup("<code>{}</code>").format(part))
        elif isinstance(part, Markup):
            out.append(part)
        else:
            out.append(md_escape(part))
    return Markup("").join(out)


def _not_shown(items: Sized | int, limit: int | None) -> int:
    """How many of a list (or of a count) a page leaves out when it shows the first `limit` (None: all of them)."""
    count = items if isinstance(items, int) else len(items)
    return max(0, count - limit) if limit is not None else 0


def _link(text: object, target: str) -> Markup:
    """A Markdown link to one of our own pages, its text escaped."""
    return Markup("[") + md_escape(text) + Markup("](") + Markup(target) + Markup(")")


@lru_cache(maxsize=1)
def _page_templates() -> Environment:
    """Page templates: every `{{ value }}` goes through md_escape, so user text becomes inert Markdown and
    only our own Markup passes as is."""
    env = Environment(
        loader=FileSystemLoader(SITE_TEMPLATES),
        autoescape=False,
        finalize=md_escape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=template_cache(),
    )
    env.filters.update(
        id=_valid_id,
        page=_page,
        html=_html,
        notes=notes_to_html,
        with_prefix=_with_prefix,
        applies_to=_applies_to,
        fill=fill,
        say=_say,
        link=_link,
        not_shown=_not_shown,
    )
    return env


@lru_cache(maxsize=1)
def _stylesheet_templates() -> Environment:
    """The generated stylesheet's template: its only values are colours computed from a validated hex code."""
    return Environment(loader=FileSystemLoader(SITE_TEMPLATES), autoescape=False, undefined=StrictUndefined)


def item_key(text: str) -> str:
    """A checklist item's storage key: a hash of its words, so a rebuild keeps its tick while it is unchanged."""
    return hashlib.sha256(" ".join(str(text).split()).encode("utf-8")).hexdigest()[:12]


def _checklist(list_key: str, reset_label: str, list_name: str, label: str, items: Iterable[OfferItem | str]) -> Markup:
    """A checklist as raw HTML: real checkboxes, each with its label, and a reset button (see checklist.js).

    `items` are offers (text and reason) or plain strings. Every text is HTML-escaped: Markdown is not
    processed inside an HTML block.
    """
    rows = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, str) or not hasattr(item, "text"):
            text, note = str(item), None
        else:
            text, note = item.text, item.reason
        key = item_key(text)
        while key in seen:  # the same words twice in one list: each box still has its own id
            key = item_key(text + key)
        seen.add(key)
        box_id = f"{list_name}-{key}"
        why = Markup('<br><span class="workbook-why">{}</span>').format(note) if note else Markup("")
        rows.append(
            Markup(
                '<li><input type="checkbox" id="{0}" data-item="{1}">'
                '<label for="{0}"><span class="workbook-item">{2}</span>{3}</label></li>'
            ).format(box_id, key, text, why)
        )
    return Markup(
        '<div class="workbook-checklist" data-checklist="{}">\n<ul aria-label="{}">\n{}\n</ul>\n'
        '<button type="button" class="md-button workbook-checklist__reset" hidden>{}'
        "</button>\n</div>\n"
    ).format(list_key + "/" + list_name, label, Markup("\n").join(rows), reset_label)


def _front_matter(title: str) -> Markup:
    """YAML front matter giving the page its title, HTML-escaped (MkDocs prints titles unescaped)."""
    return Markup("---\n" + yaml.safe_dump({"title": str(escape(title))}, allow_unicode=True, width=10_000) + "---\n")


def _href(from_page: str, target: str) -> Markup:
    """A relative URL from the built page of docs file `from_page` to `target` (relative to the client folder)."""
    page_folder = posixpath.dirname(posixpath.join("site", from_page))
    return Markup(escape(quote(posixpath.relpath(target, page_folder))))


def _write_pages(
    workbook: ClientPlan, docs: _Docs, sheets: dict[str, str], workbook_pdf: str | None, calendar: str | None
) -> Nav:
    """Render every page; return MkDocs' `nav`: {title: docs path} for pages, {section title: [pages]} for groups.

    The order is the way a reader works through the workbook: home, the guide, their roles, their
    contacts, the tracker, and the banks to look things up in.
    """
    env = _page_templates()
    contacts = {plan.id: plan for plan in workbook.contacts}
    words = workbook.words
    titles = words.pages
    common = {
        "workbook": workbook,
        "contacts": contacts,
        "words": words,
        "stage_titles": words.stages,
        "offer_triggers": words.offer_triggers,
        "timezone": workbook.settings.timezone,
        # A long list's tracker and "This week" show this many rows of a group (the list pages hold everyone).
        "row_limit": TRACKER_ROWS if len(workbook.contacts) > LIST_ROWS else None,  # None: every row
    }

    def write(path: str, template: str, title: str, **context: object) -> NavPage:
        text = env.get_template(template).render(
            front_matter=_front_matter(title), href=lambda target: _href(path, target), **common, **context
        )
        return _nav_page(title, docs.put(path, text))

    guide = []
    for page in workbook.guide:
        path = f"guide/{_valid_id(page.slug)}.md"
        guide.append(_nav_page(page.title, docs.put(path, page.markdown)))  # the project's own words (trusted)
    return [
        # "Home": the browser's title adds the site's name ("Maya Lopez's workbook"); the H1 is the seeker's.
        write("index.md", "home.md", titles["home"], workbook_pdf=workbook_pdf, calendar=calendar),
        {titles["guide"]: guide},
        {
            titles["roles"]: _section_nav(
                write("roles/index.md", "roles.md", titles["roles"]),
                [
                    write(f"roles/{_page(plan.role.id)}.md", "role.md", plan.role.title, plan=plan)
                    for plan in workbook.roles
                ],
            )
        },
        {
            titles["contacts"]: _section_nav(
                _write_contact_lists(workbook, write, titles["contacts"]),
                [
                    write(
                        f"contacts/{_page(plan.id)}.md",
                        "contact.md",
                        plan.contact.name,
                        plan=plan,
                        sheet=sheets.get(plan.id),
                        checklist=partial(
                            _checklist,
                            f"{_valid_id(workbook.client_id)}/{_valid_id(plan.id)}",
                            words.site["clear_ticks"],
                        ),
                    )
                    for plan in workbook.contacts
                ],
            )
        },
        write(
            "tracker.md",
            "tracker.md",
            titles["tracker"],
            chart=_tracker_chart(workbook),
        ),
        {
            titles["banks"]: [
                write("banks/questions.md", "questions.md", titles["question_bank"]),
                write("banks/offers.md", "offers.md", titles["offer_bank"]),
            ]
        },
    ]


# A page lists at most this many contacts in one table: past it, the contacts index links to alphabetical
# list pages (contacts/all/1.md, …) of this many each, and the tracker shows this many per status with a
# link to them, and "This week" (home page and tracker) shows this many steps with a count of the rest (every
# contact's page and the calendar file have them all), so no page grows with the list.
LIST_ROWS = 200
TRACKER_ROWS = 40


def contact_lists(workbook: ClientPlan) -> list[tuple[ContactPlan, ...]]:
    """The contacts in alphabetical order (by name, then id), cut into LIST_ROWS per list page; none when
    the index can list everyone itself."""
    if len(workbook.contacts) <= LIST_ROWS:
        return []
    ordered = sorted(workbook.contacts, key=lambda plan: (plan.contact.name.casefold(), plan.id))
    return [tuple(ordered[start : start + LIST_ROWS]) for start in range(0, len(ordered), LIST_ROWS)]


def _write_contact_lists(workbook: ClientPlan, write: Callable[..., NavPage], title: str) -> NavPage:
    """Write the contacts index (and, for a long list, its alphabetical list pages); return the index's path.

    The list pages live in contacts/all/, a folder no contact page can take (a contact's page is a file).
    """
    lists = contact_lists(workbook)
    ranges = []
    for number, plans in enumerate(lists, start=1):
        label = fill(workbook.words.text["contacts"]["range"], first=plans[0].contact.name, last=plans[-1].contact.name)
        (path,) = write(
            f"contacts/all/{number}.md", "contacts.md", label, heading=label, plans=plans, up="../"
        ).values()
        ranges.append((path, label, plans))
    return write(
        "contacts/index.md",
        "contacts.md",
        title,
        heading=title,
        plans=() if lists else workbook.contacts,
        up="",
        ranges=ranges,
    )


# Every page of the site carries the whole navigation, so a section listing each of its pages makes the site
# grow with the square of them (2,000 contacts: 2,000 links on each of 2,000 pages). Past this many pages a
# section's navigation is its index page only, which lists them all (a table, with the site's search).
NAV_SECTION_PAGES = 30


def _nav_page(title: str, path: str) -> NavPage:
    """A page in the navigation, titled as its front matter titles it (HTML-escaped: see mkdocs_hooks.py)."""
    return {str(escape(title)): path}


def _section_nav(index: NavPage, pages: list[NavPage]) -> list[NavPage]:
    """A section's navigation: its index page, then each page, unless there are more than NAV_SECTION_PAGES."""
    return [index] if len(pages) > NAV_SECTION_PAGES else [index, *pages]


def _tracker_chart(workbook: ClientPlan) -> Markup:
    """The tracker's bar chart: one row per status, its label and figure as page text, its bar as inline SVG.

    Text stays at the body's size at any width (a scaled SVG would shrink its labels on a phone), the
    bars stretch to the content width, and the caption states every figure in words.
    """
    counts = workbook.tracker.by_status
    most = max((status.count for status in counts), default=0) or 1
    total = sum(status.count for status in counts)
    site_words = workbook.words.site
    noun = site_words["contact"] if total == 1 else site_words["contacts"]
    summary = ", ".join(f"{status.count} {status.label.lower()}" for status in counts)
    caption = fill(site_words["chart_caption"], total=total, noun=noun, summary=summary)
    parts = [Markup('<figure class="workbook-chart">'), Markup("<figcaption>{}</figcaption>").format(caption)]
    for status in counts:
        width = round(100 * status.count / most, 1)
        parts.append(
            Markup(
                '<span class="workbook-chart__label" aria-hidden="true">{label}</span>'
                '<svg class="workbook-chart__bar workbook-chart__bar--{id}" width="100%" height="18" viewBox="0 0 100 10"'
                ' preserveAspectRatio="none" aria-hidden="true" focusable="false">'
                '<rect class="workbook-chart__track" width="100" height="10"></rect>'
                '<rect width="{width}" height="10"></rect></svg>'
                '<span class="workbook-chart__count" aria-hidden="true">{count}</span>'
            ).format(label=status.label, id=_valid_id(status.status), width=width, count=status.count)
        )
    parts.append(Markup("</figure>"))
    return Markup("").join(parts)


# --- assets: stylesheet, coach's logo and colour -------------------------------------------------


def _write_assets(workbook: ClientPlan, docs: _Docs) -> None:
    for source in sorted(SITE_ASSETS.rglob("*")):
        if source.is_file():
            docs.put(f"{ASSETS_FOLDER}/{source.relative_to(SITE_ASSETS).as_posix()}", source.read_bytes())
    coach_colour = workbook.coach.color if workbook.coach else None
    docs.put(f"{ASSETS_FOLDER}/coach.css", _coach_stylesheet(coach_colour, bool(workbook.coach_logo)))
    if workbook.coach_logo:
        docs.put(f"{ASSETS_FOLDER}/{_logo_name(workbook.coach_logo)}", workbook.coach_logo.read_bytes())


def _logo_name(logo: Path) -> str:
    suffix = logo.suffix.lower()
    if suffix not in LOGO_SUFFIXES:
        raise InternalError(f"the loader should have refused this logo: {logo.name!r}")
    return "coach-logo" + suffix


class SchemeColours(TypedDict):
    """The link and accent colours for one page background, with the text colour that reads on each."""

    link: str
    on_link: str
    accent: str
    on_accent: str


class SiteColours(TypedDict):
    """What `site_colours` returns: hex codes, a scheme per page background, the logo's backdrop and ring."""

    primary: str
    primary_light: str
    primary_dark: str
    on_primary: str
    on_primary_light: str
    light: SchemeColours
    dark: SchemeColours
    logo_backdrop: str | None
    logo_ring: str | None


# The theme's own backgrounds, light (default) and dark (slate, with mkdocs-material's default hue).
PAGE_LIGHT = colour.WHITE
PAGE_DARK = (30, 33, 41)


def site_colours(coach_colour: str | None, *, with_logo: bool = False) -> SiteColours:
    """Every colour the site derives from the coach's, chosen by computed contrast (WCAG 2).

    The header keeps the coach's colour with black or white text on it. Links, buttons, chips and chart
    bars use the nearest shade of it that reads at 4.5:1 on the page, light and dark; a logo gets a
    white backdrop, ringed where white alone would not stand 3:1 off the header.
    """
    try:
        primary = colour.parse(coach_colour or colour.DEFAULT_ACCENT)
    except ValueError:
        raise InternalError(f"the loader should have refused this colour: {coach_colour!r}") from None
    on_primary = colour.text_on(primary)

    def scheme(page: colour.RGB) -> SchemeColours:
        link = colour.readable(primary, page, colour.TEXT)
        # Hover and focus: a step further from the page than the link, still readable.
        towards = colour.BLACK if page == PAGE_LIGHT else colour.WHITE
        accent = colour.readable(colour.mix(link, towards, 0.25), page, colour.TEXT)
        return {
            "link": colour.to_hex(link),
            "on_link": colour.to_hex(colour.text_on(link)),
            "accent": colour.to_hex(accent),
            "on_accent": colour.to_hex(colour.text_on(accent)),
        }

    # Logos are drawn for white paper, so a logo sits on white; where white is too close to the header
    # colour to stand out (under 3:1), a ring in the header's text colour marks its edge instead.
    ring = None
    if with_logo and colour.contrast(primary, colour.WHITE) < colour.LARGE_OR_UI:
        ring = colour.to_hex(on_primary)
    return {
        "primary": colour.to_hex(primary),
        "primary_light": colour.to_hex(colour.mix(primary, colour.WHITE, 0.25)),
        "primary_dark": colour.to_hex(colour.mix(primary, colour.BLACK, 0.2)),
        "on_primary": colour.to_hex(on_primary),
        "on_primary_light": "#ffffffb3" if on_primary == colour.WHITE else "#000000b3",
        "light": scheme(PAGE_LIGHT),
        "dark": scheme(PAGE_DARK),
        "logo_backdrop": colour.to_hex(colour.WHITE) if with_logo else None,
        "logo_ring": ring,
    }


def _coach_stylesheet(coach_colour: str | None, with_logo: bool) -> str:
    """The site's colours as mkdocs-material's custom properties (the "custom" palette)."""
    template = _stylesheet_templates().get_template("coach.css")
    return template.render(colours=site_colours(coach_colour, with_logo=with_logo))


# --- the client's mkdocs.yml --------------------------------------------------------------------


def _generate_config(workbook: ClientPlan, client_dir: Path, nav: Nav) -> str:
    """The client's mkdocs.yml: INHERIT the root file, add what belongs to this client only.

    Paths are relative to the client folder's *final* place; the staging folder a build renders into is
    its sibling, so the same relative paths hold there. MkDocs resolves theme.custom_dir and hooks
    relative to this file, which is why they are written here and not in the root file.
    """
    here = os.path.abspath(client_dir)

    def relative(path: Path) -> str:
        return Path(os.path.relpath(path, here)).as_posix()

    theme: dict[str, Any] = {
        "custom_dir": relative(THEME_OVERRIDES),
        "language": _theme_language(workbook.settings.language),
    }
    if workbook.coach_logo:
        theme["logo"] = theme["favicon"] = f"{ASSETS_FOLDER}/{_logo_name(workbook.coach_logo)}"
    config: dict[str, Any] = {
        "INHERIT": relative(BASE_MKDOCS),
        # HTML-escaped: MkDocs and the theme print site_name into pages as HTML (see generator/mkdocs_hooks.py).
        "site_name": str(escape(fill(workbook.words.site["site_name"], name=workbook.seeker.name))),
        "hooks": [relative(HOOKS)],
        "theme": theme,
        # Section titles are ours (printed unescaped too); page titles come from each page's front matter.
        "nav": nav,
    }
    # Pages left out of a long section's navigation (NAV_SECTION_PAGES) are meant to be: say so to MkDocs.
    omitted = [
        f"/{folder}/*.md"
        for folder, count in (("roles", len(workbook.roles)), ("contacts", len(workbook.contacts)))
        if count > NAV_SECTION_PAGES
    ]
    if omitted:
        config["not_in_nav"] = "\n".join(omitted)
    footer = _footer(workbook)
    if footer:
        config["copyright"] = str(footer)
    header = "# Generated by workbook for this client; rebuilt on every `workbook build`.\n"
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=10_000)


def _theme_language(language: str) -> str:
    """The workbook's language as mkdocs-material knows it: the exact code, else its base language, else English."""
    for candidate in (language, language.split("-")[0]):
        if (MATERIAL_LANGUAGES / f"{candidate}.html").is_file():
            return candidate
    return "en"


def _footer(workbook: ClientPlan) -> Markup | None:
    """The footer line naming the coach, as HTML (mkdocs-material prints `copyright` as is)."""
    coach = workbook.coach
    if not coach:
        return None
    prepared_by = workbook.words.site["prepared_by"]
    if coach.website and is_safe_link(coach.website):
        parts = [
            Markup('{} <a href="{}" rel="noopener noreferrer">{}</a>').format(prepared_by, coach.website, coach.name)
        ]
    else:
        parts = [Markup("{} {}").format(prepared_by, coach.name)]
    if coach.email:
        parts.append(Markup('<a href="mailto:{}">{}</a>').format(quote(coach.email, safe="@"), coach.email))
    return Markup(" · ").join(parts)


# --- the build ----------------------------------------------------------------------------------


def _run_mkdocs(config_file: Path, *, dirty: bool = False) -> None:
    """One strict MkDocs build through its Python API; a warning or error becomes a UserError.

    `dirty`: MkDocs' dirty build, which builds only the pages newer than their built copy (render_site has
    made sure which those are). MkDocs warns that such a build may show a stale navigation; ours cannot
    (every title is in the configuration, which is unchanged), so that one warning is not counted.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with _mkdocs_messages() as messages, _dirty_warning_dropped():
        try:
            config = load_config(str(config_file))
            config.plugins.on_startup(command="build", dirty=dirty)
            try:
                build(config, dirty=dirty)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as error:
            details = "\n".join(f"  {message}" for message in messages) or f"  {error}"
            raise UserError(f"the site could not be built (MkDocs, strict mode):\n{details}") from None


@contextmanager
def _dirty_warning_dropped() -> Iterator[None]:
    logger = logging.getLogger("mkdocs.commands.build")

    def keep(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


@contextmanager
def _mkdocs_messages() -> Iterator[list[str]]:
    """MkDocs' warnings and errors during a build, collected for the error message and kept off the console."""
    logger = logging.getLogger("mkdocs")
    collector = _Collect()
    propagate = logger.propagate
    logger.addHandler(collector)
    logger.propagate = False
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


# --- checks on what the caller passed -------------------------------------------------------------


def _check_ids(workbook: ClientPlan) -> None:
    for role in workbook.roles:
        _valid_id(role.role.id)
    for plan in workbook.contacts:
        _valid_id(plan.id)


def _link_or_copy(source: Path, target: Path) -> None:
    """`target` becomes the same file as `source`: a hard link where the file system allows, else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _output_path(path: str) -> str:
    """A path to one of our own outputs, relative to the client folder: plain segments, never leaving it."""
    if (
        not isinstance(path, str)
        or not _OUTPUT_PATH.match(path)
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise InternalError(f"not a path inside the client folder: {path!r}")
    return path
