"""The workbook site in a real browser: Debian's Chromium, driven by Playwright, checked by axe-core.

Four sites are built once each for this module (the example, a client of the coach demo with the
coach's logo and teal colour, the hostile profile, and the example in a pale yellow with a logo) and
opened from file://, as a seeker opens them.
No browser is downloaded: the tests use /usr/bin/chromium (installed by `make`), and axe-core comes
bundled in the axe-playwright-python package. Without them the tests are skipped with the reason.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS

from generator.banks import builtin_banks
from generator.coach import load_coach_file
from generator.guide import load_guide
from generator.load import load_profile
from generator.paths import EXAMPLE, ROOT
from generator.site import render_site
from generator.tailor import tailor

pytestmark = pytest.mark.slow

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is a test dependency: pip install -e '.[test]'"
)
axe_package = pytest.importorskip("axe_playwright_python", reason="axe-playwright-python bundles axe-core")

FIXTURES = Path(__file__).parent / "fixtures"
COACH_DEMO = ROOT / "data" / "coach-demo"
TODAY = date(2026, 11, 29)

# axe-core rules whose violations belong to mkdocs-material's own markup, not to our templates, each
# with the elements it may flag and why it is excused. Everything else serious or critical fails.
THEME_OWNED = {
    "aria-dialog-name": (
        {".md-search"},
        "the theme's search overlay is a role=dialog without a name; "
        "its markup is mkdocs-material's partials/search.html",
    ),
}


# --- building the sites once --------------------------------------------------------------------------


def _build(profile: Path, out: Path, defaults=None):
    workbook = tailor(load_profile(profile, defaults=defaults), builtin_banks(), load_guide(), TODAY)
    client_dir = out / workbook.client_id
    sheets = {plan.id: f"sheets/{plan.id}.pdf" for plan in workbook.contacts}
    workbook_pdf = f"{workbook.client_id}-workbook.pdf"
    for path in [*sheets.values(), workbook_pdf]:  # stand-ins for the PDF renderer's files
        (client_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (client_dir / path).write_bytes(b"%PDF-1.7\n")
    render_site(workbook, client_dir, sheets=sheets, workbook_pdf=workbook_pdf)
    return workbook, client_dir / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    built = {"example": _build(EXAMPLE, tmp_path_factory.mktemp("example"))}
    coach = load_coach_file(COACH_DEMO / "coach.yaml")
    built["coach"] = _build(COACH_DEMO / "maya-lopez.yaml", tmp_path_factory.mktemp("coach"), coach.defaults)
    folder = tmp_path_factory.mktemp("hostile")
    profile = folder / "profile.yaml"
    # Port 9 (discard): nothing listens; the browser's own request log is what the tests read.
    profile.write_text(
        (FIXTURES / "site-hostile.yaml").read_text(encoding="utf-8").replace("PORT", "9"), encoding="utf-8"
    )
    built["hostile"] = _build(profile, folder / "out")
    # The palest coach colour a coach might pick, with the coach demo's logo: the hardest case for contrast.
    folder = tmp_path_factory.mktemp("pale")
    shutil.copytree(COACH_DEMO / "assets", folder / "assets")
    profile = folder / "pale.yaml"
    profile.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            'color: "#3f51b5"', 'color: "#fff59d"\n  logo: assets/whitfield-logo.svg'
        ),
        encoding="utf-8",
    )
    built["pale"] = _build(profile, folder / "out")
    return built


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip("Debian's chromium is not installed (make setup installs it)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A browser tab that records every request, console error, script error and dialog it sees."""

    def __init__(self, browser, scheme: str = "light", width: int = 1280):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        self.page.on("dialog", lambda dialog: (self.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))

    def open(self, path: Path):
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        return self.page

    def close(self):
        self.context.close()


def page_types(workbook, site: Path) -> dict[str, Path]:
    """One page of every kind the generator writes."""
    return {
        "home": site / "index.html",
        "guide": site / "guide" / f"{workbook.guide[0].slug}.html",
        "roles": site / "roles" / "index.html",
        "role": site / "roles" / f"{workbook.roles[0].role.id}.html",
        "contacts": site / "contacts" / "index.html",
        "contact": site / "contacts" / f"{workbook.contacts[0].id}.html",
        "tracker": site / "tracker.html",
        "question bank": site / "banks" / "questions.html",
        "offer bank": site / "banks" / "offers.html",
    }


