"""The iCalendar writer (built on icalendar): escaping, folding, header and VTIMEZONEs, checked against
icalendar's parser, including the places where icalendar 7.3 on its own would get a feed wrong."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_app.feeds import ical
from calendar_app.feeds.vtimezone import vtimezone
from tests.hypothesis_budget import examples

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
    value = "".join(c for c in value if c == "\n" or not (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029"))
    return value.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot be written


def _escaped(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT escaping, written out here (not the writer's escape_text): \\ ; , and newline."""
    out = []
    for c in _expected_text(value):
        out.append({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"}.get(c, c))
    return "".join(out)


@settings(max_examples=examples(300), deadline=None)
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
    name = _escaped(text or "x")
    assert f"NAME:{name}" in header and f"X-WR-CALNAME:{name}" in header


@settings(max_examples=examples(100), deadline=None)
@given(st.text(alphabet=st.sampled_from("\\;,中a\n"), min_size=1, max_size=200))
def test_folds_never_separate_a_backslash_from_what_it_escapes(text):
    line = "DESCRIPTION:" + _escaped(text)
    folded = ical.fold(line)
    assert folded.replace("\r\n ", "") == line
    for i, part in enumerate(folded.split("\r\n ")):
        assert (len(part) - len(part.rstrip("\\"))) % 2 == 0
        assert len(part.encode()) + (1 if i else 0) <= 75


def test_escaping_follows_rfc_5545_text_rules():
    assert ical.escape_text("a,b;c\\d\ne\r\nf\rg") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"
    assert ical.escape_text("x\x00\x1b\x7f\u2028y") == "xy"


def test_a_literal_backslash_n_stays_text():
    # icalendar's own TEXT escaping turns "\\N" into a line break: "C:\\New" would read back as "C:" + newline + "ew".
    body = _calendar(_series(summary="C:\\New", description="a\\Nb", categories=("x\\Ny",)))
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "C:\\New" and str(vevent["DESCRIPTION"]) == "a\\Nb"
    assert "SUMMARY:C:\\\\New\r\n" in body.decode()


@pytest.mark.parametrize("pad", range(55, 66))
def test_rendered_folds_keep_escaped_backslashes_whole(pad):
    # icalendar's folding would leave a lone backslash at a line end for one of these paddings (an escaped
    # backslash cut in two); the writer folds icalendar's unfolded lines itself.
    text = "a" * pad + "\\" + "b" * 80
    body = _calendar(_series(summary=text, description=text), name=text)
    for raw in body.split(b"\r\n")[:-1]:
        assert len(raw) <= 75
        assert (len(raw) - len(raw.rstrip(b"\\"))) % 2 == 0, raw
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["DESCRIPTION"]) == text


def test_header_has_the_polling_hints_and_escaped_x_properties():
    info = ical.CalendarInfo(name="节目\rX-EVIL:1", description="说明\nBEGIN:VEVENT", url="http://x/a b",
                             source="http://x/feed.ics", colour="#b22222")
    lines = ical.render_calendar(info, [_series()]).decode().replace("\r\n ", "").split("\r\n")
    header = lines[:lines.index("BEGIN:VTIMEZONE")]
    assert header == [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{ical.PRODID}", "CALSCALE:GREGORIAN",
        "NAME:节目\\nX-EVIL:1", "X-WR-CALNAME:节目\\nX-EVIL:1",
        "DESCRIPTION:说明\\nBEGIN:VEVENT", "X-WR-CALDESC:说明\\nBEGIN:VEVENT",
        "URL:http://x/a%20b", "SOURCE;VALUE=URI:http://x/feed.ics",
        "COLOR:firebrick", "X-APPLE-CALENDAR-COLOR:#B22222",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]


def test_same_input_gives_the_same_bytes_with_our_uid_and_stamps():
    series = _series(rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=4", location="广场", categories=("非遗",))
    first = _calendar(series)
    ical.render_series.cache_clear()
    assert _calendar(series) == first
    hits = ical.render_series.cache_info().hits
    _calendar(series)
    assert ical.render_series.cache_info().hits == hits + 1  # a re-render reuses the VEVENT block
    (vevent,) = icalendar.Calendar.from_ical(first).walk("VEVENT")
    assert str(vevent["UID"]) == "u1@test"
    assert vevent["DTSTAMP"].dt == STAMP == vevent["LAST-MODIFIED"].dt
    assert b"\r\n" in first and b"\n" not in first.replace(b"\r\n", b"")


def test_a_feed_closes_with_end_vcalendar_after_its_last_event():
    # Written as the header's BEGIN:VCALENDAR is, in capitals, and the last line of the file.
    assert _calendar(_series("甲"), _series("乙")).decode().endswith("SUMMARY:乙\r\nSTATUS:CONFIRMED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def test_a_utc_series_is_written_in_utc_without_a_vtimezone():
    series = ical.Series(uid="u2@test", sequence=0, revised_at=STAMP, tzid="UTC", start=datetime(2026, 12, 5, 11),
                         end=datetime(2026, 12, 5, 13), details=ical.Details(summary="x"))
    lines = _calendar(series).decode().split("\r\n")
    assert "DTSTART:20261205T110000Z" in lines and "BEGIN:VTIMEZONE" not in lines


def test_unknown_zone_or_status_is_refused():
    with pytest.raises(ValueError, match="invalid time zone name"):
        ical.render_series(ical.Series(uid="u", sequence=0, revised_at=STAMP, tzid="Asia/Shanghai\r\nX:1",
                                       start=datetime(2026, 12, 5, 11), end=datetime(2026, 12, 5, 13),
                                       details=ical.Details(summary="x")))
    with pytest.raises(ValueError, match="unknown STATUS 'DONE'"):
        _calendar(replace(_series(), details=ical.Details("x", status="DONE")))
    with pytest.raises(ValueError, match="unknown STATUS 'done'"):
        _calendar(replace(_series(), overrides=(ical.Override(datetime(2026, 12, 5, 19), datetime(2026, 12, 5, 19),
                                                               datetime(2026, 12, 5, 21), ical.Details("x", status="done")),)))


def test_an_override_and_exdate_share_the_masters_value_type():
    override = ical.Override(recurrence_id=datetime(2026, 12, 12, 19), start=datetime(2026, 12, 12, 20),
                             end=datetime(2026, 12, 12, 22), details=ical.Details(summary="改时间"))
    body = _calendar(_series(rrule="FREQ=WEEKLY;COUNT=4", exdates=(datetime(2026, 12, 19, 19),), overrides=(override,)))
    text = body.decode()
    assert "RECURRENCE-ID;TZID=Asia/Shanghai:20261212T190000\r\n" in text
    assert "EXDATE;TZID=Asia/Shanghai:20261219T190000\r\n" in text


@pytest.mark.parametrize(("bad", "message"), [
    ("FREQ=DAILY\r\nBEGIN:VEVENT", "unexpected characters in RRULE"),
    ("FREQ=DAILY;X-Y=a b", "unexpected characters in RRULE"),
    ("freq=daily", "unexpected characters in RRULE"),
    ("BLAH", "RRULE without FREQ"),
    ("COUNT=3", "RRULE without FREQ"),
    ("FREQ=SOMETIMES", "Expected frequency, got: SOMETIMES"),
    ("FREQ=DAILY;COUNT=X", "Expected int, got: X"),
])
def test_rrule_text_that_is_not_a_rule_is_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        _calendar(_series(rrule=bad))


def test_colour_becomes_the_nearest_css_name():
    assert ical.css_colour_name("#b22222") == "firebrick"
    assert ical.css_colour_name("#16a34a") == "seagreen"
    assert ical.css_colour_name("#000000") == "black" and ical.css_colour_name("#fefefe") == "white"
    assert ical.css_colour_name("#7f7f7f") == "gray"
    assert ical.css_colour_name("#989898") == "gray"  # 152: nearer gray (128) than silver (192)


@pytest.mark.parametrize("colour", ["red", "#b2222", "#b22222 ", "b22222", "#gggggg"])
def test_a_colour_that_is_not_hex_rrggbb_is_left_out(colour):
    text = ical.render_calendar(ical.CalendarInfo(name="x", colour=colour), []).decode()
    assert "COLOR" not in text


def test_uris_are_percent_encoded_where_a_uri_may_not_carry_the_character():
    info = ical.CalendarInfo(name="x", url='https://x.cn/a b"<>\\^`{|}中?q=1&r=%20~')
    lines = ical.render_calendar(info, []).decode().replace("\r\n ", "").split("\r\n")
    assert "URL:https://x.cn/a%20b%22%3C%3E%5C%5E%60%7B%7C%7D%E4%B8%AD?q=1&r=%20~" in lines


def test_a_series_is_written_as_exactly_these_lines():
    series = ical.Series(
        uid="u3@test", sequence=2, revised_at=STAMP, tzid="Asia/Shanghai",
        start=datetime(2026, 12, 5, 19), end=datetime(2026, 12, 5, 21),
        details=ical.Details(summary="村晚", description="第一行\n第二行", location="东崖村文化广场",
                             geo=(36.8123456789, 118.3098765432), url="https://cal.example.cn/events/7?occurrence=1 2",
                             categories=("戏曲", "非遗,民俗")),
        rrule="FREQ=WEEKLY;COUNT=4",
        rdates=(datetime(2026, 12, 9, 19), datetime(2026, 12, 8, 19)),
        exdates=(datetime(2026, 12, 19, 19), datetime(2026, 12, 12, 19)),
        overrides=(
            ical.Override(recurrence_id=datetime(2026, 12, 26, 19), start=datetime(2026, 12, 26, 20),
                          end=datetime(2026, 12, 26, 22), details=ical.Details(summary="改时间", status="CANCELLED")),
            ical.Override(recurrence_id=datetime(2026, 12, 12, 19), start=datetime(2026, 12, 12, 19, 30),
                          end=datetime(2026, 12, 12, 21), details=ical.Details(summary="b")),
        ),
    )
    stamps = ["UID:u3@test", "SEQUENCE:2", "DTSTAMP:20261121T020000Z", "LAST-MODIFIED:20261121T020000Z"]
    assert ical.render_series(series).split("\r\n") == [
        "BEGIN:VEVENT", *stamps,
        "DTSTART;TZID=Asia/Shanghai:20261205T190000", "DTEND;TZID=Asia/Shanghai:20261205T210000",
        "RRULE:FREQ=WEEKLY;COUNT=4",
        "RDATE;TZID=Asia/Shanghai:20261208T190000,20261209T190000",  # sorted
        "EXDATE;TZID=Asia/Shanghai:20261212T190000,20261219T190000",
        "SUMMARY:村晚", "DESCRIPTION:第一行\\n第二行", "LOCATION:东崖村文化广场", "GEO:36.812346;118.309877",
        "URL:https://cal.example.cn/events/7?occurrence=1%202", "CATEGORIES:戏曲,非遗\\,民俗", "STATUS:CONFIRMED",
        "END:VEVENT",
        # Overrides follow in the order of their RECURRENCE-ID, whatever order they were given in.
        "BEGIN:VEVENT", *stamps, "RECURRENCE-ID;TZID=Asia/Shanghai:20261212T190000",
        "DTSTART;TZID=Asia/Shanghai:20261212T193000", "DTEND;TZID=Asia/Shanghai:20261212T210000",
        "SUMMARY:b", "STATUS:CONFIRMED", "END:VEVENT",
        "BEGIN:VEVENT", *stamps, "RECURRENCE-ID;TZID=Asia/Shanghai:20261226T190000",
        "DTSTART;TZID=Asia/Shanghai:20261226T200000", "DTEND;TZID=Asia/Shanghai:20261226T220000",
        "SUMMARY:改时间", "STATUS:CANCELLED", "END:VEVENT", ""]


def test_an_all_day_series_is_written_with_dates_and_needs_no_vtimezone():
    series = ical.Series(uid="u4@test", sequence=0, revised_at=STAMP, tzid="Asia/Shanghai", start=date(2026, 12, 5),
                         end=date(2026, 12, 6), details=ical.Details(summary="全天"), rrule="FREQ=WEEKLY;COUNT=3",
                         rdates=(date(2026, 12, 20),), exdates=(date(2026, 12, 12), date(2026, 12, 10)),
                         overrides=(ical.Override(date(2026, 12, 19), date(2026, 12, 18), date(2026, 12, 19),
                                                  ical.Details(summary="提前一天")),
                                    ical.Override(date(2026, 12, 5), date(2026, 12, 5), date(2026, 12, 7),
                                                  ical.Details(summary="两天"))))
    lines = ical.render_calendar(ical.CalendarInfo(name="x"), [series]).decode().split("\r\n")
    assert "BEGIN:VTIMEZONE" not in lines
    assert lines[lines.index("BEGIN:VEVENT") + 5:lines.index("SUMMARY:全天")] == [
        "DTSTART;VALUE=DATE:20261205", "DTEND;VALUE=DATE:20261206", "RRULE:FREQ=WEEKLY;COUNT=3",
        "RDATE;VALUE=DATE:20261220", "EXDATE;VALUE=DATE:20261210,20261212"]
    assert [line for line in lines if line.startswith("RECURRENCE-ID")] == [
        "RECURRENCE-ID;VALUE=DATE:20261205", "RECURRENCE-ID;VALUE=DATE:20261219"]


def test_overrides_on_the_same_day_are_ordered_by_time_of_day():
    overrides = tuple(ical.Override(datetime(2026, 12, 5, h, m), datetime(2026, 12, 5, h, m),
                                    datetime(2026, 12, 5, h, m) + timedelta(hours=1), ical.Details(summary=f"{h}:{m}"))
                      for h, m in ((19, 30), (9, 0), (19, 5), (9, 45)))
    text = ical.render_series(_series(rrule="FREQ=DAILY;COUNT=2", overrides=overrides))
    assert [line[len("SUMMARY:"):] for line in text.split("\r\n") if line.startswith("SUMMARY:")][1:] == [
        "9:0", "9:45", "19:5", "19:30"]


def test_a_feed_has_one_vtimezone_per_zone_used_by_a_timed_value():
    berlin = replace(_series(), uid="b@test", tzid="Europe/Berlin")
    all_day_in_sydney = ical.Series(uid="s@test", sequence=0, revised_at=STAMP, tzid="Australia/Sydney",
                                    start=date(2026, 12, 5), end=date(2026, 12, 6), details=ical.Details(summary="x"))
    all_day_with_timed_override = replace(all_day_in_sydney, uid="t@test", tzid="America/New_York", overrides=(
        ical.Override(date(2026, 12, 5), datetime(2026, 12, 5, 9), datetime(2026, 12, 5, 10), ical.Details("x")),))
    text = _calendar(_series(), berlin, all_day_in_sydney, all_day_with_timed_override, _series()).decode()
    assert [line for line in text.split("\r\n") if line.startswith("TZID:")] == [
        "TZID:America/New_York", "TZID:Asia/Shanghai", "TZID:Europe/Berlin"]
    assert text.index("END:VTIMEZONE") < text.index("BEGIN:VEVENT")


@pytest.mark.parametrize("count", [16, 17, 18, 19, 20, 25, 40])
def test_lines_of_four_byte_characters_fold_within_75_octets(count):
    emoji = "😀🏮🎆🧧"
    text = "".join(emoji[i % 4] for i in range(count))
    body = _calendar(_series(summary=text, description=text, location="🏮" * count), name=text)
    for raw in body.split(b"\r\n")[:-1]:
        assert len(raw) <= 75, raw
        raw.decode("utf-8")  # never cut inside a character
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == text and str(vevent["LOCATION"]) == "🏮" * count


@pytest.mark.parametrize(("line", "folded"), [
    ("X:" + "😀" * 18, "X:" + "😀" * 18),  # 74 octets: unchanged
    ("XY:" + "😀" * 18, "XY:" + "😀" * 18),  # exactly 75 octets: unchanged
    ("XYZ:" + "😀" * 18, "XYZ:" + "😀" * 17 + "\r\n 😀"),  # 76 octets: the last character moves on
    ("😀" * 18, "😀" * 18),  # 72 octets in 18 characters
    ("😀" * 19, "😀" * 18 + "\r\n 😀"),  # 76 octets in only 19 characters
    ("a" * 75, "a" * 75),
    ("a" * 76, "a" * 75 + "\r\n a"),
    ("a" * 150, "a" * 75 + "\r\n " + "a" * 74 + "\r\n a"),  # continuation lines hold 74 after their space
    ("a" * 74 + "\\n", "a" * 74 + "\r\n \\n"),  # an escape is never split
    ("a" * 73 + "\\nb", "a" * 73 + "\\n\r\n b"),  # ... and is two characters, not more
    ("a" * 73 + "\\\\b", "a" * 73 + "\\\\\r\n b"),
])
def test_fold_cuts_at_exactly_75_octets(line, folded):
    assert ical.fold(line) == folded



@pytest.mark.parametrize("tzid", ["Asia/Shanghai", "Asia/Urumqi", "Asia/Kolkata", "UTC", "Europe/Berlin",
                                  "America/New_York", "Australia/Sydney", "Europe/Dublin", "Africa/Casablanca",
                                  "America/Nuuk"])
def test_vtimezone_gives_the_same_offsets_as_zoneinfo_for_the_years_feeds_cover(tzid):
    component = icalendar.Timezone.from_ical(vtimezone(tzid).to_ical(sorted=False))
    assert not any("RDATE" in sub for sub in component.subcomponents) or tzid in ("Africa/Casablanca", "America/Nuuk")
    ours, real = component.to_tz(lookup_tzid=False), ZoneInfo(tzid)
    instant = datetime(2025, 1, 1, 12, tzinfo=timezone.utc)  # noon UTC: clear of every change (no ambiguous hour)
    while instant < datetime(2031, 1, 1, tzinfo=timezone.utc):
        assert instant.astimezone(ours).utcoffset() == instant.astimezone(real).utcoffset(), (tzid, instant)
        instant += timedelta(days=1)


def test_fixed_offset_zone_is_a_single_standard_observance():
    assert vtimezone("Asia/Shanghai").to_ical(sorted=False).decode().split("\r\n") == [
        "BEGIN:VTIMEZONE", "TZID:Asia/Shanghai", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800", "TZNAME:CST", "END:STANDARD", "END:VTIMEZONE", ""]


def test_daylight_saving_zone_is_two_yearly_rules():
    lines = vtimezone("Europe/Berlin").to_ical(sorted=False).decode().split("\r\n")
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in lines and "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" in lines
    assert not any(line.startswith("RDATE") for line in lines)


def test_unknown_or_malformed_zone_names_are_refused():
    for bad in ("Mars/Olympus", "../etc/passwd", "Asia/Shanghai\r\nBEGIN:VEVENT"):
        with pytest.raises(ValueError):
            vtimezone(bad)


def test_a_lone_surrogate_becomes_a_replacement_mark_instead_of_breaking_the_feed():
    body = _calendar(_series(summary="村\ud800晚", description="\udfff"))
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "村?晚" and str(vevent["DESCRIPTION"]) == "?"


def test_stamps_are_written_in_utc_whatever_the_servers_local_zone(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        revised = datetime(2026, 11, 21, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
        text = ical.render_series(replace(_series(), revised_at=revised))
    finally:
        monkeypatch.undo()
        time.tzset()
    assert "DTSTAMP:20261121T020000Z\r\n" in text and "LAST-MODIFIED:20261121T020000Z\r\n" in text
