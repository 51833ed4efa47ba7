"""Message texts in Chinese from Jinja templates (templates/notifications/messages/): SMS, and email as
plain text and HTML, with the manage link and, for email, one-click List-Unsubscribe headers."""
from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from jinja2 import Environment, select_autoescape

from calendar_app.links import base_url
from calendar_app.notifications.channels import OutMessage
from calendar_app.notifications.services import CODE_MINUTES

_WEEKDAYS = "一二三四五六日"
#: A Chinese SMS segment holds 70 characters; a longer text goes in parts of 67 (the rest of each is the
#: concatenation header), and the provider bills every part.
SMS_SEGMENT, SMS_PART = 70, 67
#: Segments a message may take: the code in one; a reminder (two links) in three; a change notice,
#: which also says from when to when and why, in four. Long titles, venues and reasons are shortened to fit.
SMS_SEGMENTS = {"confirm": 1, "reminder": 3, "change": 4}
#: What each shortened field keeps at least, in the order they give way (the venue first: the link has it;
#: a title down to what names it, then the reason, then the title further).
_SMS_SHORTENED = (("venue", 8), ("title", 16), ("reason", 12), ("title", 10))


def sms_segments(text: str) -> int:
    return 1 if len(text) <= SMS_SEGMENT else math.ceil(len(text) / SMS_PART)


def sms_limit(kind: str) -> int:
    segments = SMS_SEGMENTS[kind]
    return SMS_SEGMENT if segments == 1 else segments * SMS_PART
_CHANGE_LABELS = {"rescheduled": "时间调整", "venue_changed": "场地变更", "cancelled": "活动取消",
                  "restored": "恢复举办", "updated": "活动变更"}


def local_when(instant: datetime, tz: ZoneInfo) -> str:
    local = instant.astimezone(tz)
    return f"{local.month}月{local.day}日（周{_WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def _when_label(starts_at: datetime, now: datetime, tz: ZoneInfo) -> str:
    """"明天" / "今天" / "X 天后" by local dates: what people read first."""
    days = (starts_at.astimezone(tz).date() - now.astimezone(tz).date()).days
    return {0: "今天", 1: "明天", 2: "后天"}.get(days, f"{days} 天后" if days > 0 else "即将")


_ENVS: dict = {}


def _message_env(loader):
    env = _ENVS.get(id(loader))
    if env is None:
        env = _ENVS[id(loader)] = Environment(loader=loader, autoescape=select_autoescape(["html"]),
                                              keep_trailing_newline=False)
    return env


