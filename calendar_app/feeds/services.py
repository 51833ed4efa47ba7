"""Private feed tokens: a secret URL per user showing their area's events, drafts included.

Services flush and never commit. Revoking sets the token to None, after which the URL answers 404;
issuing again gives a new secret (the old URL stops working).
"""
from __future__ import annotations

from sqlalchemy import select

from calendar_app import links
from calendar_app.accounts.models import User
from calendar_app.extensions import db

__all__ = ["issue_feed_token", "private_feed_area", "private_feed_url", "revoke_feed_token"]


def issue_feed_token(user: User) -> str:
    """Give `user` a new private feed token (replacing any previous one) and return it."""
    token = user.new_feed_token()
    db.session.flush()
    return token


def revoke_feed_token(user: User) -> None:
    """Revoke `user`'s private feed: its URL answers 404 from now on."""
    user.feed_token = None
    db.session.flush()


def private_feed_url(user: User) -> str | None:
    """The absolute URL of `user`'s private feed, or None when they have no token."""
    return links.absolute(links.private_feed_path(user.feed_token)) if user.feed_token else None


def private_feed_area(token: str) -> int | None:
    """The area whose private feed `token` opens (the holder must be an active user), or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(User.area_id).where(User.feed_token == token, User.is_active_user.is_(True)))
