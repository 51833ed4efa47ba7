"""Configuration classes. Every setting that differs between machines comes from the environment."""
from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

_INSECURE_KEY = "dev-insecure-secret-key"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError as exc:  # a typo in the environment must stop start-up, not be ignored
        raise RuntimeError(f"环境变量 {name} 必须是整数，当前为 {value!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults shared by every environment; read from the environment at instantiation."""

    ENV_NAME = "development"

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY", _INSECURE_KEY)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'calendar.db'}"
        )
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgres://"):
            # Heroku-style URLs; SQLAlchemy needs the explicit dialect and we use psycopg 3.
            self.SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://" + self.SQLALCHEMY_DATABASE_URI[len("postgres://"):]
        elif self.SQLALCHEMY_DATABASE_URI.startswith("postgresql://"):
            self.SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://" + self.SQLALCHEMY_DATABASE_URI[len("postgresql://"):]
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        #: IANA zone used for new events and for "today" on public pages.
        self.CALENDAR_TIMEZONE = os.environ.get("CALENDAR_TIMEZONE", "Asia/Shanghai")
        #: How far ahead a series' occurrences are stored (the scheduler extends it daily).
        self.OCCURRENCE_HORIZON_MONTHS = _env_int("OCCURRENCE_HORIZON_MONTHS", 18)
        #: Upper bound on occurrences one series may produce inside the horizon.
        self.MAX_OCCURRENCES_PER_SERIES = _env_int("MAX_OCCURRENCES_PER_SERIES", 2000)
        #: Feed window: days back and months ahead.
        self.FEED_WINDOW_DAYS_BACK = _env_int("FEED_WINDOW_DAYS_BACK", 30)
        self.FEED_WINDOW_MONTHS_AHEAD = _env_int("FEED_WINDOW_MONTHS_AHEAD", 18)
        #: Public base URL used in feeds, QR codes and notifications (no trailing slash).
        #: Unset in development: pages then link to the host and port they were served on, and feeds to
        #: DEV_BASE_URL (http://HOST:PORT, what scripts/run serves). Production must set it.
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").strip().rstrip("/") or None
        self.DEV_BASE_URL = f"http://{os.environ.get('HOST') or '127.0.0.1'}:{_env_int('PORT', 5000)}"
        #: Domain part of iCal UIDs: must never change once feeds are published.
        self.ICAL_UID_DOMAIN = os.environ.get("ICAL_UID_DOMAIN", "calendar-app.local")
        self.API_PAGE_SIZE = _env_int("API_PAGE_SIZE", 100)
        self.API_MAX_PAGE_SIZE = _env_int("API_MAX_PAGE_SIZE", 500)
        self.CORS_ORIGINS = [o.strip() for o in os.environ.get("CORS_ORIGINS", "").split(",") if o.strip()]
        # Mail (SMTP) and SMS settings: used by the reminders feature.
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = _env_int("MAIL_PORT", 25)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "calendar@localhost")
        self.SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL")
        self.SMS_API_KEY = os.environ.get("SMS_API_KEY")
        #: Where notifications go: smtp|file|null and http|file|null (file: JSON lines under
        #: NOTIFICATIONS_FILE_DIR, for development; null: nowhere, for benchmarks).
        self.MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
        self.SMS_BACKEND = os.environ.get("SMS_BACKEND", "http")
        self.NOTIFICATIONS_FILE_DIR = os.environ.get("NOTIFICATIONS_FILE_DIR", str(BASE_DIR / "instance" / "outbox"))
        #: Seconds to wait for the SMTP server or SMS gateway before retrying later.
        self.MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 10)
        self.SMS_TIMEOUT = _env_int("SMS_TIMEOUT", 10)
        #: How long a dispatcher's claim on a batch lasts; a killed dispatcher's rows are retaken after it.
        self.NOTIFICATIONS_LEASE_SECONDS = _env_int("NOTIFICATIONS_LEASE_SECONDS", 300)
        #: Bearer token that unlocks the details of /healthz (dialect, revision, latency); unset: none shown.
        self.HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN") or None
        #: Pin "now" (ISO 8601 with offset) for demos and benchmarks; never set in production.
        self.FIXED_NOW = os.environ.get("FIXED_NOW") or None
        #: Run APScheduler inside the web process (development default only).
        self.SCHEDULER_IN_PROCESS = _env_bool("SCHEDULER_IN_PROCESS", False)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        #: A signed-in session lasts a working day; signing in again is cheap, a stolen cookie is not.
        self.PERMANENT_SESSION_LIFETIME = _env_int("SESSION_LIFETIME_HOURS", 12) * 3600
        self.WTF_CSRF_TIME_LIMIT = 3600 * 8
        self.JSON_AS_ASCII = False
        #: Largest request body (a schedule spreadsheet is well under this).
        self.MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)
        #: Where rate-limit counters live: memory for the one-process embedded default; production
        #: needs a store every worker shares, e.g. redis://127.0.0.1:6379/0.
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = True
        #: Password policy: OWASP ASVS by default; 等保 2.0 deployments may require character classes.
        self.PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 12)
        self.PASSWORD_MIN_CLASSES = _env_int("PASSWORD_MIN_CLASSES", 0)
        #: Send Strict-Transport-Security (production, behind TLS).
        self.HSTS = False
        #: Proxies in front of the app that set X-Forwarded-For/-Proto (production: nginx, so 1). With 0,
        #: the peer address is the client: behind a proxy every client would share one rate limit.
        self.PROXY_HOPS = _env_int("PROXY_HOPS", 0)
        #: Directory of uploaded poster images (content-addressed files; back it up with the database).
        self.MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "instance" / "media"))
        #: Largest poster upload in bytes, and in pixels (larger claims are refused as decompression bombs).
        self.POSTER_MAX_BYTES = _env_int("POSTER_MAX_BYTES", 5 * 1024 * 1024)
        self.POSTER_MAX_PIXELS = _env_int("POSTER_MAX_PIXELS", 40_000_000)
        #: Let .ics imports fetch URLs on loopback/private addresses (tests only: it opens an SSRF hole).
        self.ICS_IMPORT_ALLOW_PRIVATE = False
        #: Seconds an anonymous public page is served from the per-process page cache (0: off).
        self.PAGE_CACHE_SECONDS = _env_int("PAGE_CACHE_SECONDS", 60)
        #: Compression (Flask-Compress): Brotli when the client asks for it, else gzip. Feeds are not listed:
        #: they are served from the feed store's own compressed bytes.
        self.COMPRESS_ALGORITHM = ["br", "gzip"]
        self.COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                                   "application/json", "image/svg+xml", "text/plain", "application/xml"]
        self.COMPRESS_BR_LEVEL = 5
        self.COMPRESS_LEVEL = 6


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    def __init__(self) -> None:
        super().__init__()
        self.SCHEDULER_IN_PROCESS = _env_bool("SCHEDULER_IN_PROCESS", True)
        self.MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")
        self.SMS_BACKEND = os.environ.get("SMS_BACKEND", "file")


