"""Each rule of docs ICAL.md, checked on every public feed of the demo year (the HTTP rules 10 and 11 are in
test_feed_http.py; SEQUENCE bumps on change in test_feed_freshness.py)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from sqlalchemy import select

from calendar_app.events.models import Event
from calendar_app.extensions import db as _db
from calendar_app.feeds import store
from calendar_app.feeds.ical import _CSS_COLOURS
from calendar_app.feeds.holidays import COMPUTED_REVISION
from calendar_app.feeds.models import FeedDocument
from calendar_app.festivals.models import OfficialDay
from tests.conftest import DEMO_NOW
from tests.feeds.conftest import SHANGHAI, expanded, parse, unfolded_lines, window_for

HOLIDAYS = "/holidays.ics"
_TIME_PROPS = ("DTSTART", "DTEND", "RDATE", "EXDATE", "RECURRENCE-ID")


@pytest.fixture(scope="module")
def feeds(app, demo) -> dict[str, bytes]:
    """Every public feed of the demo year, by URL path, rendered the way the scheduler renders them."""
    store.render_all(now=DEMO_NOW)
    _db.session.commit()
    documents = _db.session.scalars(select(FeedDocument).where(FeedDocument.path.is_not(None))).all()
    return {d.path: d.body for d in documents}


def _vevents(body: bytes):
    return list(parse(body).walk("VEVENT"))


def _params(line: str) -> tuple[str, dict[str, str], str]:
    head, _, value = line.partition(":")
    name, *params = head.split(";")
    return name, dict(p.split("=", 1) for p in params), value


def test_demo_has_a_feed_of_every_kind(feeds):
    prefixes = {path.split("/")[1] for path in feeds}
    assert prefixes >= {"calendar.ics", "holidays.ics", "programs", "editions", "areas", "venues", "categories",
                        "events"}
    assert len(feeds) > 100


# 1 -------------------------------------------------------------------------------------------------
def test_rule_1_every_tzid_has_a_vtimezone_and_shanghai_is_one_fixed_observance(feeds):
    for path, body in feeds.items():
        lines = unfolded_lines(body)
        used = {m for line in lines for m in re.findall(r";TZID=([^;:]+)", line)}
        defined = {line[5:] for line in lines if line.startswith("TZID:")}
        assert used <= defined, path
    lines = unfolded_lines(feeds["/calendar.ics"])
    start, end = lines.index("BEGIN:VTIMEZONE"), lines.index("END:VTIMEZONE")
    assert lines[start:end + 1] == [
        "BEGIN:VTIMEZONE", "TZID:Asia/Shanghai", "BEGIN:STANDARD", "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0800", "TZOFFSETTO:+0800", "TZNAME:CST", "END:STANDARD", "END:VTIMEZONE"]


# 2 -------------------------------------------------------------------------------------------------
def test_rule_2_uids_are_the_events_uids_in_every_feed_and_unique_with_recurrence_id(feeds, demo):
    uids = set(demo.session.scalars(select(Event.uid)))
    for path, body in feeds.items():
        seen = set()
        for vevent in _vevents(body):
            if path == HOLIDAYS:  # days, not events: their own UIDs, never an event's
                assert str(vevent["UID"]).startswith("day-") and str(vevent["UID"]) not in uids
                assert "RECURRENCE-ID" not in vevent
            else:
                assert str(vevent["UID"]) in uids, path
            rid = vevent.get("RECURRENCE-ID")
            key = (str(vevent["UID"]), rid.to_ical() if rid is not None else None)
            assert key not in seen, (path, key)
            seen.add(key)
    # The same event's master VEVENT is identical in the all-events, program, area and venue feeds.
    saturday = "demo-feiyi-saturday@calendar-app.local"
    masters = {path: [v.to_ical() for v in _vevents(body) if str(v["UID"]) == saturday and "RECURRENCE-ID" not in v]
               for path, body in feeds.items()}
    found = [m[0] for m in masters.values() if m]
    assert len(found) >= 5 and len(set(found)) == 1


# 3 -------------------------------------------------------------------------------------------------
def test_rule_3_dtstamp_and_last_modified_are_the_last_revision_never_now(feeds, demo):
    revised = {e.uid: e.revised_at for e in demo.session.scalars(select(Event))}
    sequences = {e.uid: e.sequence for e in demo.session.scalars(select(Event))}
    official = {d.day: d.updated_at.replace(microsecond=0) for d in demo.session.scalars(select(OfficialDay))}
    for path, body in feeds.items():
        for vevent in _vevents(body):
            if path == HOLIDAYS:
                # A computed day (festival, solar term) has a fixed revision; a 休/班 day its row's last change.
                day = vevent["DTSTART"].dt
                expected = official[day] if "CATEGORIES" in vevent and str(vevent["CATEGORIES"].cats[0]) in (
                    "法定节假日", "调休上班") else COMPUTED_REVISION
                assert vevent["DTSTAMP"].dt == expected == vevent["LAST-MODIFIED"].dt, (path, day)
                assert int(vevent["SEQUENCE"]) == 0
                continue
            uid = str(vevent["UID"])
            assert vevent["DTSTAMP"].dt == revised[uid] == vevent["LAST-MODIFIED"].dt, path
            assert int(vevent["SEQUENCE"]) == sequences[uid]


# 4 -------------------------------------------------------------------------------------------------
def test_rule_4_crlf_folding_at_75_octets_on_character_and_escape_boundaries(feeds):
    for path, body in feeds.items():
        assert body.endswith(b"END:VCALENDAR\r\n")
        assert b"\n" not in body.replace(b"\r\n", b""), f"bare LF in {path}"
        assert b"\r" not in body.replace(b"\r\n", b""), f"bare CR in {path}"
        for raw in body.split(b"\r\n")[:-1]:
            assert len(raw) <= 75, (path, raw)
            line = raw.decode("utf-8")  # raises if a fold split a UTF-8 character
            assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", line), (path, line)
            trailing = len(line) - len(line.rstrip("\\"))
            assert trailing % 2 == 0, f"fold between a backslash and what it escapes: {line!r}"


def test_rule_4_long_chinese_text_is_folded_and_reads_back_whole(feeds, demo):
    body = feeds["/calendar.ics"]
    assert b"\r\n " in body  # long DESCRIPTIONs were folded
    described = {e.uid: e.description for e in demo.session.scalars(select(Event)) if e.description}
    for vevent in _vevents(body):
        if "RECURRENCE-ID" not in vevent and str(vevent["UID"]) in described:
            assert str(vevent["DESCRIPTION"]).startswith(described[str(vevent["UID"])])


# 5 -------------------------------------------------------------------------------------------------
def test_rule_5_until_in_utc_or_date_never_with_count_and_dtstart_on_the_rule(feeds):
    checked = 0
    for path, body in feeds.items():
        for vevent in _vevents(body):
            if "RRULE" not in vevent:
                continue
            rule = vevent["RRULE"].to_ical().decode()
            assert not ("COUNT=" in rule and "UNTIL=" in rule), path
            start = vevent["DTSTART"].dt
            until = re.search(r"UNTIL=([0-9TZ]+)", rule)
            if until:
                assert until.group(1).endswith("Z") if isinstance(start, datetime) else len(until.group(1)) == 8
            first = next(iter(rrulestr(rule, dtstart=start)))
            assert first == start, f"DTSTART {start} is not an occurrence of {rule} in {path}"
            checked += 1
    assert checked > 50


# 6 -------------------------------------------------------------------------------------------------
def test_rule_6_overrides_and_exdates_match_dtstart_type_and_cancelled_ones_say_so(feeds, demo):
    body = feeds["/calendar.ics"]
    vevents = _vevents(body)
    masters = {str(v["UID"]): v for v in vevents if "RECURRENCE-ID" not in v}
    overrides = [v for v in vevents if "RECURRENCE-ID" in v]
    assert overrides
    for override in overrides:
        master = masters[str(override["UID"])]
        assert type(override["RECURRENCE-ID"].dt) is type(master["DTSTART"].dt)
        assert override["RECURRENCE-ID"].params.get("TZID") == master["DTSTART"].params.get("TZID")
    for line in unfolded_lines(body):
        if line.startswith("EXDATE"):
            assert ";TZID=Asia/Shanghai:" in line
    cancelled = [o for o in overrides if str(o["STATUS"]) == "CANCELLED"]
    reasons = {str(o["DESCRIPTION"]).split("\n")[0] for o in cancelled}
    assert "取消原因：尼山书院设备检修，本周暂停" in reasons


# 7 -------------------------------------------------------------------------------------------------
def test_rule_7_all_day_values_are_dates_with_an_exclusive_end(feeds):
    for path, body in feeds.items():
        for vevent in _vevents(body):
            start, end = vevent["DTSTART"].dt, vevent["DTEND"].dt
            assert end > start, path
            if not isinstance(start, datetime):
                assert not isinstance(end, datetime) and end >= start + timedelta(days=1)
    # (the demo year has no all-day series; test_feed_series_forms.py publishes one)


# 8 -------------------------------------------------------------------------------------------------
def test_rule_8_no_floating_date_times(feeds):
    for path, body in feeds.items():
        in_timezone = False
        for line in unfolded_lines(body):
            in_timezone = (in_timezone or line == "BEGIN:VTIMEZONE") and line != "END:VTIMEZONE"
            name, params, value = _params(line)
            if name in _TIME_PROPS and not in_timezone:
                assert "TZID" in params or params.get("VALUE") == "DATE" or value.endswith("Z"), (path, line)
            if name in ("DTSTAMP", "LAST-MODIFIED"):
                assert value.endswith("Z")


# 9 -------------------------------------------------------------------------------------------------
def test_rule_9_lunar_festival_dates_are_rdates_and_never_rscale(feeds):
    body = feeds["/calendar.ics"]
    assert b"RSCALE" not in body
    lantern = next(v for v in _vevents(body) if str(v["UID"]) == "demo-feiyi-daji-lantern@calendar-app.local")
    assert "RRULE" not in lantern
    rdates = sorted(d.dt.date() for rdate in _as_list(lantern["RDATE"]) for d in rdate.dts)
    assert [d.isoformat() for d in rdates] == ["2027-02-20", "2028-02-09"]  # 元宵节 2027 and 2028


def _as_list(value):
    return value if isinstance(value, list) else [value]


# 12 ------------------------------------------------------------------------------------------------
def test_rule_12_calendar_is_named_has_polling_hints_and_no_method(feeds):
    for path, body in feeds.items():
        lines = unfolded_lines(body)
        header = lines[:lines.index("BEGIN:VTIMEZONE")] if "BEGIN:VTIMEZONE" in lines else lines
        names = [line for line in header if line.startswith(("NAME:", "X-WR-CALNAME:"))]
        assert len(names) == 2 and names[0][5:] == names[1][13:] and names[0][5:], path
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in header
        assert "X-PUBLISHED-TTL:PT1H" in header
        assert not any(line.startswith("METHOD") and line != "METHOD:PUBLISH" for line in lines)
        for line in header:
            if line.startswith("COLOR:"):
                assert line[6:] in _CSS_COLOURS  # RFC 7986: a CSS3 colour name, not #rrggbb


def test_rule_12_program_feed_names_the_program_and_carries_its_colour(feeds):
    lines = unfolded_lines(feeds["/programs/feiyi-saturday.ics"])
    assert "X-WR-CALNAME:非遗星期六" in lines
    assert any(line.startswith("COLOR:") for line in lines)
    assert any(line.startswith("X-APPLE-CALENDAR-COLOR:#") for line in lines)


# 13 ------------------------------------------------------------------------------------------------
def test_rule_13_every_feed_is_well_under_one_megabyte_and_holds_only_the_window(app, feeds):
    window = window_for(app)
    for path, body in feeds.items():
        assert len(body) < 1_000_000, path
        for vevent in _vevents(body):
            if "RRULE" in vevent or "RECURRENCE-ID" in vevent:
                continue
            # A non-recurring VEVENT (or RDATE series) is only published for occurrences in the window.
            starts = [vevent["DTSTART"].dt] + [d.dt for r in _as_list(vevent.get("RDATE", [])) for d in r.dts]
            assert any(_aware(s) < window.end for s in starts), path
    uids = {uid for uid, *_ in expanded(feeds["/calendar.ics"], window)}
    assert {str(v["UID"]) for v in _vevents(feeds["/calendar.ics"])} == uids  # no event without an occurrence in it


def _aware(value):
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time(), tzinfo=SHANGHAI)


# 14 ------------------------------------------------------------------------------------------------
def test_rule_14_no_alarms_and_every_event_links_to_its_public_page(feeds):
    for path, body in feeds.items():
        assert b"BEGIN:VALARM" not in body
        for vevent in _vevents(body):
            prefix = "http://127.0.0.1:5000/month?ym=" if path == HOLIDAYS else "http://127.0.0.1:5000/events/"
            assert str(vevent["URL"]).startswith(prefix), path
