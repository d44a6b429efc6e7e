"""The PDF renderer: a ClientPlan → the workbook PDF and one printable question sheet per contact.

Renderers choose nothing: everything shown here was decided by the tailor
stage. This module only lays it out, with our own print templates
(site_templates/print/: Jinja2 HTML + paged-media CSS) and WeasyPrint.

Private by construction: every resource WeasyPrint asks for goes through
`generator.fetcher.AssetFetcher`, which serves the project's print assets,
the coach's logo and data we generated, and refuses everything else. Every
user string reaches the HTML through Jinja2 with autoescaping on; notes go
through `notes_to_html`, which turns raw HTML into text and images into
their alt text.

Fast: a `PdfRenderer` holds one FontConfiguration, the Jinja2 environment and
the compiled stylesheets (one per document kind, paper size, coach colour and
sheet density, compiled on first use), and reuses them for every document.
The markup is parsed with the C XML parser (`parse_html`), WeasyPrint gets a
default stylesheet without rules that match every element (`_ParsedHTML`), and
the print templates are written for WeasyPrint's costs: few boxes and text
fragments, no float in a large formatting context, rules drawn as borders and
one-colour layers (`_ruled_css`). What a sheet still costs is mostly WeasyPrint
laying out and drawing its lines of text (about 1 ms a line on a 2-core
machine), its form fields and its embedded fonts; see benchmarks/bench_pdf.py.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import logging
import math
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cssselect2  # type: ignore[import-untyped]  # cssselect2 ships no type hints
import markdown  # type: ignore[import-untyped]  # Markdown ships no type hints (types-Markdown is not a dependency)
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from generator import colour
from generator.merge import CHAPTER_LINK
from generator.notes import is_safe_link, notes_to_html
from generator.paths import TEMPLATES, cached_file, template_cache
from generator.words import fill
from generator.workbook import ClientPlan, ContactPlan, GuidePage

if TYPE_CHECKING:  # WeasyPrint is imported where a document is made (`PdfRenderer.warm`): see PdfRenderer
    from weasyprint import CSS, HTML, Document  # type: ignore[import-untyped]  # WeasyPrint ships no type hints
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]  # as above

    from generator.fetcher import AssetFetcher

LOGGER = logging.getLogger("workbook.pdf")

PRINT_TEMPLATES = TEMPLATES / "print"
PAPER_SIZES = {"letter": "letter", "a4": "A4"}

# A sheet for a meeting up to this long must fit one page; longer ones may continue onto a second.
ONE_PAGE_MINUTES = 90
# The fewest offers a sheet's checklist shows when the page is tight (the workbook and site show them all).
MIN_SHEET_OFFERS = 3

# WeasyPrint options shared by every document. Forms: tick boxes and answer spaces are real PDF
# form fields, so a sheet (and the workbook's checklists) can be filled in on a tablet too.
PDF_OPTIONS = {"pdf_forms": True}

# The guide is the project's own Markdown (trusted), written for mkdocs-material; these are the
# extensions it uses. Headings move down one level: a guide page's "# Title" is a chapter here.
GUIDE_EXTENSIONS = [
    "admonition",
    "tables",
    "attr_list",
    "def_list",
    "sane_lists",
    "toc",
    "pymdownx.tasklist",
    "pymdownx.superfences",
]


# A workbook is a document a person prints. Up to this many contacts, each has its chapter (facts, question
# plan with reasons, offers, drafts, notes); past it, the chapters go to the most pressing active contacts
# (see `contacts_in_full`) and everyone else is a row of one table, pointing to their sheet and the site.
# 24 chapters are about 70 pages; a 2,000-contact workbook in full would be some 6,000.
WORKBOOK_FULL_CONTACTS = 24
# The statuses of a conversation under way: asked, scheduled, met and not yet closed.
ACTIVE_STATUSES = ("scheduled", "met", "following-up", "requested", "thanked")


def contacts_in_full(workbook: ClientPlan) -> tuple[tuple[ContactPlan, ...], tuple[ContactPlan, ...]]:
    """(the contacts the workbook PDF gives a chapter, the rest it lists in a table), each in profile order.

    Everyone in full up to WORKBOOK_FULL_CONTACTS. Past it, the most pressing active contacts: a meeting
    coming up (soonest first), then a thank-you overdue, then by status in ACTIVE_STATUSES' order.
    """
    contacts = workbook.contacts
    if len(contacts) <= WORKBOOK_FULL_CONTACTS:
        return contacts, ()
    upcoming = {cid: rank for rank, cid in enumerate(workbook.tracker.upcoming)}
    overdue = set(workbook.tracker.overdue_follow_ups)
    ranked = sorted(
        (
            (
                0 if plan.id in upcoming else 1 if plan.id in overdue else 2,
                upcoming.get(plan.id, 0),
                ACTIVE_STATUSES.index(plan.contact.status) if plan.contact.status in ACTIVE_STATUSES else 0,
                index,
            )
            for index, plan in enumerate(contacts)
            if plan.contact.status in ACTIVE_STATUSES or plan.id in upcoming
        )
    )
    chosen = {index for *_, index in ranked[:WORKBOOK_FULL_CONTACTS]}
    return (
        tuple(plan for index, plan in enumerate(contacts) if index in chosen),
        tuple(plan for index, plan in enumerate(contacts) if index not in chosen),
    )


def expected_sheet_pages(workbook: ClientPlan) -> dict[str, int]:
    """How many pages each in-full contact's question sheet is expected to take, before any is rendered.

    One up to ONE_PAGE_MINUTES (what render_sheet makes unless even the tightest spacing cannot hold the
    plan); a longer meeting's as estimated for the density render_sheet starts at. The build checks the
    real count when it merges the sheets into the workbook, and lays the workbook out again if one differs.
    """
    return {
        plan.id: 1 if plan.minutes <= ONE_PAGE_MINUTES else _sheet_start(plan, workbook.settings.paper)[1]
        for plan in contacts_in_full(workbook)[0]
    }


def expected_chapter_pages(workbook: ClientPlan, known: Mapping[str, int] | None = None) -> dict[str, int]:
    """How many pages each in-full contact's chapter is expected to take, before any is laid out.

    `known`: the counts of the last build (its manifest), right unless an edit moved a page break; else a guess
    from the length of its text (CHAPTER_CHARS_PER_PAGE). The build checks the real count when it merges the
    chapters into the workbook, and lays the workbook out again if one differs.
    """
    known = known or {}
    in_full = contacts_in_full(workbook)[0]
    return {
        plan.id: known[plan.id]
        if isinstance(known.get(plan.id), int) and known[plan.id] > 0
        else _chapter_pages_guess(plan, first=index == 0)
        for index, plan in enumerate(in_full)
    }


# Characters of chapter text (facts, reasons, offers, drafts, notes) a workbook page holds, about; measured on the
# example and the synthetic profiles of benchmarks/synthetic.py. The part's title takes a fifth of the first page.
CHAPTER_CHARS_PER_PAGE = 3200
CHAPTER_PAGE_LEFT = 0.8


def _chapter_pages_guess(plan: ContactPlan, first: bool) -> int:
    contact = plan.contact
    texts = [
        *(question.reason for question in plan.question_plan.questions),
        *(offer.text + offer.reason for offer in plan.offers),
        *(draft.body for draft in plan.drafts),
        *(item.text + item.reason for item in plan.due),
        contact.notes or "",
        contact.how_we_met or "",
        " ".join(contact.interests) + " ".join(contact.hobbies) + " ".join(contact.needs),
    ]
    # Every paragraph ends its last line short: count it as a line more.
    chars = sum(len(text) + 90 for text in texts) + 900  # the title, the facts' labels, the headings
    return max(1, math.ceil(chars / CHAPTER_CHARS_PER_PAGE + (1 - CHAPTER_PAGE_LEFT if first else 0)))


@dataclass(frozen=True)
class SheetDensity:
    """How tightly a question sheet is set. Level 0 is the roomiest; each next level is tighter.

    The template passes these to the CSS (custom properties on <html>), and `_sheet_height`
    uses the same numbers to guess, before rendering, which level fits one page.
    """

    level: int
    font_pt: float  # questions and checklists; never below 9 pt
    line_height: float
    condensed: bool  # DejaVu Sans Condensed: about 10% more words per line
    gap_mm: float  # between one question's answer space and the next question
    stage_gap_mm: float  # space before each conversation stage (instead of gap_mm, not added to it)
    rule_mm: float  # between the ruled lines of an answer space
    lines_per_minute: float
    min_lines: int
    max_lines: int
    compact: bool  # stage names as labels instead of headings, smaller header, narrower margins

    def answer_lines(self, minutes: int) -> int:
        return max(self.min_lines, min(self.max_lines, round(minutes * self.lines_per_minute)))


# From "room to write" to "everything on one page". Every level keeps at least two ruled lines per
# answer: a sheet to write on, never one line per question.
SHEET_DENSITIES = (
    SheetDensity(0, 10.5, 1.3, False, 2.6, 4.0, 7.5, 1.0, 3, 6, False),
    SheetDensity(1, 10.0, 1.3, False, 2.2, 3.4, 7.0, 0.75, 2, 5, False),
    SheetDensity(2, 9.5, 1.3, False, 1.8, 3.0, 6.5, 0.5, 2, 4, False),
    SheetDensity(3, 9.0, 1.25, True, 1.4, 2.2, 5.8, 0.4, 2, 3, True),
    SheetDensity(4, 9.0, 1.15, True, 0.8, 1.4, 5.2, 0.0, 2, 2, True),
    SheetDensity(5, 9.0, 1.1, True, 0.4, 0.8, 5.0, 0.0, 2, 2, True),
)


class PdfRenderer:
    """Renders workbooks and question sheets. Create one per process and reuse it.

    Holds the FontConfiguration, the Jinja2 environment and the compiled CSS (per document
    kind, paper size, coach colour and sheet density, compiled on first use and cached).

    Making one is cheap: WeasyPrint (0.3 s to import, generator/weasy.py) and the fonts are loaded when the first document
    is made, or by `warm`. Until then the renderer makes markup only (what the build's fingerprints
    read), so a build can start its site before it pays for WeasyPrint.
    """

    def __init__(self, templates: Path = PRINT_TEMPLATES) -> None:
        self.templates = templates
        self.env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=True,  # every template, whatever its name: user strings are always escaped
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=without_emoji,  # every printed value: an emoji no font here can draw is dropped, not boxed
            bytecode_cache=template_cache(),
        )
        self.env.filters["notes"] = _notes_xhtml
        self.env.filters["notes_inline"] = _notes_inline
        self.env.filters["guide"] = _guide_html
        self.env.filters["long_date"] = _long_date
        self.env.filters["fill"] = fill  # the words of content/labels.yaml with their values (then escaped)
        # A web address the user gave becomes a link only where a note's link would (no loopback, no file:).
        self.env.tests["safe_link"] = is_safe_link
        self._stylesheets: dict[tuple[str, str, str, SheetDensity | None], CSS] = {}

    @cached_property
    def font_config(self) -> FontConfiguration:
        from generator.weasy import FontConfiguration

        return FontConfiguration()

    @cached_property
    def fetcher(self) -> AssetFetcher:
        from generator.fetcher import PROJECT_ASSETS, AssetFetcher

        return AssetFetcher(folders=(self.templates, *PROJECT_ASSETS), generated=_generated_assets())

    def warm(self) -> PdfRenderer:
        """Load WeasyPrint, the fonts and the form font now (a process about to fork workers shares them)."""
        self.font_config  # noqa: B018  # the cached property's first read makes it
        self.fetcher  # noqa: B018
        _user_agent_stylesheets()
        return self

    # --- public ---------------------------------------------------------------------------------

    def render_workbook(self, workbook: ClientPlan, path: Path, sheets: Mapping[str, Path] | None = None) -> None:
        """Write the whole workbook (cover, contents, guide, roles, contacts, tracker) to `path`, carrying the
        question sheets of the contacts it gives a chapter (`sheets`: contact id -> sheet PDF, already written;
        None: they are rendered into a temporary folder first).

        The one-process way (see `render_all`); a build lays out the workbook (`render_workbook_layout`) in a
        worker while others render the sheets, and merges them in (generator/merge.py) when all are written.
        """
        import tempfile

        from generator.merge import merge_sheets, page_count

        with tempfile.TemporaryDirectory(prefix="workbook-sheets-") as folder:
            if sheets is None:
                sheets = {plan.id: Path(folder) / f"{index}.pdf" for index, plan in enumerate(workbook.contacts)}
                for plan in contacts_in_full(workbook)[0]:
                    self.render_sheet(workbook, plan, sheets[plan.id])
            in_full = {plan.id: sheets[plan.id] for plan in contacts_in_full(workbook)[0]}
            pages = {contact_id: page_count(sheet) for contact_id, sheet in in_full.items()}
            chapters = {contact_id: Path(folder) / f"chapter-{index}.pdf" for index, contact_id in enumerate(in_full)}
            chapter_pages = {
                contact_id: self.render_chapter(
                    workbook, workbook.contact(contact_id), chapters[contact_id], pages[contact_id]
                )
                for contact_id in in_full
            }
            document = self._document(
                self.workbook_html(workbook, pages, chapter_pages), self.stylesheet("workbook", workbook), workbook
            )
            merge_sheets(document.write_pdf(**PDF_OPTIONS), in_full, path, chapters)

    def render_workbook_layout(
        self,
        workbook: ClientPlan,
        path: Path,
        sheet_pages: Mapping[str, int] | None = None,
        chapter_pages: Mapping[str, int] | None = None,
    ) -> None:
        """Write the workbook with an empty placeholder page where each page of a contact's chapter and question
        sheet goes (`chapter_pages`, `sheet_pages`: how many each has; default `expected_chapter_pages`,
        `expected_sheet_pages`). generator/merge.py lays the chapters' and sheets' own pages over them."""
        document = self._document(
            self.workbook_html(workbook, sheet_pages, chapter_pages), self.stylesheet("workbook", workbook), workbook
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        document.write_pdf(path, **PDF_OPTIONS)

    def render_chapter(
        self, workbook: ClientPlan, contact_plan: ContactPlan, path: Path, sheet_pages: int | None = None
    ) -> int:
        """Write an in-full contact's workbook chapter, laid out on its own, to `path`; return its number of pages.

        The workbook's page size and margins without running header or footer: its pages are laid over the
        workbook's placeholders for it (generator/merge.py), which carry those. `sheet_pages`: its question
        sheet's (the chapter says how many follow); default `expected_sheet_pages`.
        """
        document = self._document(
            self.chapter_html(workbook, contact_plan, sheet_pages),
            self.stylesheet("workbook-chapter", workbook),
            workbook,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        document.write_pdf(path, **PDF_OPTIONS)
        return len(document.pages)

    def render_sheet(self, workbook: ClientPlan, contact_plan: ContactPlan, path: Path) -> int:
        """Write the printable question sheet for one contact to `path`; return its number of pages.

        A meeting up to ONE_PAGE_MINUTES long gets one page, a longer one up to two. The sheet is
        set at the roomiest density estimated to fit, then tightened while it does not really fit
        (too many pages, or the sidebar running off the page). Where the offer checklist is what
        does not fit, its last ideas (the general favours; the most personal come first) are left
        to the workbook, never fewer than MIN_SHEET_OFFERS. When even the tightest level cannot hold
        the sidebar beside the questions, the sidebar goes below them.
        """
        pages_allowed = 1 if contact_plan.minutes <= ONE_PAGE_MINUTES else 2
        start, _ = _sheet_start(contact_plan, workbook.settings.paper)
        total = len(contact_plan.offers)
        least = min(MIN_SHEET_OFFERS, total)

        def offers_that_fit(density: SheetDensity) -> int:
            return _offers_that_fit(contact_plan, density, workbook.settings.paper)

        attempts = []
        for density in SHEET_DENSITIES[start:]:
            # Every offer first (the estimate errs on the safe side), then as many as the estimate says fit, and fewer.
            shown = offers_that_fit(density)
            counts = dict.fromkeys([total, *range(shown, max(least, shown - 2) - 1, -1)])
            attempts += [(density, False, count) for count in counts]
        attempts += [(density, True, total) for density in SHEET_DENSITIES if density.compact]
        for density, stacked, shown in attempts:
            html = self.sheet_html(workbook, contact_plan, density, stacked=stacked, offers=shown)
            document = self._document(html, self.stylesheet("question-sheet", workbook, density), workbook)
            if len(document.pages) <= pages_allowed and (stacked or _sidebar_on_page(document, density)):
                break
        else:
            LOGGER.warning(
                "the question sheet for %s takes %d pages even at the tightest spacing",
                contact_plan.id,
                len(document.pages),
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        document.write_pdf(path, **PDF_OPTIONS)
        return len(document.pages)

    def render_all(self, workbook: ClientPlan, client_dir: Path) -> dict[str, Path]:
        """Write the workbook PDF and every sheet at the paths `generator.build.output_paths` names.

        Returns the paths written: {"workbook": …, "<contact-id>": …, …}. The build itself renders the
        same files through `render_workbook`/`render_sheet` (in worker processes with -j); this is the
        one-process way, for tests and callers outside a build.
        """
        from generator.build import output_paths

        paths = output_paths(workbook)
        written = {}
        for contact_plan in workbook.contacts:  # first: the workbook carries the sheets' pages
            written[contact_plan.id] = client_dir / paths.sheets[contact_plan.id]
            self.render_sheet(workbook, contact_plan, written[contact_plan.id])
        written["workbook"] = client_dir / paths.workbook_pdf
        self.render_workbook(workbook, written["workbook"], written)
        return written

    # --- HTML and CSS (public for the benchmark and for tests that look at the markup) ----------

    def workbook_html(
        self,
        workbook: ClientPlan,
        sheet_pages: Mapping[str, int] | None = None,
        chapter_pages: Mapping[str, int] | None = None,
    ) -> str:
        """The workbook's markup, with `sheet_pages` placeholder pages per in-full contact (default: as expected)."""
        return self.env.get_template("workbook.html").render(
            self._context(workbook),
            sheet_pages=sheet_pages or expected_sheet_pages(workbook),
            chapter_pages=chapter_pages or expected_chapter_pages(workbook),
            link_base="#",
        )

    def chapter_html(self, workbook: ClientPlan, contact_plan: ContactPlan, sheet_pages: int | None = None) -> str:
        """The markup of an in-full contact's chapter (`render_chapter`): the first one carries the part's title."""
        context = self._context(workbook)
        return self.env.get_template("workbook-chapter.html").render(
            context,
            plan=contact_plan,
            first=contact_plan.id == context["contacts_in_full"][0].id,
            sheet_pages=sheet_pages or expected_sheet_pages(workbook)[contact_plan.id],
            link_base=CHAPTER_LINK,
        )

    def sheet_html(
        self,
        workbook: ClientPlan,
        contact_plan: ContactPlan,
        density: SheetDensity | None = None,
        *,
        stacked: bool = False,
        offers: int | None = None,
    ) -> str:
        """The sheet's markup; `offers`: how many of the plan's offers the checklist shows (default: all)."""
        density = density or SHEET_DENSITIES[0]
        shown = contact_plan.offers if offers is None else contact_plan.offers[:offers]
        return self.env.get_template("question-sheet.html").render(
            self._context(workbook),
            plan=contact_plan,
            density=density,
            stacked=stacked,
            offers=shown,
            offers_left=len(contact_plan.offers) - len(shown),
        )

    def stylesheet(self, kind: str, workbook: ClientPlan, density: SheetDensity | None = None) -> CSS:
        """The compiled CSS for a document: "workbook", "workbook-chapter" or "question-sheet" (at a density).

        Compiled once per kind, paper size, coach colour and density, then reused.
        """
        accent = _accent(workbook)
        key = (kind, workbook.settings.paper, accent, density)
        if key not in self._stylesheets:
            from generator.weasy import CSS

            self._stylesheets[key] = CSS(
                string=self.stylesheet_source(kind, workbook, density),
                base_url=self.templates.as_uri() + "/",
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            )
        return self._stylesheets[key]

    def stylesheet_source(self, kind: str, workbook: ClientPlan, density: SheetDensity | None = None) -> str:
        """The CSS text `stylesheet` compiles.

        The CSS files use var(--name) for what varies between documents: the coach's colour and
        the sheet's density. Those are filled in here, because WeasyPrint would otherwise resolve
        custom properties again for every element of every document, which costs more.
        """
        accent = _accent(workbook)
        values = {
            **CSS_CONSTANTS,
            "accent": accent,
            "accent-tint": colour.tint(accent, 0.9),
            "accent-soft": colour.tint(accent, 0.75),
            **(_density_values(density) if density else {}),
        }
        text = form_font_css() if kind == "question-sheet" else ""
        # A chapter is laid out as in the workbook, less the running headers and footers (its own file says so).
        names = (
            ("common.css", "workbook.css", f"{kind}.css")
            if kind == "workbook-chapter"
            else ("common.css", f"{kind}.css")
        )
        text += "\n".join((self.templates / name).read_text(encoding="utf-8") for name in names)
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)  # comments may mention var(--name) too
        text = re.sub(r"var\(--([a-z-]+)\)", lambda match: values[match.group(1)], text)
        if kind == "question-sheet":
            text += _ruled_css(density or SHEET_DENSITIES[0], values["rule"])
        # The paper size goes last, so it wins over any @page rule above.
        return text + f"\n@page {{ size: {PAPER_SIZES[workbook.settings.paper]}; }}\n"

    # --- private --------------------------------------------------------------------------------

    def _context(self, workbook: ClientPlan) -> dict[str, Any]:
        in_full, in_table = contacts_in_full(workbook)
        return {
            "contacts_in_full": in_full,
            "contacts_in_table": in_table,
            "in_table_ids": frozenset(plan.id for plan in in_table),
            "in_full_limit": WORKBOOK_FULL_CONTACTS,
            "workbook": workbook,
            "seeker": workbook.seeker,
            "coach": workbook.coach,
            "settings": workbook.settings,
            "words": workbook.words,  # every label in the workbook's language (content/labels.yaml)
            "logo_url": workbook.coach_logo.as_uri() if workbook.coach_logo else None,
        }

    def _document(self, html: str, stylesheet: CSS, workbook: ClientPlan) -> Document:
        # The coach's logo is the one file outside the project a render may read.
        fetcher = self.fetcher.with_files([workbook.coach_logo]) if workbook.coach_logo else self.fetcher
        return parse_html(html, self.templates.as_uri() + "/", fetcher).render(
            stylesheets=[stylesheet], font_config=self.font_config, **PDF_OPTIONS
        )


