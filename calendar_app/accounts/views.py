"""Sign in, sign out, change password, account settings (email and the weekly digest)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from calendar_app.accounts.forms import AccountSettingsForm, LoginForm, PasswordChangeForm
from calendar_app.accounts.services import authenticate, change_own_password, update_own_settings
from calendar_app.db import ValidationError
from calendar_app.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _login_failed(response) -> bool:
    """Only failed sign-ins count against the limits (a success redirects)."""
    return response.status_code != 302


def _submitted_username() -> str:
    return "login:" + (request.form.get("username") or "").strip().lower()[:64]


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never `//host` or `/\\host`, which browsers treat as another site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target \
            and len(target) < 500:
        return target
    return url_for("manage.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per 15 minutes", methods=["POST"], deduct_when=_login_failed)  # per address
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_submitted_username, deduct_when=_login_failed)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            db.session.commit()
            session.clear()  # a fresh session: nothing carried over from before signing in
            login_user(user)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        error = "用户名或密码不正确（连续失败 5 次后需等待 15 分钟）"
    return render_template("accounts/login.html", form=form, error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():
    """End every session of this user (the session version moves on), then this one."""
    user = current_user._get_current_object()
    user.session_version += 1
    db.session.commit()
    logout_user()
    session.clear()
    flash("您已退出登录", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_own_password(user, form.current_password.data, form.new_password.data)
        except ValidationError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.new_password).errors.append(exc.message)
        else:
            db.session.commit()
            login_user(user)  # other sessions ended with the old password; this one goes on
            flash("密码已修改，其他设备上的登录已失效", "success")
            return redirect(url_for("manage.dashboard"))
    return render_template("accounts/password.html", form=form)


@bp.route("/account/settings", methods=["GET", "POST"])
@login_required
def settings():
    user = current_user._get_current_object()
    form = AccountSettingsForm(obj=user)
    status = 200
    if form.validate_on_submit():
        try:
            update_own_settings(user, email=form.email.data, weekly_digest=form.weekly_digest.data)
        except ValidationError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.email).errors.append(exc.message)
        else:
            db.session.commit()
            flash("账户设置已保存", "success")
            return redirect(url_for("accounts.settings"))
    if form.errors:
        status = 400
    return render_template("accounts/settings.html", form=form, user=user), status
