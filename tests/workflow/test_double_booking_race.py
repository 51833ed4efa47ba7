"""Twenty coordinators' tools race for one venue slot over real HTTP: exactly one wins.

The server is a threaded WSGI server on 127.0.0.1, so every request has its own thread, session and
database connection, as under gunicorn; the clients start together behind a barrier.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

from sqlalchemy import func, select
from werkzeug.serving import make_server

from calendar_app.events.models import Event, Occurrence

RACERS = 20


def _post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_twenty_concurrent_bookings_of_one_slot_give_one_201_and_nineteen_409(app, db, world):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/events"
    barrier = threading.Barrier(RACERS)
    area_id, venue_id = world.areas["dongya"].id, world.venues["dongya_square"].id
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def racer(i: int) -> None:
        body = {"title": f"抢场地{i}", "area": area_id, "venue": venue_id,
                "starts_local": "2026-12-12T19:00", "ends_local": "2026-12-12T21:00"}
        token = world.tokens["coord" if i % 2 else "staff"]
        barrier.wait(timeout=30)
        outcome = _post(url, token, body)
        with lock:
            results.append(outcome)

    try:
        threads = [threading.Thread(target=racer, args=(i,)) for i in range(RACERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        server.shutdown()
        serving.join(timeout=10)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (RACERS - 1), [(s, b.get("message")) for s, b in results if s not in (201, 409)]
    winner = next(body for status, body in results if status == 201)
    for status, body in results:
        if status == 409:
            assert [c["event_id"] for c in body["conflicts"]] == [winner["id"]]
            assert "东崖村文化广场" in body["message"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    assert db.session.scalar(select(func.count()).select_from(Occurrence).where(Occurrence.holds_venue.is_(True))) == 1