def parse_html(html: str, base_url: str, url_fetcher: AssetFetcher) -> HTML:
    """`HTML(string=html, …)`, parsed about fifty times faster when the markup is well-formed XML.

    WeasyPrint parses with tinyhtml5, a pure-Python HTML5 parser: 10-15 ms for a question sheet
    (a tenth of its time), 0.2 s for the workbook. Our print templates write XHTML-style markup
    (void elements closed, numeric character references, explicit <tbody>), so the C XML parser
    builds the same tree (tests/test_pdf.py checks). Whatever it refuses (a control character in
    a user's text, markup from elsewhere) goes to tinyhtml5 as before. The XML parser fetches
    nothing (no external entities, no DTD); user text reaches the markup escaped, so it cannot
    declare an entity either.
    """
    try:
        root = ElementTree.fromstring(html)
    except ElementTree.ParseError:
        root = None
    if root is None or root.tag != "html" or any(element.tag in ("base", "template") for element in root.iter()):
        from generator.weasy import HTML

        return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
    parsed: HTML = _parsed_html()(root, base_url, url_fetcher)
    return parsed


@lru_cache(maxsize=1)
def _parsed_html() -> type:
    """`_ParsedHTML`, defined on first use: it is a subclass of WeasyPrint's HTML, which is imported then."""
    from generator.weasy import HTML

    class _ParsedHTML(HTML):  # type: ignore[misc]  # WeasyPrint's HTML is untyped (Any)
        """A WeasyPrint HTML document made from a tree we parsed.

        It sets what `HTML.__init__` sets (the same five attributes since WeasyPrint 53) without
        running its parser, and gives WeasyPrint a lighter default stylesheet (`_user_agent_stylesheets`).
        """

        def __init__(
            self, root: ElementTree.Element, base_url: str, url_fetcher: AssetFetcher
        ) -> None:  # no super().__init__: it would parse again
            self.base_url = base_url
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
            sheets = _user_agent_stylesheets()
            if sheets is None:
                default: list[CSS] = super()._ua_stylesheets(forms)
                return default
            return list(sheets) if forms else [sheets[0]]

    return _ParsedHTML


