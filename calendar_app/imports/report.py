"""The report an import gives back: what was created, and each bad row with its column and reason."""
from __future__ import annotations

from dataclasses import dataclass, field


class ImportRefused(Exception):
    """The file as a whole cannot be imported (not a spreadsheet, too large, no header …); HTTP 422."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict:
        return {"error": "import_refused", "message": self.message,
                "errors": [{"row": None, "column": None, "message": self.message}]}


@dataclass(frozen=True)
class RowError:
    """One problem of one row (`row` is the spreadsheet's row number, or the VEVENT's position)."""

    row: int | None
    column: str | None
    message: str
    #: What `row` counts: spreadsheet rows, or the events of a calendar file.
    unit: str = "行"

    def __str__(self) -> str:
        where = f"第 {self.row} {self.unit}" if self.row is not None else "文件"
        return f"{where}「{self.column}」：{self.message}" if self.column else f"{where}：{self.message}"

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "text": str(self)}


#: Errors listed in one answer; a file with more is refused with the first ones and the count.
MAX_LISTED_ERRORS = 500


@dataclass
class ImportResult:
    """What an import did (or, with `dry_run`, would do). `errors` non-empty means nothing was saved."""

    rows: int = 0
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    cancelled_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def message(self) -> str:
        if self.errors:
            return f"共 {len(self.errors)} 处错误，整个文件未导入；请修改后重新上传"
        verb = "检查通过，可以导入" if self.dry_run else "已导入"
        parts = [f"{self.rows} 行"]
        if self.updated_ids or self.cancelled_ids:
            parts = [f"新建 {len(self.created_ids)} 个", f"更新 {len(self.updated_ids)} 个",
                     f"取消 {len(self.cancelled_ids)} 个"]
        return f"{verb}：{'，'.join(parts)}（均为草稿，提交审核后发布）" if not self.dry_run else f"{verb}：{'，'.join(parts)}"

    def error_json(self) -> dict:
        listed = self.errors[:MAX_LISTED_ERRORS]
        return {"error": "import_invalid", "message": self.message, "rows": self.rows,
                "errors": [e.to_json() for e in listed], "more_errors": len(self.errors) - len(listed)}
