"""User writes. Services flush; the caller commits."""
from __future__ import annotations

import re

from sqlalchemy import select

from calendar_app.accounts.models import ROLES, User
from calendar_app.areas.services import get_area
from calendar_app.db import ValidationError
from calendar_app.extensions import db
from calendar_app.text import clean_text

_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD_LENGTH = 10  # OWASP ASVS 2.1.1 asks for at least 12 for new systems; 10 with a deny list of the obvious


def create_user(*, username: str, password: str, role: str, area_id: int, display_name: str | None = None,
                email: str | None = None, phone: str | None = None) -> User:
    if not isinstance(username, str) or not _USERNAME.match(username):
        raise ValidationError("用户名须为 3–64 位字母、数字、下划线、点或连字符", "username")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError(f"用户名已存在：{username}", "username")
    if role not in ROLES:
        raise ValidationError(f"未知的角色：{role}（可选 {', '.join(ROLES)}）", "role")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符", "password")
    user = User(
        username=username,
        display_name=clean_text(display_name or username, field="display_name", label="姓名", max_length=100, required=True),
        email=clean_text(email, field="email", label="邮箱", max_length=255),
        phone=clean_text(phone, field="phone", label="手机号", max_length=32),
        role=role,
        area=get_area(area_id),
        session_version=1,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