@lru_cache(maxsize=1)
def _user_agent_stylesheets() -> tuple[CSS, CSS] | None:
    """WeasyPrint's default (user-agent) stylesheets, less the universal pseudo-element rules we never use.

    `::footnote-call`, `::note-marker` and their kin match every element, and so does `::marker`:
    WeasyPrint then computes six pseudo-element styles for each element of each document, about
    half of its style time. We have no footnotes or notes, and only list items have markers.
    None (WeasyPrint's own stylesheets are used) if the files are not where WeasyPrint 53-70 keep them.
    """
    from importlib.resources import files

    from generator.weasy import CSS

    try:
        folder = files("weasyprint") / "css"
        user_agent = (folder / "html5_ua.css").read_text(encoding="utf-8")
        forms = (folder / "html5_ua_form.css").read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError):
        return None
    user_agent = re.sub(r"^::(?:footnote|note)-[a-z]+ \{[^}]*\}$", "", user_agent, flags=re.MULTILINE)
    user_agent = re.sub(r"^::marker \{", "li::marker {", user_agent, flags=re.MULTILINE)
    return CSS(string=user_agent), CSS(string=forms)


# Grey tones shared by every document (custom properties in the CSS, filled in by `stylesheet`).
CSS_CONSTANTS = {"ink-soft": "#52606d", "rule": "#b9c2cc"}


