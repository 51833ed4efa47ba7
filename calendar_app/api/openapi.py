"""The OpenAPI 3 document of /api/v1. Every endpoint the API has is described here; a test checks both ways."""
from __future__ import annotations

from copy import deepcopy

from calendar_app.programs.models import CATEGORIES

_nullable_str = {"type": ["string", "null"]}
_url = {"type": "string", "format": "uri"}
#: A poster (calendar_app.media): absolute JPEG URLs of its three sizes, or null when there is none.
_poster = {
    "type": ["object", "null"],
    "description": "海报图片（JPEG 绝对地址）；活动没有自己的海报时用所属届次或品牌的海报；没有则为 null",
    "required": ["thumb", "card", "full", "card_width", "card_height"],
    "properties": {"thumb": _url, "card": _url, "full": _url, "card_width": {"type": "integer", "minimum": 1},
                   "card_height": {"type": "integer", "minimum": 1}},
}
_nullable_int = {"type": ["integer", "null"]}

SCHEMAS: dict = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "field": _nullable_str},
    },
    "Area": {
        "type": "object",
        "required": ["id", "kind", "code", "name", "parent_id", "ical_url", "children"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["city", "district", "town", "village"]},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "parent_id": _nullable_int,
            "url": _url,
            "ical_url": _url,
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Area"}},
        },
    },
    "OpeningHours": {
        "type": "object",
        "required": ["weekday", "opens", "closes"],
        "properties": {
            "weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = 周一 ... 6 = 周日"},
            "weekday_label": {"type": "string"},
            "opens": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
            "closes": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
        },
    },
    "Venue": {
        "type": "object",
        "required": ["id", "name", "area_id", "kind", "capacity", "latitude", "longitude", "is_indoor", "opening_hours",
                     "ical_url"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "address": _nullable_str,
            "area_id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["plaza", "village_square", "theatre", "library", "museum",
                                                 "scenic_area", "street", "other"]},
            "kind_label": {"type": "string"},
            "capacity": {"type": ["integer", "null"], "minimum": 0},
            "latitude": {"type": ["number", "null"]},
            "longitude": {"type": ["number", "null"]},
            "is_indoor": {"type": "boolean"},
            "is_active": {"type": "boolean"},
            "opening_hours": {"type": "array", "items": {"$ref": "#/components/schemas/OpeningHours"}},
            "url": _url,
            "ical_url": _url,
        },
    },
    "Edition": {
        "type": "object",
        "required": ["id", "program_id", "name", "starts_on", "ends_on", "target_events", "target_attendance", "ical_url"],
        "properties": {
            "id": {"type": "integer"},
            "program_id": {"type": "integer"},
            "name": {"type": "string"},
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
            "theme": _nullable_str,
            "theme_colour": _nullable_str,
            "target_events": {"type": ["integer", "null"], "minimum": 0, "description": "目标场次"},
            "target_attendance": {"type": ["integer", "null"], "minimum": 0, "description": "目标人次"},
            "url": _url,
            "ical_url": _url,
            "poster": _poster,
        },
    },
    "Program": {
        "type": "object",
        "required": ["id", "slug", "name", "colour", "category", "area_id", "ical_url", "editions"],
        "properties": {
            "id": {"type": "integer"},
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "description": _nullable_str,
            "colour": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
            "category": {"type": "string"},
            "area_id": {"type": "integer"},
            "url": _url,
            "ical_url": _url,
            "poster": _poster,
            "editions": {"type": "array", "items": {"$ref": "#/components/schemas/Edition"}},
        },
    },
    "Occurrence": {
        "type": "object",
        "required": ["id", "event_id", "uid", "recurrence_id", "title", "start", "end", "all_day", "status",
                     "venue_id", "area_id", "program_id", "edition_id", "url"],
        "properties": {
            "id": {"type": "integer"},
            "event_id": {"type": "integer"},
            "uid": {"type": "string", "description": "活动的 iCal UID"},
            "recurrence_id": {"type": "string", "description": "该场次按规则的原始开始时间（ISO 8601；全天活动为日期）"},
            "title": {"type": "string"},
            "start": {"type": "string", "description": "当地时间，ISO 8601 带时区偏移；全天活动为日期"},
            "end": {"type": "string", "description": "同 start；全天活动为不含当天的结束日期"},
            "all_day": {"type": "boolean"},
            "status": {"type": "string", "enum": ["scheduled", "moved", "cancelled"]},
            "status_reason": _nullable_str,
            "venue_id": _nullable_int,
            "area_id": {"type": "integer"},
            "program_id": _nullable_int,
            "edition_id": _nullable_int,
            "category": {"type": "string"},
            "is_free": {"type": "boolean"},
            "url": _url,
        },
    },
    "Day": {
        "type": "object",
        "required": ["date", "festivals", "solar_term", "is_holiday", "is_makeup_workday", "lunar"],
        "properties": {
            "date": {"type": "string", "format": "date"},
            "festivals": {"type": "array", "items": {"type": "string"}, "description": "节日中文名，如 元宵节"},
            "solar_term": _nullable_str,
            "lunar": {"type": "string", "description": "农历日期，如 正月十五"},
            "is_holiday": {"type": ["boolean", "null"], "description": "法定节假日放假；null 表示该年尚无官方数据"},
            "is_makeup_workday": {"type": ["boolean", "null"], "description": "调休上班日；null 表示该年尚无官方数据"},
            "holiday_name": _nullable_str,
        },
    },
    "Event": {
        "type": "object",
        "required": ["id", "uid", "title", "status", "area_id", "category", "is_free", "timezone", "all_day", "url",
                     "ical_url"],
        "properties": {
            "id": {"type": "integer"},
            "uid": {"type": "string"},
            "title": {"type": "string"},
            "description": _nullable_str,
            "status": {"type": "string", "enum": ["published", "cancelled"]},
            "program_id": _nullable_int,
            "edition_id": _nullable_int,
            "venue_id": _nullable_int,
            "area_id": {"type": "integer"},
            "organiser": _nullable_str,
            "contact": _nullable_str,
            "category": {"type": "string"},
            "capacity": {"type": ["integer", "null"], "minimum": 0},
            "is_free": {"type": "boolean"},
            "registration_url": _nullable_str,
            "timezone": {"type": "string"},
            "all_day": {"type": "boolean"},
            "is_series": {"type": "boolean"},
            "url": _url,
            "ical_url": _url,
            "poster": _poster,
        },
    },
    "EventDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/Event"},
            {
                "type": "object",
                "required": ["next_occurrences", "occurrence_count"],
                "properties": {
                    "next_occurrences": {"type": "array", "items": {"$ref": "#/components/schemas/Occurrence"}},
                    "occurrence_count": {"type": "integer", "minimum": 0},
                },
            },
        ]
    },
}


