"""Feed URLs for other features (the JSON API's `ical_url`, pages' subscribe buttons)."""
from __future__ import annotations

from calendar_app import links

__all__ = ["ical_url", "subscription_urls"]

#: How each kind's feed is keyed in its URL (a program by its slug, everything else by id).
_KEY_ATTR = {"program": "slug", "edition": "id", "area": "id", "venue": "id", "event": "id"}


def ical_url(kind: str, obj=None) -> str:
    """Absolute URL of the public feed of a program, edition, area, venue or event; kind "all" takes no object,
    kind "category" takes the category name."""
    if kind == "all":
        key = None
    elif kind == "category":
        key = obj
    elif kind in _KEY_ATTR:
        key = getattr(obj, _KEY_ATTR[kind])
    else:
        raise ValueError(f"no feed for {kind!r}")
    return links.absolute(links.feed_path(kind, key))


def subscription_urls(feed_url: str) -> dict[str, str]:
    """The ways to subscribe to a feed: its https URL, webcal:// for Apple/Outlook, and Google's link."""
    return {"https": feed_url, "webcal": links.webcal_url(feed_url), "google": links.google_subscribe_url(feed_url)}
