"""Helpers shared by the page tests."""
from __future__ import annotations

from bench.common import count_queries  # noqa: F401  (re-exported for the page tests)

import json
import re
from html.parser import HTMLParser




def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def jsonld(page: str) -> dict:
    """The page's schema.org JSON-LD block, parsed."""
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    """A parsed HTML element: enough DOM for assertions (find by tag, attributes and class)."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find_all(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if ((tag is None or child.tag == tag) and (class_ is None or class_ in child.classes)
                    and all(child.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())):
                found.append(child)
            found.extend(child.find_all(tag, class_, **attrs))
        return found

    def find(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, class_, **attrs)
        assert found, f"no <{tag or '*'}> with class={class_!r} {attrs}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(page: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(page)
    return builder.root


def listed_occurrence_ids(page: str) -> list[int]:
    """Occurrence ids linked from the day-by-day list, in page order (the home page's highlights above the
    list are left out: they repeat some of its rows)."""
    start = page.find('<section class="day"')
    return [int(m) for m in re.findall(r'href="/events/\d+\?occurrence=(\d+)"', page[start:] if start >= 0 else "")]


def highlighted_occurrence_ids(page: str) -> list[int]:
    """Occurrence ids in the home page's highlights block."""
    match = re.search(r'<section class="highlights".*?</section>', page, re.S)
    return [int(m) for m in re.findall(r'href="/events/\d+\?occurrence=(\d+)"', match.group(0))] if match else []


def day_sections(page: str) -> list[str]:
    """ISO dates of the day groups on a page, in order."""
    return re.findall(r'<section class="day" aria-labelledby="day-(\d{4}-\d\d-\d\d)"', page)
