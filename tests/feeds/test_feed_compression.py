"""Feeds are served compressed from the feed store's own gzip and Brotli bytes: a client that asks gets
exactly the stored feed back after decompressing, each coding has its own strong ETag, and a 304 carries
the headers of its 200."""
from __future__ import annotations

import gzip

import brotli
import pytest
from sqlalchemy import select

from calendar_app.feeds.models import FeedDocument

PATHS = ["/calendar.ics", "/holidays.ics", "/programs/feiyi-saturday.ics"]


def _stored(db, path: str) -> FeedDocument:
    return db.session.scalar(select(FeedDocument).where(FeedDocument.path == path))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("accept, coding, decompress", [
    ("gzip", "gzip", gzip.decompress), ("br", "br", brotli.decompress),
    ("gzip, deflate, br", "br", brotli.decompress), ("br;q=0, gzip", "gzip", gzip.decompress),
])
def test_a_compressed_feed_decompresses_to_exactly_the_stored_bytes(demo, demo_client, path, accept, coding,
                                                                     decompress):
    response = demo_client.get(path, headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == coding
    document = _stored(demo, path)
    assert decompress(response.data) == document.body
    assert response.data == (document.body_br if coding == "br" else document.body_gzip)  # no work per request
    assert int(response.headers["Content-Length"]) == len(response.data) < len(document.body)
    assert response.headers["ETag"] == document.etag[:-1] + f'-{"br" if coding == "br" else "gzip"}"'


def test_a_client_that_asks_for_no_coding_gets_the_plain_bytes_and_their_etag(demo, demo_client):
    response = demo_client.get("/calendar.ics", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    document = _stored(demo, "/calendar.ics")
    assert response.data == document.body and response.headers["ETag"] == document.etag


@pytest.mark.parametrize("accept", ["gzip", "br", ""])
def test_a_304_of_a_compressed_feed_carries_the_headers_of_its_200(demo_client, accept):
    full = demo_client.get("/calendar.ics", headers={"Accept-Encoding": accept})
    again = demo_client.get("/calendar.ics", headers={"Accept-Encoding": accept, "If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    for name in ("Cache-Control", "ETag", "Vary", "Access-Control-Allow-Origin",
                 "Content-Security-Policy", "X-Content-Type-Options"):
        assert again.headers.get(name) == full.headers.get(name), name
    assert full.headers["Vary"] == "Accept-Encoding"


def test_a_client_holding_the_gzip_copy_gets_a_304_when_it_now_asks_for_brotli(demo_client):
    held = demo_client.get("/calendar.ics", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    again = demo_client.get("/calendar.ics", headers={"Accept-Encoding": "br", "If-None-Match": held})
    assert again.status_code == 304  # the feed has not changed, whichever coding it travelled in


def test_pages_and_json_are_compressed_when_asked(demo_client):
    page = demo_client.get("/", headers={"Accept-Encoding": "br"})
    assert page.headers["Content-Encoding"] == "br" and b"<!doctype html>" in brotli.decompress(page.data)
    api = demo_client.get("/api/v1/areas", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip" and gzip.decompress(api.data).startswith(b"{")
