"""The PDF workbook and the question sheets, checked as a reader gets them: real WeasyPrint PDFs
read back with pypdf and poppler (pdftotext, pdffonts, pdftoppm)."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import textwrap
import xml.etree.ElementTree as ElementTree
from datetime import date
from pathlib import Path

import pikepdf
import pytest
import tinyhtml5
import yaml
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from generator.banks import builtin_banks
from generator.guide import load_guide
from generator.load import load_profile
from generator.merge import merge_sheets, page_count
from generator.paths import EXAMPLE
from generator.pdf import PDF_OPTIONS, SHEET_DENSITIES, PdfRenderer, contacts_in_full, parse_html
from generator.tailor import tailor

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 11, 29)
LETTER, A4 = (612, 792), (595, 842)
LOGO_RED = (200, 30, 40)


# --- helpers: what a reader gets --------------------------------------------------------------


def text_of(pdf: Path, page: int | None = None) -> str:
    """The PDF's text as poppler extracts it (whitespace collapsed), or one page of it."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def fonts_of(pdf: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) for every font pdffonts lists."""
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    rows = []
    for line in lines:
        # name type encoding emb sub uni object ID: the three yes/no columns come before the object number
        match = re.match(r"^(\S+)\s.*?\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line)
        assert match, line
        rows.append((match.group(1), match.group(2)))
    return rows


def page_sizes(pdf: Path) -> set[tuple[int, int]]:
    return {(round(float(page.mediabox.width)), round(float(page.mediabox.height))) for page in PdfReader(pdf).pages}


def outline_titles(pdf: Path) -> list:
    """The bookmarks as nested [title, [children…]] lists."""
    reader = PdfReader(pdf)

    def walk(items):
        result = []
        for item in items:
            if isinstance(item, list):
                result[-1][1].extend(walk(item))
            else:
                result.append([item.title, []])
        return result

    return walk(reader.outline)


def ink(png: Path, box: tuple[int, int, int, int] | None = None) -> float:
    """The share of pixels that are not (nearly) white."""
    image = Image.open(png).convert("L")
    if box:
        image = image.crop(box)
    histogram = image.histogram()
    return sum(histogram[:230]) / (image.width * image.height)


def render_png(pdf: Path, page: int, out: Path, dpi: int = 40) -> Path:
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(out)],
        check=True,
    )
    return out.with_suffix(".png")


def build(profile: Path, out: Path, renderer: PdfRenderer | None = None):
    workbook = tailor(load_profile(profile), builtin_banks(), load_guide(), TODAY)
    written = (renderer or PdfRenderer()).render_all(workbook, out / workbook.client_id)
    return workbook, written


# --- fixtures: each profile is rendered once per module ---------------------------------------


@pytest.fixture(scope="module")
def renderer():
    return PdfRenderer()


@pytest.fixture(scope="module")
def example(tmp_path_factory, renderer):
    return build(EXAMPLE, tmp_path_factory.mktemp("example"), renderer)


@pytest.fixture(scope="module")
def scripts(tmp_path_factory, renderer):
    """The profile with names in five scripts, A4, and a coach logo written next to it."""
    folder = tmp_path_factory.mktemp("scripts")
    shutil.copy(FIXTURES / "print-scripts.yaml", folder)
    logo = Image.new("RGB", (240, 80), "white")
    logo.paste(LOGO_RED, (20, 10, 220, 70))
    logo.save(folder / "print-logo.png")
    return build(folder / "print-scripts.yaml", folder / "out", renderer)


# --- what gets written ------------------------------------------------------------------------


def test_render_all_writes_the_workbook_and_one_sheet_per_contact(example, tmp_path):
    workbook, written = example
    client_dir = written["workbook"].parent
    assert written["workbook"] == client_dir / "maya-lopez-workbook.pdf"
    assert set(written) == {"workbook", *(plan.id for plan in workbook.contacts)}
    for plan in workbook.contacts:
        assert written[plan.id] == client_dir / "sheets" / f"{plan.id}.pdf"
    assert all(path.is_file() and path.read_bytes().startswith(b"%PDF") for path in written.values())


# --- the workbook -----------------------------------------------------------------------------


def test_cover_shows_seeker_roles_coach_and_build_date(example):
    workbook, written = example
    cover = text_of(written["workbook"], 1)
    assert "Maya Lopez" in cover and "Software trainer moving into university career services" in cover
    for role_plan in workbook.roles:
        assert role_plan.role.title in cover
    assert "Dana Whitfield" in cover and "dana@example.coach" in cover
    assert "Built on 29 November 2026" in cover


def test_contents_page_numbers_point_at_the_right_pages(example):
    workbook, written = example
    contents = text_of(written["workbook"], 2)
    pages = len(PdfReader(written["workbook"]).pages)
    for plan in workbook.contacts:
        number = int(re.search(re.escape(plan.contact.name) + r"[ .]*?(\d+)", contents).group(1))
        page = text_of(written["workbook"], number)
        assert plan.contact.name in page and "Question plan" in page, plan.id
        assert f"page {number} of {pages}" in page  # the footer
    for role_plan in workbook.roles:
        number = int(re.search(re.escape(role_plan.role.title) + r"[ .]*?(\d+)", contents).group(1))
        assert "Questions to ask about this role" in text_of(written["workbook"], number)


