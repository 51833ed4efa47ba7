"""Subscriptions over the API and on public pages, and the staff's list of failed messages. Thin views."""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import or_, select

from calendar_app.accounts.auth import page_actor
from calendar_app.db import ValidationError, write_intent
from calendar_app.extensions import csrf, db, limiter
from calendar_app.i18n import N_
from calendar_app.notifications import services
from calendar_app.notifications.forms import CancelForm, CodeForm, PreferencesForm, SubscribeForm
from calendar_app.notifications.models import NOTIFICATION_KINDS, TARGET_TYPES, Notification, Subscription, mask_address

bp = Blueprint("notifications", __name__)


@bp.after_request
def never_cached(response):
    """Subscription pages carry a personal token and a (masked) contact: no shared or back-button cache."""
    response.headers["Cache-Control"] = "no-store"
    return response

#: Per client address (every attempt) and per contact (the phone number or mailbox that would receive
#: a message: only attempts that queued one count).
SUBSCRIBE_PER_ADDRESS = "20 per hour"
SUBSCRIBE_PER_CONTACT = "3 per 10 minutes;10 per day"
CONFIRM_PER_ADDRESS = "30 per 15 minutes"
CONFIRM_PER_SUBSCRIPTION = "10 per 15 minutes"


def _body() -> dict:
    if request.is_json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}
    return request.form


def _contact_key() -> str:
    value = _body().get("address")
    value = value if isinstance(value, str) else ""
    return "contact:" + "".join(value.split()).lower().removeprefix("+86")[:254]


def _subscription_key() -> str:
    body = _body()
    return "confirm:" + str(body.get("id") or body.get("subscription") or "")[:12]


def _send_now(notification_id: int | None) -> None:
    """Try the confirmation message at once (the minute job would send it anyway): best effort."""
    if notification_id is None:
        return
    from calendar_app.notifications import dispatcher

    try:
        with dispatcher.single_dispatcher(wait=False) as mine:
            if mine:
                dispatcher.dispatch_due(limit=1, max_batches=1, only=[notification_id])
    except Exception:  # the outbox row is committed: the scheduler retries it
        current_app.logger.exception("sending a confirmation at once failed")
        db.session.rollback()


# --- API ------------------------------------------------------------------------------------------

@bp.post("/api/v1/subscriptions")
@csrf.exempt
@limiter.limit(SUBSCRIBE_PER_ADDRESS)
@limiter.limit(SUBSCRIBE_PER_CONTACT, key_func=_contact_key, deduct_when=lambda r: r.status_code == 202)
def api_subscribe():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("请求体必须是 JSON 对象", "_")
    unknown = sorted(set(body) - {"target_type", "target_id", "channel", "address", "lead_minutes", "changes"})
    if unknown:
        raise ValidationError(f"未知的字段：{', '.join(u[:30] for u in unknown[:5])}", unknown[0][:30])
    result = services.subscribe(target_type=body.get("target_type"), target_id=body.get("target_id"),
                                channel=body.get("channel"), address=body.get("address"),
                                lead_minutes=body.get("lead_minutes"), changes=body.get("changes", True),
                                source="api", client_address=request.remote_addr)
    db.session.commit()
    _send_now(result.confirmation.id if result.confirmation else None)
    return jsonify({"id": result.subscription.id, "status": result.subscription.status}), 202


@bp.post("/api/v1/subscriptions/confirm")
@csrf.exempt
@limiter.limit(CONFIRM_PER_ADDRESS)
@limiter.limit(CONFIRM_PER_SUBSCRIPTION, key_func=_subscription_key)
def api_confirm():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("请求体必须是 JSON 对象", "_")
    sub_id = body.get("id")
    if isinstance(sub_id, bool) or not isinstance(sub_id, int) or not 0 < sub_id < 2**31:
        raise ValidationError("id 必须是订阅编号（整数）", "id")
    sub = db.session.get(Subscription, sub_id)
    if sub is None or sub.channel != "sms":
        abort(404, "订阅不存在")
    problem = services.confirm_code(sub, body.get("code"))
    db.session.commit()  # wrong tries count even when refused
    if problem:
        return jsonify({"error": "validation_error", "message": problem, "errors": {"code": problem}}), 422
    return jsonify({"id": sub.id, "status": sub.status})


