"""Forms of the event pages: the event form with its recurrence builder, and the small action forms.

The recurrence builder speaks the coordinator's language (每周六; 每天，周一除外; 每月第一个周六; 每年元宵节;
到某日为止 / 共N次; 跳过这些日期) and is translated here into what the workflow takes: `rrule`,
`lunar_rule` and `exdates`. Nobody types an RRULE. An existing event's rule is read back into the same
choices; a rule the builder cannot express (made through the API) is kept as it is.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField,
                     TextAreaField, TimeField)
from wtforms.meta import DefaultMeta
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from calendar_app.festivals.lunar import FESTIVALS, LunarDateError, festival_date
from calendar_app.programs.models import CATEGORIES
from calendar_app.recurrence import LunarRule, RecurrenceError, format_lunar_rule, parse_lunar_rule
from calendar_app.recurrence.rrule_text import parse_rrule_parts

WEEKDAYS = [("MO", "周一"), ("TU", "周二"), ("WE", "周三"), ("TH", "周四"), ("FR", "周五"), ("SA", "周六"), ("SU", "周日")]
_WEEKDAY_INDEX = {code: i for i, (code, _label) in enumerate(WEEKDAYS)}
REPEATS = [
    ("once", "只一次"),
    ("weekly", "每周（选星期几，如每周六）"),
    ("daily", "每天（可排除某些星期，如周一除外）"),
    ("monthly_nth", "每月第几个星期几（如每月第一个周六）"),
    ("monthly_last", "每月最后一个星期几"),
    ("lunar", "每年农历节日（如元宵节、中秋节）"),
]
ENDINGS = [("until", "到某日为止"), ("count", "共几次"), ("open", "长期举办（不设结束）")]
#: Most skipped dates one form takes (the workflow allows 500; a form with more is a typing accident).
MAX_SKIPPED = 200
_DATE_SPLIT = re.compile(r"[\s,，、;；]+")


class ChineseMeta:
    """WTForms' own Chinese messages for its built-in checks (no Babel needed)."""

    locales = ("zh",)

    def get_translations(self, form):
        return DefaultMeta.get_translations(self, form)


