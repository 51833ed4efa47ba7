"""A series moved by less than its own length keeps its venue (found when an .ics re-import moved 19:00 to 19:30)."""
from __future__ import annotations


def test_moving_a_weekly_series_by_half_an_hour_does_not_clash_with_itself(client, db, world):
    body = {"title": "周六戏曲", "area": world.areas["dongya"].id, "venue": world.venues["dongya_square"].id,
            "edition": world.edition.id, "starts_local": "2026-12-05T19:00", "ends_local": "2026-12-05T21:00",
            "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=6"}
    created = client.post("/api/v1/events", json=body, headers=world.auth("coord"))
    assert created.status_code == 201
    moved = client.patch(f"/api/v1/events/{created.json['id']}", headers=world.auth("coord"),
                         json={"starts_local": "2026-12-05T19:30", "ends_local": "2026-12-05T21:00"})
    assert moved.status_code == 200, moved.json
    assert moved.json["occurrences"] == 6
