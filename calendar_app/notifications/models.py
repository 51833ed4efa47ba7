"""Subscriptions (who wants to hear about what, with their consent) and the notification outbox.

The outbox is the schedule: one row per message that should go out, unique by what it is about
(`dedupe_key`), so planning twice queues nothing twice; dispatchers claim due rows with a lease.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from calendar_app.accounts.models import User
from calendar_app.db import UTCDateTime, utcnow
from calendar_app.extensions import db

TARGET_TYPES = {"event": "活动", "program": "品牌活动", "edition": "活动季", "area": "区域", "venue": "场馆"}
CHANNELS = {"email": "电子邮件", "sms": "短信"}
SUBSCRIPTION_STATUSES = {"pending": "待确认", "active": "已生效", "cancelled": "已退订"}
NOTIFICATION_KINDS = {"confirm": "订阅确认", "reminder": "活动提醒", "change": "变更通知", "digest": "每周工作摘要"}
NOTIFICATION_STATES = {"pending": "待发送", "sent": "已发送", "failed": "发送失败", "skipped": "已跳过"}


class Subscription(db.Model):
    """A visitor's wish to hear about an event, program, edition, area or venue, by email or SMS."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("target_type IN ('event','program','edition','area','venue')", name="target_type"),
        CheckConstraint("channel IN ('email','sms')", name="channel"),
        CheckConstraint("status IN ('pending','active','cancelled')", name="status"),
        Index("ix_subscriptions_target", "target_type", "target_id", "status"),
        Index("ix_subscriptions_address", "channel", "address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Secret in every message's manage/cancel link and the email confirmation link (URL-safe, random).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(8))
    #: Normalised contact: a lower-cased email address or an 11-digit mainland mobile number.
    #: Staff screens show it only through `masked_address`.
    address: Mapped[str] = mapped_column(String(254))
    #: Whether the subscriber wants change and cancellation notices.
    wants_changes: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: SHA-256 of the 6-digit SMS code, when it expires, and wrong tries so far (5 burn the code).
    code_digest: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: How many confirmation messages were queued (each is its own outbox row).
    confirmations_sent: Mapped[int] = mapped_column(Integer, default=0)
    #: Consent: when the visitor asked, from where (api / web page path) and which client address
    #: (request.remote_addr: the client's own address when PROXY_HOPS trusts the proxies in front), and when they confirmed.
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_source: Mapped[str] = mapped_column(String(200))
    consent_ip: Mapped[str | None] = mapped_column(String(45))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lead_times: Mapped[list[SubscriptionLead]] = relationship(
        back_populates="subscription", cascade="all, delete-orphan", passive_deletes=True,
        order_by="SubscriptionLead.minutes.desc()")

    @property
    def lead_minutes(self) -> list[int]:
        return [lead.minutes for lead in self.lead_times]

    @property
    def masked_address(self) -> str:
        return mask_address(self.channel, self.address)


class SubscriptionLead(db.Model):
    """One lead time of a subscription: a reminder goes out this many minutes before each occurrence."""

    __tablename__ = "subscription_leads"
    __table_args__ = (CheckConstraint("minutes > 0", name="minutes_positive"),)

    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer, primary_key=True)

    subscription: Mapped[Subscription] = relationship(back_populates="lead_times")


class Notification(db.Model):
    """One message in the outbox: planned once (unique `dedupe_key`), claimed under a lease, sent at least once.

    Addressed either to a public subscription (confirmations, reminders, change notices) or to a user
    of the app (the weekly digest, by email to the user's address at sending time): exactly one is set.

    On PostgreSQL the table has fillfactor 60 (set by its migration) so that claims are HOT updates.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("kind IN ('confirm','reminder','change','digest')", name="kind"),
        CheckConstraint("(subscription_id IS NULL AND user_id IS NOT NULL) OR "
                        "(subscription_id IS NOT NULL AND user_id IS NULL)", name="one_recipient"),
        CheckConstraint("state IN ('pending','sent','failed','skipped')", name="state"),
        # The dispatcher's query: pending rows by due time.
        Index("ix_notifications_state_due", "state", "due_at"),
        Index("ix_notifications_occurrence", "occurrence_id", "state"),
        Index("ix_notifications_subscription", "subscription_id", "state"),
        Index("ix_notifications_user", "user_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the message is about, e.g. "reminder:12:3456:1440" (subscription, occurrence, lead minutes),
    #: "change:12:789" (subscription, change entry) or "digest:5:2026-W49" (user, ISO week): queuing it
    #: twice is impossible.
    dedupe_key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"))
    change_id: Mapped[int | None] = mapped_column(ForeignKey("event_changes.id", ondelete="CASCADE"))
    #: Reminders only: minutes before the occurrence's start.
    lead_minutes: Mapped[int | None] = mapped_column(Integer)
    #: Extra message data (the confirmation code of a confirm message; a digest's content as planned).
    payload: Mapped[dict | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    #: When it should go out (next try after a temporary failure); the dispatcher sends rows due by now.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The lease: which dispatcher holds the row and until when (wall-clock; an expired lease is reclaimed).
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: Why a row was skipped (stale: the occurrence had started; cancelled; unsubscribed ...).
    skip_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscription: Mapped[Subscription | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def idempotency_key(self) -> str:
        return idempotency_key(self.dedupe_key)


def idempotency_key(dedupe_key: str) -> str:
    """The id given to the SMS provider and used in the email Message-ID: the same on every retry."""
    return "n" + hashlib.sha1(dedupe_key.encode()).hexdigest()[:24]


def mask_address(channel: str, address: str) -> str:
    """138****5678 for a mobile; z***@example.com for an email address."""
    if channel == "sms":
        return address[:3] + "****" + address[-4:]
    local, _, domain = address.partition("@")
    return (local[:1] or "") + "***@" + domain