def _accent(workbook: ClientPlan) -> str:
    """The coach's colour as print uses it: headings and labels in it, white text on it, its tints behind
    text. A pale colour (a light yellow) is darkened until text in it reads on its own tint (4.5:1), as the
    site does; a dark one is used as given."""
    shade = colour.parse(colour.normalised(workbook.coach.color if workbook.coach else None))
    for _ in range(100):
        if colour.contrast(shade, colour.parse(colour.tint(colour.to_hex(shade), 0.9))) >= colour.TEXT:
            break
        shade = colour.mix(shade, colour.BLACK, 0.05)
    return colour.to_hex(shade)


def _density_values(density: SheetDensity) -> dict[str, str]:
    return {
        "text-size": f"{density.font_pt}pt",
        "text-line": f"{density.line_height}",
        "text-stretch": "condensed" if density.condensed else "normal",
        "question-gap": f"{density.gap_mm}mm",
        "stage-gap": f"{density.stage_gap_mm}mm",
        "rule-gap": f"{density.rule_mm}mm",
    }


RULE_MM = 0.6 * 25.4 / 72  # a rule is 0.6 pt thick; each sits at the bottom of its line


def _ruled_css(density: SheetDensity, colour: str) -> str:
    """`.lines-N`: an answer space N rules high, for every N a sheet at this density uses.

    The last rule is the textarea's bottom border (common.css); the others are background layers
    0.6 pt high, each a one-stop `linear-gradient(colour)`, which WeasyPrint paints as a plain
    rectangle. The repeating two-colour gradient this replaces cost a pattern, a shading and (it
    was transparent) a soft mask in every answer space: 10-15 ms a sheet. (Not `linear-gradient(c, c)`:
    WeasyPrint paints that as a shading, which fills the whole box.)
    Used for the sheet's 2 follow-up fields too, hence at least `.lines-2`.
    """
    rules = [
        f".lines-{lines} {{ height: {lines * density.rule_mm:.2f}mm;"
        + (
            f" background-image: {', '.join([f'linear-gradient({colour})'] * (lines - 1))};"
            f" background-position: {', '.join(f'0 {k * density.rule_mm - RULE_MM:.2f}mm' for k in range(1, lines))};"
            if lines > 1
            else ""
        )
        + " }"
        for lines in range(1, max(density.max_lines, 2) + 1)
    ]
    return (
        "\ntextarea.ruled { background-size: 100% 0.6pt; background-repeat: no-repeat;"
        " background-origin: border-box; background-clip: border-box; }\n" + "\n".join(rules) + "\n"
    )


