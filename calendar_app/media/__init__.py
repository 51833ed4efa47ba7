"""Poster images of programs, editions and events: checked, re-encoded, stored and served.

- `images`: pure (Pillow, no Flask): refuse what is not a JPEG/PNG/WebP or too large, strip metadata,
  make the sizes the pages use, name them by content
- `storage`: where the files live (a directory here; object storage can implement the same interface)
- `services`: store an upload and attach it to a program, edition or event (flush only)
- `views`: `/media/posters/<name>` with long-lived caching
- `demo`: posters drawn from a program's colour and name for the demo year
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from calendar_app import links
    from calendar_app.media import services, storage
    from calendar_app.media.views import bp

    storage.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(poster_of=services.poster_of, poster_url=services.poster_url,
                                 poster_variant=services.poster_variant, absolute_url=links.absolute)