def test_workbook_holds_guide_roles_contacts_and_tracker(example):
    workbook, written = example
    text = text_of(written["workbook"])
    for page in workbook.guide:
        assert page.title in text
    assert "Most jobs go to someone who is already known" in text  # the first of the five reasons
    assert "You are already valuable" in text
    for plan in workbook.contacts:
        for question in plan.question_plan.questions:
            assert " ".join(question.text.split()) in text, question.id
        for offer in plan.offers:
            assert " ".join(offer.text.split()) in text
        assert plan.status_label in text
    assert "Alex knows everyone in Portland's training scene" in text  # a note, its Markdown rendered
    assert "Tracker" in text and "Where things stand" in text and "Referral chains" in text
    chain = text[text.index("Referral chains") :]
    assert re.search(r"Alex Chen → Jordan Smith → Dev Patel", chain)


def test_question_plan_shows_minutes_and_reasons(example):
    workbook, written = example
    text = text_of(written["workbook"])
    plan = workbook.contact("jordan-smith")
    for question in plan.question_plan.questions:
        assert f"{question.text} {question.minutes} min" in text
        assert " ".join(question.reason.split()) in text


def test_running_headers_and_page_x_of_y(example):
    workbook, written = example
    pages = len(PdfReader(written["workbook"]).pages)
    contents = text_of(written["workbook"], 2)
    first_contact = int(re.search(r"Alex Chen[ .]*?(\d+)", contents).group(1))
    next_page = text_of(written["workbook"], first_contact + 1)
    assert next_page.startswith("YOUR CONVERSATIONS Alex Chen")  # part and chapter, repeated on the next page
    assert f"Maya Lopez page {first_contact + 1} of {pages}" in next_page


def test_bookmarks_by_section(example):
    workbook, written = example
    outline = outline_titles(written["workbook"])
    assert [title for title, _ in outline] == [
        "Cover",
        "Contents",
        "The guide",
        "Your target roles",
        "Your conversations",
        "Tracker",
    ]
    sections = dict(outline)
    assert [title for title, _ in sections["The guide"]] == [page.title for page in workbook.guide]
    reasons = dict(sections["The guide"])["Five reasons to make friends with informational interviewing"]
    assert len([title for title, _ in reasons if re.match(r"\d\. ", title)]) == 5
    assert [title for title, _ in sections["Your target roles"]] == [plan.role.title for plan in workbook.roles]
    assert [title for title, _ in sections["Your conversations"]] == [plan.contact.name for plan in workbook.contacts]


def test_metadata_language_and_paper(example, scripts):
    _, written = example
    reader = PdfReader(written["workbook"])
    assert reader.metadata.title == "Maya Lopez: informational interviewing workbook"
    assert reader.metadata.author == "Dana Whitfield"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert page_sizes(written["workbook"]) == {LETTER}
    assert page_sizes(written["jordan-smith"]) == {LETTER}

    _, written = scripts
    reader = PdfReader(written["workbook"])
    assert reader.metadata.author == "Søren Ångström"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert page_sizes(written["workbook"]) == {A4}
    assert page_sizes(written["wang-fang"]) == {A4}


def test_offer_checklists_are_form_fields_in_the_workbook(example):
    workbook, written = example
    fields = PdfReader(written["workbook"]).get_fields()
    plan = workbook.contact("alex-chen")
    offers = [name for name in fields if name.startswith("offer-alex-chen-")]
    assert len(offers) == len(plan.offers)
    assert all(fields[name].get("/FT") == "/Btn" for name in offers)


def test_the_workbook_carries_each_sheet_once_with_its_form_fields_on_its_page(example):
    """Render once: the workbook's sheet pages are the sheets' own, fields and all, uniquely named."""
    workbook, written = example
    reader = PdfReader(written["workbook"])
    widgets = [
        (annotation.get_object()["/T"], number)
        for number, page in enumerate(reader.pages, 1)
        for annotation in page.get("/Annots", ())
        if annotation.get_object().get("/Subtype") == "/Widget"
    ]
    names = [name for name, _ in widgets]
    assert len(names) == len(set(names))  # unique across the workbook
    listed = [field.get_object()["/T"] for field in reader.trailer["/Root"]["/AcroForm"]["/Fields"]]
    assert sorted(listed) == sorted(names)  # every widget is a field of the catalog's form
    text = text_of(written["workbook"])
    sheet_texts = [text_of(written[plan.id]) for plan in workbook.contacts]
    for plan in workbook.contacts:
        sheet = PdfReader(written[plan.id])
        sheet_fields = sorted(sheet.get_fields())
        assert sheet_fields and all(name.startswith(f"sheet-{plan.id}-") for name in sheet_fields)
        pages = {number for name, number in widgets if name.startswith(f"sheet-{plan.id}-")}
        assert sorted(name for name in names if name.startswith(f"sheet-{plan.id}-")) == sheet_fields
        assert len(pages) == 1, pages  # one-page sheets, on that page of the workbook
        (number,) = pages
        assert text_of(written["workbook"], number) == text_of(written[plan.id])  # the sheet's very page
        assert f"{plan.contact.name} · question sheet for Maya Lopez" in text_of(written["workbook"], number)
        for question in plan.question_plan.questions:  # laid out once: each question as often as sheets ask it
            asked = " ".join(question.text.split())
            in_roles = sum(
                asked == " ".join(other.text.split()) for role in workbook.roles for other in role.questions
            )  # a role's own chapter lists the questions to ask about it
            assert text.count(asked) == sum(asked in sheet for sheet in sheet_texts) + in_roles, question.text


