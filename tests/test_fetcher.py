"""The PDF renderer's URL fetcher reads the project's print assets and the files it is given, nothing else."""

from __future__ import annotations

import io
import logging

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from generator.fetcher import AssetFetcher, RefusedURL
from generator.paths import TEMPLATES

PRINT = TEMPLATES / "print"


def test_serves_the_projects_own_print_assets():
    asset = PRINT / "common.css"
    response = AssetFetcher().fetch(asset.as_uri())
    assert response.read() == asset.read_bytes()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/logo.png",
        "https://example.org/logo.png",
        "ftp://example.org/logo.png",
        "file:///etc/passwd",
        "file://example.org/etc/passwd",
        "data:text/plain;base64,cm9vdDp4OjA6MA==",
        "javascript:alert(1)",
        "logo.png",
    ],
)
def test_refuses_anything_else(url, caplog):
    with caplog.at_level(logging.WARNING, logger="workbook.fetcher"):
        with pytest.raises(RefusedURL):
            AssetFetcher().fetch(url)
    assert "refused" in caplog.text


def test_refuses_network_urls_without_connecting(server):
    base, requests = server
    for url in (f"{base}/logo.png", f"{base.replace('http', 'https')}/logo.png"):
        with pytest.raises(RefusedURL):
            AssetFetcher().fetch(url)
    assert requests == []


def test_refuses_dot_dot_traversal_out_of_an_asset_folder():
    url = PRINT.as_uri() + "/../../../../../../etc/passwd"
    with pytest.raises(RefusedURL):
        AssetFetcher().fetch(url)
    encoded = PRINT.as_uri() + "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd"
    with pytest.raises(RefusedURL):
        AssetFetcher().fetch(encoded)


def test_allows_dot_dot_that_stays_inside():
    url = PRINT.as_uri() + "/../print/common.css"
    assert AssetFetcher().fetch(url).read() == (PRINT / "common.css").read_bytes()


def test_refuses_a_symlink_that_escapes_the_folder(tmp_path):
    (tmp_path / "inside.txt").write_text("fine")
    (tmp_path / "escape.css").symlink_to("/etc/passwd")
    (tmp_path / "escape-dir").symlink_to("/etc")
    fetcher = AssetFetcher(folders=[tmp_path])
    assert fetcher.fetch((tmp_path / "inside.txt").as_uri()).read() == b"fine"
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "escape.css").as_uri())
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "escape-dir" / "passwd").as_uri())


def test_serves_an_extra_file_but_not_its_neighbours(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG")
    (tmp_path / "secret.txt").write_text("private")
    fetcher = AssetFetcher().with_files([logo])
    assert fetcher.fetch(logo.as_uri()).read() == b"\x89PNG"
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "secret.txt").as_uri())
    with pytest.raises(RefusedURL):
        AssetFetcher().fetch(logo.as_uri())  # the plain fetcher was not given the logo


def test_refuses_folders_and_missing_files(tmp_path):
    fetcher = AssetFetcher(folders=[tmp_path])
    (tmp_path / "sub").mkdir()
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "sub").as_uri())
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "missing.png").as_uri())


def test_serves_only_the_data_urls_it_was_given():
    mine = "data:font/ttf;base64,AAEAAA=="
    fetcher = AssetFetcher(generated={mine: (b"\x00\x01\x00\x00", "font/ttf")})
    assert fetcher.fetch(mine).read() == b"\x00\x01\x00\x00"
    with pytest.raises(RefusedURL):
        fetcher.fetch("data:font/ttf;base64,AAEAAB==")


def test_weasyprint_with_the_fetcher_makes_no_request_and_reads_no_outside_file(server, tmp_path):
    base, requests = server
    html = f"""<img src="{base}/a.png"><img src="file:///etc/passwd">
    <link rel="stylesheet" href="{base}/style.css"><link rel="attachment" href="file:///etc/passwd">
    <p style="background: url({base}/b.png)">text</p>"""
    pdf = HTML(string=html, base_url=PRINT.as_uri() + "/", url_fetcher=AssetFetcher()).write_pdf()
    assert requests == []
    reader = PdfReader(io.BytesIO(pdf))
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert not [
        a for page in reader.pages for a in page.get("/Annots", []) if a.get_object()["/Subtype"] == "/FileAttachment"
    ]
    assert "root:" not in "".join(page.extract_text() for page in reader.pages)
