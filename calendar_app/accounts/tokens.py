"""Secrets that stand for a user: API bearer tokens and private-feed tokens.

Only a SHA-256 digest is stored: a leaked database does not leak working tokens, and a secret is
shown once, when it is issued. A deactivated user's tokens stop working with them.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from calendar_app.accounts.models import ApiToken, User
from calendar_app.db import ValidationError, utcnow
from calendar_app.extensions import db

API_TOKEN_PREFIX = "cal_"
#: How often last_used_at is written: often enough to see that a token is in use, rarely enough to
#: keep reads read-only.
_TOUCH_EVERY = timedelta(minutes=5)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def issue_api_token(user: User, *, name: str | None = None, expires_in_days: int | None = None,
                    now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new API token for `user`; returns the row and the secret (shown once, never stored)."""
    if not user.is_active_user:
        raise ValidationError("该用户已停用，不能签发令牌", "username")
    if expires_in_days is not None and not 1 <= expires_in_days <= 3660:
        raise ValidationError("有效期须在 1 到 3660 天之间", "expires_in_days")
    now = now or utcnow()
    secret = new_secret(API_TOKEN_PREFIX)
    token = ApiToken(user_id=user.id, name=(name or "")[:100] or None, token_hash=digest(secret),
                     prefix=secret[:10], created_at=now,
                     expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None)
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_api_tokens(user: User, *, now: datetime | None = None) -> int:
    """Revoke every live API token of `user`; returns how many."""
    result = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow()).execution_options(synchronize_session=False))
    return result.rowcount or 0


def user_for_api_token(secret: str | None, *, now: datetime | None = None) -> User | None:
    """The active user a live bearer token stands for, or None."""
    if not secret or len(secret) > 200 or not secret.startswith(API_TOKEN_PREFIX):
        return None
    now = now or utcnow()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active_user:
        return None
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        token.last_used_at = now
    return user