# --- how much a question sheet holds -------------------------------------------------------------
# A guess, before rendering, of how many pages a sheet takes at a density, so that most sheets are
# rendered once. The numbers mirror question-sheet.css; render_sheet checks the real page count.

MM_PER_PT = 25.4 / 72
MM_PER_PX = 25.4 / 96  # WeasyPrint reports positions in CSS pixels
PAPER_MM = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}
PAGE_MARGINS_MM = {False: (12.0, 14.0, 12.0), True: (8.0, 11.0, 10.0)}  # top, bottom, each side; by compactness
HEADER_MM = {False: 36.0, True: 27.5}  # the contact's name, role and meeting box, with the rule under them
QUESTIONS_TITLE_MM = 6.0  # not shown when compact
SIDEBAR_MM = {False: 67.0, True: 57.0}  # the sidebar and the gap before it
SIDEBAR_TEXT_MM = {False: 62.0 - 6.0 - 5.4, True: 53.0 - 5.0 - 5.4}  # a checklist line: less padding and tick box
SIDEBAR_FIXED_MM = 53.0  # the offers box's title and padding, the after-meeting box without its three ruled fields
BEFORE_FIXED_MM = 8.5  # the "Before you go in" box's title, padding, border and margin
BEFORE_LABEL_MM = 24.0
DIGIT_EM = 0.636  # width of a digit in DejaVu Sans; the question number takes three
CHAR_EM = {False: 0.52, True: 0.47}  # an average character of English text in DejaVu Sans, regular and condensed