class CheckboxesField(SelectMultipleField):
    """Several choices as check boxes (large tap targets), e.g. the weekdays of a weekly series."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(FlaskForm):
    """One event or series; `choose(...)` fills the choices the acting user may use."""

    class Meta(ChineseMeta):
        pass

    title = StringField("活动名称", [InputRequired("请填写活动名称"), Length(max=200, message="活动名称最多 200 个字")],
                        render_kw={"maxlength": 200, "autocomplete": "off"})
    edition = SelectField("品牌活动 · 届次", choices=[], description="只列出分配给您镇街的届次；不属于品牌活动时选“无”")
    area = SelectField("所属镇街或村", choices=[])
    venue = SelectField("场馆", choices=[], description="本镇街、本区的场馆；场馆被占用时会提示冲突")
    date = DateField("日期", [InputRequired("请选择日期")], description="只一次：活动当天；重复活动：从这一天起")
    all_day = BooleanField("全天活动（不定具体时间）")
    start_time = TimeField("开始时间", [Optional()], format="%H:%M")
    end_time = TimeField("结束时间", [Optional()], format="%H:%M")
    end_date = DateField("结束日期", [Optional()], description="活动跨天时才填（如连办三天的大集）；一般留空")

    repeat = RadioField("重复", choices=REPEATS, default="once")
    weekdays = CheckboxesField("每周的哪几天", choices=WEEKDAYS)
    except_days = CheckboxesField("每天，但这几天除外", choices=WEEKDAYS)
    # Checked in `validate` only when their repetition is chosen.
    month_nth = SelectField("每月第几个", choices=[("1", "第一个"), ("2", "第二个"), ("3", "第三个"), ("4", "第四个")],
                            default="1", validate_choice=False)
    month_weekday = SelectField("星期几", choices=WEEKDAYS, default="SA", validate_choice=False)
    festival = SelectField("农历节日", choices=[(f, f) for f in FESTIVALS], default="元宵节", validate_choice=False)
    festival_days = IntegerField("每次连续几天", [Optional(), NumberRange(1, 31, "连续天数须在 1–31 之间")], default=1)
    ends = RadioField("到什么时候", choices=ENDINGS, default="until")
    until = DateField("最后一天", [Optional()], description="这一天之后不再举办（含当天）")
    count = IntegerField("一共几次", [Optional(), NumberRange(1, 500, "次数须在 1–500 之间")])
    skip_dates = TextAreaField("跳过这些日期", [Optional(), Length(max=4000)],
                               description="每行一个日期，如 2026-12-12；这些日子不举办",
                               render_kw={"rows": 3, "placeholder": "2026-12-12"})

    description = TextAreaField("活动简介", [Optional(), Length(max=20000, message="简介最多 20000 个字")],
                                render_kw={"rows": 5})
    organiser = StringField("主办单位", [Optional(), Length(max=200)])
    contact = StringField("联系方式", [Optional(), Length(max=200)], description="电话或联系人，会显示在公开页面")
    capacity = IntegerField("可容纳人数", [Optional(), NumberRange(min=0, message="人数不能为负数")],
                            render_kw={"inputmode": "numeric", "min": 0})
    is_free = BooleanField("免费", default=True)
    #: Staff only (removed from the form for coordinators): put the event among the home page's highlights.
    featured = BooleanField("在公众首页推荐", description="推荐的活动显示在首页“本周末与精选活动”中")
    registration_url = StringField("报名链接", [Optional(), Length(max=500)], description="以 https:// 开头；没有可留空",
                                   render_kw={"type": "url", "inputmode": "url", "autocomplete": "off"})
    category = SelectField("类别", choices=list(CATEGORIES.items()), default="other")

    # Only when editing (see `for_edit`): the reason of a change to a published event, and its range.
    edit_scope = RadioField("修改范围", choices=[("all", "整个系列"), ("following", "此场及以后")], default="all")
    occurrence = SelectField("从哪一场起", choices=[], validate_choice=False)
    reason = StringField("变更原因（会显示给公众）", [Optional(), Length(max=500)],
                         description="如：因天气原因改期；已发布的活动必须填写")
    # Staff only: book a taken slot anyway, for a reason that is logged.
    clash_override = StringField("冲突时仍然安排的原因（仅文旅局工作人员）", [Optional(), Length(max=500)],
                                 description="留空则冲突时不保存")

    def choose(self, *, editions, venues, areas, event=None, occurrences=(), staff=False) -> None:
        """Choices from what the actor may use (plus what the edited event already has)."""
        self.edition.choices = [("", "无（不属于品牌活动）")] + [
            (f"e:{e.id}", f"{e.program.name} · {e.name}") for e in editions]
        if event is not None and event.edition_id is None and event.program_id is not None:
            self.edition.choices.insert(1, (f"p:{event.program_id}", f"{event.program.name}（不分届次）"))
        elif event is not None and event.edition_id and f"e:{event.edition_id}" not in dict(self.edition.choices):
            self.edition.choices.insert(1, (f"e:{event.edition_id}", f"{event.edition.program.name} · {event.edition.name}"))
        self.venue.choices = [("", "（无固定场馆 / 待定）")] + [(str(v.id), _venue_label(v)) for v in venues]
        if event is not None and event.venue_id and str(event.venue_id) not in dict(self.venue.choices):
            self.venue.choices.append((str(event.venue_id), _venue_label(event.venue)))
        self.area.choices = [(str(a.id), _area_label(a)) for a in areas]
        self.occurrence.choices = [(str(o.id), f"{_local(o.starts_at, event):%Y-%m-%d %H:%M} 那一场") for o in occurrences]
        if event is not None and (event.rrule or event.lunar_rule or event.rdates) and not self._expressible(event):
            self.repeat.choices = [("keep", f"保持原有规则（{event.lunar_rule or event.rrule or '附加日期'}）")] + REPEATS
        if not staff:
            del self.clash_override
            del self.featured
        if event is None or not event.is_series:
            del self.edit_scope
            del self.occurrence
        if event is None or event.status != "published":
            del self.reason  # only a change the public has seen needs one

    # --- reading an event into the builder -------------------------------------------------------------

    @staticmethod
    def _expressible(event) -> bool:
        return _builder_values(event) is not None

    def load(self, event) -> None:
        """Fill the fields from a stored event (GET of the edit page)."""
        tz = ZoneInfo(event.timezone)
        self.title.data = event.title
        self.edition.data = f"e:{event.edition_id}" if event.edition_id else f"p:{event.program_id}" if event.program_id else ""
        self.area.data = str(event.area_id)
        self.venue.data = str(event.venue_id) if event.venue_id else ""
        self.date.data = event.starts_local.date()
        self.all_day.data = event.is_all_day
        if event.is_all_day:
            last = (event.ends_local - timedelta(days=1)).date()
            self.end_date.data = last if last > event.starts_local.date() else None
        else:
            self.start_time.data = event.starts_local.time()
            self.end_time.data = event.ends_local.time()
            self.end_date.data = event.ends_local.date() if event.ends_local.date() != event.starts_local.date() else None
        values = _builder_values(event, tz)
        if values is None:
            self.repeat.data = "keep"
        else:
            for name, value in values.items():
                getattr(self, name).data = value
        self.skip_dates.data = "\n".join(sorted({s[:10] for s in event.exdates or []}))
        self.description.data = event.description
        self.organiser.data = event.organiser
        self.contact.data = event.contact
        self.capacity.data = event.capacity
        self.is_free.data = event.is_free
        if self.featured is not None:
            self.featured.data = event.is_featured
        self.registration_url.data = event.registration_url
        self.category.data = event.category

    # --- checks that involve several fields ----------------------------------------------------------

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.all_day.data:
            if self.start_time.data is None and not self.start_time.errors:
                self.start_time.errors.append("请填写开始时间（或勾选“全天活动”）")
                ok = False
            if self.end_time.data is None and not self.end_time.errors:
                self.end_time.errors.append("请填写结束时间")
                ok = False
        repeat = self.repeat.data
        if repeat == "weekly" and not self.weekdays.data:
            self.weekdays.errors.append("请至少选一天，如“周六”")
            ok = False
        if repeat in ("monthly_nth", "monthly_last") and self.month_weekday.data not in _WEEKDAY_INDEX:
            self.month_weekday.errors.append("请选择星期几")
            ok = False
        if repeat == "monthly_nth" and self.month_nth.data not in ("1", "2", "3", "4"):
            self.month_nth.errors.append("请选择第几个")
            ok = False
        if repeat == "lunar" and self.festival.data not in FESTIVALS:
            self.festival.errors.append("请选择节日")
            ok = False
        if repeat == "daily" and len(self.except_days.data or []) >= 7:
            self.except_days.errors.append("不能把每一天都排除")
            ok = False
        if repeat not in ("once", "keep"):
            if self.ends.data == "until" and self.until.data is None and not self.until.errors:
                self.until.errors.append("请选择最后一天，或改选“共几次”")
                ok = False
            if self.ends.data == "count" and self.count.data is None and not self.count.errors:
                self.count.errors.append("请填写一共几次")
                ok = False
            if self.ends.data == "until" and self.until.data and self.date.data and self.until.data < self.date.data:
                self.until.errors.append("最后一天不能早于开始日期")
                ok = False
        try:
            self.skipped()
        except ValueError as exc:
            self.skip_dates.errors.append(str(exc))
            ok = False
        return ok

    def skipped(self) -> list[date]:
        """The dates in 跳过这些日期 (ValueError with a Chinese message for one that is not a date)."""
        text = (self.skip_dates.data or "").strip()
        days = set()
        for word in _DATE_SPLIT.split(text) if text else []:
            value = word.replace("/", "-").replace(".", "-")
            try:
                days.add(date.fromisoformat(value) if len(value) == 10 else _loose_date(value))
            except ValueError:
                raise ValueError(f"无法识别的日期：{word[:20]}（请写成 2026-12-12 这样）") from None
        if len(days) > MAX_SKIPPED:
            raise ValueError(f"跳过的日期最多 {MAX_SKIPPED} 个")
        return sorted(days)

    # --- the payload for workflow.event_data ---------------------------------------------------------------

    def first_day(self) -> date:
        """The first date the series really has: the chosen date, moved forward onto the rule's first day."""
        return first_matching_day(self.repeat.data, self.date.data, weekdays=self.weekdays.data or [],
                                  except_days=self.except_days.data or [], nth=self.month_nth.data,
                                  weekday=self.month_weekday.data, festival=self.festival.data)

    def payload(self, *, editing: bool = False) -> dict:
        """The API-shaped dict `workflow.event_data` takes (call after `validate()`)."""
        first = self.first_day() if self.repeat.data != "keep" else self.date.data
        last = self.end_date.data if self.end_date.data and self.end_date.data > first else first
        if self.all_day.data:
            starts, ends = first.isoformat(), (last + timedelta(days=1)).isoformat()
            skip_time = ""
        else:
            starts = f"{first.isoformat()}T{self.start_time.data:%H:%M}"
            ends = f"{last.isoformat()}T{self.end_time.data:%H:%M}"
            skip_time = f"T{self.start_time.data:%H:%M}"
        choice = self.edition.data or ""
        payload = {
            "title": self.title.data or "",
            "area": int(self.area.data) if (self.area.data or "").isdigit() else None,
            "venue": int(self.venue.data) if (self.venue.data or "").isdigit() else None,
            "starts_local": starts,
            "ends_local": ends,
            "all_day": bool(self.all_day.data),
            "exdates": [f"{d.isoformat()}{skip_time}" for d in self.skipped()],
            "description": self.description.data or None,
            "organiser": self.organiser.data or None,
            "contact": self.contact.data or None,
            "capacity": self.capacity.data,
            "is_free": bool(self.is_free.data),
            "registration_url": (self.registration_url.data or "").strip() or None,
            "category": self.category.data or "other",
        }
        if choice.startswith("e:") and choice[2:].isdigit():
            payload["edition"] = int(choice[2:])
        elif choice.startswith("p:") and choice[2:].isdigit():
            payload.update(program=int(choice[2:]), edition=None)
        else:
            payload.update(program=None, edition=None)
        if self.repeat.data != "keep":
            rrule, lunar_rule = self.rule()
            payload.update(rrule=rrule, lunar_rule=lunar_rule)
            if self.repeat.data == "once":
                payload["rdates"] = []
        return payload

    def rule(self) -> tuple[str | None, str | None]:
        """(rrule, lunar_rule) of the builder's choices."""
        repeat = self.repeat.data
        if repeat == "once":
            return None, None
        count = self.count.data if self.ends.data == "count" else None
        until = self.until.data if self.ends.data == "until" else None
        if repeat == "lunar":
            rule = LunarRule(festival=self.festival.data, span_days=self.festival_days.data or 1, until=until,
                             count=count)
            return None, format_lunar_rule(rule)
        if repeat == "weekly":
            parts = ["FREQ=WEEKLY", "BYDAY=" + ",".join(_in_week_order(self.weekdays.data))]
        elif repeat == "daily":
            excluded = set(self.except_days.data or [])
            parts = ["FREQ=DAILY"] if not excluded else \
                ["FREQ=WEEKLY", "BYDAY=" + ",".join(c for c, _ in WEEKDAYS if c not in excluded)]
        elif repeat == "monthly_nth":
            parts = ["FREQ=MONTHLY", f"BYDAY={int(self.month_nth.data)}{self.month_weekday.data}"]
        else:  # monthly_last
            parts = ["FREQ=MONTHLY", f"BYDAY=-1{self.month_weekday.data}"]
        if count is not None:
            parts.append(f"COUNT={count}")
        elif until is not None:
            parts.append(f"UNTIL={until:%Y%m%d}")
        return ";".join(parts), None


