"""Private feed tokens: a secret URL per user showing their area's events, drafts included.

Services flush and never commit. Only the token's SHA-256 is stored, so the URL is shown once, when it
is issued. Revoking clears it, after which the URL answers 404; issuing again gives a new secret (the
old URL stops working).
"""
from __future__ import annotations

from sqlalchemy import select

from calendar_app import links
from calendar_app.accounts.models import User
from calendar_app.accounts.tokens import digest, new_secret
from calendar_app.extensions import db

__all__ = ["issue_feed_token", "private_feed_area", "private_feed_url", "revoke_feed_token"]


def issue_feed_token(user: User) -> str:
    """Give `user` a new private feed token (replacing any previous one) and return it (shown once)."""
    token = new_secret()
    user.feed_token_hash = digest(token)
    db.session.flush()
    return token


def revoke_feed_token(user: User) -> None:
    """Revoke `user`'s private feed: its URL answers 404 from now on."""
    user.feed_token_hash = None
    db.session.flush()


def private_feed_url(token: str) -> str:
    """The absolute URL of the private feed that `token` opens."""
    return links.absolute(links.private_feed_path(token))


def private_feed_area(token: str) -> int | None:
    """The area whose private feed `token` opens (the holder must be an active user), or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(User.area_id).where(User.feed_token_hash == digest(token),
                                                        User.is_active_user.is_(True)))