def _offers_that_fit(contact_plan: ContactPlan, density: SheetDensity, paper: str) -> int:
    """How many of the plan's offers the estimate says the sidebar holds at this density (never fewer than
    MIN_SHEET_OFFERS)."""
    total = len(contact_plan.offers)
    least = min(MIN_SHEET_OFFERS, total)
    return next(
        (shown for shown in range(total, least - 1, -1) if _sheet_fit(contact_plan, density, paper, shown)[1]),
        least,
    )


def _sheet_start(contact_plan: ContactPlan, paper: str) -> tuple[int, int]:
    """(the density level render_sheet tries first, the pages estimated there): the roomiest estimated to fit
    its pages with the sidebar beside the questions, else the roomiest that fits its pages, else the tightest."""
    pages_allowed = 1 if contact_plan.minutes <= ONE_PAGE_MINUTES else 2
    estimates = [
        _sheet_fit(contact_plan, density, paper, _offers_that_fit(contact_plan, density, paper))
        for density in SHEET_DENSITIES
    ]
    start = next(
        (level for level, (pages, beside) in enumerate(estimates) if pages <= pages_allowed and beside),
        next(
            (level for level, (pages, _) in enumerate(estimates) if pages <= pages_allowed),
            len(SHEET_DENSITIES) - 1,
        ),
    )
    return start, min(pages_allowed, estimates[start][0])


