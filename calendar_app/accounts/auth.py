"""Who is asking: the signed-in user of a page, or the holder of an API bearer token.

Pages use Flask-Login's session (with CSRF on every form). The JSON API authenticates by
`Authorization: Bearer <token>` only, so a browser's cookies never authorise an API write. Every
authenticated management request activates the user's scope (see `scope`).
"""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request
from flask_login import current_user
from limits import parse

from calendar_app.accounts import scope
from calendar_app.accounts.tokens import user_for_api_token
from calendar_app.extensions import limiter

#: Failed bearer tokens allowed per address: enough for a misconfigured client to notice, far too few to guess.
_TOKEN_FAILURES = parse("20/10minutes")


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _unauthorised(message: str, status: int = 401):
    response = jsonify({"error": "unauthorized" if status == 401 else "too_many_requests", "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="calendar_app"'
    return response


def bearer_user():
    """The user of the request's bearer token; None without a token; a 401/429 response for a bad one."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    kind, _, secret = header.partition(" ")
    strategy = limiter.limiter
    key = ("api-token-failures", _client_address())
    if strategy is not None and not strategy.test(_TOKEN_FAILURES, *key):
        return _unauthorised("令牌验证失败次数过多，请稍后再试", 429)
    user = user_for_api_token(secret.strip()) if kind.lower() == "bearer" else None
    if user is None:
        if strategy is not None:
            strategy.hit(_TOKEN_FAILURES, *key)
        return _unauthorised("令牌无效、已撤销或已过期")
    return user


def api_actor(*roles: str):
    """Decorate an API view: 401 without a valid token, 403 for other roles; the scope is activated."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = bearer_user()
            if user is None:
                return _unauthorised("请在 Authorization 头中提供 API 令牌（Bearer）")
            if not hasattr(user, "role"):
                return user  # the 401/429 response
            if roles and user.role not in roles:
                return jsonify({"error": "forbidden", "message": "您的角色不能进行此操作"}), 403
            g.actor = user
            g.scope = scope.activate(user)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def optional_api_actor():
    """The token's user for a public read that shows more to staff (None when anonymous)."""
    user = bearer_user()
    return user if hasattr(user, "role") else None


def page_actor():
    """The signed-in user of a management page, with their scope activated (call in before_request)."""
    user = current_user._get_current_object()
    g.actor = user
    g.scope = scope.activate(user)
    return user
