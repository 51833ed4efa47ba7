"""Two versions of the code booking side by side: the same weekly series, on one database, turn about.

    python -m bench.ab_booking --postgres ADMIN_URL [--size 1000000] [--rounds 40] TREE_A TREE_B
    python -m bench.ab_booking --database URL [--rounds 40] TREE_A TREE_B

TREE_A and TREE_B are checkouts of this project (e.g. `git worktree add /tmp/base <commit>`). The data is
generated once (`bench.common.generate_elsewhere`, PostgreSQL, or SQLite without --postgres); then one
process per tree, each importing its own tree's code, books a weekly series of 52 evenings at the busiest
venue (validate, expand, clash check, insert; rolled back), the two taking turns, each run in a slot of its
own (the slots shuffled, so neither tree always books the fresher part of the index). On a shared machine
whose speed drifts from minute to minute, turns keep the comparison fair where two runs one after the
other do not. Prints each tree's median and quartiles in ms and the ratio of B to A.
"""
from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from bench.bench_booking import NOW
from bench.common import generate_elsewhere, postgres_url, sqlite_url

# Runs inside each tree's own interpreter and code: reads slot starts on stdin, answers milliseconds.
_CHILD = r"""
import sys, time
from datetime import datetime, timedelta
from bench.common import make_app
from bench.bench_booking import NOW, _busiest_venue
app = make_app(sys.argv[1], FIXED_NOW=NOW.isoformat())
from calendar_app.events.services import EventData, create_event
from calendar_app.extensions import db
from calendar_app.venues.models import Venue
with app.app_context():
    venue_id, _ = _busiest_venue(db)
    area_id = db.session.get(Venue, venue_id).area_id
    db.session.rollback()
    print("ready", flush=True)
    for line in sys.stdin:
        start = datetime.fromisoformat(line.strip())
        data = EventData(title="基准测试·每周晚间活动", area_id=area_id, venue_id=venue_id, starts_local=start,
                         ends_local=start + timedelta(minutes=45), rrule="FREQ=WEEKLY;COUNT=52", status="draft")
        started = time.perf_counter()
        try:
            create_event(data, now=NOW)
            db.session.flush()
        finally:
            db.session.rollback()
        print((time.perf_counter() - started) * 1000, flush=True)
"""
WARMUP = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs=2, type=Path)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--postgres", help="admin URL, e.g. postgresql://postgres@127.0.0.1/postgres")
    parser.add_argument("--database", help="book on this database, generated before (by an earlier run, or "
                        "bench.common.generate_elsewhere), instead of generating one: --size is then ignored")
    args = parser.parse_args()
    if args.database:
        url = args.database
    else:
        url = (postgres_url(args.postgres, f"bench_ab_{args.size}") if args.postgres
               else sqlite_url(f"ab{args.size}"))
        generate_elsewhere(url, args.size, now=NOW)  # migrated by this tree: both trees must share its schema
    # From 23:00 to 9:00 the generated venues are free: 8 slots of 75 minutes a night. Series started a
    # week apart share their later evenings, and a rolled-back row stays in the indexes until VACUUM, so the
    # slots are shuffled: both trees meet the same mix of fresh and trodden index pages.
    runs = (args.rounds + WARMUP) * 2
    slots = [datetime(2027, 1, 4, 23, 0) + timedelta(days=day, minutes=75 * slot)
             for day in range(7 * 20) for slot in range(8)][:runs]
    if len(slots) < runs:
        raise SystemExit(f"--rounds at most {len(slots) // 2 - WARMUP}")
    random.Random(7).shuffle(slots)
    children = []
    for tree in args.trees:
        child = subprocess.Popen([sys.executable, "-c", _CHILD, url], cwd=tree, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                 env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})
        if child.stdout.readline().strip() != "ready":
            raise SystemExit(f"{tree}: the booking process did not start")
        children.append(child)
    times: list[list[float]] = [[], []]
    slot = iter(slots)
    for turn in range(args.rounds + WARMUP):
        for i, child in enumerate(children):
            child.stdin.write(next(slot).isoformat() + "\n")
            child.stdin.flush()
            ms = float(child.stdout.readline())
            if turn >= WARMUP:
                times[i].append(ms)
    for child in children:
        child.stdin.close()
        child.wait()
    medians = []
    for tree, values in zip(args.trees, times):
        q1, median, q3 = statistics.quantiles(values, n=4)
        medians.append(statistics.median(values))
        print(f"{str(tree):40} median {medians[-1]:7.2f} ms  quartiles {q1:.2f} / {q3:.2f}")
    stored = "on " + url.rsplit("/", 1)[-1] if args.database else f"{args.size:,} stored"
    print(f"B / A: x{medians[1] / medians[0]:.2f} ({args.rounds} turns each, {stored})")


if __name__ == "__main__":
    main()
