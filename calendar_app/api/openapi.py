"""The OpenAPI 3 document of /api/v1. Every endpoint the API has is described here; a test checks both ways."""
from __future__ import annotations

from copy import deepcopy

_nullable_str = {"type": ["string", "null"]}
_nullable_int = {"type": ["integer", "null"]}

SCHEMAS: dict = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "field": _nullable_str},
    },
    "Area": {
        "type": "object",
        "required": ["id", "kind", "code", "name", "parent_id", "children"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["city", "district", "town", "village"]},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "parent_id": _nullable_int,
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
        "required": ["id", "name", "area_id", "kind", "capacity", "latitude", "longitude", "is_indoor", "opening_hours"],
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
        },
    },
    "Edition": {
        "type": "object",
        "required": ["id", "program_id", "name", "starts_on", "ends_on", "target_events", "target_attendance"],
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
        },
    },
    "Program": {
        "type": "object",
        "required": ["id", "slug", "name", "colour", "category", "area_id", "editions"],
        "properties": {
            "id": {"type": "integer"},
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "description": _nullable_str,
            "colour": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
            "category": {"type": "string"},
            "area_id": {"type": "integer"},
            "editions": {"type": "array", "items": {"$ref": "#/components/schemas/Edition"}},
        },
    },
}


def _list_of(schema: str) -> dict:
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}},
    }


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
    "/programs": {
        "get": {
            "operationId": "listPrograms",
            "summary": "活动品牌及其届次、目标",
            "responses": {"200": _ok("活动品牌", _list_of("Program"))},
        }
    },
}


def openapi_document() -> dict:
    """Return a fresh copy of the document (callers may not mutate the module's constants)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "calendar_app API",
            "version": "1.0.0",
            "description": "文旅活动日历的公开只读接口，供小程序与脚本使用。时间均带时区偏移。",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": deepcopy(PATHS),
        "components": {"schemas": deepcopy(SCHEMAS)},
    }