def test_each_chapter_is_laid_out_alone_and_links_offers_and_headers_work_in_the_workbook(example):
    """A contact's chapter is its own small document laid over placeholder pages: on those pages the workbook's
    running header and footer, the chapter's own text, its links to the rest of the workbook and its tick boxes."""
    workbook, written = example
    reader = PdfReader(written["workbook"])
    contents = text_of(written["workbook"], 2)
    start = {
        plan.id: int(re.search(rf"{plan.contact.name}[ .]*?(\d+)", contents).group(1)) for plan in workbook.contacts
    }
    alex = text_of(written["workbook"], start["alex-chen"])
    assert alex.startswith("YOUR CONVERSATIONS Your conversations Alex Chen")  # the part's title, in the first chapter
    assert "Senior Software Trainer · Brightwave Software" in alex and alex.endswith(
        f"page {start['alex-chen']} of {len(reader.pages)}"
    )
    jordan = text_of(written["workbook"], start["jordan-smith"])
    assert jordan.startswith("YOUR CONVERSATIONS Jordan Smith Jordan Smith")  # the header names the chapter
    destinations = reader.named_destinations
    links, offers = [], 0
    for number in range(start["alex-chen"], start["jordan-smith"]):
        for annotation in reader.pages[number - 1].get("/Annots", ()):
            annotation = annotation.get_object()
            if annotation["/Subtype"] == "/Link":
                links.append(reader.get_destination_page_number(destinations[annotation["/Dest"]]) + 1)
            elif annotation.get("/FT") == "/Btn":  # his chapter's tick boxes, then his sheet's
                assert str(annotation["/T"]).startswith(("offer-alex-chen-", "sheet-alex-chen-")), annotation["/T"]
                assert annotation.raw_get("/P").idnum == reader.pages[number - 1].indirect_reference.idnum
                offers += str(annotation["/T"]).startswith("offer-")
    assert offers == len(workbook.contact("alex-chen").offers)
    assert start["jordan-smith"] in links  # "Referred you to: Jordan Smith", to his chapter
    assert len(links) >= 2  # and the target role's page
    for page in reader.pages:
        for annotation in page.get("/Annots", ()):
            action = annotation.get_object().get("/A")
            assert action is None or not str(action.get("/URI", "")).startswith("workbook-anchor:")


def test_the_merge_writes_the_same_bytes_each_time_and_each_font_program_once(example, tmp_path):
    """qpdf (pikepdf) writes the merged workbook: the same layout, chapters and sheets give the same bytes (a
    rebuild is compared with a --force build's), and a font several sheets embed (the form-field font) is stored
    once, whichever sheets name it."""
    workbook, written = example
    renderer = PdfRenderer()
    in_full = {plan.id: written[plan.id] for plan in contacts_in_full(workbook)[0]}
    pages = {contact_id: page_count(sheet) for contact_id, sheet in in_full.items()}
    chapters = {contact_id: tmp_path / f"chapter-{contact_id}.pdf" for contact_id in in_full}
    chapter_pages = {
        contact_id: renderer.render_chapter(
            workbook, workbook.contact(contact_id), chapters[contact_id], pages[contact_id]
        )
        for contact_id in in_full
    }
    layout = tmp_path / "layout.pdf"
    renderer.render_workbook_layout(workbook, layout, pages, chapter_pages)
    merge_sheets(layout, in_full, tmp_path / "first.pdf", chapters)
    merge_sheets(layout.read_bytes(), in_full, tmp_path / "second.pdf", chapters)
    assert (tmp_path / "first.pdf").read_bytes() == (tmp_path / "second.pdf").read_bytes()
    assert text_of(tmp_path / "first.pdf") == text_of(written["workbook"])

    def font_programs(pdf: Path) -> list[bytes]:
        with pikepdf.open(pdf) as document:
            return [
                item[key].read_raw_bytes()
                for item in document.objects
                if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/FontDescriptor"
                for key in ("/FontFile", "/FontFile2", "/FontFile3")
                if key in item
            ]

    merged = font_programs(tmp_path / "first.pdf")
    assert len(merged) == len(set(merged))  # each font program once
    in_sheets = [program for sheet in in_full.values() for program in font_programs(sheet)]
    assert len(set(in_sheets)) < len(in_sheets)  # there was something to share: the sheets embed the same font
    assert set(in_sheets) <= set(merged)


# --- the question sheets ----------------------------------------------------------------------


def test_every_example_sheet_fits_one_page(example):
    workbook, written = example
    for plan in workbook.contacts:
        assert len(PdfReader(written[plan.id]).pages) == 1, (plan.id, plan.minutes)
    assert {15, 60} <= {plan.minutes for plan in workbook.contacts}


