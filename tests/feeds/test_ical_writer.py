"""The pure iCalendar writer: escaping, folding and VTIMEZONEs, checked against icalendar's parser."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_app.feeds import ical
from calendar_app.feeds.vtimezone import vtimezone_lines

STAMP = datetime(2026, 11, 21, 2, tzinfo=timezone.utc)


def _series(summary: str = "活动", **kwargs) -> ical.Series:
    details = ical.Details(summary=summary, **{k: kwargs.pop(k) for k in ("description", "location", "categories")
                                                if k in kwargs})
    return ical.Series(uid="u1@test", sequence=0, revised_at=STAMP, tzid="Asia/Shanghai",
                       start=datetime(2026, 12, 5, 19), end=datetime(2026, 12, 5, 21), details=details, **kwargs)


def _calendar(*series: ical.Series, name: str = "日历") -> bytes:
    return ical.render_calendar(ical.CalendarInfo(name=name), series)


def _expected_text(value: str) -> str:
    """What a text value reads back as: line breaks normalised, tabs as spaces, control characters gone."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(c for c in value if c == "\n" or not (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_reads_back_unchanged_and_cannot_break_the_line_structure(text):
    body = _calendar(_series(summary=text or "x", description=text, location=text, categories=(text or "x",)),
                     name=text or "x")
    for raw in body.split(b"\r\n")[:-1]:
        assert len(raw) <= 75
        raw.decode("utf-8")
    cal = icalendar.Calendar.from_ical(body)
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == _expected_text(text or "x")
    if _expected_text(text):
        assert str(vevent["DESCRIPTION"]) == _expected_text(text)
    # icalendar leaves calendar-level values escaped: check the unfolded lines themselves.
    header = body.decode().replace("\r\n ", "").split("\r\n")
    name = ical.escape_text(text or "x")
    assert f"NAME:{name}" in header and f"X-WR-CALNAME:{name}" in header


@given(st.text(alphabet=st.sampled_from("\\;,中a\n"), min_size=1, max_size=200))
def test_folds_never_separate_a_backslash_from_what_it_escapes(text):
    line = "DESCRIPTION:" + ical.escape_text(text)
    folded = ical.fold(line)
    assert folded.replace("\r\n ", "") == line
    for i, part in enumerate(folded.split("\r\n ")):
        assert (len(part) - len(part.rstrip("\\"))) % 2 == 0
        assert len(part.encode()) + (1 if i else 0) <= 75


def test_escaping_follows_rfc_5545_text_rules():
    assert ical.escape_text("a,b;c\\d\ne\r\nf\rg") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"
    assert ical.escape_text("x\x00\x1b\x7f\u2028y") == "xy"


def test_an_override_and_exdate_share_the_masters_value_type():
    override = ical.Override(recurrence_id=datetime(2026, 12, 12, 19), start=datetime(2026, 12, 12, 20),
                             end=datetime(2026, 12, 12, 22), details=ical.Details(summary="改时间"))
    body = _calendar(_series(rrule="FREQ=WEEKLY;COUNT=4", exdates=(datetime(2026, 12, 19, 19),), overrides=(override,)))
    text = body.decode()
    assert "RECURRENCE-ID;TZID=Asia/Shanghai:20261212T190000\r\n" in text
    assert "EXDATE;TZID=Asia/Shanghai:20261219T190000\r\n" in text


def test_rrule_text_that_is_not_a_rule_is_refused():
    with pytest.raises(ValueError):
        _calendar(_series(rrule="FREQ=DAILY\r\nBEGIN:VEVENT"))


def test_colour_becomes_the_nearest_css_name():
    assert ical.css_colour_name("#b22222") == "firebrick"
    assert ical.css_colour_name("#16a34a") in {"forestgreen", "seagreen", "limegreen"}


@pytest.mark.parametrize("tzid", ["Asia/Shanghai", "Asia/Urumqi", "Asia/Kolkata", "UTC", "Europe/Berlin",
                                  "America/New_York", "Australia/Sydney", "Europe/Dublin", "Africa/Casablanca",
                                  "America/Nuuk"])
def test_vtimezone_gives_the_same_offsets_as_zoneinfo_for_the_years_feeds_cover(tzid):
    component = icalendar.Timezone.from_ical("\r\n".join(vtimezone_lines(tzid)) + "\r\n")
    assert not any("RDATE" in sub for sub in component.subcomponents) or tzid in ("Africa/Casablanca", "America/Nuuk")
    ours, real = component.to_tz(lookup_tzid=False), ZoneInfo(tzid)
    instant = datetime(2025, 1, 1, 12, tzinfo=timezone.utc)  # noon UTC: clear of every change (no ambiguous hour)
    while instant < datetime(2031, 1, 1, tzinfo=timezone.utc):
        assert instant.astimezone(ours).utcoffset() == instant.astimezone(real).utcoffset(), (tzid, instant)
        instant += timedelta(days=1)


def test_fixed_offset_zone_is_a_single_standard_observance():
    assert vtimezone_lines("Asia/Shanghai") == (
        "BEGIN:VTIMEZONE", "TZID:Asia/Shanghai", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800", "TZNAME:CST", "END:STANDARD", "END:VTIMEZONE")


def test_unknown_or_malformed_zone_names_are_refused():
    for bad in ("Mars/Olympus", "../etc/passwd", "Asia/Shanghai\r\nBEGIN:VEVENT"):
        with pytest.raises(ValueError):
            vtimezone_lines(bad)
