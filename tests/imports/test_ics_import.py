"""An external calendar (.ics file or URL) imports into an edition and updates by UID; URLs cannot reach inside."""
from __future__ import annotations

import io
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from calendar_app.events.models import Event, Occurrence

CAL = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Bureau//ZH
{events}
END:VCALENDAR
"""

WEEKLY = """BEGIN:VEVENT
UID:weekly-opera@example.org
SUMMARY:{summary}
DTSTART;TZID=Asia/Shanghai:20261205T{start}00
DTEND;TZID=Asia/Shanghai:20261205T210000
RRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=6
EXDATE;TZID=Asia/Shanghai:20261219T{start}00
LOCATION:东崖村文化广场
DESCRIPTION:每周六晚上的戏曲
STATUS:{status}
END:VEVENT"""

ALL_DAY = """BEGIN:VEVENT
UID:fair@example.org
SUMMARY:非遗大集
DTSTART;VALUE=DATE:20261212
DTEND;VALUE=DATE:20261214
LOCATION:金山镇中心广场
END:VEVENT"""

UTC_ONE_OFF = """BEGIN:VEVENT
UID:film@example.org
SUMMARY:公益电影
DTSTART:20261207T110000Z
DURATION:PT2H
RDATE:20261214T110000Z
END:VEVENT"""


def _calendar(summary="戏曲进乡村", start="1900", status="CONFIRMED", extra=(ALL_DAY, UTC_ONE_OFF)) -> bytes:
    return CAL.format(events="\n".join([WEEKLY.format(summary=summary, start=start, status=status), *extra])).encode()


def _post(client, world, content: bytes, who="coord", query=""):
    return client.post(f"/api/v1/imports/ics?edition={world.edition.id}{query}", headers=world.auth(who),
                       data={"file": (io.BytesIO(content), "calendar.ics")}, content_type="multipart/form-data")


def _event(db, uid) -> Event:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.external_uid == uid))


def test_an_ics_file_creates_drafts_with_rules_exceptions_all_day_and_zones(client, db, world):
    response = _post(client, world, _calendar())
    assert response.status_code == 201, response.json
    assert response.json["created"] == 3
    weekly = _event(db, "weekly-opera@example.org")
    assert weekly.status == "draft" and weekly.edition_id == world.edition.id and weekly.area_id == world.areas["jinshan"].id
    assert weekly.rrule == "FREQ=WEEKLY;COUNT=6;BYDAY=SA" or weekly.rrule.startswith("FREQ=WEEKLY")
    assert weekly.exdates == ["2026-12-19T19:00"] and weekly.venue_id == world.venues["dongya_square"].id
    assert db.session.scalar(select(func.count()).where(Occurrence.event_id == weekly.id)) == 5
    fair = _event(db, "fair@example.org")
    assert fair.is_all_day and fair.starts_local == datetime(2026, 12, 12) and fair.ends_local == datetime(2026, 12, 14)
    assert fair.venue_id is None and "地点：金山镇中心广场" in fair.description
    film = _event(db, "film@example.org")
    assert film.starts_local == datetime(2026, 12, 7, 19, 0) and film.ends_local == datetime(2026, 12, 7, 21, 0)
    assert film.rdates == ["2026-12-14T19:00"]
    assert any("不是系统中的场馆" in w for w in response.json["warnings"])


def test_importing_again_updates_by_uid_and_a_cancelled_vevent_cancels(client, db, world):
    assert _post(client, world, _calendar()).status_code == 201
    weekly_id = _event(db, "weekly-opera@example.org").id
    assert client.post(f"/api/v1/events/{weekly_id}/publish", headers=world.auth("staff")).status_code == 200
    again = _post(client, world, _calendar(summary="戏曲进乡村（改期）", start="1930"))
    assert again.status_code == 200, again.json
    assert again.json["created"] == 0 and again.json["updated"] == 1 and again.json["event_ids"] == [weekly_id]
    weekly = _event(db, "weekly-opera@example.org")
    assert weekly.id == weekly_id and weekly.title == "戏曲进乡村（改期）"
    assert weekly.starts_local == datetime(2026, 12, 5, 19, 30) and weekly.status_reason == "按外部日历更新"
    assert db.session.scalar(select(func.count()).select_from(Event)) == 3
    unchanged = _post(client, world, _calendar(summary="戏曲进乡村（改期）", start="1930"))
    assert unchanged.json["updated"] == 0
    cancelled = _post(client, world, _calendar(summary="戏曲进乡村（改期）", start="1930", status="CANCELLED"))
    assert cancelled.status_code == 200 and cancelled.json["cancelled"] == 1
    assert _event(db, "weekly-opera@example.org").status == "cancelled"


def test_a_bad_vevent_rolls_back_the_whole_calendar_and_names_it(client, db, world):
    bad = """BEGIN:VEVENT
