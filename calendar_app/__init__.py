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

from calendar_app.i18n import N_
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
    if app.config.get("PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    os.makedirs(app.instance_path, exist_ok=True)

    from calendar_app.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    _import_models()
    _configure_login(login_manager)
    from calendar_app.accounts import scope

    scope.install()

    @app.teardown_request
    def end_scope(_exc):
        # A scope belongs to one request (tests may run several requests in one app context).
        scope.deactivate()

    # Every <int:...> in a URL is a database id: beyond 32 bits it cannot exist, and PostgreSQL would
    # refuse the comparison (a 500), so such URLs simply do not match (404).
    app.url_map.converters["int"] = DatabaseIdConverter
    from calendar_app import feeds, public
    from calendar_app.api.views import bp as api_bp
    from calendar_app.health import bp as health_bp

    app.register_blueprint(health_bp)
    public.init_app(app)
    feeds.init_app(app)
    from calendar_app import media

    media.init_app(app)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    # The API authenticates writes by bearer token only, never by the session cookie, so a forged
    # cross-site request carries no credentials: it needs no CSRF token.
    csrf.exempt(api_bp)
    from calendar_app.accounts.views import bp as accounts_bp
    from calendar_app.manage import bp as manage_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(manage_bp, url_prefix="/manage")
    from calendar_app.reports.views import bp as reports_bp

    app.register_blueprint(reports_bp, url_prefix="/manage/reports")
    from calendar_app.notifications.views import bp as notifications_bp

    app.register_blueprint(notifications_bp)

    from calendar_app.demo.cli import demo_cli

    from calendar_app.notifications.demo import demo_subscriptions

    demo_cli.add_command(demo_subscriptions)
    app.cli.add_command(demo_cli)
    from calendar_app.scheduler import scheduler_cli

    app.cli.add_command(scheduler_cli)
    from calendar_app.festivals.cli import holidays_cli

    app.cli.add_command(holidays_cli)
    from calendar_app.accounts.cli import users_cli

    app.cli.add_command(users_cli)
    from calendar_app.notifications.cli import notifications_cli

    app.cli.add_command(notifications_cli)
    _register_error_handlers(app)
    _register_input_guard(app)
    _register_security_headers(app)
    _register_write_intent(app)
    from calendar_app import headers, logs

    logs.install()
    headers.init_app(app)
    # Registered last so that they run first after a view (Flask runs after_request hooks in reverse):
    # compression, then the page cache, which stores the compressed bytes.
    from calendar_app.extensions import compress
    from calendar_app.public import pagecache

    pagecache.init_app(app)
    compress.init_app(app)

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
    from calendar_app.notifications import models as _notifications  # noqa: F401
    from calendar_app.programs import models as _programs  # noqa: F401
    from calendar_app.venues import models as _venues  # noqa: F401


def _configure_login(login_manager) -> None:
    from calendar_app.accounts.models import User
    from calendar_app.extensions import db

    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

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


@sa_event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """SQLite transactions of writing requests and jobs start with BEGIN IMMEDIATE.

    They take the write lock before their first read (waiting for it up to busy_timeout), so two
    writers never both read a free slot and then fail to upgrade their lock, and savepoints work
    (we emit BEGIN ourselves, as SQLAlchemy documents for pysqlite). Other transactions keep
    pysqlite's own mode: reads see the latest commit, and a rare write begins when it happens.
    """
    if conn.dialect.name != "sqlite":
        return
    from calendar_app.db import write_intent

    dbapi_connection = conn.connection.dbapi_connection
    if write_intent.get():
        dbapi_connection.isolation_level = None
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        dbapi_connection.isolation_level = ""


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _register_write_intent(app: Flask) -> None:
    from flask import g

    from calendar_app.db import write_intent

    @app.before_request
    def mark_writes():
        if request.method not in _SAFE_METHODS:
            g.write_intent_token = write_intent.set(True)

    @app.teardown_request
    def unmark_writes(_exc):
        token = g.pop("write_intent_token", None)
        if token is not None:
            write_intent.reset(token)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def _register_error_handlers(app: Flask) -> None:
    from flask_limiter.errors import RateLimitExceeded
    from flask_wtf.csrf import CSRFError

    from calendar_app.accounts.scope import ScopeError
    from calendar_app.db import ValidationError
    from calendar_app.events.conflicts import VenueConflict

    @app.errorhandler(ValidationError)
    def validation_error(exc: ValidationError):
        if _wants_json():
            if request.method in _SAFE_METHODS:
                return jsonify(exc.to_dict()), 400  # a malformed query parameter
            # A write that was refused as a whole: the body's fields, each with its message.
            body = {"error": "validation_error", "message": exc.message,
                    "errors": {exc.field or "_": exc.message}}
            return jsonify(body), 422
        return render_template("errors/error.html", code=400, message=exc.message), 400

    @app.errorhandler(VenueConflict)
    def venue_conflict(exc: VenueConflict):
        from calendar_app.extensions import db

        db.session.rollback()
        if _wants_json():
            return jsonify(exc.to_dict()), 409
        return render_template("errors/error.html", code=409, message=exc.message), 409

    @app.errorhandler(ScopeError)
    def out_of_scope(exc: ScopeError):
        from calendar_app.extensions import db

        db.session.rollback()
        if _wants_json():
            return jsonify({"error": "forbidden", "message": exc.message, "field": exc.field}), 403
        return render_template("errors/error.html", code=403, message=exc.message), 403

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = N_("表单已过期或来源无法确认，请返回上一页刷新后重新提交")  # public forms too: in the catalogue
        if _wants_json():
            return jsonify({"error": "csrf", "message": message}), 400
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(exc: RateLimitExceeded):
        message = N_("尝试次数过多，请稍后再试")  # the public subscribe form is limited too
        if request.endpoint == "accounts.login":
            message = "登录尝试次数过多，请 15 分钟后再试"
        if _wants_json():
            response = jsonify({"error": "too_many_requests", "message": message})
        else:
            response = app.make_response((render_template("errors/error.html", code=429, message=message), 429))
        response.status_code = 429
        retry = exc.get_response().headers.get("Retry-After") if hasattr(exc, "get_response") else None
        if retry:
            response.headers["Retry-After"] = retry
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # N_: in the catalogue, so that errors/error.html shows them in the page's language.
        messages = {404: N_("找不到该页面或资源"), 405: N_("不支持该请求方法"), 400: N_("请求有误"),
                    429: N_("请求过于频繁，请稍后再试"), 413: "上传的文件过大，请压缩后重新上传"}
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
        return render_template("errors/error.html", code=500, message=N_("服务器内部错误，请稍后再试")), 500


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
        if app.config.get("HSTS"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/calendar":
            # Feeds are fetched by calendar clients and may be embedded; no page policy applies.
            return response
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'",
        )
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if request.path.startswith(("/manage", "/login", "/account")):
            # Pages with personal data: never stored by a shared cache or the browser's back button.
            response.headers["Cache-Control"] = "no-store"
        return response


def _cache_long_statement_conversions() -> None:
    """Let psycopg cache the conversion of long statements too.

    psycopg turns `%(name)s` placeholders into `$n` with a pure-Python parser and keeps the result
    only for statements under 4 KB and 50 parameters. SQLAlchemy writes the occurrences of a series
    as one multi-row INSERT (52 evenings: 884 parameters, 19 KB), which was parsed afresh on every
    booking: about a fifth of its time. The statements repeat per row count, so the cache (psycopg's
    own, 128 entries) serves them. Checked by tests/test_deployment.py against the pinned version.
    """
    try:
        from psycopg import _queries
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, 64 * 1024)
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, 4096)


_cache_long_statement_conversions()
