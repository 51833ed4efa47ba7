"""OpenAPI entries of the public subscription endpoints (merged into /api/v1/openapi.json)."""
from __future__ import annotations

from calendar_app.notifications.services import LEAD_CHOICES

_ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = {"$ref": "#/components/schemas/Error"}
_INVALID = _json({"$ref": "#/components/schemas/Invalid"}, "输入无效（逐字段说明）")
_LIMITED = _json(_ERROR, "尝试次数过多（按来源地址和按联系方式分别限速），请稍后再试")
_STATUS = {"type": "object", "required": ["id", "status"],
           "properties": {"id": _ID, "status": {"type": "string", "enum": ["pending", "active", "cancelled"]}}}

SCHEMAS: dict = {
    "SubscriptionInput": {
        "type": "object", "additionalProperties": False,
        "required": ["target_type", "target_id", "channel", "address"],
        "properties": {
            "target_type": {"type": "string", "enum": ["event", "program", "edition", "area", "venue"]},
            "target_id": _ID,
            "channel": {"type": "string", "enum": ["email", "sms"]},
            "address": {"type": "string", "maxLength": 254,
                        "description": "电子邮箱，或中国大陆 11 位手机号码（可带 +86、空格或连字符）"},
            "lead_minutes": {"type": "array", "maxItems": 4, "uniqueItems": True,
                             "items": {"type": "integer", "enum": sorted(LEAD_CHOICES)},
                             "description": "活动开始前多少分钟提醒，默认 [1440, 120]"},
            "changes": {"type": "boolean", "description": "时间、地点变更或取消时是否通知（默认 true）"},
        },
    },
    "SubscriptionStatus": _STATUS,
}

PATHS: dict = {
    "/subscriptions": {"post": {
        "operationId": "subscribe", "summary": "订阅活动提醒（双重确认：邮件链接或短信验证码）",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/SubscriptionInput"}}}},
        "responses": {"202": _json({"$ref": "#/components/schemas/SubscriptionStatus"},
                                   "已受理：确认消息已排队发送（已生效的订阅答 active，不再发送）"),
                      "400": _json(_ERROR, "请求有误"), "422": _INVALID, "429": _LIMITED},
    }},
    "/subscriptions/confirm": {"post": {
        "operationId": "confirmSubscription", "summary": "用短信验证码确认订阅（10 分钟内有效，错 5 次作废）",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["id", "code"],
            "properties": {"id": _ID, "code": {"type": "string", "pattern": "^[0-9]{6}$"}}}}}},
        "responses": {"200": _json({"$ref": "#/components/schemas/SubscriptionStatus"}, "已确认"),
                      "400": _json(_ERROR, "请求有误"), "404": _json(_ERROR, "订阅不存在"), "422": _INVALID,
                      "429": _LIMITED},
    }},
}