# Which form field a workflow error belongs to (ValidationError.field / ScopeError.field -> field name).
ERROR_FIELDS = {
    "title": "title", "description": "description", "organiser": "organiser", "contact": "contact",
    "starts_local": "date", "start": "date", "ends_local": "end_time", "end": "end_time",
    "venue": "venue", "venue_id": "venue", "area": "area", "area_id": "area",
    "edition": "edition", "edition_id": "edition", "program": "edition", "program_id": "edition",
    "rrule": "repeat", "lunar": "repeat", "lunar_rule": "repeat", "rdates": "repeat", "tzid": "date",
    "timezone": "date", "exdates": "skip_dates", "capacity": "capacity", "registration_url": "registration_url",
    "category": "category", "reason": "reason", "clash_override": "clash_override",
    "occurrence": "occurrence", "occurrence_id": "occurrence",
}


def _in_week_order(codes) -> list[str]:
    return sorted(set(codes), key=_WEEKDAY_INDEX.__getitem__)


def _loose_date(text: str) -> date:
    """2026-1-5 as well as 2026-01-05."""
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    return date(int(parts[0]), int(parts[1]), int(parts[2]))


def _venue_label(venue) -> str:
    shared = "" if venue.is_exclusive else "（可同时举办多场）"
    return f"{venue.name}（{venue.area.name}）{shared}"


