"""Colours: parse a hex code, mix two colours, measure contrast the way WCAG 2 does, and find a readable shade.

The one home of colour: the profile format's pattern (generator/models.py), the default accent, and
the arithmetic for every renderer that derives colours from a coach's colour (the site, the PDF and
the coach's overview). Colours are (red, green, blue) tuples of 0–255 integers.
"""

from __future__ import annotations

import re

RGB = tuple[int, int, int]

WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
# WCAG 2 minimum contrast ratios (success criteria 1.4.3 and 1.4.11).
TEXT = 4.5  # body text
LARGE_OR_UI = 3.0  # large text, and the parts of controls and charts a reader must tell apart

# The accent when the coach gives no colour (Material Design's indigo 500), in the site, PDF and overview alike.
DEFAULT_ACCENT = "#3f51b5"
# What the profile format accepts as a colour: `#rgb` or `#rrggbb`.
HEX_PATTERN = r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
_HEX = re.compile(HEX_PATTERN)


def parse(colour: str) -> RGB:
    """`#rgb` or `#rrggbb` → (r, g, b). ValueError for anything else."""
    match = _HEX.match(colour.strip()) if isinstance(colour, str) else None
    if not match:
        raise ValueError(f"not a hex colour: {colour!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: RGB) -> str:
    return "#" + "".join(f"{channel:02x}" for channel in rgb)


def normalised(colour: str | None) -> str:
    """`#rrggbb` in lower case for a valid colour; the default accent for None (or, defensively, anything invalid)."""
    try:
        return to_hex(parse(colour or DEFAULT_ACCENT))
    except ValueError:
        return DEFAULT_ACCENT


def tint(colour: str, white: float) -> str:
    """`colour` mixed with `white` parts of white: a light background in the same hue."""
    return to_hex(mix(parse(colour), WHITE, white))


def mix(rgb: RGB, other: RGB, amount: float) -> RGB:
    """`amount` of the way from `rgb` to `other` (0 → rgb, 1 → other)."""
    red, green, blue = (round(a + (b - a) * amount) for a, b in zip(rgb, other, strict=True))
    return red, green, blue


def luminance(rgb: RGB) -> float:
    """Relative luminance (WCAG 2)."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: RGB, second: RGB) -> float:
    """The contrast ratio of two colours, 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(background: RGB) -> RGB:
    """Black or white, whichever reads better on `background` (always at least 4.58:1)."""
    return WHITE if contrast(background, WHITE) >= contrast(background, BLACK) else BLACK


def readable(rgb: RGB, background: RGB, ratio: float) -> RGB:
    """`rgb` itself when it has `ratio` contrast against `background`, else the nearest shade of it that does.

    The shade is mixed towards black on a light background and towards white on a dark one, in small
    steps, so the result stays as close to the coach's colour as the ratio allows.
    """
    if contrast(rgb, background) >= ratio:
        return rgb
    towards = BLACK if contrast(background, BLACK) >= contrast(background, WHITE) else WHITE
    for step in range(1, 101):
        shade = mix(rgb, towards, step / 100)
        if contrast(shade, background) >= ratio:
            return shade
    return towards
