"""Read-only public pages (Chinese first)."""


def init_app(app) -> None:
    """Register the public blueprint and its template helpers."""
    from calendar_app.public.views import bp

    app.register_blueprint(bp)