def _list_of(schema: str) -> dict:
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _paged(schema: str) -> dict:
    body = _list_of(schema)
    body["required"] = ["items", "next"]
    body["properties"]["next"] = {"type": ["string", "null"], "format": "uri", "description": "下一页的完整地址（绝对 URL）；没有更多时为 null"}
    return body


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
_WINDOW = [
    _query("start", "开始日期（含），默认今天", {"type": "string", "format": "date"}),
    _query("end", "结束日期（含），默认开始后 30 天；范围最长一年", {"type": "string", "format": "date"}),
]
_FILTERS = [
    _query("program", "活动品牌 id 或网址名（不存在时 404）", {"type": "string", "minLength": 1, "maxLength": 64}),
    _query("edition", "届次 id", _ID),
    _query("area", "区域 id（含下级区域）", _ID),
    _query("venue", "场馆 id", _ID),
    _query("category", "类别", {"type": "string", "enum": list(CATEGORIES)}),
    _query("q", "关键词（标题、主办单位）", {"type": "string", "maxLength": 100}),
    _query("limit", "每页条数（1–500，默认 100）", {"type": "integer", "minimum": 1, "maximum": 500}),
]


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = {"$ref": "#/components/schemas/Error"}
_BAD_REQUEST = _ok("参数错误", _ERROR)
_NOT_FOUND = _ok("不存在", _ERROR)

