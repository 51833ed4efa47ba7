"""iCalendar feeds: pure rendering, the feed store, the .ics views and `flask feeds ...`."""


def init_app(app) -> None:
    """Register the feed blueprint, CLI and change listeners (filled in by the feeds feature)."""
