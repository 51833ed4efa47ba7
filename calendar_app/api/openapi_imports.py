"""The OpenAPI description of the spreadsheet and calendar routes (merged into openapi_writes.PATHS)."""
from __future__ import annotations

_SECURITY = [{"bearer": []}]
_ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = _json({"$ref": "#/components/schemas/Error"}, "")
_ROW_ERRORS = _json({"anyOf": [{"$ref": "#/components/schemas/ImportErrors"},
                               {"$ref": "#/components/schemas/Invalid"}]},
                    "文件或其中的行无效（含场馆冲突）：逐行列出，整个文件未导入；参数无效时按字段说明")
_REFUSED = {"400": dict(_ERROR, description="请求无效（参数格式、控制字符、文件缺失或过大）"),
            "401": dict(_ERROR, description="缺少或无效的 API 令牌"),
            "403": dict(_ERROR, description="届次或区域不在您的管辖范围内"),
            "404": dict(_ERROR, description="届次不存在（或不在您的管辖范围内）"),
            "413": dict(_ERROR, description="文件过大"),
            "422": _ROW_ERRORS,
            "429": dict(_ERROR, description="令牌验证失败次数过多，请稍后再试")}
_EDITION = {"name": "edition", "in": "query", "required": True, "schema": _ID, "description": "导入到的届次"}
_DRY_RUN = {"name": "dry_run", "in": "query", "required": False, "schema": {"type": "string", "enum": ["1", "0"]},
            "description": "1：只检查，不保存"}
_FILE_BODY = {"type": "object", "required": ["file"],
              "properties": {"file": {"type": "string", "format": "binary"}}}

SCHEMAS: dict = {
    "ImportErrors": {
        "type": "object", "required": ["message", "errors"],
        "properties": {
            "error": {"type": "string"}, "message": {"type": "string"}, "rows": {"type": "integer"},
            "more_errors": {"type": "integer"},
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["row", "column", "message"],
                "properties": {"row": {"type": ["integer", "null"], "description": "表格的行号（日历：第几个日程）"},
                               "column": {"type": ["string", "null"], "description": "列名（日历：属性名）"},
                               "message": {"type": "string"},
                               "text": {"type": "string", "description": "如 第 7 行「日期」：2026-02-30 不是有效日期"}}}},
        },
    },
    "ImportResult": {
        "type": "object", "required": ["warnings", "rows"],
        "properties": {"created": {"type": "integer"}, "updated": {"type": "integer"}, "cancelled": {"type": "integer"},
                       "event_ids": {"type": "array", "items": {"type": "integer"}},
                       "valid": {"type": "boolean", "description": "dry_run=1 时：检查通过"},
                       "rows": {"type": "integer"}, "message": {"type": "string"},
                       "warnings": {"type": "array", "items": {"type": "string"}}},
    },
}

_RESULT = _json({"$ref": "#/components/schemas/ImportResult"}, "已导入（dry_run=1：检查通过，未保存）")

PATHS: dict = {
    "/imports/xlsx": {"post": {
        "operationId": "importXlsx", "security": _SECURITY,
        "summary": "导入 .xlsx 活动表到届次（活动名称、品牌活动、镇街、场馆、日期、开始时间、结束时间、重复、备注）；全部成功才保存",
        "parameters": [_EDITION, _DRY_RUN],
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": _FILE_BODY}}},
        "responses": {"201": _RESULT, "200": _RESULT, **_REFUSED},
    }},
    "/imports/ics": {"post": {
        "operationId": "importIcs", "security": _SECURITY,
        "summary": "导入 iCalendar 文件或网址到届次；按 UID 更新此前导入的活动，已取消的日程取消对应活动",
        "parameters": [_EDITION, _DRY_RUN,
                       {"name": "area", "in": "query", "required": False, "schema": {"type": "string"},
                        "description": "活动所属镇街或村（编号或区划代码）；镇街协调员默认本镇街"}],
        "requestBody": {"required": True, "content": {
            "multipart/form-data": {"schema": _FILE_BODY},
            "application/json": {"schema": {"type": "object", "required": ["url"],
                                            "properties": {"url": {"type": "string", "format": "uri"}}}}}},
        "responses": {"201": _RESULT, "200": _RESULT, **_REFUSED},
    }},
    "/exports/xlsx": {"get": {
        "operationId": "exportXlsx", "security": _SECURITY,
        "summary": "导出管辖范围内某时段（最长 366 天）的场次与人次为 .xlsx（含按镇街和品牌的汇总表）",
        "parameters": [
            {"name": "start", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}},
            {"name": "end", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}},
            {"name": "edition", "in": "query", "required": False, "schema": _ID},
            {"name": "program", "in": "query", "required": False, "schema": _ID},
            {"name": "area", "in": "query", "required": False, "schema": _ID}],
        "responses": {"200": {"description": "Excel 工作簿", "content": {_XLSX: {"schema": {"type": "string",
                                                                                          "format": "binary"}}}},
                      "400": dict(_ERROR, description="参数无效（日期、时间段超过 366 天）"),
                      "401": _REFUSED["401"], "403": _REFUSED["403"], "404": _REFUSED["404"],
                      "422": dict(_ERROR, description="参数无效"), "429": _REFUSED["429"]},
    }},
}
