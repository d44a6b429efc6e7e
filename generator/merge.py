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
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)

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
    return len(PdfReader(pdf).pages)


def merge_sheets(
    layout: Path | bytes, sheets: Mapping[str, Path], target: Path, chapters: Mapping[str, Path] | None = None
) -> None:
    """Write `target`: the workbook `layout` with each sheet's and chapter's pages laid over its placeholders.

    `sheets`, `chapters`: contact id -> its question sheet PDF, its chapter PDF, for every contact the layout has
    placeholders for. Raises PlaceholderMismatch when one's page count differs from its placeholders' (after
    looking at them all, so that it names every one).
    """
    reader = PdfReader(io.BytesIO(layout) if isinstance(layout, bytes) else layout)
    writer = PdfWriter(clone_from=reader)
    destinations = reader.named_destinations
    root: Any = writer._root_object  # pypdf's generic objects: typed loosely, checked by the tests
    form = root.get("/AcroForm")
    if form is None:
        form = root[NameObject("/AcroForm")] = DictionaryObject()
    form = form.get_object()
    fields: Any = form.setdefault(NameObject("/Fields"), ArrayObject()).get_object()
    # As WeasyPrint writes it: viewers draw the text fields' appearance from /DA.
    form.setdefault(NameObject("/NeedAppearances"), BooleanObject(True))
    resources: Any = form.setdefault(NameObject("/DR"), DictionaryObject()).get_object()
    fonts: Any = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
    readers = {("sheet", cid): PdfReader(path) for cid, path in sheets.items()}
    readers |= {("chapter", cid): PdfReader(path) for cid, path in (chapters or {}).items()}
    source: Any
    found: dict[tuple[str, str], list[int]] = {}
    for kind, contact_id in readers:
        name = placeholder_name if kind == "sheet" else chapter_placeholder_name
        placeholders = found[kind, contact_id] = []
        while name(contact_id, len(placeholders) + 1) in destinations:
            destination = destinations[name(contact_id, len(placeholders) + 1)]
            placeholders.append(int(reader.get_destination_page_number(destination) or 0))
    wrong = {key: len(readers[key].pages) for key, pages in found.items() if len(pages) != len(readers[key].pages)}
    if wrong:
        raise PlaceholderMismatch(
            "; ".join(
                f"{cid}: {count} {kind} pages, {len(found[kind, cid])} placeholders"
                for (kind, cid), count in wrong.items()
            ),
            sheets={cid: count for (kind, cid), count in wrong.items() if kind == "sheet"},
            chapters={cid: count for (kind, cid), count in wrong.items() if kind == "chapter"},
        )
    for (kind, contact_id), chapter_reader in readers.items():
        if kind == "chapter":
            for number, (index, source) in enumerate(zip(found[kind, contact_id], chapter_reader.pages, strict=True)):
                _overlay(writer, writer.pages[index], source, f"/Chapter{number + 1}", fields, destinations)
            _copy_form_fonts(chapter_reader, fonts, writer)
    for contact_id in sheets:
        sheet_reader = readers["sheet", contact_id]
        placeholders = found["sheet", contact_id]
        for index, source in zip(placeholders, sheet_reader.pages, strict=True):
            page: Any = writer.pages[index]
            for key in ("/Contents", "/Resources"):
                if key in source:
                    page[NameObject(key)] = _cloned(source.raw_get(key), writer)
            annotations = ArrayObject()
            for reference in source.get("/Annots", ()):
                # Not /P: it points to the sheet's own page (and through it, its whole page tree).
                annotation = _cloned(reference, writer, ignore=("/P",))
                widget: Any = annotation.get_object()
                widget[NameObject("/P")] = page.indirect_reference
                annotations.append(annotation)
                if "/FT" in widget:
                    fields.append(annotation)
            if annotations:
                page[NameObject("/Annots")] = annotations
        _copy_form_fonts(sheet_reader, fonts, writer)
    # Every sheet embeds the same form-field font (and the layout's objects are written anew): once each.
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as stream:
        writer.write(stream)


def _overlay(
    writer: PdfWriter, page: Any, source: Any, name: str, fields: Any, destinations: Mapping[str, Any]
) -> None:
    """Draw the chapter page `source` on the placeholder `page`, under what the placeholder draws (its running
    header and footer, in the margins), and give it the chapter page's links and form fields."""
    if "/Contents" in source:
        _draw_under(writer, page, source, name)
    annotations: Any = page.get("/Annots")
    annotations = ArrayObject(annotations.get_object()) if annotations is not None else ArrayObject()
    for reference in source.get("/Annots", ()):
        # Not /P: it points to the chapter's own page (and through it, its whole page tree).
        annotation = _cloned(reference, writer, ignore=("/P",))
        item: Any = annotation.get_object()
        action: Any = item.get("/A")
        uri = str(action.get_object().get("/URI", "")) if action is not None else ""
        if uri.startswith(CHAPTER_LINK):
            anchor = uri[len(CHAPTER_LINK) :]
            del item["/A"]
            if anchor not in destinations:  # a link to a contact or role the workbook has; never a dead one
                continue
            item[NameObject("/Dest")] = TextStringObject(anchor)
        item[NameObject("/P")] = page.indirect_reference
        annotations.append(annotation)
        if "/FT" in item:
            fields.append(annotation)
    if annotations:
        page[NameObject("/Annots")] = annotations


def _draw_under(writer: PdfWriter, page: Any, source: Any, name: str) -> None:
    """The page `source`'s drawing as a form XObject `name`, drawn first on `page` (before its own content)."""
    contents: Any = source.raw_get("/Contents").get_object()
    form: Any
    if isinstance(contents, ArrayObject):  # WeasyPrint writes one stream; several are joined (decoded) into one
        form = DecodedStreamObject()
        form.set_data(b"\n".join(part.get_object().get_data() for part in contents))
    else:
        form = _cloned(contents, writer).get_object()  # the encoded stream as it is: a form is a stream like a page's
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): _cloned(source.mediabox, writer),
            NameObject("/Resources"): _cloned(source.raw_get("/Resources"), writer),
        }
    )
    if "/Group" in source:  # its transparency group, if WeasyPrint gave the page one
        form[NameObject("/Group")] = _cloned(source.raw_get("/Group"), writer)
    form_reference = form.indirect_reference or writer._add_object(form)
    # The placeholder's resources may be shared with other pages (WeasyPrint writes them once): a copy of its own.
    resources: Any = DictionaryObject(page.get("/Resources", DictionaryObject()).get_object())
    xobjects: Any = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    xobjects[NameObject(name)] = form_reference
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    draw = DecodedStreamObject()
    draw.set_data(f"q {name} Do Q\n".encode("ascii"))
    own: Any = page.raw_get("/Contents") if "/Contents" in page else ArrayObject()
    own_parts = list(own.get_object()) if isinstance(own.get_object(), ArrayObject) else [own]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(draw), *own_parts])


def _copy_form_fonts(source: PdfReader, fonts: Any, writer: PdfWriter) -> None:
    """The fonts a document's form fields name (/AcroForm /DR /Font) into the merged workbook's, once each."""
    root: Any = source.trailer["/Root"]
    form: Any = root.get("/AcroForm")
    found: Any = form.get_object().get("/DR", {}).get("/Font", {}) if form else {}
    for name in found:
        if name not in fonts:
            fonts[NameObject(name)] = _cloned(found.get_object().raw_get(name), writer)


def _cloned(value: Any, writer: PdfWriter, ignore: tuple[str, ...] = ()) -> Any:
    return value.clone(writer, ignore_fields=ignore)
