"""Flask extension singletons, initialised in create_app()."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from calendar_app.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
#: UI language (Flask-Babel): catalogues in calendar_app/translations, set up in calendar_app.public.i18n.
babel = Babel()
login_manager = LoginManager()
#: Rate limits (login, token guessing); storage from RATELIMIT_STORAGE_URI (memory, or Redis in production).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
from flask_compress import Compress  # noqa: E402

#: gzip/Brotli for pages, JSON, CSS/JS and SVG; feeds carry their stored compressed bytes and are left alone.
compress = Compress()
