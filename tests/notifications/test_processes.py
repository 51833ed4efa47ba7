"""Real processes: one scheduler leads while others wait, and a dispatcher killed with SIGKILL loses nothing."""
from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from calendar_app.notifications.models import Notification, idempotency_key
from tests.notifications.conftest import at, run, subscribe_active, utc

ROOT = Path(__file__).resolve().parents[2]


def _env(app, **extra) -> dict:
    env = dict(os.environ, FLASK_APP="wsgi.py", CALENDAR_ENV="development", PYTHONUNBUFFERED="1",
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SCHEDULER_IN_PROCESS="0",
               MAIL_BACKEND="null", SMS_BACKEND="null", FIXED_NOW=app.config["FIXED_NOW"] or "")
    env.update(extra)
    return env


class Proc:
    """A `flask ...` child whose output lines are collected as they come."""

    def __init__(self, args, env):
        self.popen = subprocess.Popen([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.popen.stdout:
            self.lines.put(line)

    def wait_for(self, words: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if words in line:
                return True
        return False

    def kill(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)


def test_two_scheduler_processes_one_leads_and_the_other_takes_over_when_it_is_killed(app, db, world):
    db.session.commit()
    db.session.remove()
    first = Proc(["scheduler", "run", "--poll", "0.2"], _env(app))
    second = None
    try:
        assert first.wait_for("成为主调度器", 30), first.seen
        second = Proc(["scheduler", "run", "--poll", "0.2"], _env(app))
        assert second.wait_for("等待接管", 30), second.seen
        assert not second.wait_for("成为主调度器", 2), second.seen  # the leader is alive: the second waits
        first.kill()
        assert second.wait_for("成为主调度器", 15), second.seen
        assert second.wait_for("调度器已启动", 15), second.seen
    finally:
        first.kill()
        if second:
            second.kill()


def test_a_dispatcher_killed_repeatedly_mid_batch_delivers_every_due_message(app, db, gala, gateway):
    for n in range(150):
        subscribe_active(db, target_type="event", target_id=gala.id, address=f"139{n:08d}")
    at(app, utc(2026, 12, 5, 9, 0))  # both reminders of the first evening are due: 300 messages
    run(app.test_cli_runner(), "plan")
    keys = {idempotency_key(k) for k in db.session.scalars(select(Notification.dedupe_key))}
    assert len(keys) == 300
    db.session.commit()
    db.session.remove()
    gateway.delay = 0.01
    env = _env(app, SMS_BACKEND="http", SMS_GATEWAY_URL=app.config["SMS_GATEWAY_URL"], SMS_API_KEY="k",
               NOTIFICATIONS_LEASE_SECONDS="2")
    rng = random.Random(11)
    kills = 0
    for _ in range(6):
        proc = Proc(["notifications", "dispatch", "--batch", "20", "--interval", "0.2"], env)
        started = time.monotonic()
        while time.monotonic() - started < 20 and len(gateway.requests) == 0 and kills == 0:
            time.sleep(0.05)  # the first run: kill only once sending has begun
        time.sleep(rng.uniform(0.2, 0.8))
        proc.kill()
        kills += 1
    time.sleep(2.5)  # the last killed dispatcher's lease runs out
    final = subprocess.run([sys.executable, "-m", "flask", "notifications", "dispatch", "--once", "--batch", "20"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stdout + final.stderr
    delivered = Counter(r["body"]["id"] for r in gateway.requests if r["status"] == 200)
    assert set(delivered) == keys  # every due message went out
    duplicates = sum(n - 1 for n in delivered.values())
    # At-least-once: only a batch in flight when a dispatcher died can go out twice.
    assert duplicates <= kills * 20
    db.session.expire_all()
    states = dict(db.session.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())
    assert states == {"sent": 300}
    print(f"\n{kills} kills, {sum(delivered.values())} deliveries of 300 messages, {duplicates} duplicates")