def test_no_question_breaks_after_its_first_word(example):
    """WeasyPrint broke a line that all but filled the width after its first word when the only other break
    was the one before the minutes' inline box ("3 How" / "are things going …" on Alex Chen's sheet)."""
    workbook, written = example
    for plan in workbook.contacts:
        text = subprocess.run(["pdftotext", written[plan.id], "-"], capture_output=True, text=True, check=True).stdout
        stranded = re.findall(r"^[0-9]{1,2} [A-Z][a-z']*\n[a-z]", text, flags=re.MULTILINE)
        assert not stranded, (plan.id, stranded)
    alex = subprocess.run(["pdftotext", written["alex-chen"], "-"], capture_output=True, text=True).stdout
    assert "How are things going with" in alex


def test_sheet_shows_meeting_questions_offers_and_follow_up(example):
    workbook, written = example
    plan = workbook.contact("jordan-smith")
    text = text_of(written["jordan-smith"])
    for expected in (
        "Jordan Smith",
        "Director of Career Services",
        "Portland State University",
        "referred by Alex Chen",
        "Thu 3 Dec 2026, 10:00 PST",
        "Video call",
        "Zoom link in calendar invite",
        "20 minutes",
    ):
        assert expected in text
    # The questions in the planned order, each with its minute budget.
    positions = [text.index(f"{question.text} {question.minutes} min") for question in plan.question_plan.questions]
    assert positions == sorted(positions)
    assert "What can I do for you?" in text
    # The checklist shows the offers the page has room for, the most personal first, never fewer than three;
    # the workbook has the rest.
    shown = [offer for offer in plan.offers if " ".join(offer.text.split()) in text]
    assert len(shown) >= 3 and shown == list(plan.offers[: len(shown)])
    assert plan.offers[0].trigger == "strength-match"
    if len(shown) < len(plan.offers):
        assert f"{len(plan.offers) - len(shown)} more ideas in your workbook" in text
    # Before you go in: the seeker's own introduction, why this person, what they know, how they met.
    for expected in (
        "Before you go in",
        workbook.seeker.pitch[:60],
        "Why Jordan",
        plan.why_them[:50],
        "You know",
        "student mental health",
        "How you met",
        "Alex introduced us at a chamber mixer",
    ):
        assert " ".join(expected.split()) in text, expected
    for label in (
        "After the meeting",
        "What I learned",
        "Names they gave",
        "What I promised, and by when",
        "Thank-you sent by Fri 4 Dec",
    ):
        assert label in text


def test_sheet_answer_spaces_and_tick_boxes_are_form_fields(example):
    workbook, written = example
    plan = workbook.contact("jordan-smith")
    fields = PdfReader(written["jordan-smith"]).get_fields()
    # Named after the contact (sheet-<id>-…): the workbook PDF carries this page too, and names must be unique there.
    field = "sheet-jordan-smith-"
    answers = [f"{field}answer-{number}" for number in range(1, len(plan.question_plan.questions) + 1)]
    assert all(fields[name]["/FT"] == "/Tx" for name in answers)
    offers = [name for name in fields if name.startswith(f"{field}offer-")]
    assert len(offers) >= 3 and all(fields[name]["/FT"] == "/Btn" for name in offers)
    assert fields[f"{field}after-thanks"]["/FT"] == "/Btn"
    assert all(fields[field + name]["/FT"] == "/Tx" for name in ("after-learned", "after-names", "after-promised"))
    # Typed text needs a whole font in the PDF: a small one made for the fields, not all of DejaVu Sans (750 kB).
    assert any("Workbook-Form" in name for name, _ in fonts_of(written["jordan-smith"]))
    assert written["jordan-smith"].stat().st_size < 150_000


def test_the_form_font_carries_the_installed_fonts_date_not_todays(example):
    """A build in another process (or second) must write the same sheet bytes, or every rebuild differs."""
    import io

    from fontTools.ttLib import TTFont

    from generator.pdf import _subset_form_font, _system_font_file

    installed = _system_font_file()
    assert installed is not None
    made = _subset_form_font(installed)
    assert TTFont(io.BytesIO(made))["head"].modified == TTFont(installed)["head"].modified


def test_unscheduled_meeting_gets_blank_fields_to_fill_in(scripts):
    workbook, written = scripts
    fields = PdfReader(written["layla"]).get_fields()
    assert {"sheet-layla-meeting-when", "sheet-layla-meeting-where"} <= set(fields)


def test_45_minutes_with_many_own_questions_fits_one_page_on_both_papers(scripts, tmp_path, renderer):
    workbook, written = scripts
    plan = workbook.contact("wang-fang")
    assert plan.minutes == 45 and sum(question.own for question in plan.question_plan.questions) >= 3
    assert len(PdfReader(written["wang-fang"]).pages) == 1
    letter = dataclasses.replace(workbook, settings=workbook.settings.model_copy(update={"paper": "letter"}))
    renderer.render_sheet(letter, plan, tmp_path / "letter.pdf")
    assert len(PdfReader(tmp_path / "letter.pdf").pages) == 1
    assert page_sizes(tmp_path / "letter.pdf") == {LETTER}
    text = text_of(tmp_path / "letter.pdf")
    for question in plan.question_plan.questions:
        assert question.text in text


