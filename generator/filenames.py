"""File names made from ids: the one place that keeps them usable on every system.

Ids are validated slugs (`^[a-z0-9][a-z0-9-]{0,63}$`), so they are already safe characters; what is
left is the handful of names Windows reserves for devices whatever the extension (`con.html`,
`nul.pdf` …): a site or PDF named so cannot be copied onto, or opened from, a Windows drive. Such a
name gets a trailing underscore, which no id can contain, so it can never collide with another id.
"""

from __future__ import annotations

RESERVED_ON_WINDOWS = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{n}" for n in range(1, 10)] + [f"lpt{n}" for n in range(1, 10)]
)


def file_stem(name: str) -> str:
    """`name` as the stem of a file name: itself, or with `_` added when Windows reserves it."""
    return name + "_" if name.lower() in RESERVED_ON_WINDOWS else name


def safe_path(path: str) -> str:
    """A relative path (`sheets/con.pdf`) with every segment's stem made safe (`sheets/con_.pdf`)."""
    segments = []
    for segment in path.split("/"):
        stem, dot, rest = segment.partition(".")
        segments.append(file_stem(stem) + dot + rest)
    return "/".join(segments)
