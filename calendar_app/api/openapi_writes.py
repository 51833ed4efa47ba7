"""The OpenAPI description of the write side of /api/v1 (bearer token; coordinators, staff, admins)."""
from __future__ import annotations

_ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
_SECURITY = [{"bearer": []}]
_nullable_str = {"type": ["string", "null"]}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = {"$ref": "#/components/schemas/Error"}
_INVALID = _json({"$ref": "#/components/schemas/Invalid"}, "输入无效（逐字段说明）")
_REFUSED = {
    "400": _json(_ERROR, "请求地址或参数含有控制字符等无法处理的内容"),
    "401": _json(_ERROR, "缺少或无效的 API 令牌"),
    "429": _json(_ERROR, "令牌验证失败次数过多，请稍后再试"),
    "403": _json(_ERROR, "不在您的管辖范围内或角色无权操作"),
    "404": _json(_ERROR, "不存在（或不在您的管辖范围内）"),
    "422": _INVALID,
}
_CLASH = {"409": _json({"$ref": "#/components/schemas/VenueConflict"}, "场馆该时段已被占用")}
_EVENT_PATH = [{"name": "event_id", "in": "path", "required": True, "schema": _ID}]
_OCCURRENCE_PATH = [{"name": "occurrence_id", "in": "path", "required": True, "schema": _ID}]
_LOCAL = {"type": "string", "description": "当地时间 YYYY-MM-DDTHH:MM（全天活动为 YYYY-MM-DD）", "maxLength": 25}

SCHEMAS: dict = {
    "Invalid": {
        "type": "object", "required": ["error", "message", "errors"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                       "errors": {"type": "object", "additionalProperties": {"type": "string"}}},
    },
    "VenueConflict": {
        "type": "object", "required": ["error", "message", "conflicts"],
        "properties": {
            "error": {"type": "string", "const": "venue_conflict"}, "message": {"type": "string"},
            "conflicts": {"type": "array", "items": {
                "type": "object", "required": ["occurrence_id", "event_id", "title", "start", "end", "venue_id"],
                "properties": {"occurrence_id": {"type": ["integer", "null"]}, "event_id": {"type": ["integer", "null"]},
                               "title": {"type": "string"}, "start": {"type": "string", "format": "date-time"},
                               "end": {"type": "string", "format": "date-time"}, "venue_id": {"type": "integer"},
                               "wanted_start": {"type": "string", "format": "date-time",
                                                "description": "被拒绝的那一场的开始时间"}}}},
        },
    },
    "EventInput": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "title": {"type": "string", "maxLength": 200}, "description": {"type": ["string", "null"]},
            "program": {"type": ["integer", "string"], "description": "活动品牌 id 或网址名"},
            "edition": {"type": ["integer", "null"]}, "venue": {"type": ["integer", "null"]}, "area": {"type": "integer"},
            "starts_local": _LOCAL, "ends_local": _LOCAL, "all_day": {"type": "boolean"},
            "timezone": {"type": "string", "default": "Asia/Shanghai"},
            "rrule": {"type": ["string", "null"], "description": "RFC 5545 RRULE，如 FREQ=WEEKLY;BYDAY=SA;COUNT=10"},
            "rdates": {"type": "array", "items": {"type": "string"}}, "exdates": {"type": "array", "items": {"type": "string"}},
            "lunar_rule": {"type": ["string", "null"], "description": "如 FESTIVAL=元宵节 或 LUNAR=1-15"},
            "capacity": {"type": ["integer", "null"], "minimum": 0}, "is_free": {"type": "boolean"},
            "registration_url": {"type": ["string", "null"], "format": "uri"},
            "organiser": {"type": ["string", "null"]}, "contact": {"type": ["string", "null"]},
            "category": {"type": "string"},
            "reason": {"type": "string", "description": "变更已发布活动时必填，向公众显示"},
            "clash_override": {"type": "string", "description": "工作人员：在冲突时强制安排的原因（记入审计日志）"},
        },
    },
    "EventResult": {
        "type": "object", "required": ["id", "uid", "status", "warnings", "occurrences"],
        "properties": {"id": {"type": "integer"}, "uid": {"type": "string"},
                       "status": {"type": "string", "enum": ["draft", "submitted", "published", "cancelled"]},
                       "sequence": {"type": "integer"}, "title": {"type": "string"},
                       "warnings": {"type": "array", "items": {"type": "string"}},
                       "occurrences": {"type": "integer"}, "review_comment": _nullable_str,
                       "status_reason": _nullable_str, "url": {"type": "string", "format": "uri"}},
    },
    "Me": {
        "type": "object", "required": ["id", "username", "role", "area", "scope"],
        "properties": {"id": {"type": "integer"}, "username": {"type": "string"}, "display_name": {"type": "string"},
                       "role": {"type": "string", "enum": ["admin", "staff", "coordinator"]},
                       "area": {"type": "object"}, "scope": {"type": "object"}},
    },
    "Assignment": {
        "type": "object",
        "required": ["id", "edition", "town", "target", "scheduled", "held", "owed", "due_on", "on_pace"],
        "properties": {"id": {"type": "integer"}, "edition": {"type": "object"}, "town": {"type": "object"},
                       "target": {"type": "integer"}, "target_attendance": {"type": ["integer", "null"]},
                       "scheduled": {"type": "integer"}, "held": {"type": "integer"}, "owed": {"type": "integer"},
                       "reported_attendance": {"type": "integer"}, "unreported": {"type": "integer"},
                       "due_on": {"type": "string", "format": "date"},
                       "expected_by_now": {"type": ["integer", "null"]}, "on_pace": {"type": "boolean"}},
    },
}


