"""Render once: the workbook PDF carries each in-full contact's question sheet, its very pages, and each
in-full contact's chapter, laid out on its own.

WeasyPrint lays out the workbook with an empty placeholder page where each sheet page goes
(workbook.html: `<div class="sheet-page" id="sheet-<contact-id>-<n>">` on a page without header or
footer), so its contents' page numbers, bookmarks, links and "page X of Y" count them. This module
then gives each placeholder the sheet page's content, resources and form fields (widgets), keeping
the placeholder page object itself, so everything that points to it still does. The sheet's plan is
laid out once, by `PdfRenderer.render_sheet`.

A chapter's placeholders (`<div class="chapter-page" id="chapter-<contact-id>-<n>">`) are pages with the
running header and footer, the chapter's anchor and bookmark. Each keeps what it draws and gets the chapter
page's drawing on top, as a form XObject (the page's content stream, untouched: no parsing, no renaming of
resources), with its links and form fields. A chapter's links to the rest of the workbook
(`generator.pdf.CHAPTER_LINK` and an anchor) become links to that named destination of the workbook. So a
changed chapter is laid out again alone, and merged.

Form fields stay fields: every widget goes into the page's /Annots and the catalog's /AcroForm
/Fields, the fonts their appearance strings (/DA) name into /AcroForm /DR. The sheet's field names
start with `sheet-<contact-id>-` (question-sheet.html), the workbook's own with `offer-`, `tracker-`
or WeasyPrint's `unknown-`, so they are unique across the merged workbook.

pikepdf (qpdf) does the work: it reads each PDF lazily, copies only the objects a page needs into the layout's
document, and writes only what the workbook's pages reach, in C++ (the merge was pypdf's, 5–8 times slower).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Object, Pdf, Stream, String

# A chapter is laid out on its own (`PdfRenderer.render_chapter`); its links to the rest of the workbook are written
# as this prefix and the anchor (an address WeasyPrint leaves alone, never fetched), and `merge_sheets` turns each
# into a link to that anchor (named destination) of the merged workbook.
CHAPTER_LINK = "workbook-anchor:"


class PlaceholderMismatch(Exception):
    """A sheet or chapter has a different number of pages than the layout has placeholders for it: lay it out
    again. `sheets`, `chapters`: the real page counts, by contact id, of those that differ."""

    def __init__(self, message: str, sheets: Mapping[str, int], chapters: Mapping[str, int]):
        super().__init__(message)
        self.sheets = dict(sheets)
        self.chapters = dict(chapters)


def placeholder_name(contact_id: str, page: int) -> str:
    """The id (and so the PDF's named destination) of a contact's `page`-th sheet placeholder, from 1."""
    return f"sheet-{contact_id}-{page}"


def chapter_placeholder_name(contact_id: str, page: int) -> str:
    """The id (and named destination) of a contact's `page`-th chapter placeholder, from 1."""
    return f"chapter-{contact_id}-{page}"


def page_count(pdf: Path) -> int:
    with pikepdf.open(pdf) as document:
        return len(document.pages)


def merge_sheets(
    layout: Path | bytes, sheets: Mapping[str, Path], target: Path, chapters: Mapping[str, Path] | None = None
) -> None:
    """Write `target`: the workbook `layout` with each sheet's and chapter's pages laid over its placeholders.

    `sheets`, `chapters`: contact id -> its question sheet PDF, its chapter PDF, for every contact the layout has
    placeholders for. Raises PlaceholderMismatch when one's page count differs from its placeholders' (after
    looking at them all, so that it names every one).
    """
    with ExitStack() as stack:
        # qpdf copies a stream's data out of its document when the workbook is written: all stay open until then.
        workbook = stack.enter_context(pikepdf.open(io.BytesIO(layout) if isinstance(layout, bytes) else layout))
        sources = {("sheet", cid): stack.enter_context(pikepdf.open(path)) for cid, path in sheets.items()}
        sources |= {("chapter", cid): stack.enter_context(pikepdf.open(path)) for cid, path in (chapters or {}).items()}
        destinations = _destinations(workbook)
        found: dict[tuple[str, str], list[int]] = {}
        for kind, contact_id in sources:
            name = placeholder_name if kind == "sheet" else chapter_placeholder_name
            placeholders = found[kind, contact_id] = []
            while (index := destinations.get(name(contact_id, len(placeholders) + 1))) is not None:
                placeholders.append(index)
        wrong = {key: len(sources[key].pages) for key, pages in found.items() if len(pages) != len(sources[key].pages)}
        if wrong:
            raise PlaceholderMismatch(
                "; ".join(
                    f"{cid}: {count} {kind} pages, {len(found[kind, cid])} placeholders"
                    for (kind, cid), count in wrong.items()
                ),
                sheets={cid: count for (kind, cid), count in wrong.items() if kind == "sheet"},
                chapters={cid: count for (kind, cid), count in wrong.items() if kind == "chapter"},
            )
        form = workbook.Root.get("/AcroForm")
        if form is None:
            form = workbook.Root.AcroForm = Dictionary()
        if "/Fields" not in form:
            form.Fields = Array()
        if "/NeedAppearances" not in form:  # as WeasyPrint writes it: viewers draw the text fields' appearance from /DA
            form.NeedAppearances = True
        if "/DR" not in form:
            form.DR = Dictionary()
        if "/Font" not in form.DR:
            form.DR.Font = Dictionary()
        fields, fonts = form.Fields, form.DR.Font
        shared = _SharedFonts(workbook)
        for (kind, contact_id), source in sources.items():
            if kind == "chapter":
                shared.adopt(source)
                for number, (index, page) in enumerate(zip(found[kind, contact_id], source.pages, strict=True)):
                    placeholder = workbook.pages[index].obj
                    _overlay(workbook, placeholder, page.obj, Name(f"/Chapter{number + 1}"), fields, destinations)
                _copy_form_fonts(source, fonts, workbook)
        for contact_id in sheets:
            source = sources["sheet", contact_id]
            shared.adopt(source)
            for index, page in zip(found["sheet", contact_id], source.pages, strict=True):
                placeholder = workbook.pages[index].obj
                for key in ("/Contents", "/Resources"):
                    if key in page.obj:
                        placeholder[key] = _copied(workbook, page.obj[key])
                annotations = _annotations(workbook, placeholder, page.obj, fields, destinations)
                if annotations:
                    placeholder.Annots = annotations
            _copy_form_fonts(source, fonts, workbook)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as stream:
            # Only what the pages reach is written (the layout's placeholder content, a shared font's other copies:
            # gone), small objects packed into compressed object streams; /ID from the content, so the same inputs
            # give the same bytes.
            workbook.save(stream, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)


def _destinations(pdf: Pdf) -> dict[str, int]:
    """The document's named destinations (WeasyPrint writes one per id): name -> page index, from 0."""
    index = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
    named: dict[str, Object] = {}
    names = pdf.Root.get("/Names")
    if names is not None and "/Dests" in names:
        named.update(pikepdf.NameTree(names.Dests).items())
    for name, destination in pdf.Root.get("/Dests", Dictionary()).items():  # PDF 1.1's dictionary of them
        named.setdefault(name[1:], destination)
    found = {}
    for name, destination in named.items():
        target = destination.get("/D") if isinstance(destination, Dictionary) else destination
        if isinstance(target, Array) and len(target) and target[0].objgen in index:
            found[name] = index[target[0].objgen]
    return found


def _overlay(
    workbook: Pdf, page: Object, source: Object, name: Name, fields: Object, destinations: Mapping[str, int]
) -> None:
    """Draw the chapter page `source` on the placeholder `page`, under what the placeholder draws (its running
    header and footer, in the margins), and give it the chapter page's links and form fields."""
    if "/Contents" in source:
        _draw_under(workbook, page, source, name)
    annotations = Array(page.Annots) if "/Annots" in page else Array()
    annotations.extend(_annotations(workbook, page, source, fields, destinations))
    if annotations:
        page.Annots = annotations


def _annotations(workbook: Pdf, page: Object, source: Object, fields: Object, destinations: Mapping[str, int]) -> Array:
    """The annotations of the page `source` (another document's), copied for `page`: form fields added to `fields`,
    a chapter's link to the workbook made a link to that named destination."""
    annotations = Array()
    for annotation in source.get("/Annots", ()):
        if "/P" in annotation:  # it points to the source's own page (and through it, its whole page tree): not copied
            del annotation.P
        item = _copied(workbook, annotation)
        uri = str(item.A.get("/URI", "")) if "/A" in item else ""
        if uri.startswith(CHAPTER_LINK):
            anchor = uri[len(CHAPTER_LINK) :]
            del item.A
            if anchor not in destinations:  # a link to a contact or role the workbook has; never a dead one
                continue
            item.Dest = String(anchor)
        item.P = page
        annotations.append(item)
        if "/FT" in item:
            fields.append(item)
    return annotations


def _draw_under(workbook: Pdf, page: Object, source: Object, name: Name) -> None:
    """The page `source`'s drawing as a form XObject `name`, drawn first on `page` (before its own content)."""
    contents = source.Contents
    form: Object
    if isinstance(contents, Array):  # WeasyPrint writes one stream; several are joined (decoded) into one
        form = Stream(workbook, b"\n".join(part.read_bytes() for part in contents))
    else:
        form = _copied(workbook, contents)  # the encoded stream as it is: a form is a stream like a page's
    form.Type = Name.XObject
    form.Subtype = Name.Form
    form.BBox = _copied(workbook, source.MediaBox)
    form.Resources = _copied(workbook, source.Resources)
    if "/Group" in source:  # its transparency group, if WeasyPrint gave the page one
        form.Group = _copied(workbook, source.Group)
    # The placeholder's resources may be shared with other pages (WeasyPrint writes them once): a copy of its own.
    resources = Dictionary(dict(page.get("/Resources", Dictionary()).items()))
    xobjects = Dictionary(dict(resources.get("/XObject", Dictionary()).items()))
    xobjects[name] = form
    resources.XObject = xobjects
    page.Resources = resources
    draw = Stream(workbook, f"q {name} Do Q\n".encode("ascii"))
    own = page.get("/Contents", Array())
    page.Contents = Array([draw, *(own if isinstance(own, Array) else [own])])


def _copy_form_fonts(source: Pdf, fonts: Object, workbook: Pdf) -> None:
    """The fonts a document's form fields name (/AcroForm /DR /Font) into the merged workbook's, once each."""
    form = source.Root.get("/AcroForm")
    found = form.get("/DR", Dictionary()).get("/Font", Dictionary()) if form is not None else Dictionary()
    for name, font in found.items():
        if name not in fonts:
            fonts[name] = _copied(workbook, font)


def _copied(workbook: Pdf, value: Object) -> Object:
    """Another document's `value` for `workbook`, with everything it refers to (qpdf copies each object of a
    document once and remembers it, so what several values share stays shared)."""
    if not isinstance(value, Object) or isinstance(value, Name | String):
        return value
    if value.is_indirect:
        return workbook.copy_foreign(value)
    if isinstance(value, Dictionary):  # qpdf copies only indirect objects: a direct one is rebuilt around them
        return Dictionary({key: _copied(workbook, item) for key, item in value.items()})
    if isinstance(value, Array):
        return Array([_copied(workbook, item) for item in value])
    return value


class _SharedFonts:
    """Every question sheet embeds the same form-field font (generator/pdf.py subsets it alike each time), and
    sheets often the same subsets of the text fonts: the workbook keeps one copy of each font's program, widths
    and character map, whichever sheets and chapters name it.

    qpdf copies each object of a source document once and remembers it: `adopt` copies a source's fonts before
    anything that names them, and makes a font the workbook already has point to that one's parts, so the
    source's pages and fields reach the shared parts, and the copies of those are never written."""

    def __init__(self, workbook: Pdf):
        self.workbook = workbook
        self.kept: dict[bytes, Object] = {}

    def adopt(self, source: Pdf) -> None:
        named = [page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary()) for page in source.pages]
        form = source.Root.get("/AcroForm")
        if form is not None:
            named.append(form.get("/DR", Dictionary()).get("/Font", Dictionary()))
        fonts = {font.objgen: font for group in named for font in group.values() if font.is_indirect}
        for font in fonts.values():
            copied = self.workbook.copy_foreign(font)
            kept = self.kept.setdefault(_fingerprint(font), copied)
            if kept is not copied:
                for key in list(copied.keys()):
                    del copied[key]
                for key, value in kept.items():
                    copied[key] = value


