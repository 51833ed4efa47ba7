"""User text cannot add properties or components to a feed (ICAL.md rule 4): not through the services,
which clean text on input, and not even from rows written around them (old data, a bad import)."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from calendar_app import links
from calendar_app.events.models import Occurrence
from calendar_app.events.services import edit_occurrence
from calendar_app.feeds import store
from tests import factories
from tests.conftest import DEMO_NOW
from tests.feeds.conftest import expanded, parse, stored, unfolded_lines, window_for

ATTACK = "x\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:injected\r\nEND:VEVENT\r\nX-EVIL:1"


def _components(body: bytes) -> list[str]:
    return [line for line in unfolded_lines(body) if line.startswith(("BEGIN:", "END:"))]


def _assert_single_event(body: bytes, uid: str) -> None:
    lines = unfolded_lines(body)
    assert lines.count("BEGIN:VEVENT") == len(list(parse(body).walk("VEVENT")))
    assert {str(v["UID"]) for v in parse(body).walk("VEVENT")} == {uid}
    assert not any(line.startswith(("X-EVIL", "UID:evil", "SUMMARY:injected")) for line in lines)


@pytest.fixture
def scene(db):
    district = factories.district()
    town = factories.town(district)
    venue = factories.venue(town, name="文化广场")
    program = factories.program(district, name="戏曲进乡村", slug="xiqu")
    event = factories.event(town, venue_id=venue.id, program_id=program.id, start=datetime(2026, 12, 5, 19),
                            end=datetime(2026, 12, 5, 21), rrule="FREQ=WEEKLY;COUNT=4", now=DEMO_NOW)
    db.session.commit()
    return {"town": town, "venue": venue, "program": program, "event": event}


def test_crlf_in_a_title_given_to_the_services_stays_inside_the_title(db, client, scene):
    event = factories.event(scene["town"], title=ATTACK, start=datetime(2026, 12, 6, 19), end=datetime(2026, 12, 6, 21),
                            now=DEMO_NOW)
    db.session.commit()
    body = client.get(links.feed_path("event", event.id)).data
    _assert_single_event(body, event.uid)
    (vevent,) = parse(body).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.title  # stored cleaned: line breaks became spaces


@pytest.mark.parametrize("where", ["title", "description", "organiser", "venue name", "venue address",
                                   "program name", "occurrence reason"])
def test_crlf_written_around_the_services_cannot_add_a_property_or_component(app, db, client, scene, where):
    event, venue, program = scene["event"], scene["venue"], scene["program"]
    if where == "venue name":
        venue.name = ATTACK
    elif where == "venue address":
        venue.address = ATTACK
    elif where == "program name":
        program.name = ATTACK  # becomes NAME and X-WR-CALNAME, which icalendar would write verbatim
    elif where == "occurrence reason":
        occurrence = db.session.scalar(select(Occurrence).where(Occurrence.event_id == event.id))
        edit_occurrence(occurrence, cancelled=True, now=DEMO_NOW)
        occurrence.status_reason = ATTACK
    else:
        setattr(event, where, ATTACK)
    db.session.commit()
    store.render_pending()
    db.session.commit()
    for path in ("/calendar.ics", links.feed_path("program", "xiqu"), links.feed_path("venue", venue.id),
                 links.feed_path("event", event.id)):
        body = client.get(path).data
        _assert_single_event(body, event.uid)
        assert _components(body).count("BEGIN:VCALENDAR") == 1
        assert expanded(body, window_for(app)) == stored(db, window_for(app), Occurrence.event_id == event.id)
    header = unfolded_lines(client.get(links.feed_path("program", "xiqu")).data)
    names = [line for line in header if line.startswith(("NAME:", "X-WR-CALNAME:"))]
    assert len(names) == 2
    if where == "program name":
        assert names[1] == "X-WR-CALNAME:x\\nBEGIN:VEVENT\\nUID:evil\\nSUMMARY:injected\\nEND:VEVENT\\nX-EVIL:1"


def test_control_characters_and_separators_never_reach_the_bytes(db, client, scene):
    event = scene["event"]
    event.title = "a\x01b\x1bc\x7fd\u2028e\u2029f\rg\\h;i,j"  # (PostgreSQL refuses NUL itself)
    db.session.commit()
    store.render_pending()
    db.session.commit()
    body = client.get(links.feed_path("event", event.id)).data
    line = next(line for line in unfolded_lines(body) if line.startswith("SUMMARY:"))
    assert line == "SUMMARY:abcdef\\ng\\\\h\\;i\\,j"  # a lone CR is a line break, escaped as \n
    assert not any(0 < b < 32 and b not in (13, 10) for b in body)
