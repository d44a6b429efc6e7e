"""Is a coach's logo safe and usable? Checked when the profile or coach.yaml loads, before any render.

A logo is shown in the site and in every PDF, so a hostile or broken one must be
refused at its `file:line:col`, not discovered (or silently dropped) by a renderer:

* PNG and JPEG: the pixel count is read from the image's header (Pillow's
  `Image.open` reads only the header; nothing is decoded) and refused above
  `MAX_LOGO_PIXELS`, so a small file that decompresses to gigabytes never does;
* SVG: a logo must be self-contained. Any reference to another file (itself
  included: a self-referencing `<image>` recursed until memory ran out) is
  refused: `href`/`xlink:href`/`src` other than a `#fragment`, `url(…)` other than
  `url(#…)`, `@import`, `xml-stylesheet`, and scripts, foreign objects and
  DOCTYPE/entity declarations, which a logo never needs.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from xml.parsers import expat

# The kinds of file a logo may be, by suffix (any case): the profile's model refuses others, and the site
# names its copy by the suffix.
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")
LOGO_KINDS = "a .png, .jpg, .jpeg or .svg file"
MAX_LOGO_PIXELS = 16_000_000  # 4000 × 4000: far more than any logo needs, at most 64 MB decoded
_RASTER_FORMATS = {"PNG", "JPEG"}
_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
_REFUSED_ELEMENTS = {"script": "a script", "foreignObject": "a foreignObject (embedded HTML)"}


def has_logo_suffix(name: str) -> bool:
    return name.strip().lower().endswith(LOGO_SUFFIXES)


def logo_problem(path: Path) -> str | None:
    """Why the logo file at `path` cannot be used (a sentence to follow its name), or None if it can."""
    if path.suffix.lower() == ".svg":
        try:
            data = path.read_bytes()  # the loader has checked it is a file of at most MAX_ASSET_BYTES
        except OSError as error:
            return f"cannot be read: {(error.strerror or str(error)).lower()}"
        return svg_problem(data)
    return _raster_problem(path)


def _raster_problem(path: Path) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:  # the header only
                width, height = image.size
                kind = image.format
                if kind in _RASTER_FORMATS and width * height <= MAX_LOGO_PIXELS:
                    image.verify()  # the file's structure (PNG chunk checksums), still without decoding pixels
    except Image.DecompressionBombError:
        return f"has far too many pixels; a logo may have at most {MAX_LOGO_PIXELS // 1_000_000} million"
    except (UnidentifiedImageError, SyntaxError, ValueError, EOFError):
        return "is not a PNG or JPEG image that can be read (the file is damaged or of another kind)"
    except OSError as error:
        reason = error.strerror.lower() if error.strerror else "the file is damaged or cut short"
        return f"cannot be read: {reason}"
    if kind not in _RASTER_FORMATS:
        return f"is a {kind} image, not PNG or JPEG; save it as PNG"
    if width * height > MAX_LOGO_PIXELS:
        return (
            f"is {width} × {height} pixels; a logo may have at most {MAX_LOGO_PIXELS // 1_000_000} million "
            "pixels (e.g. 4000 × 4000): make it smaller"
        )
    return None


def svg_problem(data: bytes) -> str | None:
    """Why this SVG cannot be a logo, or None. Parsed with expat, which never fetches anything."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        return "contains a DOCTYPE or entity declarations; a logo needs neither: remove them"
    if b"<?xml-stylesheet" in data.lower():
        return "refers to a stylesheet (xml-stylesheet); a logo must be self-contained"
    parser = expat.ParserCreate()
    found: list[str] = []
    in_style = [False]

    def where() -> str:
        return f"line {parser.CurrentLineNumber} of the SVG"

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local in _REFUSED_ELEMENTS:
            found.append(f"contains {_REFUSED_ELEMENTS[local]} ({where()}); a logo must be a plain picture")
            return
        in_style[0] = local == "style"
        for attribute, value in attributes.items():
            if attribute.rsplit(":", 1)[-1] in ("href", "src") and not value.strip().startswith("#"):
                found.append(_refers(f'<{name} {attribute}="{_short(value)}">', where()))
                return
            if _outside_url(value):
                found.append(_refers(f'{attribute}="{_short(value)}"', where()))
                return

    def text(content: str) -> None:
        if in_style[0] and (_outside_url(content) or "@import" in content.lower()):
            found.append(_refers("a stylesheet rule", where()))

    def end(_name: str) -> None:
        in_style[0] = False

    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        return f"is not a valid SVG file (line {error.lineno} of the SVG: {expat.ErrorString(error.code)})"
    return found[0] if found else None


def _outside_url(value: str) -> bool:
    return any(not target.startswith("#") for target in _URL.findall(value))


def _refers(what: str, where: str) -> str:
    return (
        f"refers to another file: {what} on {where}; a logo must be self-contained (no links to files, itself included)"
    )


def _short(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
