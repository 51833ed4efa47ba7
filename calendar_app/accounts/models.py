from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from calendar_app.areas.models import Area
from calendar_app.db import TimestampMixin, UTCDateTime, utcnow
from calendar_app.extensions import db

ROLES = {"admin": "管理员", "staff": "文旅局工作人员", "coordinator": "镇街协调员"}
_hasher = PasswordHasher()


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin','staff','coordinator')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    #: Whether the user wants the weekly digest by email (Monday morning; none without an email address).
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: argon2id hash; never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    #: The node of the area tree this user may act on (and everything below it).
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    is_active_user: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped on logout and password change so that old session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    #: SHA-256 of the secret in the coordinator's private feed URL (the secret is shown once); None when revoked.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area: Mapped[Area] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return bool(self.is_active_user)

    def get_id(self) -> str:
        # The session version is part of the id, so bumping it logs out every existing session.
        return f"{self.id}:{self.session_version}"

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    @property
    def is_staff(self) -> bool:
        """Bureau staff and admins review, publish and manage programs, venues and users."""
        return self.role in ("admin", "staff")


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the secret is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What the holder calls it ("游在临淄小程序"); shown in token lists.
    name: Mapped[str | None] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the secret, so a person can tell tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