def _sidebar_on_page(document: Document, density: SheetDensity) -> bool:
    """Whether the sidebar ends above the first page's bottom margin (it is out of the flow, so a
    sidebar too long for the page would not add a page: it would run off it)."""
    page = document.pages[0]
    end = page.anchors.get("sidebar-end")
    bottom_margin_px = PAGE_MARGINS_MM[density.compact][1] / MM_PER_PX
    return end is not None and end[1] <= page.height - bottom_margin_px


def _lines(text: str, chars_per_line: float) -> int:
    # Words do not break mid-word, so a line holds a little less than its width in characters.
    return max(1, math.ceil(len(text) / (chars_per_line * 0.92)))


def _sheet_fit(
    contact_plan: ContactPlan, density: SheetDensity, paper: str, offers: int | None = None
) -> tuple[int, bool]:
    """Estimated (pages the questions take, whether the sidebar fits beside them) at this density."""
    width, height = PAPER_MM[paper]
    top, bottom, side = PAGE_MARGINS_MM[density.compact]
    page_height = height - top - bottom
    font_mm = density.font_pt * MM_PER_PT
    line_mm = font_mm * density.line_height
    chars_per_line = (width - 2 * side - SIDEBAR_MM[density.compact] - 3 * DIGIT_EM * font_mm) / (
        CHAR_EM[density.condensed] * font_mm
    )

    before = _before_height(contact_plan, width - 2 * side, density)
    used = HEADER_MM[density.compact] + before + (0 if density.compact else QUESTIONS_TITLE_MM)
    pages = 1
    for stage_title, questions in contact_plan.question_plan.by_stage():
        used += density.stage_gap_mm - density.gap_mm  # vertical margins collapse: the larger one wins
        for index, question in enumerate(questions):
            label = stage_title + " " if index == 0 else ""
            needed = (
                _lines(label + question.text + " 00 min", chars_per_line) * line_mm
                + density.answer_lines(question.minutes) * density.rule_mm
                + density.gap_mm
            )
            if used + needed > page_height:  # a question is never split: it moves to the next page whole
                pages += 1
                used = 0.0
            used += needed

    checklist_line = 9 * MM_PER_PT * 1.28
    side_chars = SIDEBAR_TEXT_MM[density.compact] / (CHAR_EM[density.condensed] * 9 * MM_PER_PT)
    sidebar = (
        SIDEBAR_FIXED_MM
        + 6 * density.rule_mm
        + sum(_lines(offer.text, side_chars) * checklist_line + 1.3 for offer in contact_plan.offers[:offers])
    )
    return pages, HEADER_MM[density.compact] + before + sidebar <= page_height


def _before_height(contact_plan: ContactPlan, width_mm: float, density: SheetDensity) -> float:
    """The "Before you go in" box: a line or more for each thing it shows (question-sheet.html)."""
    line = 9 * MM_PER_PT * 1.28
    chars = (width_mm - 6.0 - BEFORE_LABEL_MM) / (CHAR_EM[density.condensed] * 9 * MM_PER_PT)
    contact = contact_plan.contact
    texts = [
        contact_plan.why_them,
        contact_plan.known,
        contact.how_we_met,
        contact_plan.last_time,
        _notes_inline(contact.notes) if contact.notes else None,
    ]
    lines = 1 + sum(_lines(text, chars) for text in texts if text)  # the first line: your introduction
    return BEFORE_FIXED_MM + lines * line


# --- content and formatting helpers -------------------------------------------------------------


@lru_cache(maxsize=32)
def _guide_html(page: GuidePage) -> Markup:
    """A guide page's Markdown as HTML, its headings one level down, ids prefixed with the page."""

    def slugify(value: str, separator: str) -> str:
        words = re.sub(r"[^\w\s-]", "", value).strip().lower()
        return f"guide-{page.slug}-" + re.sub(r"[\s_-]+", separator, words)

    converter = markdown.Markdown(
        extensions=GUIDE_EXTENSIONS,
        extension_configs={"toc": {"baselevel": 2, "slugify": slugify, "permalink": False}},
        output_format="xhtml",  # well-formed, so parse_html can use the XML parser
    )
    # Trusted: the project's own content (content/guide/), never a user's text.
    html = converter.convert(page.markdown)
    # The task list writes bare boolean attributes (<input type="checkbox" disabled/>): give them a value.
    return Markup(re.sub(r"(<input\b[^>]*?) (disabled|checked)(?=[\s/>])", r'\1 \2=""', html))


def _notes_xhtml(text: str | None) -> Markup:
    """`notes_to_html`, its void elements closed so the workbook stays well-formed XML (see parse_html).

    Only the bare tags Markdown writes are touched; a user's own markup never gets here as markup.
    """
    return Markup(re.sub(r"<(br|hr)>", r"<\1 />", str(notes_to_html(text))))