PATHS: dict = {
    "/areas": {
        "get": {
            "operationId": "listAreas",
            "summary": "区域树（区县 → 镇街 → 村社区）",
            "responses": {"200": _ok("区域树", _list_of("Area"))},
        }
    },
    "/venues": {
        "get": {
            "operationId": "listVenues",
            "summary": "场馆列表",
            "parameters": [
                {"name": "area", "in": "query", "required": False, "description": "区域 id，含下级区域",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}},
            ],
            "responses": {"200": _ok("场馆", _list_of("Venue")), "400": _BAD_REQUEST, "404": _NOT_FOUND},
        }
    },
    "/occurrences": {
        "get": {
            "operationId": "listOccurrences",
            "summary": "时间范围内已发布的活动场次（按开始时间排序，分页）",
            "parameters": _WINDOW + _FILTERS + [_query("cursor", "分页游标（取自 next 链接）", {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,200}$"})],
            "responses": {"200": _ok("场次", _paged("Occurrence")), "400": _BAD_REQUEST, "404": _NOT_FOUND},
        }
    },
    "/days": {
        "get": {
            "operationId": "listDays",
            "summary": "每日的节日、节气、农历与法定节假日/调休信息",
            "parameters": list(_WINDOW),
            "responses": {"200": _ok("日期", _list_of("Day")), "400": _BAD_REQUEST},
        }
    },
    "/events": {
        "get": {
            "operationId": "listEvents",
            "summary": "在时间范围内有场次的已发布活动（按 id 分页）",
            "parameters": _WINDOW + _FILTERS + [_query("after", "分页：返回 id 大于该值的活动", _ID)],
            "responses": {"200": _ok("活动", _paged("Event")), "400": _BAD_REQUEST, "404": _NOT_FOUND},
        }
    },
    "/events/{event_id}": {
        "get": {
            "operationId": "getEvent",
            "summary": "单个活动及其接下来的场次和订阅地址",
            "parameters": [{"name": "event_id", "in": "path", "required": True, "schema": _ID}],
            "responses": {"200": _ok("活动", {"$ref": "#/components/schemas/EventDetail"}), "404": _NOT_FOUND},
        }
    },
    "/programs": {
        "get": {
            "operationId": "listPrograms",
            "summary": "活动品牌及其届次、目标",
            "responses": {"200": _ok("活动品牌", _list_of("Program"))},
        }
    },
}


# Every request, whatever its operation, is refused with a 400 when its path or query carries control
# characters (the app's input guard), so every operation documents a 400.
for _path_item in PATHS.values():
    for _operation in _path_item.values():
        _operation["responses"].setdefault("400", _BAD_REQUEST)


def openapi_document() -> dict:
    """Return a fresh copy of the document (callers may not mutate the module's constants)."""
    from calendar_app.api import openapi_writes as writes

    paths = deepcopy(PATHS)
    for path, operations in deepcopy(writes.PATHS).items():
        paths.setdefault(path, {}).update(operations)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "calendar_app API",
            "version": "1.0.0",
            "description": "文旅活动日历的接口：公开只读部分供小程序与脚本使用；写入部分需 Bearer 令牌，"
                           "按用户所属区域限定范围。时间均带时区偏移。",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": {**deepcopy(SCHEMAS), **deepcopy(writes.SCHEMAS)},
                       "securitySchemes": deepcopy(writes.SECURITY_SCHEMES)},
    }