def _serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the open page, less the theme's own (THEME_OWNED)."""
    page.evaluate(AXE_SCRIPT)
    # preload off: axe would otherwise fetch the stylesheets with XHR, which file:// refuses noisily.
    results = page.evaluate("axe.run(document, {resultTypes: ['violations'], preload: false})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        excused = THEME_OWNED.get(violation["id"], (set(), ""))[0]
        for node in violation["nodes"]:
            target = " ".join(map(str, node["target"]))
            if target in excused:
                continue
            found.append(
                f"{violation['id']} ({violation['impact']}) at {target}: "
                f"{' '.join(node.get('failureSummary', '').split())[:300]}"
            )
    return found


AXE_SCRIPT = (Path(axe_package.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


# --- private, quiet and accessible: every page type, light and dark --------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ["example", "coach", "hostile", "pale"])
def test_every_page_type_stays_on_file_logs_no_error_and_passes_axe(sites, browser, name, scheme):
    workbook, site = sites[name]
    visit = Visit(browser, scheme)
    problems = []
    try:
        for kind, path in page_types(workbook, site).items():
            page = visit.open(path)
            expected = "slate" if scheme == "dark" else "default"
            assert page.evaluate("document.body.dataset.mdColorScheme") == expected, kind
            elsewhere = [url for url in visit.requests if not url.startswith("file://")]
            problems += [f"{kind}: request to {url}" for url in elsewhere]
            problems += [f"{kind}: {error}" for error in visit.errors]
            visit.requests.clear()
            visit.errors.clear()
            problems += [f"{kind}: {violation}" for violation in _serious_violations(page)]
    finally:
        visit.close()
    assert not problems, "\n".join(problems)


def test_search_finds_a_contact_from_file(sites, browser):
    workbook, site = sites["example"]
    visit = Visit(browser)
    try:
        page = visit.open(site / "index.html")
        page.click("input[data-md-component='search-query']")
        page.keyboard.type("Kenji", delay=30)  # typed as a person types: the theme searches on key presses
        results = page.locator(".md-search-result__item")
        results.first.wait_for(timeout=10_000)
        assert "Kenji Watanabe" in page.inner_text(".md-search-result")
        assert all(url.startswith("file://") for url in visit.requests)
        assert not visit.errors, visit.errors
    finally:
        visit.close()


# --- checklists that remember ---------------------------------------------------------------------------


def _boxes(page, list_name: str):
    return page.locator(f"[data-checklist$='/{list_name}'] input[type=checkbox]")


def test_a_ticked_box_stays_ticked_after_a_reload_and_a_rebuild_until_reset(sites, browser, tmp_path):
    workbook, site = sites["example"]
    plan = workbook.contacts[0]
    path = site / "contacts" / f"{plan.id}.html"
    visit = Visit(browser)
    try:
        page = visit.open(path)
        offers = _boxes(page, "offers")
        assert offers.count() == len(plan.offers) > 1
        # Every box has a label a screen reader announces: the offer's own words.
        assert page.get_by_label(plan.offers[1].text, exact=False).first.is_visible()
        page.locator(f"label[for='{offers.nth(1).get_attribute('id')}']").click()  # ticking by its label
        _boxes(page, "after").first.check()
        page.reload()
        offers = _boxes(page, "offers")
        assert [offers.nth(i).is_checked() for i in range(offers.count())] == [i == 1 for i in range(len(plan.offers))]
        assert _boxes(page, "after").first.is_checked()
        # Another contact's list is its own.
        other = visit.open(site / "contacts" / f"{workbook.contacts[1].id}.html")
        assert not any(box.is_checked() for box in _boxes(other, "offers").all())
        # A rebuild keeps the tick: the key comes from the item's words, not its place or the build.
        render_site(
            workbook,
            site.parent,
            sheets={p.id: f"sheets/{p.id}.pdf" for p in workbook.contacts},
            workbook_pdf=f"{workbook.client_id}-workbook.pdf",
        )
        page = visit.open(path)
        assert _boxes(page, "offers").nth(1).is_checked()
        # The list's reset clears that list only.
        page.locator("[data-checklist$='/offers'] .workbook-checklist__reset").click()
        assert not any(box.is_checked() for box in _boxes(page, "offers").all())
        assert _boxes(page, "after").first.is_checked()
        page.reload()
        assert not any(box.is_checked() for box in _boxes(page, "offers").all())
        assert not visit.errors, visit.errors
    finally:
        visit.close()


def test_printed_an_unticked_box_is_empty_and_buttons_are_hidden(sites, browser):
    workbook, site = sites["example"]
    visit = Visit(browser)
    try:
        page = visit.open(site / "contacts" / f"{workbook.contacts[0].id}.html")
        page.emulate_media(media="print")
        assert not page.locator(".md-button").first.is_visible()
        assert not page.locator(".workbook-checklist__reset").first.is_visible()
        assert not any(box.is_checked() for box in _boxes(page, "offers").all())
        breaks = page.evaluate("getComputedStyle(document.querySelector('.md-typeset h2')).breakAfter")
        assert breaks == "avoid"
    finally:
        visit.close()


# --- the chart and the tables, as a reader sees them -----------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_the_tracker_chart_fills_the_content_width_with_body_sized_text(sites, browser, width):
    workbook, site = sites["example"]
    visit = Visit(browser, width=width)
    try:
        page = visit.open(site / "tracker.html")
        chart = page.locator(".workbook-chart").bounding_box()
        content = page.locator(".md-content__inner").bounding_box()
        assert chart["width"] >= min(content["width"] - 40, 0.6 * 800), (chart, content)
        body = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)")
        label = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.workbook-chart__label')).fontSize)")
        assert label >= body
        bar = page.locator(".workbook-chart__bar").first.bounding_box()
        assert 10 <= bar["height"] <= 1.5 * body  # a bar is as tall as a line of text, whatever its width
        caption = page.inner_text(".workbook-chart figcaption")
        for status in workbook.tracker.by_status:
            assert f"{status.count} {status.label.lower()}" in caption
    finally:
        visit.close()


def test_on_a_phone_the_contacts_table_shows_every_column_without_scrolling(sites, browser):
    workbook, site = sites["example"]
    visit = Visit(browser, width=390)
    try:
        page = visit.open(site / "contacts" / "index.html")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        meeting = next(plan for plan in workbook.contacts if plan.meeting)
        row = page.locator("tr", has_text=meeting.contact.name)
        assert meeting.meeting.when in row.inner_text()
        box = row.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    finally:
        visit.close()
