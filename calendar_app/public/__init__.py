"""Read-only public pages (Chinese first, English on request)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the public blueprint, the UI language hooks and the template helpers."""
    from calendar_app import links
    from calendar_app.public import crawl, i18n  # noqa: F401  (crawl's routes register on the blueprint)
    from calendar_app.public.views import bp

    app.register_blueprint(bp)
    i18n.init_app(app)
    # Templates build public URLs with the same functions the feeds and the API use (they are contracts).
    app.jinja_env.globals.update(
        event_path=links.event_path, occurrence_path=links.occurrence_path, program_path=links.program_path,
        edition_path=links.edition_path, area_path=links.area_path, venue_path=links.venue_path,
        subscribe_path=links.subscribe_path,
    )

    from calendar_app.public import presentation

    @app.template_global()
    def row_city(occurrence) -> str | None:
        """The city of a list row, only when the deployment holds several cities."""
        if not presentation.several_cities():
            return None
        city = presentation.city_of(occurrence.area_id)
        return city.name if city is not None else None

    @app.template_global()
    def town_of(area):
        return presentation.town_of(area.id) if area is not None else None
