"""A long contact list: past LIST_ROWS contacts the site's contacts index links to alphabetical list pages and
the tracker shows the first rows of each status, so no page grows with the list (issue 12).

LIST_ROWS and TRACKER_ROWS are lowered for the example (10 contacts) rather than building 200 contact pages;
the site is a real MkDocs build, read as a user would (the built HTML)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest

import generator.site as site
from generator.banks import builtin_banks
from generator.guide import load_guide
from generator.load import load_profile
from generator.paths import EXAMPLE
from generator.tailor import tailor


def _text(path: Path) -> str:
    """The page's article as text (the navigation left out)."""
    html = path.read_text(encoding="utf-8")
    article = html[html.index("<article") : html.index("</article>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", "", article)).split())


@pytest.fixture(scope="module")
def long_site(tmp_path_factory):
    workbook = tailor(load_profile(EXAMPLE), builtin_banks(), load_guide(), date(2026, 11, 29))
    client = tmp_path_factory.mktemp("long") / workbook.client_id
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(site, "LIST_ROWS", 4)
        patch.setattr(site, "TRACKER_ROWS", 1)
        site.render_site(workbook, client)
    return workbook, client / "site"


def test_the_index_links_to_alphabetical_list_pages_that_hold_everyone_once(long_site):
    workbook, built = long_site
    index = _text(built / "contacts" / "index.html")
    assert "10 people, in alphabetical order on 3 pages" in index
    names = sorted((plan.contact.name for plan in workbook.contacts), key=str.casefold)
    assert f"{names[0]} to {names[3]} (4)" in index and f"{names[8]} to {names[9]} (2)" in index
    assert not any(name in index.replace(f"{names[0]} to", "") for name in names[1:3])  # no table of everyone
    listed = []
    for number in (1, 2, 3):
        page = built / "contacts" / "all" / f"{number}.html"
        html = page.read_text(encoding="utf-8")
        listed += [unescape(name) for name in re.findall(r'<a href="\.\./[a-z0-9-]+\.html">([^<]+)</a>', html)]
    assert listed == names
    # A list page's links lead to the contact's own page.
    assert (built / "contacts" / "all" / "1.html").read_text(encoding="utf-8").count('href="../') >= 4


def test_the_tracker_shows_the_first_rows_of_each_status_and_points_to_the_rest(long_site):
    workbook, built = long_site
    tracker = _text(built / "tracker.html")
    for count in workbook.tracker.by_status:
        if count.count > 1:
            assert f"… and {count.count - 1} more: see Your contacts." in tracker, count.status
    assert sum(1 for plan in workbook.contacts if plan.contact.name in tracker) <= len(workbook.tracker.by_status) + 3
    assert 'href="contacts/index.html"' in (built / "tracker.html").read_text(encoding="utf-8")


def test_a_short_list_keeps_one_table_and_no_list_pages(tmp_path):
    workbook = tailor(load_profile(EXAMPLE), builtin_banks(), load_guide(), date(2026, 11, 29))
    assert len(workbook.contacts) <= site.LIST_ROWS
    assert site.contact_lists(workbook) == []


def test_this_week_shows_the_first_steps_and_counts_the_rest(long_site):
    workbook, built = long_site
    assert workbook.this_week is not None and len(workbook.this_week.items) > 1
    for page in ("index.html", "tracker.html"):
        text = _text(built / page)
        assert f"… and {len(workbook.this_week.items) - 1} more." in text, page
        assert workbook.this_week.items[0].text in text and workbook.this_week.items[1].text not in text, page


def test_next_meetings_thanks_due_and_chains_show_the_first_and_count_the_rest(long_site):
    workbook, built = long_site
    tracker = workbook.tracker
    assert len(tracker.upcoming) > 1 and len(tracker.overdue_follow_ups) > 1 and len(tracker.referral_chains) > 1
    home, tracker_page = _text(built / "index.html"), _text(built / "tracker.html")
    assert f"… and {len(tracker.upcoming) - 1} more meetings; your calendar file has them all." in home
    for text in (home, tracker_page):
        assert f"… and {len(tracker.overdue_follow_ups) - 1} more." in text
    assert f"… and {len(tracker.referral_chains) - 1} more." in tracker_page


def test_a_role_lists_its_first_people_and_counts_the_rest(long_site):
    workbook, built = long_site
    role = next(plan for plan in workbook.roles if len(plan.contact_ids) > 1)
    more = f"… and {len(role.contact_ids) - 1} more."
    first, second = (workbook.contact(cid).contact.name for cid in role.contact_ids[:2])
    for page in (built / "roles" / f"{role.role.id}.html", built / "roles" / "index.html"):
        text = _text(page)
        assert more in text and first in text, page
    assert second not in _text(built / "roles" / f"{role.role.id}.html")