def _area_label(area) -> str:
    return ("\u3000" if area.kind == "village" else "") + area.name


def _local(instant: datetime, event) -> datetime:
    return instant.astimezone(ZoneInfo(event.timezone if event is not None else "Asia/Shanghai"))


def first_matching_day(repeat: str, start: date, *, weekdays=(), except_days=(), nth="1", weekday="SA",
                       festival=None) -> date:
    """The first date on or after `start` that the chosen repetition falls on (start itself when it does).

    A coordinator picks "every Saturday from 5 December"; if 5 December is a Friday, the series begins on
    the 6th, instead of RFC 5545's rule that the first date always counts.
    """
    if repeat == "weekly" and weekdays:
        wanted = {_WEEKDAY_INDEX[c] for c in weekdays}
        return next(start + timedelta(days=i) for i in range(7) if (start + timedelta(days=i)).weekday() in wanted)
    if repeat == "daily":
        excluded = {_WEEKDAY_INDEX[c] for c in except_days or ()}
        if len(excluded) < 7:
            return next(start + timedelta(days=i) for i in range(7)
                        if (start + timedelta(days=i)).weekday() not in excluded)
    if repeat in ("monthly_nth", "monthly_last"):
        target = _WEEKDAY_INDEX.get(weekday, 5)
        for i in range(0, 70):
            day = start + timedelta(days=i)
            if day.weekday() != target:
                continue
            if repeat == "monthly_nth" and (day.day - 1) // 7 + 1 == int(nth or 1):
                return day
            if repeat == "monthly_last" and (day + timedelta(days=7)).month != day.month:
                return day
    if repeat == "lunar" and festival:
        try:
            dates = [festival_date(festival, y) for y in (start.year - 1, start.year, start.year + 1)]
        except LunarDateError:
            return start
        later = [d for d in dates if d >= start]
        if later:
            return min(later)
    return start


