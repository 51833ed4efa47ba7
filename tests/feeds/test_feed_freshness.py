"""The feed store: unchanged data gives identical bytes; a committed change marks exactly the feeds that
show it, and the scheduled render serves the new bytes (new ETag, SEQUENCE bumped, STATUS:CANCELLED)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from werkzeug.http import parse_date

from calendar_app import links
from calendar_app.areas.models import Area
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import edit_occurrence, report_attendance, set_status
from calendar_app.feeds import jobs, store
from calendar_app.feeds.content import FeedBuilder
from calendar_app.feeds.models import FeedChange, FeedDocument
from calendar_app.feeds.specs import feed_window
from calendar_app.programs.models import Program
from calendar_app.scheduler import JOBS, _job
from tests import factories
from tests.conftest import DEMO_NOW
from tests.feeds.conftest import parse

SATURDAY = "demo-feiyi-saturday@calendar-app.local"


@pytest.fixture
def demo_db(db):
    """A demo year of its own (these tests change it), with every feed rendered."""
    from calendar_app.demo.load import load_demo

    load_demo(2026, now=DEMO_NOW)
    db.session.commit()
    store.render_all()
    db.session.commit()
    return db


@pytest.fixture
def scene(db):
    """A small published world: a weekly series at a venue in a village, every feed rendered."""
    district = factories.district()
    town = factories.town(district)
    village = factories.village(town)
    venue = factories.venue(village, name="东崖村文化广场")
    program = factories.program(district, name="戏曲进乡村", slug="xiqu", category="opera")
    event = factories.event(village, venue_id=venue.id, program_id=program.id, category="opera",
                            start=datetime(2026, 11, 24, 19), end=datetime(2026, 11, 24, 21),
                            rrule="FREQ=WEEKLY;COUNT=20", now=DEMO_NOW)
    db.session.commit()
    store.render_all()
    db.session.commit()
    db.session.execute(FeedChange.__table__.delete())
    db.session.commit()
    return {"district": district, "town": town, "village": village, "venue": venue, "program": program,
            "event": event}


def _occurrence(db, event: Event, index: int) -> Occurrence:
    return db.session.scalars(select(Occurrence).where(Occurrence.event_id == event.id)
                              .order_by(Occurrence.original_starts_at)).all()[index]


def _documents(db) -> dict[str, tuple]:
    return {d.key: (d.etag, d.last_modified, d.rendered_at)
            for d in db.session.scalars(select(FeedDocument).execution_options(populate_existing=True))}


def _pending(db) -> set[str]:
    return set(db.session.scalars(select(FeedChange.key)))


def _saturday(db) -> Event:
    return db.session.scalar(select(Event).where(Event.uid == SATURDAY))


def test_rendering_again_without_changes_gives_identical_feeds(demo_db, client):
    before = _documents(demo_db)
    bodies = {path: client.get(path).data for path in ("/calendar.ics", "/programs/feiyi-saturday.ics")}
    stats = store.render_all(now=DEMO_NOW + timedelta(hours=3))  # later the same local day
    demo_db.session.commit()
    assert stats.changed == 0 and stats.rendered == len(before)
    after = _documents(demo_db)
    assert {k: v[:2] for k, v in after.items()} == {k: v[:2] for k, v in before.items()}
    assert {path: client.get(path).data for path in bodies} == bodies


def test_cancelled_occurrence_reaches_subscribers_after_the_scheduled_render(demo_db, client):
    event = _saturday(demo_db)
    old = client.get("/calendar.ics")
    occurrence = demo_db.session.scalar(select(Occurrence).where(
        Occurrence.event_id == event.id, Occurrence.status == "scheduled", Occurrence.starts_at > DEMO_NOW + timedelta(days=30))
        .order_by(Occurrence.starts_at))
    sequence = event.sequence
    edit_occurrence(occurrence, cancelled=True, reason="暴雪停课", now=DEMO_NOW + timedelta(minutes=5))
    demo_db.session.commit()

    area_path = demo_db.session.scalar(select(Area.path).where(Area.id == event.area_id))
    ancestors = [int(p) for p in area_path.strip("/").split("/")]
    assert _pending(demo_db) >= {"all", f"event:{event.id}", f"program:{event.program_id}", f"venue:{event.venue_id}",
                                 "category:heritage", *(f"area:{a}" for a in ancestors),
                                 *(f"private:{a}" for a in ancestors)}
    assert "*" not in _pending(demo_db)
    # Until the job runs, subscribers get the previous (consistent) bytes: the debounce.
    assert client.get("/calendar.ics").headers["ETag"] == old.headers["ETag"]

    linzi = "program:" + str(demo_db.session.scalar(select(Program.id).where(Program.slug == "linzi-summer")))
    unrelated = _documents(demo_db)[linzi]
    jobs.render_pending_feeds()
    demo_db.session.commit()
    assert _pending(demo_db) == set()

    new = client.get("/calendar.ics")
    assert new.headers["ETag"] != old.headers["ETag"]
    assert client.get("/calendar.ics", headers={"If-None-Match": old.headers["ETag"]}).status_code == 200
    vevents = [v for v in parse(new.data).walk("VEVENT") if str(v["UID"]) == SATURDAY]
    assert {int(v["SEQUENCE"]) for v in vevents} == {sequence + 1}
    assert {v["LAST-MODIFIED"].dt for v in vevents} == {DEMO_NOW + timedelta(minutes=5)}
    local_start = occurrence.original_starts_at.astimezone(vevents[0]["DTSTART"].dt.tzinfo)
    (override,) = [v for v in vevents if "RECURRENCE-ID" in v and v["RECURRENCE-ID"].dt == local_start]
    assert str(override["STATUS"]) == "CANCELLED"
    assert str(override["DESCRIPTION"]).startswith("取消原因：暴雪停课")
    # A feed that does not show the event was not even re-rendered.
    assert _documents(demo_db)[linzi] == unrelated


def test_last_modified_moves_forward_even_for_changes_within_one_second(db, client, scene):
    event = scene["event"]
    modified = []
    for index in (3, 4):
        edit_occurrence(_occurrence(db, event, index), cancelled=True, now=DEMO_NOW)
        db.session.commit()
        store.render_pending()  # the feed clock is pinned: both renders happen "at the same second"
        db.session.commit()
        modified.append(client.get(links.feed_path("event", event.id)).headers["Last-Modified"])
    assert parse_date(modified[1]) > parse_date(modified[0])
    assert client.get(links.feed_path("event", event.id), headers={"If-Modified-Since": modified[0]}).status_code == 200


def test_renaming_a_venue_marks_every_feed_and_the_render_shows_the_new_name(db, client, scene):
    scene["venue"].name = "东崖村文化广场（新）"
    db.session.commit()
    assert _pending(db) == {"*"}
    store.render_pending()
    db.session.commit()
    assert "LOCATION:东崖村文化广场（新）".encode() in client.get("/calendar.ics").data.replace(b"\r\n ", b"")


def test_reported_attendance_does_not_make_feeds_stale(db, scene):
    report_attendance(_occurrence(db, scene["event"], 0), 321, now=DEMO_NOW + timedelta(days=5))
    db.session.commit()
    assert _pending(db) == set()


def test_feeds_of_the_old_and_the_new_program_are_marked_when_an_event_moves(db, scene):
    other = factories.program(scene["district"], name="农村公益电影放映", slug="film")
    db.session.commit()
    db.session.execute(FeedChange.__table__.delete())
    scene["event"].program_id = other.id
    db.session.commit()
    assert {f"program:{scene['program'].id}", f"program:{other.id}"} <= _pending(db)


def test_occurrence_moved_to_another_venue_marks_both_venue_feeds(db, scene):
    theatre = factories.venue(scene["town"], name="金山镇剧场")
    db.session.commit()
    db.session.execute(FeedChange.__table__.delete())
    db.session.commit()
    edit_occurrence(_occurrence(db, scene["event"], 2), venue_id=theatre.id, now=DEMO_NOW)
    db.session.commit()
    assert {f"venue:{scene['venue'].id}", f"venue:{theatre.id}"} <= _pending(db)
    assert "*" not in _pending(db)


def test_an_event_edited_then_moved_in_one_transaction_marks_the_new_programs_feed(db, scene):
    # The first flush looks the event's feeds up; the second, moving it, must not trust that memo.
    other = factories.program(scene["district"], name="农村公益电影放映", slug="film")
    db.session.commit()
    db.session.execute(FeedChange.__table__.delete())
    db.session.commit()
    event = scene["event"]
    event.title = "戏曲进乡村·冬季场"
    db.session.flush()
    event.program_id = other.id
    db.session.flush()
    db.session.commit()
    assert {f"program:{scene['program'].id}", f"program:{other.id}", f"event:{event.id}"} <= _pending(db)
    assert "*" not in _pending(db)


def test_a_new_series_marks_its_feeds_without_looking_them_up_again(db, scene):
    """A new event's programme, venue and areas are in memory: booking costs no feed lookups."""
    from sqlalchemy import event as sa_event

    from calendar_app.events.services import EventData, create_event

    lookups = []

    def count(conn, cursor, statement, *args):
        text = " ".join(statement.split()).upper()
        if text.startswith(("SELECT AREAS.PATH", "SELECT EVENTS.PROGRAM_ID", "SELECT DISTINCT OCCURRENCES.VENUE_ID")):
            lookups.append(statement)

    data = EventData(title="周末非遗课堂", area_id=scene["village"].id, venue_id=scene["venue"].id,
                     program_id=scene["program"].id, category="opera",
                     starts_local=datetime(2026, 12, 5, 9), ends_local=datetime(2026, 12, 5, 11),
                     rrule="FREQ=WEEKLY;COUNT=10", status="draft")
    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        event, _ = create_event(data, now=DEMO_NOW)
        db.session.commit()
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert lookups == []
    pending = _pending(db)
    area_keys = {f"area:{a}" for a in (scene["district"].id, scene["town"].id, scene["village"].id)}
    assert {f"event:{event.id}", f"program:{scene['program'].id}", f"venue:{scene['venue'].id}"} | area_keys <= pending


