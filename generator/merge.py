"""Render once: the workbook PDF carries each in-full contact's question sheet, its very pages.

WeasyPrint lays out the workbook with an empty placeholder page where each sheet page goes
(workbook.html: `<div class="sheet-page" id="sheet-<contact-id>-<n>">` on a page without header or
footer), so its contents' page numbers, bookmarks, links and "page X of Y" count them. This module
then gives each placeholder the sheet page's content, resources and form fields (widgets), keeping
the placeholder page object itself, so everything that points to it still does. The sheet's plan is
laid out once, by `PdfRenderer.render_sheet`.

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
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, NameObject


class PlaceholderMismatch(Exception):
    """A sheet has a different number of pages than the layout has placeholders for it: lay it out again."""


def placeholder_name(contact_id: str, page: int) -> str:
    """The id (and so the PDF's named destination) of a contact's `page`-th placeholder, from 1."""
    return f"sheet-{contact_id}-{page}"


def page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def merge_sheets(layout: Path | bytes, sheets: Mapping[str, Path], target: Path) -> None:
    """Write `target`: the workbook `layout` with each sheet's pages laid over its placeholders.

    `sheets`: contact id -> its question sheet PDF, for every contact the layout has placeholders for.
    Raises PlaceholderMismatch when a sheet's page count differs from its placeholders'.
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
    for contact_id, sheet in sheets.items():
        sheet_reader = PdfReader(sheet)
        placeholders: list[int] = []
        while placeholder_name(contact_id, len(placeholders) + 1) in destinations:
            destination = destinations[placeholder_name(contact_id, len(placeholders) + 1)]
            placeholders.append(int(reader.get_destination_page_number(destination) or 0))
        if len(placeholders) != len(sheet_reader.pages):
            raise PlaceholderMismatch(
                f"{contact_id}: {len(sheet_reader.pages)} sheet pages, {len(placeholders)} placeholders"
            )
        source: Any
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
        sheet_root: Any = sheet_reader.trailer["/Root"]
        sheet_form: Any = sheet_root.get("/AcroForm")
        sheet_fonts: Any = sheet_form.get_object().get("/DR", {}).get("/Font", {}) if sheet_form else {}
        for name in sheet_fonts:
            if name not in fonts:
                fonts[NameObject(name)] = _cloned(sheet_fonts.get_object().raw_get(name), writer)
    # Every sheet embeds the same form-field font (and the layout's objects are written anew): once each.
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as stream:
        writer.write(stream)


def _cloned(value: Any, writer: PdfWriter, ignore: tuple[str, ...] = ()) -> Any:
    return value.clone(writer, ignore_fields=ignore)