class Renderer:
    """Renders many messages fast: templates are looked up once, settings read once."""

    def __init__(self):
        # Its own environment: the app's carries every page global (url_for, i18n ...), which Jinja
        # copies into each render's context; messages need none of them, and volume matters here.
        env = _message_env(current_app.jinja_loader)
        self.base = base_url()  # PUBLIC_BASE_URL; in development the server's own address
        self.templates = {}
        for kind in ("reminder", "change", "confirm"):
            for part in ("sms.txt", "subject.txt", "email.txt", "email.html"):
                self.templates[f"{kind}.{part}"] = env.get_template(f"notifications/messages/{kind}.{part}")
        for part in ("subject.txt", "email.txt", "email.html"):  # digests go by email only
            self.templates[f"digest.{part}"] = env.get_template(f"notifications/messages/digest.{part}")
        self.default_tz = ZoneInfo(current_app.config["CALENDAR_TIMEZONE"])
        self._zones: dict[str, ZoneInfo] = {}

    def zone(self, name: str | None) -> ZoneInfo:
        if not name:
            return self.default_tz
        if name not in self._zones:
            self._zones[name] = ZoneInfo(name)
        return self._zones[name]

    def context(self, row: dict, now: datetime) -> dict:
        tz = self.zone(row.get("timezone"))
        token = row["token"]
        ctx = {"title": row.get("title") or row.get("target_title") or "",
               "manage_link": f"{self.base}/subscriptions/manage/{token}",
               "confirm_link": f"{self.base}/subscriptions/confirm/{token}",
               "code": (row.get("payload") or {}).get("code"), "minutes": CODE_MINUTES}
        if row.get("starts_at") is not None:
            ctx.update(when=local_when(row["starts_at"], tz),
                       ends=row["ends_at"].astimezone(tz).strftime("%H:%M") if row.get("ends_at") else None,
                       when_label=_when_label(row["starts_at"], now, tz),
                       venue=row.get("venue_name"), venue_address=row.get("venue_address"),
                       link=f"{self.base}/events/{row['event_id']}?occurrence={row['occurrence_id']}")
        elif row.get("event_id"):
            ctx["link"] = f"{self.base}/events/{row['event_id']}"
        if row["kind"] == "change":
            ctx.update(change_label=_CHANGE_LABELS.get(row["change_kind"], "活动变更"), reason=row.get("reason"),
                       change_text=change_text(row, tz))
        return ctx

    def render(self, row: dict, now: datetime) -> OutMessage:
        kind = row["kind"]
        t = self.templates
        if kind == "digest":
            return self.render_digest(row)
        ctx = self.context(row, now)
        if row["channel"] == "sms":
            return OutMessage(id=row["idempotency_key"], channel="sms", to=row["address"],
                              text=self.sms_text(kind, ctx))
        headers = {}
        if kind != "confirm":
            unsubscribe = f"{self.base}/subscriptions/unsubscribe/{row['token']}"
            # RFC 8058: a mail client's one-click button POSTs "List-Unsubscribe=One-Click" to this URL.
            headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        return OutMessage(id=row["idempotency_key"], channel="email", to=row["address"],
                          subject=t[f"{kind}.subject.txt"].render(ctx).strip(),
                          text=t[f"{kind}.email.txt"].render(ctx).strip() + "\n",
                          html=t[f"{kind}.email.html"].render(ctx), headers=headers)


    def sms_text(self, kind: str, ctx: dict) -> str:
        """The SMS, with the reason, venue and title shortened ("…") when it would take more than its segments."""
        template = self.templates[f"{kind}.sms.txt"]
        text = template.render(ctx).strip()
        limit = sms_limit(kind)
        for name, keep in _SMS_SHORTENED:
            over = len(text) - limit
            value = ctx.get(name)
            if over <= 0:
                break
            if value and len(value) > keep:
                ctx = {**ctx, name: value[:max(keep, len(value) - over) - 1] + "…"}
                text = template.render(ctx).strip()
        return text  # when the links alone are longer, it goes in more parts: nothing else can give way

    def render_digest(self, row: dict) -> OutMessage:
        """A user's weekly digest, from the content planned into the row (the same on every attempt)."""
        ctx = {**row["payload"], "base": self.base}
        return OutMessage(id=row["idempotency_key"], channel="email", to=row["address"],
                          subject=self.templates["digest.subject.txt"].render(ctx).strip(),
                          text=self.templates["digest.email.txt"].render(ctx).strip() + "\n",
                          html=self.templates["digest.email.html"].render(ctx))


def change_text(row: dict, tz: ZoneInfo) -> str:
    kind = row["change_kind"]
    old, new = row.get("old_starts_at"), row.get("new_starts_at")
    if kind == "cancelled":
        return f"原定 {local_when(old, tz)} 的活动取消" if old else "活动取消"
    if kind == "rescheduled" and new:
        return (f"由 {local_when(old, tz)} 改为 {local_when(new, tz)}" if old else f"改为 {local_when(new, tz)}")
    if kind == "venue_changed":
        where = row.get("new_venue_name") or "新场地"
        return f"{local_when(new, tz)} 的活动改在{where}举行" if new else f"改在{where}举行"
    if kind == "restored":
        return f"{local_when(new, tz)} 的活动恢复举办" if new else "活动恢复举办"
    return "活动信息有更新"
