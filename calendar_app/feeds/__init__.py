"""iCalendar feeds: pure rendering, the feed store, the .ics views and `flask feeds ...`.

Modules: `ical` and `vtimezone` (pure writers), `specs` (which feed, its window), `content` (what a
feed holds: stored occurrences as series), `store` (rendered feeds and their freshness), `changes`
(which feeds a change makes stale), `views`, `cli`, `jobs`, `services` (private feed tokens), `urls`.
"""


def init_app(app) -> None:
    """Register the feed blueprint, the `flask feeds` commands and the change listeners."""
    from calendar_app.feeds import models as _models  # noqa: F401  (tables in the metadata)
    from calendar_app.feeds.changes import install
    from calendar_app.feeds.cli import feeds_cli
    from calendar_app.feeds.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(feeds_cli)
    install()
