"""The home page lists long periods over several pages, each occurrence exactly once, in order."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from calendar_app.events.models import Occurrence
from calendar_app.public.queries import PAGE_SIZE
from tests import factories as f
from tests.conftest import DEMO_NOW
from tests.public.helpers import html, listed_occurrence_ids, parse


def test_long_lists_continue_on_a_next_page_without_repeating(app, db, client, monkeypatch):
    monkeypatch.setitem(app.config, "FIXED_NOW", DEMO_NOW)  # Saturday 2026-11-21, 10:00 in Beijing
    town = f.town(f.district())
    # Four daily series over the next 30 days: 120 occurrences, more than a page holds.
    for hour in (9, 14, 19, 20):
        f.event(town, title=f"每日{hour}点场", start=datetime(2026, 11, 21, hour), end=datetime(2026, 11, 21, hour, 50),
                rrule="FREQ=DAILY;COUNT=30", now=DEMO_NOW)
    db.session.commit()
    # The 09:00 session of the first day ended before 10:00: 119 are still to come.
    expected = set(db.session.scalars(select(Occurrence.id).where(Occurrence.ends_at > DEMO_NOW)))
    assert len(expected) == 119 > 2 * PAGE_SIZE and PAGE_SIZE == 50  # a phone screen's worth, not 7,000 px

    first = html(client.get("/"))
    ids_first = listed_occurrence_ids(first)
    next_href = [a.attrs["href"] for a in parse(first).find_all("a", class_="button") if "after=" in a.attrs["href"]]
    assert len(ids_first) == PAGE_SIZE and len(next_href) == 1
    second = html(client.get(next_href[0]))
    ids_second = listed_occurrence_ids(second)
    assert len(ids_second) == PAGE_SIZE
    next_href = [a.attrs["href"] for a in parse(second).find_all("a", class_="button") if "after=" in a.attrs["href"]]
    third = html(client.get(next_href[0]))
    ids_third = listed_occurrence_ids(third)
    assert len(ids_third) == 119 - 2 * PAGE_SIZE
    assert not set(ids_first) & set(ids_second) and not (set(ids_first) | set(ids_second)) & set(ids_third)
    assert set(ids_first) | set(ids_second) | set(ids_third) == expected
    assert not [a for a in parse(third).find_all("a", class_="button") if "after=" in a.attrs.get("href", "")]
    starts = dict(db.session.execute(select(Occurrence.id, Occurrence.starts_at)).all())
    order = [starts[i] for i in ids_first + ids_second + ids_third]
    assert order == sorted(order)  # the second page carries on where the first stopped
