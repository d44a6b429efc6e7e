"""MkDocs hooks for every workbook site: keep it private, offline and free of injected markup.

Listed under `hooks:` in each client's generated mkdocs.yml, so `mkdocs build`
and `mkdocs serve -f OUT/<client-id>/mkdocs.yml` behave exactly like
`workbook build`. What they do, and why:

* Titles are HTML. MkDocs and mkdocs-material print `site_name` and page titles
  into the page without escaping them (and `striptags` on a title would even
  turn `&lt;` back into `<`). The generator therefore writes them already
  HTML-escaped, and these hooks mark them as Markup so the theme's own `| e`
  does not escape them a second time.
* No request to another host. The offline plugin and the theme's script bundle
  name CDN addresses (unpkg.com for Mermaid and a ResizeObserver polyfill, the
  GitHub and GitLab APIs for repository facts). A workbook never needs them, so
  every such address in the theme's scripts is replaced by `about:blank` before
  the file is copied: nothing the site ships can reach the network.
* Nothing the workbook does not use: source maps, the sitemap (search engines
  are told to stay away anyway), the 404 page (only a web server shows it) and
  the search languages the site is not in.
* A page rebuilt alone keeps the others' search entries. A dirty build (`workbook
  build` after a small edit, `mkdocs build --dirty`) builds only the changed
  pages, and the search plugin then indexes only those; the entries of every
  other page are taken from the search index the earlier build left, in the
  order a full build writes them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import Environment
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

# An absolute http(s) address, except XML namespace names (identifiers used by createElementNS, never fetched).
_REMOTE_ADDRESS = re.compile(r"https?://(?!www\.w3\.org/)[^\s\"'`]+")
# License banners (/*! … */ and /** … */ at the top of bundled libraries) keep their words and links intact.
_LICENSE_COMMENT = re.compile(r"/\*[*!][\s\S]*?\*/")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # The generator wrote site_name HTML-escaped (see _generate_config in generator/site.py).
    config.site_name = Markup(config.site_name)
    # A sitemap exists for search engines; a private workbook has nothing to tell them. (Its template
    # would now count as a plain theme file, so on_files leaves it out too.)
    config.theme.static_templates.discard("sitemap.xml")
    # The theme's 404 page links with absolute paths for a web server's root; opened from files, it leads nowhere.
    config.theme.static_templates.discard("404.html")
    # The offline plugin adds iframe-worker from unpkg.com unless a polyfill named like it is listed;
    # keep only local polyfills, whatever a future version of the plugin appends.
    config.extra["polyfills"] = [url for url in config.extra.get("polyfills", []) if not _is_remote(str(url))]
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    needed_lunr = _lunr_files_for(config)
    for file in list(files):
        path = file.src_uri
        if not _is_theme_file(file, config):
            continue
        unused_language = (
            path.startswith("assets/javascripts/lunr/") and needed_lunr is not None and path not in needed_lunr
        )
        if path.endswith(".map") or path in ("sitemap.xml", "404.html") or unused_language:
            files.remove(file)
        elif path.endswith(".js"):
            text = _without_remote_addresses(file.abs_src_path)
            if text is not None:
                files.remove(file)
                files.append(File.generated(config, path, content=text, inclusion=InclusionLevel.NOT_IN_NAV))
    return files


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    # The generated mkdocs.yml gives every page its title, HTML-escaped like the front matter's (see _nav_page
    # in generator/site.py); the theme prints it as is, and its `| e` must not escape it a second time.
    for page in nav.pages:
        if isinstance(page.title, str) and not isinstance(page.title, Markup):
            page.title = Markup(page.title)
    # The pages in the order MkDocs builds them, which is the order of a full build's search index.
    _search.order = [file.url for file in files.documentation_pages()]
    return nav


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    # The theme's fifty-odd templates, compiled once and kept (generator/paths.py): a one-page build would
    # otherwise spend more time compiling them than building the page.
    try:
        from generator.paths import template_cache
    except ImportError:  # the hooks without workbook installed (`mkdocs build` elsewhere): compile as usual
        return env
    env.bytecode_cache = template_cache()
    return env


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    # Generated pages carry an HTML-escaped `title:` in their front matter (see _front_matter in generator/site.py).
    title = page.meta.get("title")
    if isinstance(title, str):
        page.meta["title"] = Markup(title)
    return markdown


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE))


def _is_theme_file(file: File, config: MkDocsConfig) -> bool:
    docs = os.path.abspath(config.docs_dir)
    source = os.path.abspath(file.abs_src_path or "")
    return not file.generated_by and not source.startswith(docs + os.sep)


@lru_cache(maxsize=32)
def _without_remote_addresses(path: str) -> str | None:
    """The script at `path` with every remote address outside license comments replaced; None if it has none."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    pieces = []
    changed = False
    position = 0
    for comment in _LICENSE_COMMENT.finditer(text):
        code = text[position : comment.start()]
        cleaned = _REMOTE_ADDRESS.sub("about:blank", code)
        changed |= cleaned != code
        pieces += [cleaned, comment.group()]
        position = comment.end()
    code = text[position:]
    cleaned = _REMOTE_ADDRESS.sub("about:blank", code)
    changed |= cleaned != code
    pieces.append(cleaned)
    return "".join(pieces) if changed else None