def test_the_fullest_45_minute_plans_fit_one_letter_page(tmp_path, renderer):
    """Every kind of contact at 45 minutes with eight own questions: the tailor stage's longest plans."""
    own = [f"Own question {k}: how did the peer-advising pilot go, and what did you learn from it?" for k in range(8)]
    contacts = [
        {
            "id": f"c-{relationship}-{status}",
            "name": f"Sam {relationship} {status}",
            "role": "Technical Recruiter",
            "company": "Oregon Health & Science University",
            "relationship": relationship,
            "status": status,
            "target_role": "designer",
            "interests": ["student mental health", "career readiness for humanities majors"],
            "hobbies": ["pottery"],
            "needs": ["a trainer for LinkedIn workshops", "better video"],
            "meeting": {"date": "2026-12-03T10:00", "minutes": 45},
            "questions": list(own),
            **({"referred_by": "Alex Chen"} if relationship == "referral" else {}),
        }
        for relationship in ("friend", "family", "colleague", "alumni", "referral", "cold", "recruiter")
        for status in ("to-contact", "met")
    ]
    profile = {
        "seeker": {"name": "Maya Lopez", "strengths": ["LinkedIn profile reviews", "Video editing"]},
        "target_roles": [
            {"id": "designer", "title": "Career Education Program Designer", "industry": "Higher education"}
        ],
        "contacts": contacts,
    }
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    workbook = tailor(load_profile(tmp_path / "p.yaml"), builtin_banks(), load_guide(), TODAY)
    assert max(len(plan.question_plan.questions) for plan in workbook.contacts) == 8  # 45 minutes: 7-11, aiming low
    for plan in workbook.contacts:
        renderer.render_sheet(workbook, plan, tmp_path / f"{plan.id}.pdf")
        assert len(PdfReader(tmp_path / f"{plan.id}.pdf").pages) == 1, plan.id


def test_a_120_minute_meeting_continues_cleanly_on_a_second_page(scripts):
    workbook, written = scripts
    plan = workbook.contact("jose")
    assert plan.minutes == 120
    reader = PdfReader(written["jose"])
    assert len(reader.pages) == 2
    first, second = text_of(written["jose"], 1), text_of(written["jose"], 2)
    assert second.startswith(f"{plan.contact.name} (continued)")
    assert "page 2 of 2" in second
    unhyphenated = [page.replace("-", "") for page in (first, second)]  # a line may break at a hyphen
    for question in plan.question_plan.questions:
        # never split across the pages: each question is whole on exactly one of them
        text = question.text.replace("-", "")
        assert (text in unhyphenated[0]) != (text in unhyphenated[1]), question.id


def test_text_is_never_set_below_9_pt(example, scripts):
    workbook, written = example
    # Every sheet, and the workbook up to its first contact: cover, contents, guide, roles, one contact.
    workbook_start = (
        written["workbook"],
        range(int(re.search(r"Alex Chen[ .]*?(\d+)", text_of(written["workbook"], 2)).group(1)) + 1),
    )
    documents = [workbook_start] + [
        (path, None) for outputs in (example[1], scripts[1]) for name, path in outputs.items() if name != "workbook"
    ]
    for path, pages in documents:
        reader = PdfReader(path)
        sizes = set()
        for page in (reader.pages[index] for index in pages) if pages else reader.pages:
            page.extract_text(
                visitor_text=lambda text, cm, tm, font, size, sizes=sizes: (
                    sizes.add(round(size * tm[0] * cm[0], 2)) if text.strip() else None
                )
            )
        assert min(sizes) >= 9, (path.name, sorted(sizes)[:5])


# --- fonts and scripts ------------------------------------------------------------------------


def test_names_in_every_script_print_with_embedded_fonts(scripts):
    workbook, written = scripts
    text = text_of(written["workbook"])
    for name in (
        "Zoë Ødegård-Núñez",
        "Søren Ångström",
        "José Martínez-Höfler",
        "Ελένη Παπαδοπούλου",
        "Анна Кузнецова",
        "王芳",
        "北京大学",
        "Πανεπιστήμιο Αθηνών",
        "Московский университет",
    ):
        assert name in text, name
    # Arabic comes out in logical order, each word whole (pdftotext may wrap it in direction marks)
    assert "ليلى" in text and "حداد" in text and "جامعة" in text
    for path in (written["workbook"], written["wang-fang"], written["layla"]):
        fonts = fonts_of(path)
        assert fonts and all(embedded == "yes" for _, embedded in fonts), fonts
    names = " ".join(name for name, _ in fonts_of(written["workbook"]))
    assert "DejaVu-Sans" in names and "WenQuanYi" in names  # Chinese comes from its own font, not boxes
    sheet = text_of(written["eleni"]) + text_of(written["anna"]) + text_of(written["wang-fang"])
    assert "Ελένη Παπαδοπούλου" in sheet and "Анна Кузнецова" in sheet and "王芳" in sheet


