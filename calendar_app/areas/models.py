from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from calendar_app.db import ValidationError
from calendar_app.extensions import db
from calendar_app.i18n import N_

#: Kinds of area from the top of the tree down, with the kind each may contain.
AREA_KINDS = ("city", "district", "town", "village")
AREA_KIND_LABELS = {"city": N_("市"), "district": N_("区/县"), "town": N_("镇/街道"), "village": N_("村/社区")}
_ALLOWED_PARENT = {"city": (None,), "district": (None, "city"), "town": ("district",), "village": ("town",)}


class Area(db.Model):
    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint("kind IN ('city','district','town','village')", name="kind"),
        Index("ix_areas_path", "path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: Administrative division code or our own stable short code; unique across the deployment.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: Materialised path of ids, "/1/4/17/": descendants are a prefix match on one indexed column.
    path: Mapped[str] = mapped_column(String(255), default="")

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent", order_by="Area.id")

    @validates("kind")
    def _validate_kind(self, _key: str, kind: str) -> str:
        if kind not in AREA_KINDS:
            raise ValidationError(f"未知的区域类型：{kind}（可选 {', '.join(AREA_KINDS)}）", "kind")
        return kind

    @property
    def kind_label(self) -> str:
        return AREA_KIND_LABELS[self.kind]

    @property
    def is_town(self) -> bool:
        return self.kind == "town"

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.name}>"