def _builder_values(event, tz: ZoneInfo | None = None) -> dict | None:
    """The builder's field values for the event's rule, or None when the builder cannot express it."""
    tz = tz or ZoneInfo(event.timezone)
    if event.rdates:
        return None
    if event.lunar_rule:
        try:
            rule = parse_lunar_rule(event.lunar_rule)
        except RecurrenceError:
            return None
        if rule.festival is None or rule.missing != "error":
            return None
        return {"repeat": "lunar", "festival": rule.festival, "festival_days": rule.span_days,
                **_ending(rule.until, rule.count)}
    if not event.rrule:
        return {"repeat": "once"}
    try:
        rule = parse_rrule_parts(event.rrule)
    except RecurrenceError:
        return None
    if rule.interval != 1 or rule.bymonth or rule.bymonthday or rule.bysetpos:
        return None
    until = rule.until
    if isinstance(until, datetime):
        until = (until.astimezone(tz) if until.tzinfo else until.replace(tzinfo=tz)).date()
    ending = _ending(until, rule.count)
    days = [code for n, code in rule.byday if n is None]
    if rule.freq == "DAILY" and not rule.byday:
        return {"repeat": "daily", "except_days": [], **ending}
    if rule.freq == "WEEKLY" and rule.byday and len(days) == len(rule.byday):
        if len(days) >= 5:
            return {"repeat": "daily", "except_days": [c for c, _ in WEEKDAYS if c not in days], **ending}
        return {"repeat": "weekly", "weekdays": _in_week_order(days), **ending}
    if rule.freq == "MONTHLY" and len(rule.byday) == 1 and rule.byday[0][0] is not None:
        n, code = rule.byday[0]
        if 1 <= n <= 4:
            return {"repeat": "monthly_nth", "month_nth": str(n), "month_weekday": code, **ending}
        if n == -1:
            return {"repeat": "monthly_last", "month_weekday": code, **ending}
    return None


def describe_repeat(event) -> str:
    """The event's repetition in the coordinator's words: 每周六，到 2027年1月31日为止；跳过 1 天."""
    values = _builder_values(event)
    if values is None:
        text = f"其他规则（{event.lunar_rule or event.rrule or '附加日期'}）"
    else:
        labels = dict(WEEKDAYS)
        repeat = values["repeat"]
        if repeat == "once":
            return "只一次"
        if repeat == "weekly":
            text = "每" + "、".join(labels[c] for c in values["weekdays"])
        elif repeat == "daily":
            excepted = values["except_days"]
            text = "每天" + (f"（{'、'.join(labels[c] for c in excepted)}除外）" if excepted else "")
        elif repeat == "monthly_nth":
            text = f"每月第{'一二三四'[int(values['month_nth']) - 1]}个{labels[values['month_weekday']]}"
        elif repeat == "monthly_last":
            text = f"每月最后一个{labels[values['month_weekday']]}"
        else:
            days = values["festival_days"]
            text = f"每年{values['festival']}" + (f"起连续 {days} 天" if days > 1 else "")
        if values["ends"] == "until":
            until = values["until"]
            text += f"，到 {until.year}年{until.month}月{until.day}日为止"
        elif values["ends"] == "count":
            text += f"，共 {values['count']} 次"
        else:
            text += "，长期举办"
    if event.exdates:
        text += f"；跳过 {len(event.exdates)} 天"
    return text


