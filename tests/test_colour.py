"""Colours by computed contrast: every coach colour gives a site that reads in light and dark."""

from __future__ import annotations

import pytest

from generator import colour
from generator.site import PAGE_DARK, PAGE_LIGHT, site_colours

# At least a dozen coach colours, from the palest to the darkest, including the ones that broke before.
COACH_COLOURS = [
    "#fff59d",  # pale yellow
    "#ffeb3b",  # yellow
    "#00796b",  # mid teal (the coach demo's)
    "#00897b",  # teal
    "#1a237e",  # dark navy
    "#ff0000",  # pure red
    "#3f51b5",  # indigo
    "#4caf50",  # green
    "#ff9800",  # orange
    "#9c27b0",  # purple
    "#000000",  # black
    "#ffffff",  # white
    "#808080",  # mid grey
    "#e91e63",  # pink
    "#03a9f4",  # light blue
    "#f0f",  # short form: magenta
]


def test_contrast_matches_wcag_reference_values():
    assert colour.contrast(colour.WHITE, colour.BLACK) == pytest.approx(21)
    assert colour.contrast(colour.parse("#777777"), colour.WHITE) == pytest.approx(4.48, abs=0.01)
    assert colour.contrast(colour.parse("#767676"), colour.WHITE) == pytest.approx(
        4.54, abs=0.01
    )  # the well-known pair
    assert colour.parse("#0f8") == (0, 255, 136) and colour.to_hex((0, 255, 136)) == "#00ff88"
    with pytest.raises(ValueError):
        colour.parse("teal")


@pytest.mark.parametrize("coach_colour", COACH_COLOURS)
def test_every_derived_colour_reads_on_its_background(coach_colour):
    colours = site_colours(coach_colour, with_logo=True)
    parse = colour.parse
    primary = parse(colours["primary"])
    assert colours["primary"] == colour.to_hex(parse(coach_colour))  # the header keeps the coach's colour
    assert colour.contrast(parse(colours["on_primary"]), primary) >= colour.TEXT
    # The logo's white backdrop stands 3:1 off the header, or is ringed in a colour that does.
    edge = colours["logo_ring"] or colours["logo_backdrop"]
    assert colour.contrast(parse(edge), primary) >= colour.LARGE_OR_UI
    for scheme, page in (("light", PAGE_LIGHT), ("dark", PAGE_DARK)):
        derived = colours[scheme]
        for name in ("link", "accent"):  # link text, and buttons and chips drawn in it
            assert colour.contrast(parse(derived[name]), page) >= colour.TEXT, (scheme, name)
        assert colour.contrast(parse(derived["on_link"]), parse(derived["link"])) >= colour.TEXT
        assert colour.contrast(parse(derived["on_accent"]), parse(derived["accent"])) >= colour.TEXT


def test_a_readable_colour_is_kept_and_an_unreadable_one_is_shaded_as_little_as_needed():
    teal = colour.parse("#00796b")
    assert colour.readable(teal, PAGE_LIGHT, colour.TEXT) == teal
    shaded = colour.readable(teal, PAGE_DARK, colour.TEXT)
    assert shaded != teal and colour.contrast(shaded, PAGE_DARK) >= colour.TEXT
    one_step_less = colour.mix(shaded, teal, 0.05)
    assert colour.contrast(one_step_less, PAGE_DARK) < colour.TEXT + 0.5


@pytest.mark.parametrize("coach_colour", ["#ffd54f", "#fff59d", "#ffff00", "#00796b", "#ff0000", "#001f3f", None])
def test_print_accent_reads_on_white_and_on_its_own_tint(coach_colour):
    """The PDFs print headings and labels in the accent, white text on it and text on its tint: 4.5:1 each."""
    from types import SimpleNamespace

    from generator.pdf import _accent

    accent = colour.parse(_accent(SimpleNamespace(coach=SimpleNamespace(color=coach_colour) if coach_colour else None)))
    assert colour.contrast(accent, colour.WHITE) >= colour.TEXT
    assert colour.contrast(accent, colour.parse(colour.tint(colour.to_hex(accent), 0.9))) >= colour.TEXT
