"""Poster uploads in /manage: who may upload where, what is refused (and then nothing is saved), how the
stored files are served, and what the public pages make of them (the poster, thumbnails, WeChat card meta).

Runs on the two-district `world`: jinshan_coord schedules for 金山镇, jixia_coord for 稷下街道,
linzi_staff and yueyang_staff are the two districts' bureau staff.
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from calendar_app.audit.models import AuditLog
from calendar_app.events.models import Event
from calendar_app.extensions import db as _db
from calendar_app.programs.models import Edition, Program
from tests import factories
from tests.media.images import PDF_AS_JPG, encoded, noisy_jpeg, photo_with_gps, png_claiming


@pytest.fixture
def jinshan_event(world):
    event = factories.event(world.areas["dongya"], title="东崖村冬季村晚", venue_id=world.venues["dongya_square"].id,
                            program_id=world.program.id, edition_id=world.edition.id)
    _db.session.commit()
    return event


def _files(app) -> set[str]:
    root = Path(app.config["MEDIA_ROOT"])
    return {p.name for p in root.iterdir()} if root.exists() else set()


def _upload(client, path: str, data: bytes, name: str = "poster.jpg", **extra):
    return client.post(path, data={"poster": (io.BytesIO(data), name), **extra}, content_type="multipart/form-data")


def _key(model, ident):
    return _db.session.scalar(select(model.poster_key).where(model.id == ident))


def test_a_coordinator_gives_their_event_a_poster_and_the_public_page_shows_it(app, sign_in, client, jinshan_event):
    coordinator = sign_in("coord")
    assert 'enctype="multipart/form-data"' in coordinator.get(f"/manage/events/{jinshan_event.id}/poster").get_data(
        as_text=True)
    response = _upload(coordinator, f"/manage/events/{jinshan_event.id}/poster", encoded("JPEG", size=(900, 1200)))
    assert response.status_code == 302
    key = _key(Event, jinshan_event.id)
    assert key and key.endswith("-900x1200")
    assert {f"{key}-{size}.{ext}" for size in ("thumb", "card", "full") for ext in ("jpg", "webp")} <= _files(app)
    page = client.get(f"/events/{jinshan_event.id}").get_data(as_text=True)
    assert f'src="/media/posters/{key}-card.jpg" width="640" height="853"' in page
    assert f'srcset="/media/posters/{key}-card.webp"' in page
    entry = _db.session.scalar(select(AuditLog).where(AuditLog.action == "event.poster"))
    assert entry.user_id == world_user_id(app, "jinshan_coord") and entry.changes == {"poster": [None, key]}


def world_user_id(app, username):
    from calendar_app.accounts.models import User

    return _db.session.scalar(select(User.id).where(User.username == username))


@pytest.mark.parametrize("who", ["other_coord", "other_staff"])
def test_someone_outside_the_events_area_cannot_reach_its_poster_form(app, sign_in, jinshan_event, who):
    intruder = sign_in(who)
    before = _files(app)
    assert intruder.get(f"/manage/events/{jinshan_event.id}/poster").status_code == 404
    response = _upload(intruder, f"/manage/events/{jinshan_event.id}/poster", encoded())
    assert response.status_code == 404
    assert _key(Event, jinshan_event.id) is None and _files(app) == before


def test_a_coordinator_cannot_change_a_programs_or_an_editions_poster(app, sign_in, world):
    coordinator = sign_in("coord")
    for path in (f"/manage/programs/{world.program.id}/poster",
                 f"/manage/programs/{world.program.id}/editions/{world.edition.id}/poster"):
        assert coordinator.get(path).status_code == 403
        assert _upload(coordinator, path, encoded()).status_code == 403
    assert _key(Program, world.program.id) is None and _key(Edition, world.edition.id) is None


def test_staff_of_another_district_do_not_find_the_program(sign_in, world):
    assert sign_in("other_staff").get(f"/manage/programs/{world.program.id}/poster").status_code == 404


def test_staff_give_a_program_and_an_edition_posters_and_an_event_falls_back_to_them(sign_in, client, world,
                                                                                       jinshan_event):
    staff = sign_in("staff")
    assert _upload(staff, f"/manage/programs/{world.program.id}/poster", encoded(colour=(1, 1, 1))).status_code == 302
    program_key = _key(Program, world.program.id)
    page = client.get(f"/events/{jinshan_event.id}").get_data(as_text=True)
    assert f"/media/posters/{program_key}-card.jpg" in page
    assert _upload(staff, f"/manage/programs/{world.program.id}/editions/{world.edition.id}/poster",
                   encoded(colour=(2, 2, 2))).status_code == 302
    edition_key = _key(Edition, world.edition.id)
    page = client.get(f"/events/{jinshan_event.id}").get_data(as_text=True)
    assert f"/media/posters/{edition_key}-card.jpg" in page and program_key not in page


def test_list_rows_show_the_events_thumbnail(sign_in, client, world, jinshan_event):
    _upload(sign_in("staff"), f"/manage/events/{jinshan_event.id}/poster", encoded())
    key = _key(Event, jinshan_event.id)
    page = client.get("/?when=weekend").get_data(as_text=True)
    row = re.search(r'<li class="occurrence[^"]*">(.*?)</li>', page, re.S).group(1)
    assert f'<img src="/media/posters/{key}-thumb.jpg" width="160" height="160" alt=""' in row


@pytest.mark.parametrize("upload, name, message", [
    (png_claiming(30_000, 30_000), "poster.png", "像素过多"),
    (PDF_AS_JPG, "poster.jpg", "只接受 JPEG、PNG 或 WebP"),
    (noisy_jpeg(300_000), "big.jpg", "图片文件过大"),
])
def test_a_bomb_a_renamed_non_image_and_an_oversized_file_are_refused_and_nothing_is_saved(
        app, sign_in, jinshan_event, upload, name, message, monkeypatch):
    monkeypatch.setitem(app.config, "POSTER_MAX_BYTES", 200_000)
    coordinator = sign_in("coord")
    before = _files(app)
    response = _upload(coordinator, f"/manage/events/{jinshan_event.id}/poster", upload, name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'class="field-error"' in html
    assert _key(Event, jinshan_event.id) is None and _files(app) == before


def test_a_request_above_the_servers_limit_gets_a_chinese_413(app, sign_in, jinshan_event, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100_000)
    response = _upload(sign_in("coord"), f"/manage/events/{jinshan_event.id}/poster", os.urandom(150_000))
    assert response.status_code == 413
    assert "上传的文件过大" in response.get_data(as_text=True)
    assert _key(Event, jinshan_event.id) is None


def test_the_stored_files_carry_no_gps_position(app, sign_in, jinshan_event):
    _upload(sign_in("coord"), f"/manage/events/{jinshan_event.id}/poster", photo_with_gps())
    key = _key(Event, jinshan_event.id)
    stored = [p for p in Path(app.config["MEDIA_ROOT"]).iterdir() if p.name.startswith(key)]
    assert len(stored) == 6
    for path in stored:
        with Image.open(path) as image:
            assert dict(image.getexif()) == {} and b"Exif" not in path.read_bytes(), path.name


def test_removing_a_poster_keeps_the_event_and_its_page(sign_in, client, jinshan_event):
    coordinator = sign_in("coord")
    _upload(coordinator, f"/manage/events/{jinshan_event.id}/poster", encoded())
    key = _key(Event, jinshan_event.id)
    response = coordinator.post(f"/manage/events/{jinshan_event.id}/poster", data={"remove": "y"})
    assert response.status_code == 302 and _key(Event, jinshan_event.id) is None
    assert key not in client.get(f"/events/{jinshan_event.id}").get_data(as_text=True)


def test_posting_without_a_file_says_what_to_do(sign_in, jinshan_event):
    response = sign_in("coord").post(f"/manage/events/{jinshan_event.id}/poster", data={})
    assert response.status_code == 422 and "请选择要上传的图片文件" in response.get_data(as_text=True)


# --- serving ---------------------------------------------------------------------------------------------------

def test_served_posters_are_cached_for_a_year_as_immutable_with_safe_headers(sign_in, client, jinshan_event):
    _upload(sign_in("coord"), f"/manage/events/{jinshan_event.id}/poster", encoded("PNG"))
    key = _key(Event, jinshan_event.id)
    for ext, mimetype in (("jpg", "image/jpeg"), ("webp", "image/webp")):
        response = client.get(f"/media/posters/{key}-card.{ext}")
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "Set-Cookie" not in response.headers
        again = client.get(f"/media/posters/{key}-card.{ext}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304


@pytest.mark.parametrize("name", ["..%2f..%2fconfig.py", "0123456789abcdef01234567-10x10-card.jpg",
                                  "0123456789abcdef01234567-10x10-card.png", ".upload-x", "x.jpg"])
def test_only_stored_poster_names_are_served(client, db, name):
    assert client.get(f"/media/posters/{name}").status_code == 404


# --- sharing ---------------------------------------------------------------------------------------------------

def _meta(html: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html)}


def test_an_event_page_carries_a_wechat_card_with_an_absolute_image_url(app, sign_in, client, jinshan_event):
    _upload(sign_in("coord"), f"/manage/events/{jinshan_event.id}/poster", encoded(size=(600, 800)))
    key = _key(Event, jinshan_event.id)
    meta = _meta(client.get(f"/events/{jinshan_event.id}").get_data(as_text=True))
    base = app.config["PUBLIC_BASE_URL"]
    assert meta["og:title"] == "东崖村冬季村晚"
    assert meta["og:image"] == f"{base}/media/posters/{key}-card.jpg"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("600", "800")
    assert meta["og:url"].startswith(f"{base}/events/{jinshan_event.id}?occurrence=")
    assert "2026年12月5日" in meta["og:description"] and "东崖村文化广场" in meta["og:description"]
    assert "<" not in meta["og:description"]  # the time range's no-wrap markup stays out of the card
    assert meta["description"] == meta["og:description"]
    assert client.get(meta["og:image"].removeprefix(base)).status_code == 200


def test_pages_without_a_poster_share_the_sites_default_image(app, client, world):
    meta = _meta(client.get(f"/areas/{world.areas['jinshan'].id}").get_data(as_text=True))
    assert meta["og:image"] == app.config["PUBLIC_BASE_URL"] + "/static/img/og-default.png"
    assert meta["og:title"] == "金山镇" and "金山镇" in meta["description"]
    assert client.get("/static/img/og-default.png").status_code == 200


def test_the_events_structured_data_names_its_poster_for_search_engines(app, sign_in, client, jinshan_event):
    import json

    _upload(sign_in("coord"), f"/manage/events/{jinshan_event.id}/poster", encoded())
    key = _key(Event, jinshan_event.id)
    html = client.get(f"/events/{jinshan_event.id}").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    base = app.config["PUBLIC_BASE_URL"]
    assert data["image"] == [f"{base}/media/posters/{key}-full.jpg", f"{base}/media/posters/{key}-card.jpg"]


def test_the_api_gives_mini_programs_the_posters_as_absolute_jpeg_urls(app, sign_in, client, world, jinshan_event):
    base = app.config["PUBLIC_BASE_URL"]
    assert client.get(f"/api/v1/events/{jinshan_event.id}").get_json()["poster"] is None
    _upload(sign_in("staff"), f"/manage/programs/{world.program.id}/poster", encoded(size=(600, 800)))
    key = _key(Program, world.program.id)
    expected = {"thumb": f"{base}/media/posters/{key}-thumb.jpg", "card": f"{base}/media/posters/{key}-card.jpg",
                "full": f"{base}/media/posters/{key}-full.jpg", "card_width": 600, "card_height": 800}
    assert client.get(f"/api/v1/events/{jinshan_event.id}").get_json()["poster"] == expected  # the program's
    program = next(p for p in client.get("/api/v1/programs").get_json()["items"] if p["id"] == world.program.id)
    assert program["poster"] == expected
    assert all(e["poster"] == expected for e in program["editions"])  # no poster of their own: the program's