class TestingConfig(Config):
    __test__ = False  # not a pytest test class
    ENV_NAME = "testing"

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql://"):
            self.SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://" + self.SQLALCHEMY_DATABASE_URI[len("postgresql://"):]
        self.SECRET_KEY = "test-secret-key"
        self.WTF_CSRF_ENABLED = False
        self.SCHEDULER_IN_PROCESS = False
        self.ICS_IMPORT_ALLOW_PRIVATE = True
        self.MAIL_BACKEND = "null"
        self.SMS_BACKEND = "null"
        self.PAGE_CACHE_SECONDS = 0  # tests change data between requests
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")


#: Least estimated entropy of a production SECRET_KEY, in bits. Measured over 100,000 keys each:
#: secrets.token_hex(16) scores at least 92, token_urlsafe(48) at least 298; 32 spaces score 0.
MIN_SECRET_BITS = 72


def secret_key_weakness(key: str | None) -> str | None:
    """Why `key` is unfit to sign sessions and CSRF tokens, or None when it looks random enough.

    Length alone lets "32 spaces" or "aaaa…" through, so the key is also scored by the Shannon
    entropy of its character frequencies (a random key's characters are near uniform) and refused
    when it repeats a shorter pattern ("changeme" four times scores 88 bits but is no secret).
    """
    if not key or key == _INSECURE_KEY:
        return "未设置"
    if len(key) < 32:
        return f"只有 {len(key)} 个字符，至少需要 32 个"
    bits = abs(sum(n / len(key) * math.log2(n / len(key)) for n in Counter(key).values()) * len(key))
    if bits < MIN_SECRET_BITS:
        return f"随机性不足（估计 {bits:.0f} 位，至少需要 {MIN_SECRET_BITS} 位）"
    if any(key[period:] == key[:-period] for period in range(1, len(key) // 2 + 1)):
        return "由重复的片段组成"
    return None


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self) -> None:
        super().__init__()
        weakness = secret_key_weakness(os.environ.get("SECRET_KEY"))
        if weakness:
            raise RuntimeError(
                f"生产环境的 SECRET_KEY {weakness}。请设置至少 32 个字符的随机字符串，"
                "否则会话和 CSRF 令牌可被伪造。可用: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("生产环境必须设置 DATABASE_URL（PostgreSQL），例如 postgresql://user:pass@host/calendar")
        if self.SQLALCHEMY_DATABASE_URI.startswith("sqlite:"):
            # In memory, each worker would have its own empty database; in a file, several workers and the
            # scheduler contend for one writer lock. Production means PostgreSQL unless asked otherwise.
            in_memory = self.SQLALCHEMY_DATABASE_URI in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in \
                self.SQLALCHEMY_DATABASE_URI
            if in_memory or not _env_bool("ALLOW_SQLITE_IN_PRODUCTION", False):
                raise RuntimeError(
                    "生产环境的 DATABASE_URL 应为 PostgreSQL（postgresql://…）；内存中的 SQLite 不可用，"
                    "文件 SQLite 仅在设置 ALLOW_SQLITE_IN_PRODUCTION=1 且只有一个进程时可用"
                )
        # Secure cookies whatever the proxy says about the scheme: production is served over TLS only.
        self.SESSION_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_SECURE = True
        self.HSTS = True
        self.PROXY_HOPS = _env_int("PROXY_HOPS", 1)
        if self.RATELIMIT_STORAGE_URI.startswith("memory://") and not _env_bool("RATELIMIT_MEMORY_OK", False):
            raise RuntimeError(
                "生产环境必须设置 RATELIMIT_STORAGE_URI（例如 redis://127.0.0.1:6379/0），"
                "否则每个 worker 各自计数，登录限速形同虚设。单进程部署可设 RATELIMIT_MEMORY_OK=1。")
        self.SCHEDULER_IN_PROCESS = _env_bool("SCHEDULER_IN_PROCESS", False)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> Config:
    """Instantiate the configuration named by `name` or by the CALENDAR_ENV variable."""
    name = name or os.environ.get("CALENDAR_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"未知的 CALENDAR_ENV={name!r}；可选 {', '.join(CONFIGS)}") from None