# --- public pages ---------------------------------------------------------------------------------
# The services answer in Chinese (the API returns that as it is); the pages show their messages in the
# visitor's language. The messages a page can meet are marked here for the catalogue; those carrying a
# number are matched by pattern. tests/notifications/test_pages_in_english.py reads the services'
# messages and fails when one has no English.
_SERVICE_MESSAGES = (
    N_("手机号码格式不正确，请填写 11 位中国大陆手机号码（如 13800138000）"),
    N_("电子邮箱地址格式不正确，请检查后重新填写（如 name@example.com）"),
    N_("请填写手机号码"), N_("请填写电子邮箱地址"), N_("订阅对象不存在或尚未发布"), N_("最多选择 4 个提醒时间"),
    N_("请至少选择一个提醒时间或接收变更通知"), N_("请至少选择一个提醒时间或接收变更通知；不再需要提醒请点击“退订”"),
    N_("订阅不存在"), N_("该订阅已退订，请重新订阅"), N_("该订阅已退订，如需继续接收提醒请重新订阅"),
    N_("验证码已失效，请重新获取"), N_("验证码错误次数过多，已失效，请重新获取"),
)
_NUMBERED_MESSAGES = (
    (re.compile(r"验证码不正确，还可尝试 (?P<left>\d+) 次"), N_("验证码不正确，还可尝试 %(left)s 次")),
    (re.compile(r"验证码已过期（有效期 (?P<minutes>\d+) 分钟），请重新获取"),
     N_("验证码已过期（有效期 %(minutes)s 分钟），请重新获取")),
    (re.compile(r"不支持的提前时间 (?P<value>-?\d+) 分钟；可选：(?P<allowed>[0-9、]+)"),
     N_("不支持的提前时间 %(value)s 分钟；可选：%(allowed)s")),
)
# What a subscription points at (TARGET_TYPES' labels), as the subscribe page names it.
_TARGET_LABELS = (N_("活动"), N_("品牌活动"), N_("活动季"), N_("区域"), N_("场馆"))


def in_page_language(message: str) -> str:
    """A service's Chinese message in the page's language (unchanged when the catalogue lacks it)."""
    for pattern, msgid in _NUMBERED_MESSAGES:
        match = pattern.fullmatch(message)
        if match:
            return gettext(msgid, **match.groupdict())
    return gettext(message)


def _target_or_404(target_type, target_id):
    try:
        target_id = int(target_id)
    except (TypeError, ValueError):
        abort(404, N_("订阅对象不存在或尚未发布"))
    target = services.target_of(target_type, target_id)
    if target is None:
        abort(404, N_("订阅对象不存在或尚未发布"))
    return target_id, target


@bp.route("/subscribe", methods=["GET", "POST"])
@limiter.limit(SUBSCRIBE_PER_ADDRESS, methods=["POST"])
@limiter.limit(SUBSCRIBE_PER_CONTACT, methods=["POST"], key_func=_contact_key,
               deduct_when=lambda r: r.status_code == 200)
def subscribe_page():
    form = SubscribeForm()
    target_type = request.values.get("target_type")
    target_id, target = _target_or_404(target_type, request.values.get("target_id"))
    form.target_type.data, form.target_id.data = target_type, str(target_id)
    name = getattr(target, "title", None) or target.name
    referrer = request.referrer or ""
    back = referrer if referrer.startswith(request.host_url) and "/subscribe" not in referrer else None
    if form.validate_on_submit():
        try:
            leads = [int(v) for v in form.leads.data or []]
        except ValueError:
            leads = [-1]
        try:
            result = services.subscribe(target_type=target_type, target_id=target_id, channel=form.channel.data,
                                        address=form.address.data, lead_minutes=leads, changes=form.changes.data,
                                        source=f"web:/subscribe?target_type={target_type}&target_id={target_id}",
                                        client_address=request.remote_addr)
        except ValidationError as exc:
            db.session.rollback()
            field = {"address": form.address, "lead_minutes": form.leads, "channel": form.channel}.get(exc.field)
            (field.errors if field is not None else form.address.errors).append(in_page_language(exc.message))
        else:
            db.session.commit()
            _send_now(result.confirmation.id if result.confirmation else None)
            sub = result.subscription
            if sub.status == "active":
                return render_template("notifications/subscribed.html", name=name, sub=sub, already=True)
            if sub.channel == "sms":
                code_form = CodeForm(formdata=None, subscription=str(sub.id))
                return render_template("notifications/code.html", form=code_form, name=name, sub=sub)
            return render_template("notifications/check_mail.html", name=name, sub=sub)
    return render_template("notifications/subscribe.html", form=form, name=name,
                           kind=gettext(TARGET_TYPES[target_type]), back=back), (422 if form.errors else 200)