def _fingerprint(item: Object) -> bytes:
    """A digest of `item` and everything it refers to (stream data as stored), equal for equal content."""
    digest = hashlib.blake2b(digest_size=20)
    order: dict[tuple[int, int], int] = {}  # the objects met, numbered in the order met: a reference's identity

    def add(value: object) -> None:
        if not isinstance(value, Object):  # pikepdf gives numbers and booleans as Python's
            digest.update(repr(value).encode() + b" ")
            return
        if not value.is_indirect and not isinstance(value, Stream) and b" R" not in (text := value.unparse()):
            digest.update(text + b" ")  # nothing it refers to (a font's widths): its text is all of it
            return
        if value.is_indirect:
            if value.objgen in order:
                digest.update(b"R%d " % order[value.objgen])
                return
            order[value.objgen] = len(order)
        if isinstance(value, Stream):
            digest.update(b"S%d:" % len(data := value.read_raw_bytes()) + data)
        if isinstance(value, Dictionary | Stream):
            for key in sorted(value.keys()):
                if key != "/Length":
                    digest.update(key.encode() + b"=")
                    add(value[key])
            digest.update(b">>")
        elif isinstance(value, Array):
            for element in value:
                add(element)
            digest.update(b"]")
        else:
            digest.update(value.unparse() + b" ")

    add(item)
    return digest.digest()
