"""User writes. Services flush; the caller commits."""
from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, select

from calendar_app.accounts import models as account_models
from calendar_app.accounts.models import ROLES, User
from calendar_app.accounts.passwords import check_password
from calendar_app.accounts.tokens import revoke_api_tokens
from calendar_app.areas.models import Area
from calendar_app.areas.services import get_area
from calendar_app.audit.services import record
from calendar_app.db import ValidationError, utcnow
from calendar_app.extensions import db
from calendar_app.text import clean_text

_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
#: Where each role may sit in the area tree.
_ROLE_AREA_KINDS = {"admin": ("city", "district", "town", "village"), "staff": ("city", "district"),
                    "coordinator": ("town",)}


def find_user(username: str) -> User | None:
    if not isinstance(username, str) or not username:
        return None
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def resolve_area(value) -> Area:
    """An area by id or by code (what `flask users create --area` takes)."""
    text = str(value).strip()
    area = None
    if text.isascii() and text.isdigit() and len(text) < 10:
        area = db.session.get(Area, int(text))
    if area is None:
        area = db.session.scalar(select(Area).where(Area.code == text))
    if area is None:
        raise ValidationError(f"区域不存在：{text[:40]}", "area")
    return area


def _check_role_area(role: str, area: Area) -> None:
    if role not in ROLES:
        raise ValidationError(f"未知的角色：{role}（可选 {', '.join(ROLES)}）", "role")
    if area.kind not in _ROLE_AREA_KINDS[role]:
        where = "、".join({"city": "市", "district": "区县", "town": "镇街", "village": "村"}[k] for k in _ROLE_AREA_KINDS[role])
        raise ValidationError(f"{ROLES[role]}只能属于{where}，「{area.name}」是{area.kind_label}", "area")


def create_user(*, username: str, password: str, role: str, area_id: int, display_name: str | None = None,
                email: str | None = None, phone: str | None = None, check_policy: bool = True,
                actor_id: int | None = None) -> User:
    """Create an account. `check_policy=False` only for the demo loader's published demo passwords."""
    if not isinstance(username, str) or not _USERNAME.match(username):
        raise ValidationError("用户名须为 3–64 位字母、数字、下划线、点或连字符", "username")
    if find_user(username) is not None:
        raise ValidationError(f"用户名已存在：{username}", "username")
    area = get_area(area_id, field="area")
    _check_role_area(role, area)
    display_name = clean_text(display_name or username, field="display_name", label="姓名", max_length=100, required=True)
    if check_policy:
        check_password(password, username=username, display_name=display_name)
    user = User(
        username=username, display_name=display_name,
        email=checked_email(email),
        phone=clean_text(phone, field="phone", label="手机号", max_length=32),
        role=role, area=area, session_version=1, is_active_user=True,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user.create", "user", user.id, user_id=actor_id, changes={"username": username, "role": role,
                                                                      "area_id": area.id})
    return user


def set_password(user: User, password: str, *, actor_id: int | None = None) -> None:
    """Set a new password; every existing session of the user ends (the session version moves on)."""
    check_password(password, username=user.username, display_name=user.display_name)
    user.set_password(password)
    db.session.flush()
    record("user.password", "user", user.id, user_id=actor_id)


def change_own_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current or ""):
        raise ValidationError("当前密码不正确", "current_password")
    if current == new:
        raise ValidationError("新密码不能与当前密码相同", "new_password")
    try:
        set_password(user, new, actor_id=user.id)
    except ValidationError as exc:
        raise ValidationError(exc.message, "new_password") from None


def checked_email(value: str | None) -> str | None:
    """A user's email address, normalised (None when left empty); ValidationError in Chinese otherwise."""
    from calendar_app.notifications.contacts import ContactError, normalise_email

    if value is None or not value.strip():
        return None
    try:
        return normalise_email(value)
    except ContactError as exc:
        raise ValidationError(str(exc), "email") from None


def update_own_settings(user: User, *, email: str | None, weekly_digest: bool) -> None:
    """The user's email address and whether they want the weekly digest (recorded in the audit log)."""
    values = {"email": checked_email(email), "weekly_digest": bool(weekly_digest)}
    changes = {k: [getattr(user, k), v] for k, v in values.items() if getattr(user, k) != v}
    for name, (_old, new) in changes.items():
        setattr(user, name, new)
    db.session.flush()
    if changes:
        record("user.settings", "user", user.id, user_id=user.id, changes=changes)


def update_user(user: User, *, role: str, area_id: int, display_name: str, is_active: bool, email: str | None,
                actor_id: int | None = None) -> User:
    area = get_area(area_id, field="area")
    _check_role_area(role, area)
    changes = {}
    display_name = clean_text(display_name, field="display_name", label="姓名", max_length=100, required=True)
    for name, value in (("role", role), ("area_id", area.id), ("display_name", display_name),
                        ("email", checked_email(email))):
        if getattr(user, name) != value:
            changes[name] = [getattr(user, name), value]
            setattr(user, name, value)
    if changes.get("role") or changes.get("area_id"):
        user.session_version += 1  # new rights start with a new sign-in
    if not is_active and user.is_active_user:
        deactivate(user, actor_id=actor_id)
    elif is_active and not user.is_active_user:
        user.is_active_user = True
        changes["is_active"] = [False, True]
    db.session.flush()
    if changes:
        record("user.update", "user", user.id, user_id=actor_id, changes=changes)
    return user


def deactivate(user: User, *, actor_id: int | None = None, now: datetime | None = None) -> None:
    """Stop the account: sessions end, API and private-feed tokens die with it."""
    user.is_active_user = False
    user.session_version += 1
    user.feed_token_hash = None
    revoke_api_tokens(user, now=now)
    db.session.flush()
    record("user.deactivate", "user", user.id, user_id=actor_id)


def authenticate(username: str, password: str, *, now: datetime | None = None) -> User | None:
    """The active user with this username and password, or None (taking the same time either way)."""
    user = find_user(username) if isinstance(username, str) and len(username) <= 64 else None
    if user is None:
        _dummy_verify()  # a failed login takes as long whether or not the username exists
        return None
    if not isinstance(password, str) or len(password) > 1024 or not user.check_password(password):
        return None
    if not user.is_active_user:
        return None
    user.last_login_at = now or utcnow()
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return account_models._hasher.hash("no-such-user-password")


def _dummy_verify() -> None:
    account_models._hasher.verify(_dummy_hash(), "no-such-user-password")