@bp.post("/subscribe/confirm")
@limiter.limit(CONFIRM_PER_ADDRESS)
@limiter.limit(CONFIRM_PER_SUBSCRIPTION, key_func=_subscription_key)
def confirm_code_page():
    form = CodeForm()
    try:
        sub = db.session.get(Subscription, int(form.subscription.data or ""))
    except (TypeError, ValueError, OverflowError):
        sub = None
    if sub is None or sub.channel != "sms":
        abort(404, "订阅不存在")
    name = services.target_name(sub.target_type, sub.target_id)
    if form.validate_on_submit():
        problem = services.confirm_code(sub, form.code.data)
        db.session.commit()
        if problem is None:
            return render_template("notifications/subscribed.html", name=name, sub=sub, already=False)
        form.code.errors.append(in_page_language(problem))
    return render_template("notifications/code.html", form=form, name=name, sub=sub), 422


@bp.get("/subscriptions/confirm/<token>")
def confirm_link(token: str):
    sub = services.by_token(token)
    if sub is None:
        abort(404, N_("确认链接无效或已失效"))
    token_ = write_intent.set(True)
    try:
        problem = services.confirm_token(sub)
        db.session.commit()
    finally:
        write_intent.reset(token_)
    name = services.target_name(sub.target_type, sub.target_id)
    if problem:
        return render_template("errors/error.html", code=410, message=problem), 410
    return render_template("notifications/subscribed.html", name=name, sub=sub, already=False)


@bp.route("/subscriptions/manage/<token>", methods=["GET", "POST"])
def manage(token: str):
    sub = services.by_token(token)
    if sub is None:
        abort(404, N_("管理链接无效"))
    name = services.target_name(sub.target_type, sub.target_id)
    form = PreferencesForm(data={"leads": [str(m) for m in sub.lead_minutes], "changes": sub.wants_changes}
                           if request.method == "GET" else None)
    saved = False
    if sub.status != "cancelled" and form.validate_on_submit():
        try:
            leads = [int(v) for v in form.leads.data or []]
        except ValueError:
            leads = [-1]
        try:
            services.update_preferences(sub, lead_minutes=leads, changes=form.changes.data)
        except ValidationError as exc:
            db.session.rollback()
            form.leads.errors.append(in_page_language(exc.message))
        else:
            db.session.commit()
            saved = True
    return render_template("notifications/manage.html", sub=sub, name=name, form=form, cancel_form=CancelForm(),
                           saved=saved), (422 if form.errors else 200)


@bp.post("/subscriptions/manage/<token>/cancel")
def cancel(token: str):
    sub = services.by_token(token)
    if sub is None:
        abort(404, N_("管理链接无效"))
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400, N_("表单已过期，请刷新后重试"))
    services.cancel(sub)
    db.session.commit()
    return redirect(url_for("notifications.manage", token=token))


@bp.route("/subscriptions/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def one_click_unsubscribe(token: str):
    """RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click"; a GET shows the manage page."""
    sub = services.by_token(token)
    if sub is None:
        abort(404, N_("退订链接无效"))
    if request.method == "GET":
        return redirect(url_for("notifications.manage", token=token))
    services.cancel(sub)
    db.session.commit()
    return jsonify({"status": "cancelled"})


# --- staff: permanent failures --------------------------------------------------------------------

@bp.get("/manage/notifications")
@login_required
def failures():
    from calendar_app.accounts.models import User
    from calendar_app.events.models import Occurrence
    from calendar_app.notifications.status import counts

    user = page_actor()
    if user.role not in ("staff", "admin"):
        abort(403, "只有文旅局工作人员可以查看通知发送情况")
    query = (select(Notification, Subscription, Occurrence, User)
             .outerjoin(Subscription, Subscription.id == Notification.subscription_id)
             .outerjoin(User, User.id == Notification.user_id)
             .outerjoin(Occurrence, Occurrence.id == Notification.occurrence_id)
             .where(Notification.state == "failed").order_by(Notification.id.desc()).limit(200))
    if user.role != "admin":
        # Occurrence and user reads are scoped; rows whose occurrence or user lies outside come back without it.
        query = query.where(or_(Occurrence.area_id.in_(g.scope.area_ids()), User.area_id.in_(g.scope.area_ids())))
    rows = db.session.execute(query).all()
    return render_template("notifications/failures.html", rows=rows, counts=counts() if user.role == "admin" else None,
                           kinds=NOTIFICATION_KINDS, mask=mask_address)