# Past this many characters, the notes on a question sheet's "Before you go in" box are cut (with "…"):
# the box is a reminder, the site and the workbook have them in full.
SHEET_NOTES_CHARS = 180


def _notes_inline(text: str | None) -> str:
    """A user's Markdown notes as one short line of plain text (escaped by the template like any text)."""
    rendered = re.sub(
        r"</?(?:p|li|ul|ol|br|hr|h[1-6]|div|blockquote|pre|tr|td|th)\b[^>]*>", " ", str(notes_to_html(text))
    )
    plain = html.unescape(re.sub(r"<[^>]+>", "", rendered))  # inline tags (strong, em, a) leave their text as it was
    plain = " ".join(plain.split())
    return plain if len(plain) <= SHEET_NOTES_CHARS else plain[:SHEET_NOTES_CHARS].rsplit(" ", 1)[0] + " …"


# Pictographs (emoji) and the invisible characters that build them: skin tones, joiners, variation
# selectors, tags. The fonts a print uses (DejaVu, plus whatever fontconfig finds) have no colour
# emoji, so an emoji would print as an empty box; those the text font can draw (☕, ✓) are kept.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u200d\ufe0e\ufe0f\U000e0020-\U000e007f\u20e3]")


def without_emoji(value: object) -> object:
    """Jinja2's finalize: every value a template prints, with the emoji no installed text font has dropped."""
    if not isinstance(value, str) or not _EMOJI.search(value):
        return value
    drawable = _drawable_symbols()
    cleaned = _EMOJI.sub(lambda match: match.group(0) if match.group(0) in drawable else "", str(value))
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip() if cleaned != str(value) else cleaned
    return Markup(cleaned) if isinstance(value, Markup) else cleaned


@lru_cache(maxsize=1)
def _drawable_symbols() -> frozenset[str]:
    """The symbols in the emoji ranges that DejaVu Sans (the print font) has a glyph for."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fontTools ships no type hints

    path = _system_font_file()
    if path is None:
        return frozenset()
    cmap = TTFont(path, lazy=True).getBestCmap()
    return frozenset(chr(code) for code in cmap if 0x2600 <= code <= 0x2BFF)


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- the generated form font --------------------------------------------------------------------

# Text typed into a PDF form field is drawn with one font that WeasyPrint embeds whole (it cannot
# know what will be typed). Whole DejaVu Sans is 750 kB and slows every sheet down threefold, so
# the fields get a subset of it: Latin, Greek and Cyrillic, enough for names and notes.
FORM_FONT_FAMILY = "Workbook Form"
FORM_FONT_FILE = "DejaVuSans.ttf"
FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts")
FORM_FONT_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *range(0x370, 0x3D0),
    *range(0x400, 0x460),
    *range(0x2010, 0x2027),
    0x2030,
    0x2039,
    0x203A,
    0x20AC,
    0x2122,
]


@lru_cache(maxsize=1)
def _generated_assets() -> dict[str, tuple[bytes, str]]:
    """The data: URLs the print CSS may use, by URL. Today: the form-field font, if it can be made."""
    font = _form_font()
    if font is None:
        return {}
    return {_data_url(font, "font/ttf"): (font, "font/ttf")}


def form_font_css() -> str:
    """The @font-face rule for the form-field font ('' when it is unavailable: fields then use DejaVu Sans)."""
    for url in _generated_assets():
        return f'@font-face {{ font-family: "{FORM_FONT_FAMILY}"; src: url("{url}"); }}\n'
    return ""


def _data_url(body: bytes, media_type: str) -> str:
    return f"data:{media_type};base64," + base64.b64encode(body).decode("ascii")


@lru_cache(maxsize=1)
def _form_font() -> bytes | None:
    """The form-field font, made once per installed font and kept between runs (generator/paths.py): making it
    takes fontTools 0.15 s, which every build would otherwise pay before its first PDF."""
    from fontTools import version as fonttools_version  # type: ignore[import-untyped]  # no type hints

    path = _system_font_file()
    if path is None:
        LOGGER.warning("%s not found; form fields will embed a whole text font (bigger, slower PDFs)", FORM_FONT_FILE)
        return None
    status = path.stat()
    recipe = repr((str(path), status.st_size, status.st_mtime_ns, fonttools_version, FORM_FONT_UNICODES, 1))
    name = f"workbook-form-font-{hashlib.sha256(recipe.encode()).hexdigest()[:32]}.ttf"
    return cached_file(name, lambda: _subset_form_font(path))


def _subset_form_font(path: Path) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []  # viewers draw typed text without kerning or ligatures
    options.hinting = False
    options.name_IDs = [1, 2, 3, 4, 6]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamp table, which fontTools cannot subset (and warns about)
    # Its timestamp stays the installed font's: saved with today's, every PDF would differ from the last build's.
    font = TTFont(path, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=FORM_FONT_UNICODES)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _system_font_file() -> Path | None:
    """DejaVu Sans as installed by fonts-dejavu-core: the same file fontconfig gives WeasyPrint."""
    for folder in FONT_FOLDERS:
        if (folder / "truetype" / "dejavu" / FORM_FONT_FILE).is_file():
            return folder / "truetype" / "dejavu" / FORM_FONT_FILE
        if folder.is_dir():
            found = next(folder.rglob(FORM_FONT_FILE), None)
            if found:
                return found
    return None
