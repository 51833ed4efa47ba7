"""A real SMTP server (aiosmtpd) and a local HTTP SMS gateway, wired into the app's settings."""
from __future__ import annotations

import email
import json
import socket
import threading
import time
from datetime import datetime, timezone
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from tests.world import weekly_body, world  # noqa: F401  (the world fixture, for these tests)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailHandler:
    """Keeps every accepted message; answers a recipient with the replies queued for it (then 250)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            answers = self.refuse.get(address.lower())
            if answers:
                return answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp(app, monkeypatch):
    handler = MailHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "calendar@wenlv.example")
    yield handler
    controller.stop()


class Gateway:
    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: dict[str, list[int]] = {}  # mobile -> status codes to answer, in turn (then 200)
        self.lock = threading.Lock()
        self.delay = 0.0  # seconds before each answer (a slow provider)

    def texts(self, mobile: str) -> list[str]:
        return [r["body"]["text"] for r in self.requests if r["body"]["mobile"] == mobile and r["status"] == 200]


@pytest.fixture
def gateway(app, monkeypatch):
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if state.delay:
                time.sleep(state.delay)
            with state.lock:
                queue = state.statuses.get(body.get("mobile"), [])
                status = queue.pop(0) if queue else 200
                state.requests.append({"body": body, "auth": self.headers.get("Authorization"), "status": status})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if status == 200 else b'{"error": "refused"}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "SMS_BACKEND", "http")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"http://127.0.0.1:{server.server_address[1]}/send")
    monkeypatch.setitem(app.config, "SMS_API_KEY", "test-sms-key")
    monkeypatch.setitem(app.config, "SMS_TIMEOUT", 2)
    yield state
    server.shutdown()
    server.server_close()


def at(app, when: datetime) -> None:
    """Move the app's clock (FIXED_NOW) to `when`."""
    app.config["FIXED_NOW"] = when.isoformat()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def gala(client, db, world):
    """Six published Saturday evenings (19:00-21:00 Shanghai from 2026-12-05) at 东崖村's square."""
    from sqlalchemy import select

    from calendar_app.events.models import Event, Occurrence

    body = weekly_body(world, title="四季村晚·东崖村")
    created = client.post("/api/v1/events", json=body, headers=world.auth("coord"))
    assert created.status_code == 201, created.json
    event_id = created.json["id"]
    published = client.post(f"/api/v1/events/{event_id}/publish", headers=world.auth("staff"))
    assert published.status_code == 200, published.json
    event = db.session.get(Event, event_id)
    event.occs = list(db.session.scalars(select(Occurrence).where(Occurrence.event_id == event_id)
                                         .order_by(Occurrence.starts_at)))
    return event


def subscribe_active(db, *, target_type, target_id, channel="sms", address="13800138000", leads=(1440, 120),
                     changes=True):
    """A confirmed subscription made through the service (tests of the API confirm it the long way)."""
    from calendar_app import clock
    from calendar_app.notifications import services

    result = services.subscribe(target_type=target_type, target_id=target_id, channel=channel, address=address,
                                lead_minutes=list(leads), changes=changes, source="test")
    sub = result.subscription
    sub.status, sub.confirmed_at = "active", clock.now()
    from calendar_app.notifications.models import Notification
    from sqlalchemy import delete

    db.session.execute(delete(Notification).where(Notification.subscription_id == sub.id))
    db.session.commit()
    return sub


def run(runner, *args) -> str:
    result = runner.invoke(args=["notifications", *args])
    assert result.exit_code == 0, result.output
    return result.output
