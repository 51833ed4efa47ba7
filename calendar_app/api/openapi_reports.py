"""The OpenAPI description of /reports/... (merged into openapi_writes.PATHS)."""
from __future__ import annotations

from calendar_app.venues.models import VENUE_KINDS

_SECURITY = [{"bearer": []}]
_ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
_YEAR = {"type": "integer", "minimum": 1901, "maximum": 2099}
_COUNT = {"type": "integer", "minimum": 0}
_HOURS = {"type": "number", "minimum": 0}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _q(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_ERROR = {"$ref": "#/components/schemas/Error"}
_REFUSED = {
    "400": _json(_ERROR, "参数无效（日期格式、结束早于开始、时段超过 366 天、年份等）"),
    "401": _json(_ERROR, "缺少或无效的 API 令牌"),
    "403": _json(_ERROR, "区域、场馆或届次不在您的管辖范围内，或角色不是文旅局工作人员/管理员"),
    "404": _json(_ERROR, "区域、场馆或届次不存在"),
    "429": _json(_ERROR, "令牌验证失败次数过多，请稍后再试"),
}
_TALLY = {"type": "object", "required": ["held_events", "reported_attendance"],
          "properties": {"held_events": _COUNT, "reported_attendance": _COUNT}}

SCHEMAS: dict = {
    "VenueLoadItem": {
        "type": "object",
        "required": ["venue_id", "venue", "period_start", "booked_hours", "available_hours", "utilization",
                     "occurrences", "conflicts", "outside_hours"],
        "properties": {
            "venue_id": {"type": "integer"}, "venue": {"type": "string"},
            "period_start": {"type": "string", "format": "date", "description": "该统计周期的第一天（按周为周一，首尾周期截到所选时段）"},
            "booked_hours": dict(_HOURS, description="已预订小时数（未取消的场次；调整后的场次按新时间和场馆计；跨周期的按小时拆分）"),
            "available_hours": dict(_HOURS, description="按场馆自己的开放时间计算的可用小时数（含晚间、周末；闭馆日不计）"),
            "utilization": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                            "description": "已预订 ÷ 可用，最大 1；该周期场馆不开放时为 null"},
            "occurrences": dict(_COUNT, description="在该周期开始的场次数（跨入时段的场次计入第一个周期）"),
            "conflicts": dict(_COUNT, description="与同一独占场馆更早一场时间重叠的场次数"),
            "tight_changeovers": dict(_COUNT, description="距上一场结束不足场馆换场时间的场次数"),
            "outside_hours": dict(_COUNT, description="不在开放时间内的场次数（仍计入已预订）"),
        },
    },
    "ProgressItem": {
        "type": "object",
        "required": ["program_id", "program", "edition_id", "edition", "town_id", "town", "target_events",
                     "scheduled_events", "held_events", "target_attendance", "reported_attendance", "unreported",
                     "on_pace"],
        "properties": {
            "program_id": {"type": "integer"}, "program": {"type": "string"},
            "edition_id": {"type": "integer"}, "edition": {"type": "string"},
            "town_id": {"type": "integer"}, "town": {"type": "string"},
            "target_events": {"type": ["integer", "null"], "description": "分配给该镇街的目标场次（无任务时为 null）"},
            "scheduled_events": dict(_COUNT, description="已排期场次（未取消）"),
            "held_events": dict(_COUNT, description="已举办场次：已发布、未取消、已结束"),
            "target_attendance": {"type": ["integer", "null"]},
            "reported_attendance": dict(_COUNT, description="已举办场次填报的人次合计"),
            "unreported": dict(_COUNT, description="已举办但未填报人次的场次"),
            "due_on": {"type": "string", "format": "date"},
            "expected_by_now": {"type": ["integer", "null"], "description": "匀速完成目标时今天应已举办的场次"},
            "on_pace": {"type": ["boolean", "null"], "description": "已举办场次是否达到进度线；无目标时为 null"},
        },
    },
    "YearSummaryItem": {
        "type": "object",
        "required": ["program_id", "program", "held_events", "reported_attendance", "by_town", "by_month", "sentence"],
        "properties": {
            "program_id": {"type": ["integer", "null"], "description": "未归入品牌的活动为 null（其他活动）"},
            "program": {"type": "string"},
            "held_events": _COUNT, "reported_attendance": _COUNT,
            "by_town": {"type": "array", "items": {"allOf": [_TALLY, {"type": "object", "required": ["town_id", "town"],
                        "properties": {"town_id": {"type": "integer"}, "town": {"type": "string"}}}]}},
            "by_month": {"type": "array", "items": {"allOf": [_TALLY, {"type": "object", "required": ["month"],
                         "properties": {"month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}}}]}},
            "sentence": {"type": "string", "description": "如：全年组织戏曲进乡村252场，惠及群众30000人次"},
        },
    },
}

PATHS: dict = {
    "/reports/venue-load": {"get": {
        "operationId": "reportVenueLoad", "security": _SECURITY,
        "summary": "场馆使用情况：每个场馆每个统计周期的已预订/可用小时、利用率、场次、冲突和开放时间外的场次",
        "parameters": [
            _q("start", "开始日期（含），默认本月 1 日", {"type": "string", "format": "date"}),
            _q("end", "结束日期（含），默认开始日期所在月的最后一天；时段最长 366 天", {"type": "string", "format": "date"}),
            _q("granularity", "统计周期，默认 week（周一开始）", {"type": "string", "enum": ["day", "week", "month"]}),
            _q("area", "区域 id（含下级区域的场馆）", _ID),
            _q("venue", "场馆 id", _ID),
            _q("kind", "场馆类型", {"type": "string", "enum": list(VENUE_KINDS)}),
        ],
        "responses": {"200": _json({"type": "object", "required": ["items"], "properties": {
            "start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date"},
            "granularity": {"type": "string"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/VenueLoadItem"}}}}, "场馆使用情况"),
            **_REFUSED},
    }},
    "/reports/progress": {"get": {
        "operationId": "reportProgress", "security": _SECURITY,
        "summary": "任务进度：各届次、各镇街的目标/排期/举办场次、人次、未填报场次和是否按期推进（edition 或 year 二选一）",
        "parameters": [_q("edition", "届次 id", _ID), _q("year", "年份（与 edition 二选一）：该年内进行的全部届次", _YEAR),
                       _q("area", "区域 id：只看该区域内的镇街", _ID)],
        "responses": {"200": _json({"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ProgressItem"}}}}, "进度"), **_REFUSED},
    }},
    "/reports/year-summary": {"get": {
        "operationId": "reportYearSummary", "security": _SECURITY,
        "summary": "年度汇总：各品牌活动全年举办场次和惠及人次，按镇街、按月，附总结表述和合计",
        "parameters": [_q("year", "年份", _YEAR, required=True), _q("area", "区域 id，默认本人所属区域", _ID),
                       _q("cutoff", "统计截止日期（含当天，本地时间）：只计此日结束前已结束的场次；默认截至现在",
                          {"type": "string", "format": "date"})],
        "responses": {"200": _json({"type": "object", "required": ["items", "total"], "properties": {
            "area": {"type": "object"}, "year": {"type": "integer"}, "cutoff": {"type": "string"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/YearSummaryItem"}},
            "total": {"allOf": [_TALLY, {"type": "object", "required": ["sentence"],
                                         "properties": {"sentence": {"type": "string"}}}]}}}, "年度汇总"), **_REFUSED},
    }},
}