def _ending(until, count) -> dict:
    if count is not None:
        return {"ends": "count", "count": count}
    if until is not None:
        return {"ends": "until", "until": until}
    return {"ends": "open"}


# --- the small forms of the event page and the dashboard ------------------------------------------------------

class ActionForm(FlaskForm):
    """A button that needs nothing but its CSRF token (提交审核, 发布)."""

    class Meta(ChineseMeta):
        pass


class ReasonForm(FlaskForm):
    """取消活动: the reason is shown to the public."""

    class Meta(ChineseMeta):
        pass

    reason = StringField("取消原因（会显示给公众）", [InputRequired("请填写取消原因"), Length(max=500)],
                         render_kw={"placeholder": "如：因天气原因取消"})


class ReturnForm(FlaskForm):
    """退回: the reviewer's comment goes back to the coordinator."""

    class Meta(ChineseMeta):
        pass

    comment = TextAreaField("退回意见", [InputRequired("请填写退回意见，告诉协调员要改什么"), Length(max=1000)],
                            render_kw={"rows": 3})


class OccurrenceForm(FlaskForm):
    """One occurrence: 改期, 换场地, 取消本场 or 恢复, with the reason."""

    class Meta(ChineseMeta):
        pass

    action = RadioField("要做什么", choices=[("move", "改期"), ("venue", "换场地"), ("cancel", "取消本场"),
                                         ("restore", "恢复")], default="move")
    date = DateField("新日期", [Optional()])
    start_time = TimeField("新开始时间", [Optional()], format="%H:%M")
    end_time = TimeField("新结束时间", [Optional()], format="%H:%M")
    venue = SelectField("新场馆", choices=[], validate_choice=False)  # checked in validate() when it matters
    reason = StringField("原因（会显示给公众）", [Optional(), Length(max=500)], render_kw={"placeholder": "如：因降雨改期"})

    def payload(self, occurrence, tz: ZoneInfo) -> dict:
        """The dict `workflow.change_occurrence` takes."""
        action = self.action.data
        payload: dict = {"reason": self.reason.data or None}
        if action == "cancel":
            payload["status"] = "cancelled"
        elif action == "restore":
            payload["status"] = "scheduled"
        elif action == "venue":
            payload["venue"] = int(self.venue.data) if (self.venue.data or "").isdigit() else None
        else:
            start = occurrence.starts_at.astimezone(tz)
            end = occurrence.ends_at.astimezone(tz)
            day = self.date.data or start.date()
            new_start = datetime.combine(day, self.start_time.data or start.time())
            new_end = datetime.combine(day + (end.date() - start.date()), self.end_time.data or end.time())
            payload.update(starts_local=new_start.isoformat(timespec="minutes"),
                           ends_local=new_end.isoformat(timespec="minutes"))
        return payload

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.action.data == "venue" and self.venue.data not in {v for v, _ in self.venue.choices if v}:
            self.venue.errors.append("请选择新场馆")
            ok = False
        if self.action.data == "move" and not (self.date.data or self.start_time.data or self.end_time.data):
            self.date.errors.append("请填写新的日期或时间")
            ok = False
        return ok


class AttendanceForm(FlaskForm):
    """人次 of one held occurrence, with an optional note."""

    class Meta(ChineseMeta):
        pass

    attendance = IntegerField("人次", [InputRequired("请填写人次"), NumberRange(0, 10_000_000, "人次须在 0–10000000 之间")],
                              render_kw={"inputmode": "numeric", "min": 0})
    note = StringField("备注（可不填）", [Optional(), Length(max=500)])


__all__ = ["ERROR_FIELDS", "ActionForm", "AttendanceForm", "EventForm", "OccurrenceForm", "ReasonForm", "ReturnForm",
           "describe_repeat", "first_matching_day"]