def test_example_fonts_are_all_embedded(example):
    _, written = example
    for path in written.values():
        assert all(embedded == "yes" for _, embedded in fonts_of(path)), path.name


# --- what it looks like -----------------------------------------------------------------------


def test_cover_and_sheet_are_not_blank_and_the_logo_shows(scripts, example, tmp_path):
    _, written = scripts
    cover = render_png(written["workbook"], 1, tmp_path / "cover")
    assert ink(cover) > 0.15  # the coloured band, the name, the roles
    image = Image.open(cover).convert("RGB")
    reds = sum(1 for pixel in image.get_flattened_data() if pixel[0] > 170 and pixel[1] < 80 and pixel[2] < 90)
    assert reds > 100  # the coach's logo was read and drawn
    for path in (written["wang-fang"], example[1]["jordan-smith"]):
        sheet = render_png(path, 1, tmp_path / path.stem)
        width, height = Image.open(sheet).size
        assert ink(sheet) > 0.03
        assert ink(sheet, (0, 0, width, height // 4)) > 0.02 and ink(sheet, (0, height // 2, width, height)) > 0.02


def test_answer_spaces_have_one_rule_per_line(example, renderer, tmp_path):
    """The rules are drawn per line (borders and one-colour layers, generated per density): count them on the page."""
    workbook, _ = example
    for plan_id, level in (("jordan-smith", 1), ("alex-chen", 4)):  # both one page at these levels
        plan, density = workbook.contact(plan_id), SHEET_DENSITIES[level]
        document = parse_html(
            renderer.sheet_html(workbook, plan, density), renderer.templates.as_uri() + "/", renderer.fetcher
        ).render(
            stylesheets=[renderer.stylesheet("question-sheet", workbook, density)],
            font_config=renderer.font_config,
            **PDF_OPTIONS,
        )
        assert len(document.pages) == 1
        document.write_pdf(tmp_path / f"{plan_id}.pdf", **PDF_OPTIONS)
        image = Image.open(render_png(tmp_path / f"{plan_id}.pdf", 1, tmp_path / plan_id, dpi=150)).convert("L")
        # Across the questions column (right of the numbers, left of the sidebar): a rule is a run of rows that are
        # light grey nearly all the way (text never is); the header's dark rule and its anti-aliased edges are left out.
        per_mm = 150 / 25.4
        side, sidebar = (10, 60) if density.compact else (12, 67)
        columns = range(int((side + 8) * per_mm), int((LETTER[0] * 25.4 / 72 - side - sidebar - 1) * per_mm), 3)
        # Below the "Before you go in" box (its borders are rules too).
        before = next(
            box
            for box in boxes_of(document.pages[0]._page_box)
            if box.element_tag == "section" and box.element is not None and box.element.get("class") == "before"
        )
        top = int((before.position_y + before.margin_height()) * 150 / 96) + 2
        rows = [[image.getpixel((x, y)) for x in columns] for y in range(top, image.height)]
        grey = [sum(150 < value < 232 for value in row) > 0.9 * len(row) for row in rows]
        dark = [sum(value <= 150 for value in row) > 0.9 * len(row) for row in rows]
        rules = sum(
            1 for y in range(1, len(rows)) if grey[y] and not grey[y - 1] and not any(dark[max(0, y - 3) : y + 4])
        )
        assert rules == sum(density.answer_lines(question.minutes) for question in plan.question_plan.questions), (
            plan_id
        )


def boxes_of(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from boxes_of(child)


# --- markup -----------------------------------------------------------------------------------


def tree_rows(element: ElementTree.Element, depth: int = 0) -> list:
    """An element tree as comparable rows (tag, attributes, text and tail with whitespace collapsed)."""
    rows = [
        (
            depth,
            element.tag,
            sorted(element.attrib.items()),
            " ".join((element.text or "").split()),
            " ".join((element.tail or "").split()) if depth else "",
        )
    ]
    for child in element:
        rows += tree_rows(child, depth + 1)
    return rows


def test_print_markup_is_xml_with_the_tree_an_html5_parser_builds(example, scripts, renderer):
    """parse_html reads the print templates with the XML parser (50 times faster than WeasyPrint's HTML5 parser):
    every document must be well-formed and mean the same as HTML."""
    base = renderer.templates.as_uri() + "/"
    for workbook, _ in (example, scripts):
        documents = [renderer.workbook_html(workbook)] + [
            renderer.sheet_html(workbook, plan, density, stacked=stacked)
            for plan in workbook.contacts
            for density, stacked in ((SHEET_DENSITIES[0], False), (SHEET_DENSITIES[-1], True))
        ]
        for html in documents:
            assert tree_rows(ElementTree.fromstring(html)) == tree_rows(
                tinyhtml5.parse(html, namespace_html_elements=False)
            )
            assert type(parse_html(html, base, renderer.fetcher)) is not HTML  # the fast path


def test_markup_the_xml_parser_refuses_goes_to_weasyprints_parser(renderer, tmp_path):
    html = "<!DOCTYPE html><html><body><p>Line one<br>line two, &nbsp;not XML</p></body></html>"
    document = parse_html(html, renderer.templates.as_uri() + "/", renderer.fetcher)
    assert type(document) is HTML
    document.write_pdf(tmp_path / "fallback.pdf")
    assert "Line one line two, not XML" in text_of(tmp_path / "fallback.pdf")


# --- private and safe -------------------------------------------------------------------------


def test_hostile_text_is_printed_not_fetched_or_run(tmp_path, server, renderer):
    base, requests = server
    hostile = f'<link rel=attachment href=file:///etc/passwd> <img src="{base}/img.png"> file:///etc/passwd {{{{ 7*7 }}}} <script>alert(1)</script>'
    notes = textwrap.dedent(f"""\
        ![tracking pixel]({base}/pixel.png) [local]({base}/page) [passwd](file:///etc/passwd)
        <link rel="attachment" href="file:///etc/passwd"> <a rel="attachment" href="file:///etc/passwd">x</a>
        <img src="{base}/raw.png"> <iframe src="{base}/frame"></iframe> {{{{ 7*7 }}}} <script>alert(1)</script>
        [data](data:text/html;base64,PHNjcmlwdD4=) <style>@import url({base}/style.css);</style>
        """)
    # The logo is drawn, so WeasyPrint asks for what it links to: the fetcher must refuse. The loader refuses
    # such a logo (generator/logo.py), so it is put in place after loading, as a file changed mid-build would be.
    hostile_logo = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20">'
        f'<image href="{base}/svg.png" width="10" height="10"/><image xlink:href="file:///etc/passwd" width="10" height="10"/>'
        f'<rect width="40" height="20" fill="#c81e28"/></svg>'
    )
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"/>')
    profile = {
        "seeker": {"name": "Maya {{ 7*7 }} Lopez", "headline": hostile[:400]},
        "coach": {"name": "Dana <b>Coach</b>", "website": f"{base}/coach", "logo": "logo.svg"},
        "target_roles": [{"title": "Career Advisor", "why": hostile[:400], "companies": [f"{base}/company.png"]}],
        "contacts": [
            {
                "name": "Jordan <script>x</script> Smith",
                "role": hostile[:400],
                "company": "file:///etc/passwd",
                "relationship": "referral",
                "referred_by": hostile[:400],
                "how_we_met": hostile[:400],
                "interests": [hostile[:400]],
                "needs": [f"{base}/need.png"],
                "status": "met",
                "meeting": {"date": "2026-11-20T10:00", "minutes": 30, "place": hostile[:400]},
                "questions": [hostile[:400]],
                "notes": notes,
            }
        ],
    }
    (tmp_path / "hostile.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    workbook = tailor(load_profile(tmp_path / "hostile.yaml"), builtin_banks(), load_guide(), TODAY)
    (tmp_path / "logo.svg").write_text(hostile_logo)
    written = renderer.render_all(workbook, tmp_path / "out" / workbook.client_id)

    assert requests == []
    for path in written.values():
        reader = PdfReader(path)
        assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
        annotations = [annotation.get_object() for page in reader.pages for annotation in page.get("/Annots", [])]
        assert not [a for a in annotations if a["/Subtype"] == "/FileAttachment"]
        # no link may point at the local server or the file system
        targets = [str(a["/A"].get("/URI", "")) for a in annotations if "/A" in a]
        assert not [t for t in targets if t.startswith(("file:", "data:")) or "127.0.0.1" in t]
        text = text_of(path)
        assert "root:" not in text
        # printed, never evaluated: no "49" as a number of its own (the server's port or a year may contain 49)
        assert "{{ 7*7 }}" in text and not re.search(r"(?<![\d.:])49(?!\d)", text)
    text = text_of(written["workbook"])
    assert "<script>alert(1)</script>" in text and "Jordan <script>x</script> Smith" in text
    assert "<link rel=attachment href=file:///etc/passwd>" in text
    assert "Dana <b>Coach</b>" in text


# --- reuse ------------------------------------------------------------------------------------


def test_one_renderer_reuses_fonts_and_compiled_css(example, scripts, renderer):
    letter, a4 = example[0], scripts[0]
    assert renderer.stylesheet("workbook", letter) is renderer.stylesheet("workbook", letter)
    assert renderer.stylesheet("workbook", letter) is not renderer.stylesheet("workbook", a4)  # paper and colour differ
    fonts = renderer.font_config
    renderer.render_sheet(letter, letter.contacts[0], Path(shutil.os.devnull))
    assert renderer.font_config is fonts


# --- issue 9: one page to write on, for every plan up to 90 minutes ------------------------------------


def fullest_profile(paper: str, minutes: int) -> dict:
    """The most a sheet has to hold: a 400-character pitch, long titles, every fact, notes, a met note."""
    contacts = [
        {
            "id": f"c-{relationship}-{status}",
            "name": f"Alexandra {relationship} {status}",
            "role": "Associate Vice President for Student Success and Career Readiness",
            "company": "Oregon Health & Science University",
            "relationship": relationship,
            "status": status,
            "target_role": "designer",
            "interests": ["student mental health", "career readiness for humanities majors"],
            "hobbies": ["pottery", "film photography"],
            "needs": ["a trainer for LinkedIn workshops", "help editing course videos"],
            "how_we_met": "We sat next to each other at the regional career-services conference in Eugene last spring",
            "meeting": {"date": "2026-12-03T10:00", "minutes": minutes},
            "questions": [
                "How did the peer-advising pilot go, and what would you change if you ran it again next year?"
            ],
            "notes": "Ask about the **peer-advising pilot**. Their office runs LinkedIn Lab every term; " * 4,
            "history": [
                {
                    "date": "2026-11-02",
                    "event": "met",
                    "note": "She said the team is short of people who can design workshops and offered to introduce me to the dean",
                }
            ]
            if status == "met"
            else [],
            **({"referred_by": "Alex Chen"} if relationship == "referral" else {}),
        }
        for relationship in ("friend", "cold", "referral", "recruiter")
        for status in ("to-contact", "met")
    ]
    return {
        "seeker": {
            "name": "Maya Lopez",
            "strengths": ["LinkedIn profile reviews", "Video editing"],
            "pitch": "x" * 0
            + (
                "I've taught software to adults for eight years, and the best part was always the moment a workshop clicked "
                "for someone who had been sure it never would. I'm exploring university career services, where that could "
                "help students land a first job they love; I'd value your view of how people get started there."
            )[:400],
        },
        "settings": {"paper": paper},
        "target_roles": [
            {"id": "designer", "title": "Career Education Program Designer", "industry": "Higher education"}
        ],
        "contacts": contacts,
    }


@pytest.mark.slow
@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("minutes", [15, 30, 60, 90])
def test_every_plan_up_to_90_minutes_fits_one_page_with_two_lines_per_answer(tmp_path, renderer, paper, minutes):
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(fullest_profile(paper, minutes)), encoding="utf-8")
    workbook = tailor(load_profile(tmp_path / "p.yaml"), builtin_banks(), load_guide(), TODAY)
    for plan in workbook.contacts:
        path = tmp_path / f"{plan.id}.pdf"
        renderer.render_sheet(workbook, plan, path)
        assert len(PdfReader(path).pages) == 1, (plan.id, len(plan.question_plan.questions))
        text = text_of(path)
        for label in (
            "Before you go in",
            "Why them",
            "After the meeting",
            "Names they gave",
            "Thank-you sent by Fri 4 Dec",
        ):
            assert label in text, (plan.id, label)
        assert ("Last time" in text) == (plan.last_time is not None)
        for question in plan.question_plan.questions:
            assert " ".join(question.text.split()) in text
    # At least two ruled lines under every question, at whatever density the sheet was set.
    assert all(density.min_lines >= 2 for density in SHEET_DENSITIES)


def test_no_time_zone_is_printed_when_the_profile_never_set_one(tmp_path, renderer):
    profile = {
        "seeker": {"name": "Maya Lopez"},
        "target_roles": [{"title": "Career Advisor"}],
        "contacts": [
            {
                "name": "Jordan Smith",
                "role": "Director",
                "relationship": "cold",
                "meeting": {"date": "2026-12-03T10:00", "minutes": 20},
            }
        ],
    }
    for settings, zone in (({}, None), ({"timezone": "UTC"}, "UTC"), ({"timezone": "America/Los_Angeles"}, "PST")):
        (tmp_path / "p.yaml").write_text(yaml.safe_dump({**profile, "settings": settings}), encoding="utf-8")
        workbook = tailor(load_profile(tmp_path / "p.yaml"), builtin_banks(), load_guide(), TODAY)
        plan = workbook.contacts[0]
        renderer.render_sheet(workbook, plan, tmp_path / "s.pdf")
        text = text_of(tmp_path / "s.pdf")
        assert "Thu 3 Dec 2026, 10:00" in text
        assert plan.meeting.zone_label == zone
        assert ("10:00 UTC" in text) == (zone == "UTC") and ("PST" in text) == (zone == "PST")


def test_emoji_print_as_a_glyph_or_are_dropped_cleanly(tmp_path, renderer):
    from generator.pdf import without_emoji

    assert without_emoji("Loves 🚀 rockets") == "Loves rockets"
    assert without_emoji("👩‍💻 coding 🇺🇸") == "coding"
    assert without_emoji("coffee ☕ chats") == "coffee ☕ chats"  # DejaVu Sans draws this one
    profile = {
        "seeker": {"name": "Maya Lopez 🌟", "pitch": "Trainer 🎓 moving into careers"},
        "target_roles": [{"title": "Career Advisor"}],
        "contacts": [
            {
                "name": "Jordan Smith",
                "role": "Director 🚀",
                "relationship": "friend",
                "interests": ["AI tutoring 🤖"],
                "hobbies": ["trail running 🏃‍♀️"],
            }
        ],
    }
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    workbook = tailor(load_profile(tmp_path / "p.yaml"), builtin_banks(), load_guide(), TODAY)
    renderer.render_sheet(workbook, workbook.contacts[0], tmp_path / "s.pdf")
    text = text_of(tmp_path / "s.pdf")
    assert "Trainer moving into careers" in text and "AI tutoring" in text and "Director" in text
    assert not re.search("[\U0001f000-\U0001faff\u200d\ufe0f]", text)
