"""Subscribing, confirming (double opt-in), changing lead times and cancelling. Flush only: callers commit."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from calendar_app import clock
from calendar_app.areas.models import Area
from calendar_app.db import ValidationError
from calendar_app.events.models import Event
from calendar_app.extensions import db
from calendar_app.notifications.contacts import ContactError, normalise
from calendar_app.notifications.models import (CHANNELS, TARGET_TYPES, Notification, Subscription,
                                               SubscriptionLead)
from calendar_app.programs.models import Edition, Program
from calendar_app.venues.models import Venue

#: Lead times a subscriber may pick, minutes -> label (a week at most: reminders are planned a week ahead).
LEAD_CHOICES = {10080: "提前一周", 4320: "提前三天", 1440: "提前一天", 720: "提前 12 小时", 240: "提前 4 小时",
                120: "提前 2 小时", 60: "提前 1 小时", 30: "提前 30 分钟"}
DEFAULT_LEADS = [1440, 120]
CODE_MINUTES = 10
MAX_CODE_ATTEMPTS = 5
MAX_CONFIRMATIONS = 5
_TARGET_MODELS = {"event": Event, "program": Program, "edition": Edition, "area": Area, "venue": Venue}


@dataclass
class SubscribeResult:
    subscription: Subscription
    #: The confirmation message queued by this request (None: already active, or too many sent).
    confirmation: Notification | None


def target_of(target_type: str, target_id: int):
    """The public object a subscription points at, or None (unknown, or an event that is not published)."""
    model = _TARGET_MODELS.get(target_type)
    if model is None or not isinstance(target_id, int) or isinstance(target_id, bool) or not 0 < target_id < 2**31:
        return None
    obj = db.session.get(model, target_id)
    if obj is None or (model is Event and obj.status not in ("published",)):
        return None
    if model is Venue and not obj.is_active:
        return None
    return obj


def target_name(target_type: str, target_id: int) -> str:
    obj = target_of(target_type, target_id) if target_type != "event" else db.session.get(Event, target_id)
    if obj is None:
        return "（已不存在）"
    return getattr(obj, "title", None) or obj.name


def parse_leads(value) -> list[int]:
    if value is None:
        return list(DEFAULT_LEADS)
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        raise ValidationError("lead_minutes 必须是分钟数的列表，如 [1440, 120]", "lead_minutes")
    leads = sorted(set(value), reverse=True)
    wrong = [v for v in leads if v not in LEAD_CHOICES]
    if wrong:
        allowed = "、".join(str(m) for m in LEAD_CHOICES)
        raise ValidationError(f"不支持的提前时间 {wrong[0]} 分钟；可选：{allowed}", "lead_minutes")
    if len(leads) > 4:
        raise ValidationError("最多选择 4 个提醒时间", "lead_minutes")
    return leads


def subscribe(*, target_type, target_id, channel, address, lead_minutes=None, changes=True,
              source: str, client_address: str | None = None) -> SubscribeResult:
    """A pending subscription (or the existing one for the same contact and target) and its confirmation."""
    if target_type not in TARGET_TYPES:
        raise ValidationError("target_type 只能是 event、program、edition、area 或 venue", "target_type")
    if target_of(target_type, target_id) is None:
        raise ValidationError("订阅对象不存在或尚未发布", "target_id")
    if channel not in CHANNELS:
        raise ValidationError("channel 只能是 email 或 sms", "channel")
    try:
        address = normalise(channel, address)
    except ContactError as exc:
        raise ValidationError(str(exc), "address") from None
    leads = parse_leads(lead_minutes)
    if not isinstance(changes, bool):
        raise ValidationError("changes 必须是 true 或 false", "changes")
    if not leads and not changes:
        raise ValidationError("请至少选择一个提醒时间或接收变更通知", "lead_minutes")
    now = clock.now()
    existing = db.session.scalar(
        select(Subscription).where(Subscription.target_type == target_type, Subscription.target_id == target_id,
                                   Subscription.channel == channel, Subscription.address == address,
                                   Subscription.status != "cancelled").limit(1))
    if existing is not None and existing.status == "active":
        return SubscribeResult(existing, None)  # nothing to confirm; no message to someone already subscribed
    sub = existing or Subscription(token=secrets.token_urlsafe(24), target_type=target_type, target_id=target_id,
                                   channel=channel, address=address, status="pending")
    sub.wants_changes = changes
    sub.consent_at = now
    sub.consent_source = (source or "api")[:200]
    sub.consent_ip = client_address[:45] if client_address else None
    if existing is None:
        db.session.add(sub)
    sub.lead_times = [SubscriptionLead(minutes=m) for m in leads]
    db.session.flush()
    return SubscribeResult(sub, _queue_confirmation(sub))


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _queue_confirmation(sub: Subscription) -> Notification | None:
    if sub.confirmations_sent >= MAX_CONFIRMATIONS:
        return None
    now = clock.now()
    sub.confirmations_sent += 1
    payload = None
    if sub.channel == "sms":
        code = f"{secrets.randbelow(10**6):06d}"
        sub.code_digest = _digest(code)
        sub.code_expires_at = now + timedelta(minutes=CODE_MINUTES)
        sub.code_attempts = 0
        payload = {"code": code}
    note = Notification(dedupe_key=f"confirm:{sub.id}:{sub.confirmations_sent}", kind="confirm",
                        subscription_id=sub.id, payload=payload, state="pending", due_at=now)
    db.session.add(note)
    db.session.flush()
    return note


def _activate(sub: Subscription) -> None:
    sub.status = "active"
    sub.confirmed_at = clock.now()
    sub.code_digest = None
    sub.code_expires_at = None


def confirm_code(sub: Subscription | None, code) -> str | None:
    """Check an SMS code; None when confirmed, else the Chinese reason. Wrong tries are counted (flushed)."""
    if sub is None or sub.channel != "sms":
        return "订阅不存在"
    if sub.status == "active":
        return None
    if sub.status == "cancelled":
        return "该订阅已退订，请重新订阅"
    if sub.code_digest is None or sub.code_attempts >= MAX_CODE_ATTEMPTS:
        return "验证码已失效，请重新获取"
    if sub.code_expires_at is None or sub.code_expires_at <= clock.now():
        return f"验证码已过期（有效期 {CODE_MINUTES} 分钟），请重新获取"
    if not isinstance(code, str) or not hmac.compare_digest(_digest(code.strip()), sub.code_digest):
        sub.code_attempts += 1
        db.session.flush()
        left = MAX_CODE_ATTEMPTS - sub.code_attempts
        return f"验证码不正确，还可尝试 {left} 次" if left > 0 else "验证码错误次数过多，已失效，请重新获取"
    _activate(sub)
    db.session.flush()
    return None


def confirm_token(sub: Subscription) -> str | None:
    """Confirm by the email link; None when confirmed (or already), else the reason."""
    if sub.status == "cancelled":
        return "该订阅已退订，如需继续接收提醒请重新订阅"
    if sub.status == "pending":
        _activate(sub)
        db.session.flush()
    return None


def by_token(token: str) -> Subscription | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Subscription).where(Subscription.token == token))


def update_preferences(sub: Subscription, *, lead_minutes, changes: bool) -> None:
    """New lead times and change-notice choice; pending reminders of dropped lead times are skipped."""
    leads = parse_leads(lead_minutes)
    if not leads and not changes:
        raise ValidationError("请至少选择一个提醒时间或接收变更通知；不再需要提醒请点击“退订”", "lead_minutes")
    sub.lead_times = [SubscriptionLead(minutes=m) for m in leads]
    sub.wants_changes = changes
    stale = select(Notification.id).where(Notification.subscription_id == sub.id, Notification.state == "pending",
                                          Notification.kind == "reminder", Notification.lead_minutes.not_in(leads))
    db.session.execute(update(Notification).where(Notification.id.in_(stale))
                       .values(state="skipped", skip_reason="lead_removed", locked_by=None)
                       .execution_options(synchronize_session=False))
    db.session.flush()


def cancel(sub: Subscription) -> None:
    """Stop everything at once: the subscription ends and every message not yet sent is skipped."""
    if sub.status != "cancelled":
        sub.status = "cancelled"
        sub.cancelled_at = clock.now()
        sub.code_digest = None
    db.session.execute(update(Notification)
                       .where(Notification.subscription_id == sub.id, Notification.state == "pending")
                       .values(state="skipped", skip_reason="unsubscribed", locked_by=None)
                       .execution_options(synchronize_session=False))
    db.session.flush()