def _op(operation_id: str, summary: str, *, body: dict | None = None, ok: dict, status: str = "200",
        parameters: list | None = None, clash: bool = False) -> dict:
    operation = {"operationId": operation_id, "summary": summary, "security": _SECURITY,
                 "responses": {status: ok, **_REFUSED, **(_CLASH if clash else {})}}
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return operation


_RESULT = _json({"$ref": "#/components/schemas/EventResult"}, "活动")
_INPUT = {"$ref": "#/components/schemas/EventInput"}


def _action(name: str, summary: str, body: dict | None = None) -> dict:
    return {"post": _op(f"{name}Event", summary, body=body, ok=_RESULT, parameters=list(_EVENT_PATH),
                        clash=name == "publish")}


PATHS: dict = {
    "/me": {"get": _op("getMe", "令牌所属用户及其管辖范围", ok=_json({"$ref": "#/components/schemas/Me"}, "当前用户"))},
    "/events": {"post": _op("createEvent", "新建活动草稿（可为重复或农历节日活动）", body=_INPUT, status="201",
                            ok=_RESULT, clash=True)},
    "/events/{event_id}": {"patch": _op(
        "changeEvent", "修改整个系列；scope=following&occurrence=<id> 修改此场及以后", body=_INPUT, ok=_RESULT, clash=True,
        parameters=_EVENT_PATH + [
            {"name": "scope", "in": "query", "required": False, "schema": {"type": "string", "enum": ["all", "following"]}},
            {"name": "occurrence", "in": "query", "required": False, "schema": _ID}])},
    "/events/{event_id}/submit": _action("submit", "提交审核"),
    "/events/{event_id}/publish": _action("publish", "发布（工作人员）"),
    "/events/{event_id}/return": _action("return", "退回修改（工作人员，须填写意见）", {
        "type": "object", "required": ["comment"], "properties": {"comment": {"type": "string", "maxLength": 1000}}}),
    "/events/{event_id}/cancel": _action("cancel", "取消活动（须填写原因）", {
        "type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 500}}}),
    "/occurrences/{occurrence_id}": {"patch": _op(
        "changeOccurrence", "调整单场：改期、换场地或取消（已发布须填写原因）", parameters=list(_OCCURRENCE_PATH), clash=True,
        ok=_json({"$ref": "#/components/schemas/Occurrence"}, "场次"),
        body={"type": "object", "additionalProperties": False, "properties": {
            "starts_local": _LOCAL, "ends_local": _LOCAL, "venue": _ID,
            "status": {"type": "string", "enum": ["cancelled", "scheduled"]},
            "reason": {"type": "string", "maxLength": 500}, "clash_override": {"type": "string"}}})},
    "/occurrences/{occurrence_id}/attendance": {"put": _op(
        "reportAttendance", "活动结束后填报人次", parameters=list(_OCCURRENCE_PATH),
        ok=_json({"type": "object", "required": ["id", "attendance"],
                  "properties": {"id": {"type": "integer"}, "attendance": {"type": "integer"},
                                 "reported_at": {"type": "string", "format": "date-time"}}}, "已填报"),
        body={"type": "object", "required": ["attendance"], "properties": {
            "attendance": {"type": "integer", "minimum": 0}, "note": {"type": "string", "maxLength": 500}}})},
    "/assignments": {"get": _op(
        "listAssignments", "任务（配额）及完成进度：目标、已排、已举办、尚欠、截止日期",
        parameters=[{"name": "mine", "in": "query", "required": False, "schema": {"type": "string", "enum": ["1", "0"]}}],
        ok=_json({"type": "object", "required": ["items"],
                  "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Assignment"}}}},
                 "任务"))},
}

SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer",
                               "description": "`flask users token USERNAME` 签发的 API 令牌"}}

from calendar_app.api import openapi_imports as _imports  # noqa: E402  (spreadsheets and calendars)

PATHS.update(_imports.PATHS)
SCHEMAS.update(_imports.SCHEMAS)
from calendar_app.api import openapi_reports as _reports  # noqa: E402  (venue load, progress, year summary)

PATHS.update(_reports.PATHS)
SCHEMAS.update(_reports.SCHEMAS)

from calendar_app.notifications import openapi as _notifications  # noqa: E402  (public reminder subscriptions)

PATHS.update(_notifications.PATHS)
SCHEMAS.update(_notifications.SCHEMAS)