def test_bulk_update_of_one_events_occurrences_marks_that_events_feeds(db, scene):
    event = scene["event"]
    db.session.execute(update(Occurrence).where(Occurrence.event_id == event.id).values(is_public=True))
    db.session.commit()
    assert "*" not in _pending(db) and f"event:{event.id}" in _pending(db)
    db.session.execute(update(Occurrence).where(Occurrence.status == "moved").values(status_reason="x"))
    db.session.commit()
    assert "*" in _pending(db)


def test_unpublished_event_feed_answers_404_at_once(db, client, scene):
    event = scene["event"]
    assert client.get(links.feed_path("event", event.id)).status_code == 200
    set_status(event, "draft", now=DEMO_NOW)
    db.session.commit()
    assert client.get(links.feed_path("event", event.id)).status_code == 404
    store.render_pending()
    db.session.commit()
    assert db.session.get(FeedDocument, f"event:{event.id}") is None
    assert event.uid.encode() not in client.get("/calendar.ics").data


def test_a_feed_requested_before_it_was_rendered_is_rendered_once(app, db, scene, monkeypatch):
    db.session.execute(FeedDocument.__table__.delete())
    db.session.commit()
    requests = 6
    calls = []
    waiting = []  # requests that reached the render lock
    everyone_waits = threading.Condition()
    original_render, original_lock = FeedBuilder.render, store.render_lock

    class CountingLock:
        def __init__(self, key):
            self.lock = original_lock(key)

        def __enter__(self):
            with everyone_waits:
                waiting.append(threading.get_ident())
                everyone_waits.notify_all()
            return self.lock.__enter__()

        def __exit__(self, *exc):
            return self.lock.__exit__(*exc)

    def render_once_all_others_wait(self, spec):
        calls.append(spec.key)
        # Hold the first render until every request is at the lock: the requests provably overlap.
        with everyone_waits:
            assert everyone_waits.wait_for(lambda: len(waiting) == requests, timeout=30), len(waiting)
        return original_render(self, spec)

    monkeypatch.setattr(FeedBuilder, "render", render_once_all_others_wait)
    monkeypatch.setattr(store, "render_lock", CountingLock)
    results = []

    def fetch():
        with app.test_client() as c:
            results.append(c.get("/programs/xiqu.ics"))

    threads = [threading.Thread(target=fetch) for _ in range(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(waiting)) == requests  # all of them found no feed and queued for the one render
    assert [r.status_code for r in results] == [200] * requests
    assert len({r.headers["ETag"] for r in results}) == 1
    assert calls == [f"program:{scene['program'].id}"]
    assert db.session.scalar(select(func.count()).select_from(FeedDocument)) == 1


def test_window_is_whole_local_days_so_feeds_only_move_at_midnight():
    kwargs = {"days_back": 30, "months_ahead": 18, "tz": "Asia/Shanghai"}
    morning = feed_window(DEMO_NOW, **kwargs)  # 10:00 in Shanghai
    assert feed_window(DEMO_NOW + timedelta(hours=13, minutes=59), **kwargs) == morning  # 23:59
    assert feed_window(DEMO_NOW + timedelta(hours=14), **kwargs).start == morning.start + timedelta(days=1)


def test_scheduler_renders_changed_feeds_every_minute_and_everything_hourly(app, db, scene):
    entries = {path: (trigger, args) for path, trigger, args in JOBS}
    assert entries["calendar_app.feeds.jobs.render_pending_feeds"] == ("interval", {"minutes": 1})
    assert entries["calendar_app.feeds.jobs.render_all_feeds"][0] == "cron"
    set_status(scene["event"], "cancelled", now=DEMO_NOW)
    db.session.commit()
    _job(app, "calendar_app.feeds.jobs.render_pending_feeds")()  # the scheduler's wrapper commits
    db.session.expire_all()
    assert _pending(db) == set()
    assert b"STATUS:CANCELLED" in db.session.get(FeedDocument, "all").body

    # A change around the ORM marks nothing; the hourly render, an hour later, still shows it everywhere.
    db.session.execute(update(Event).where(Event.id == scene["event"].id).values(title="改过的标题")
                       .execution_options(synchronize_session=False))
    db.session.commit()
    keys = set(_documents(db))
    app.config["FEEDS_NOW"] = DEMO_NOW + timedelta(hours=1)  # the feed_clock fixture restores it
    _job(app, "calendar_app.feeds.jobs.render_all_feeds")()
    db.session.expire_all()
    after = _documents(db)
    assert set(after) == keys
    assert {rendered_at for _etag, _modified, rendered_at in after.values()} == {DEMO_NOW + timedelta(hours=1)}
    assert "改过的标题".encode() in db.session.get(FeedDocument, "all").body


def test_feed_older_than_the_hourly_render_allows_is_rendered_by_the_request(db, client, scene):
    # A write around the ORM marks nothing; with no scheduler running the stored feed would stay old.
    db.session.execute(update(Event).where(Event.id == scene["event"].id).values(title="改过的标题")
                       .execution_options(synchronize_session=False))
    db.session.execute(FeedChange.__table__.delete())
    db.session.commit()
    assert "改过的标题".encode() not in client.get("/calendar.ics").data
    db.session.execute(update(FeedDocument).values(rendered_at=DEMO_NOW - timedelta(hours=3)))
    db.session.commit()
    assert "改过的标题".encode() in client.get("/calendar.ics").data


def _feed_change_inserts(db, action) -> list[str]:
    from sqlalchemy import event as sa_event

    seen: list[str] = []

    def watch(_conn, _cursor, statement, _params, _context, _many):
        if statement.lstrip().upper().startswith("INSERT INTO FEED_CHANGES"):
            seen.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", watch)
    try:
        action()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", watch)
    return seen


def test_marks_of_a_whole_transaction_are_written_once_at_commit(db, scene):
    """Three edits in three flushes mark their feeds in one INSERT, when the transaction commits."""
    event = scene["event"]
    other = factories.program(scene["district"], name="农村公益电影放映", slug="film")
    theatre = factories.venue(scene["town"], name="金山镇剧场")
    db.session.commit()
    db.session.execute(FeedChange.__table__.delete())
    db.session.commit()

    def edits():
        event.title = "戏曲进乡村·冬季场"
        db.session.flush()
        event.program_id = other.id
        db.session.flush()
        edit_occurrence(_occurrence(db, event, 3), venue_id=theatre.id, now=DEMO_NOW)
        assert _pending(db) == set()  # nothing written before the commit
        db.session.commit()

    assert len(_feed_change_inserts(db, edits)) == 1
    assert {f"event:{event.id}", f"program:{scene['program'].id}", f"program:{other.id}",
            f"venue:{scene['venue'].id}", f"venue:{theatre.id}"} <= _pending(db)


def test_a_rolled_back_transaction_marks_nothing_and_a_rolled_back_savepoint_keeps_earlier_marks(db, scene):
    event = scene["event"]
    event.title = "戏曲进乡村·取消的修改"
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert _pending(db) == set()

    event = db.session.get(Event, scene["event"].id)
    event.title = "戏曲进乡村·冬季场"
    db.session.flush()  # marks the event's feeds in the outer transaction
    savepoint = db.session.begin_nested()
    event.description = "改了又撤回"
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert {f"event:{event.id}", f"program:{scene['program'].id}", f"venue:{scene['venue'].id}"} <= _pending(db)
