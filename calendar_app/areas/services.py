"""Writes and lookups on the area tree. Services flush; the caller commits."""
from __future__ import annotations

from sqlalchemy import select

from calendar_app.areas.models import _ALLOWED_PARENT, AREA_KIND_LABELS, Area
from calendar_app.db import ValidationError
from calendar_app.extensions import db
from calendar_app.text import clean_text


def get_area(area_id: int | None, *, field: str = "area_id") -> Area:
    """Load an area or raise a ValidationError naming the missing id."""
    area = db.session.get(Area, area_id) if area_id is not None else None
    if area is None:
        raise ValidationError(f"区域不存在：{area_id}", field)
    return area


def create_area(*, kind: str, code: str, name: str, parent_id: int | None = None) -> Area:
    name = clean_text(name, field="name", label="区域名称", max_length=100, required=True)
    code = clean_text(code, field="code", label="区域代码", max_length=32, required=True)
    parent = get_area(parent_id, field="parent_id") if parent_id is not None else None
    if kind not in _ALLOWED_PARENT:
        raise ValidationError(f"未知的区域类型：{kind}", "kind")
    parent_kind = parent.kind if parent else None
    if parent_kind not in _ALLOWED_PARENT[kind]:
        where = AREA_KIND_LABELS[parent_kind] if parent_kind else "顶层"
        raise ValidationError(f"{AREA_KIND_LABELS[kind]}不能放在{where}之下", "parent_id")
    if db.session.scalar(select(Area.id).where(Area.code == code)) is not None:
        raise ValidationError(f"区域代码已存在：{code}", "code")
    area = Area(kind=kind, code=code, name=name, parent=parent)
    db.session.add(area)
    db.session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    db.session.flush()
    return area


def descendant_ids_query(area: Area):
    """A select of the ids of `area` and everything below it, for use in IN (...) filters."""
    return select(Area.id).where(Area.path.startswith(area.path, autoescape=True))


def area_tree(extra=None) -> list[dict]:
    """The whole tree as nested dicts, built from one query; `extra(area)` adds fields to each node."""
    areas = db.session.scalars(select(Area).order_by(Area.path)).all()
    nodes = {
        a.id: {"id": a.id, "kind": a.kind, "code": a.code, "name": a.name, "parent_id": a.parent_id,
               **(extra(a) if extra else {}), "children": []}
        for a in areas
    }
    roots = []
    for a in areas:
        node = nodes[a.id]
        (nodes[a.parent_id]["children"] if a.parent_id in nodes else roots).append(node)
    return roots