def _lunr_files_for(config: MkDocsConfig) -> set[str] | None:
    """The lunr language scripts the search worker will load, as the theme's worker chooses them.

    None (keep them all) when the search plugin's languages cannot be read.
    """
    search = config.plugins.get("material/search")
    languages = getattr(getattr(search, "config", None), "lang", None)
    if not languages:
        return None
    base = "assets/javascripts/lunr/"
    needed: set[str] = set()
    for language in languages:
        if language == "ja":
            needed.add(base + "tinyseg.js")
        if language in ("hi", "th"):
            needed.add(base + "wordcut.js")
        if language != "en":
            needed.add(f"{base}min/lunr.{language}.min.js")
    if len(languages) > 1:
        needed.add(base + "min/lunr.multi.min.js")
    if needed:
        needed.add(base + "min/lunr.stemmer.support.min.js")
    return needed


# --- the search index of a dirty build --------------------------------------------------------------


@dataclass
class _SearchIndexState:
    """This build's: the pages in the order MkDocs builds them, those it built, the earlier index's text."""

    order: list[str] = field(default_factory=list)
    built: set[str] = field(default_factory=set)
    earlier: str | None = None


_search = _SearchIndexState()


def on_pre_build(config: MkDocsConfig) -> None:
    # Read before anything is written: a full build empties the site folder after this event, a dirty one
    # overwrites the index. Parsed only if a page was not built this time.
    global _search
    _search = _SearchIndexState()
    try:
        with open(os.path.join(config.site_dir, "search", "search_index.json"), encoding="utf-8") as handle:
            _search.earlier = handle.read()
    except (OSError, UnicodeDecodeError):
        pass


def on_page_context(context: dict[str, object], page: Page, config: MkDocsConfig, nav: Navigation) -> dict[str, object]:
    _search.built.add(page.url)
    return context


@event_priority(-50)  # after the search plugin writes its index (0), before the offline plugin inlines it (-100)
def on_post_build(config: MkDocsConfig) -> None:
    if _search.earlier is None or all(url in _search.built for url in _search.order):
        return  # a full build: the index has every page
    path = os.path.join(config.site_dir, "search", "search_index.json")
    try:
        with open(path, encoding="utf-8") as handle:
            index = json.load(handle)
        earlier = _by_page(json.loads(_search.earlier)["docs"])
        fresh = _by_page(index["docs"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    # A page built this time has this build's entries; every other page keeps the earlier build's.
    index["docs"] = [
        entry for url in _search.order for entry in (fresh if url in _search.built else earlier).get(url, [])
    ]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(index, separators=(",", ":"), default=str))


def _by_page(entries: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    """Search entries by the page they are on (a location is the page's URL, then `#section` for a section)."""
    pages: dict[str, list[dict[str, object]]] = {}
    for entry in entries:
        pages.setdefault(str(entry["location"]).split("#", 1)[0], []).append(entry)
    return pages