UID:hourly@example.org
SUMMARY:每小时
DTSTART;TZID=Asia/Shanghai:20261205T090000
DTEND;TZID=Asia/Shanghai:20261205T100000
RRULE:FREQ=HOURLY;COUNT=3
END:VEVENT"""
    response = _post(client, world, _calendar(extra=(ALL_DAY, bad)))
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert error["row"] == 3 and error["column"] == "RRULE" and error["text"].startswith("第 3 个日程「RRULE」")
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_a_file_that_is_not_a_calendar_is_refused(client, db, world):
    response = _post(client, world, b"\x89PNG\r\n\x1a\n" + bytes(40))
    assert response.status_code == 422 and "BEGIN:VCALENDAR" in response.json["message"]


def test_staff_must_say_which_town_and_it_must_be_theirs(client, db, world):
    assert _post(client, world, _calendar(), who="staff").status_code == 422
    assert _post(client, world, _calendar(), who="staff", query=f"&area={world.areas['dongting'].code}").status_code == 403
    response = _post(client, world, _calendar(), who="staff", query=f"&area={world.areas['jixia'].code}")
    assert response.status_code == 201, response.json
    assert _event(db, "fair@example.org").area_id == world.areas["jixia"].id


class _Calendar(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/redirect-to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def calendar_server():
    """A local HTTP server on 127.0.0.1 serving the calendar; stops itself after the test (or 30 s)."""
    handler = type("Handler", (_Calendar,), {"body": _calendar()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.timeout = 1
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    stopper = threading.Timer(30, server.shutdown)
    stopper.daemon = True
    stopper.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    stopper.cancel()
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_calendar_url_is_fetched_and_imported(client, db, world, calendar_server):
    response = client.post(f"/api/v1/imports/ics?edition={world.edition.id}", headers=world.auth("coord"),
                           json={"url": f"{calendar_server}/bureau.ics"})
    assert response.status_code == 201, response.json
    assert response.json["created"] == 3


def test_a_url_on_a_private_address_is_refused_unless_allowed(app, client, db, world, calendar_server):
    previous = app.config["ICS_IMPORT_ALLOW_PRIVATE"]
    app.config["ICS_IMPORT_ALLOW_PRIVATE"] = False
    try:
        for url in (f"{calendar_server}/bureau.ics", "http://localhost:9/x.ics", "http://[::1]/x.ics",
                    "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/x.ics"):
            response = client.post(f"/api/v1/imports/ics?edition={world.edition.id}", headers=world.auth("coord"),
                                   json={"url": url})
            assert response.status_code == 422, url
            assert "不允许访问内网、本机或保留地址" in response.json["message"], (url, response.json)
    finally:
        app.config["ICS_IMPORT_ALLOW_PRIVATE"] = previous
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x.ics", "gopher://example.org/",
                                 "http://user:secret@example.org/x.ics", "javascript:alert(1)"])
def test_urls_of_other_schemes_or_with_credentials_are_refused(client, db, world, url):
    response = client.post(f"/api/v1/imports/ics?edition={world.edition.id}", headers=world.auth("coord"),
                           json={"url": url})
    assert response.status_code == 422 and "无法读取日历网址" in response.json["message"]


def test_a_redirect_to_another_scheme_is_refused(client, db, world, calendar_server):
    response = client.post(f"/api/v1/imports/ics?edition={world.edition.id}", headers=world.auth("coord"),
                           json={"url": f"{calendar_server}/redirect-to-file"})
    assert response.status_code == 422 and "其他协议" in response.json["message"]
