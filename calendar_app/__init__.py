"""calendar_app: event and activity calendar for culture and tourism bureaus (文旅局)."""
from __future__ import annotations

import os
import re
from pathlib import Path

from flask import Flask, abort, jsonify, render_template, request
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from flask.sessions import SecureCookieSessionInterface
from werkzeug.routing import IntegerConverter

from config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | str | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints, CLI groups and error handlers."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    cfg = config if isinstance(config, Config) else load_config(config)
    app.config.from_object(cfg)
    app.json.ensure_ascii = False
    app.session_interface = _SessionInterface()
    os.makedirs(app.instance_path, exist_ok=True)

    from calendar_app.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    _import_models()
    _configure_login(login_manager)

    # Every <int:...> in a URL is a database id: beyond 32 bits it cannot exist, and PostgreSQL would
    # refuse the comparison (a 500), so such URLs simply do not match (404).
    app.url_map.converters["int"] = DatabaseIdConverter
    from calendar_app import feeds, public
    from calendar_app.api.views import bp as api_bp
    from calendar_app.health import bp as health_bp

    app.register_blueprint(health_bp)
    public.init_app(app)
    feeds.init_app(app)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)  # read-only JSON API, no cookies-based writes

    from calendar_app.demo.cli import demo_cli

    app.cli.add_command(demo_cli)
    from calendar_app.scheduler import scheduler_cli

    app.cli.add_command(scheduler_cli)
    from calendar_app.festivals.cli import holidays_cli

    app.cli.add_command(holidays_cli)
    _register_error_handlers(app)
    _register_input_guard(app)
    _register_security_headers(app)
    from calendar_app import headers

    headers.init_app(app)

    from calendar_app.scheduler import maybe_start_in_process

    maybe_start_in_process(app)
    return app


class _SessionInterface(SecureCookieSessionInterface):
    """Only pages depend on cookies (the language), so only HTML carries `Vary: Cookie`.

    Flask adds it whenever the session was read, and Flask-Login reads it after every request; on a
    feed that would stop shared caches (a CDN in front of the feed store) from serving it.
    """

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if response.mimetype != "text/html" and not session.modified:
            from calendar_app.headers import without_vary

            without_vary(response, "Cookie")


class DatabaseIdConverter(IntegerConverter):
    """`int` in URL rules: a positive integer that fits a 32-bit signed column, in canonical ASCII digits.

    Werkzeug's `\\d+` also matches "١٨" and "１" (and int() reads them), and "01": each a second URL and
    cache key for the same page; at most ten digits also keeps int() far from its digit limit.
    """

    regex = r"[1-9][0-9]{0,9}"

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _import_models() -> None:
    """Import every feature's models so that metadata (and Alembic autogenerate) sees all tables."""
    from calendar_app.accounts import models as _accounts  # noqa: F401
    from calendar_app.areas import models as _areas  # noqa: F401
    from calendar_app.audit import models as _audit  # noqa: F401
    from calendar_app.events import models as _events  # noqa: F401
    from calendar_app.festivals import models as _festivals  # noqa: F401
    from calendar_app.jobs import models as _jobs  # noqa: F401
    from calendar_app.programs import models as _programs  # noqa: F401
    from calendar_app.venues import models as _venues  # noqa: F401


def _configure_login(login_manager) -> None:
    from calendar_app.accounts.models import User
    from calendar_app.extensions import db

    @login_manager.user_loader
    def load_user(user_key: str):
        user_id, _, version = user_key.partition(":")
        try:
            user = db.session.get(User, int(user_id))
        except ValueError:
            return None
        if user is None or str(user.session_version) != version:
            return None
        return user


@sa_event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Per-connection SQLite settings: foreign keys enforced, WAL, and waiting instead of 'database is locked'."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def _register_error_handlers(app: Flask) -> None:
    from calendar_app.db import ValidationError

    @app.errorhandler(ValidationError)
    def validation_error(exc: ValidationError):
        if _wants_json():
            return jsonify(exc.to_dict()), 400
        return render_template("errors/error.html", code=400, message=exc.message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {404: "找不到该页面或资源", 405: "不支持该请求方法", 400: "请求有误", 429: "请求过于频繁，请稍后再试"}
        message = messages.get(exc.code, exc.name)
        if exc.description and exc.description != type(exc).description:
            message = exc.description  # our own abort(404, "区域不存在…") rather than Werkzeug's English default
        if _wants_json():
            response = jsonify({"error": exc.name.lower().replace(" ", "_"), "message": message})
        else:
            response = app.make_response(render_template("errors/error.html", code=exc.code, message=message))
        response.status_code = exc.code or 500
        # The exception's own headers are part of the answer: Allow on a 405, Retry-After on a 429 ...
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        from calendar_app.extensions import db

        db.session.rollback()
        if _wants_json():
            return jsonify({"error": "internal_error", "message": "服务器内部错误，请稍后再试"}), 500
        return render_template("errors/error.html", code=500, message="服务器内部错误，请稍后再试"), 500


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _register_input_guard(app: Flask) -> None:
    """Refuse control characters in the path and query string (a NUL makes PostgreSQL raise) with a 400."""

    @app.before_request
    def refuse_control_characters():
        values = [request.path, *request.args.keys(), *request.args.values()]
        if any(_CONTROL_CHARS.search(v) for v in values):
            abort(400, "请求地址或参数中含有控制字符")


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if response.mimetype == "text/calendar":
            # Feeds are fetched by calendar clients and may be embedded; no page policy applies.
            return response
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'",
        )
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response
