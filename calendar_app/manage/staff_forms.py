"""Forms of the bureau staff's pages (Flask-WTF: each carries a CSRF token; messages in Chinese).

Choices that depend on who is asking (areas of the scope, roles a staff member may grant, a town's
coordinators) are filled in by the view; WTForms then refuses any value outside them.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField, IntegerField, PasswordField,
                     SelectField, SelectMultipleField, StringField, TextAreaField, TimeField)
from wtforms.fields import ColorField
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.validators import ValidationError as FieldError
from wtforms.widgets import CheckboxInput, ListWidget

from calendar_app.programs.models import CATEGORIES
from calendar_app.venues.models import DEFAULT_CHANGEOVER_MINUTES, VENUE_KINDS, WEEKDAY_LABELS


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class _ChineseMeta(DefaultMeta):
    """WTForms' own messages ("不是有效的整数") in Chinese, without Flask-Babel."""

    locales = ["zh"]


class StaffForm(FlaskForm):
    class Meta:
        locales = ["zh"]

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


class SubForm(Form):
    """A row inside a FieldList (the CSRF token belongs to the outer form)."""

    Meta = _ChineseMeta


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes (thumb-friendly on a phone, unlike a multi-select box)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# --- review queue --------------------------------------------------------------------------------------------

class ReturnForm(StaffForm):
    comment = TextAreaField("退回意见", validators=[DataRequired("请填写退回意见，协调员会在工作台看到"),
                                                Length(max=1000, message="退回意见最多 1000 个字")],
                            description="说明需要修改什么，例如“请补充演出剧目和联系人”",
                            render_kw={"rows": 3})


# --- programs and editions -----------------------------------------------------------------------------------

class ProgramForm(StaffForm):
    name = StringField("品牌名称", validators=[DataRequired("请填写品牌名称"), Length(max=100)],
                       description="例如：四季村晚、临淄之夏")
    slug = StringField("网址名", validators=[DataRequired("请填写网址名"),
                                          Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$",
                                                 message="网址名只能包含小写字母、数字和连字符，以字母或数字开头")],
                       description="用于网页和订阅链接，例如 linzi-summer；发布后修改会使旧的订阅链接失效",
                       render_kw={"autocapitalize": "none", "spellcheck": "false"})
    area = SelectField("主办区域", coerce=int, invalid_choice_message="所选区域不在您的管辖范围内")
    category = SelectField("类别", choices=list(CATEGORIES.items()))
    colour = ColorField("品牌颜色", default="#b22222", validators=[DataRequired("请选择颜色")],
                        description="网页和日历中显示的颜色")
    description = TextAreaField("简介", validators=[Optional(), Length(max=5000)], render_kw={"rows": 4})


class EditionForm(StaffForm):
    name = StringField("届次名称", validators=[DataRequired("请填写届次名称"), Length(max=100)],
                       description="例如：2026 秋季村晚、第三届洞庭渔火季")
    starts_on = DateField("开始日期", validators=[DataRequired("请填写开始日期")])
    ends_on = DateField("结束日期", validators=[DataRequired("请填写结束日期")])
    theme = StringField("主题", validators=[Optional(), Length(max=100)], description="例如：蝶舞洞庭（可留空）")
    theme_colour = StringField("主题颜色", validators=[Optional(), Regexp(r"^#[0-9a-fA-F]{6}$",
                                                                      message="颜色应为 #RRGGBB 格式，例如 #2e7d32")],
                               description="#RRGGBB，例如春季绿 #2e7d32（可留空）",
                               render_kw={"placeholder": "#2e7d32", "autocapitalize": "none"})
    target_events = IntegerField("目标场次", validators=[Optional(), NumberRange(min=0, message="场次不能为负数")],
                                 render_kw={"inputmode": "numeric", "min": 0})
    target_attendance = IntegerField("目标人次", validators=[Optional(), NumberRange(min=0, message="人次不能为负数")],
                                     render_kw={"inputmode": "numeric", "min": 0})
    is_featured = BooleanField("在公众首页推荐本届活动",
                               description="本届的活动显示在首页“本周末与精选活动”中（开幕、闭幕和专场不勾选也会显示）")

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise FieldError("结束日期不能早于开始日期")


# --- quotas per town -----------------------------------------------------------------------------------------

class QuotaRowForm(SubForm):
    area_id = HiddenField()
    target_events = IntegerField("目标场次", validators=[Optional(), NumberRange(min=0, message="场次不能为负数")],
                                 render_kw={"inputmode": "numeric", "min": 0})
    target_attendance = IntegerField("目标人次", validators=[Optional(), NumberRange(min=0, message="人次不能为负数")],
                                     render_kw={"inputmode": "numeric", "min": 0})
    due_on = DateField("截止日期", validators=[Optional()])
    coordinators = CheckboxListField("负责的协调员", coerce=int, validate_choice=True,
                                     invalid_choice_message="只能选择该镇街的协调员，请刷新页面后重新选择")


class QuotasForm(StaffForm):
    rows = FieldList(FormField(QuotaRowForm))


# --- venues --------------------------------------------------------------------------------------------------

SHARING_CHOICES = [
    ("auto", "按场馆类型（街区、景区可同时多场，其他独占）"),
    ("exclusive", "独占：同一时段只能安排一场"),
    ("shared", "共享：同一时段可安排多场"),
]


class HoursRowForm(SubForm):
    weekday = SelectField("星期", choices=[("", "—")] + [(str(i), d) for i, d in enumerate(WEEKDAY_LABELS)],
                          validators=[Optional()])
    opens_at = TimeField("开门", validators=[Optional()])
    closes_at = TimeField("关门", validators=[Optional()])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.weekday.data:
            if self.opens_at.data is None:
                self.opens_at.errors.append("请填写开门时间")
                ok = False
            if self.closes_at.data is None:
                self.closes_at.errors.append("请填写关门时间")
                ok = False
            if ok and self.opens_at.data == self.closes_at.data:
                self.closes_at.errors.append("关门时间不能与开门时间相同")
                ok = False
        elif self.opens_at.data or self.closes_at.data:
            self.weekday.errors.append("请选择星期")
            ok = False
        return ok


class VenueForm(StaffForm):
    name = StringField("场馆名称", validators=[DataRequired("请填写场馆名称"), Length(max=120)])
    area = SelectField("所在区域", coerce=int, invalid_choice_message="所选区域不在您的管辖范围内")
    kind = SelectField("类型", choices=list(VENUE_KINDS.items()))
    address = StringField("地址", validators=[Optional(), Length(max=255)])
    capacity = IntegerField("容量（人）", validators=[Optional(), NumberRange(0, 1_000_000, "容量须在 0 到 1,000,000 之间")],
                            render_kw={"inputmode": "numeric", "min": 0})
    latitude = StringField("纬度", validators=[Optional()], description="例如 36.8167（可留空）",
                           render_kw={"inputmode": "decimal"})
    longitude = StringField("经度", validators=[Optional()], description="例如 118.3090（可留空）",
                            render_kw={"inputmode": "decimal"})
    is_indoor = BooleanField("室内场馆（不受天气影响）")
    is_active = BooleanField("启用（可被预订）", default=True)
    sharing = SelectField("场地占用", choices=SHARING_CHOICES, default="auto")
    changeover_minutes = IntegerField(
        "换场时间（分钟）", default=DEFAULT_CHANGEOVER_MINUTES,
        validators=[InputRequired("请填写换场时间（不需要时填 0）"),
                    NumberRange(0, 1440, "换场时间须在 0 到 1440 分钟之间")],
        description="每场活动结束后留出布置和清场的时间，期间不能安排下一场",
        render_kw={"inputmode": "numeric", "min": 0, "max": 1440})
    hours = FieldList(FormField(HoursRowForm), label="每周开放时间")
    override_reason = TextAreaField(
        "仍要保存的原因", validators=[Optional(), Length(max=500)],
        description="改动会使已排期的活动相互冲突时才需要：填写后冲突的场次可以共用场地，并记入操作日志",
        render_kw={"rows": 2})

    def _coordinate(self, field, low, high, label):
        text = (field.data or "").strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            field.errors.append(f"{label}应为数字，例如 36.8167")
            return False
        if not low <= value <= high:
            field.errors.append(f"{label}须在 {low} 到 {high} 之间")
            return False
        return value

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field, low, high, label in ((self.latitude, -90, 90, "纬度"), (self.longitude, -180, 180, "经度")):
            if self._coordinate(field, low, high, label) is False:
                ok = False
        seen = set()
        for row in self.hours:
            key = (row.weekday.data, row.opens_at.data)
            if row.weekday.data and row.opens_at.data:
                if key in seen:
                    row.opens_at.errors.append("同一天已有一个同时开门的时段")
                    ok = False
                seen.add(key)
        return ok

    @property
    def latitude_value(self):
        return self._coordinate(self.latitude, -90, 90, "纬度")

    @property
    def longitude_value(self):
        return self._coordinate(self.longitude, -180, 180, "经度")

    def opening_hours(self) -> dict[int, list[tuple[str, str]]]:
        hours: dict[int, list[tuple[str, str]]] = {}
        for row in self.hours:
            if row.weekday.data:
                hours.setdefault(int(row.weekday.data), []).append(
                    (row.opens_at.data.strftime("%H:%M"), row.closes_at.data.strftime("%H:%M")))
        return hours


# --- users ---------------------------------------------------------------------------------------------------

_PASSWORD_HELP = "至少 12 个字符；可以用一句好记的话，不必混合符号。请当面或电话告知本人，并请其登录后修改"


class UserCreateForm(StaffForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"),
                                              Regexp(r"^[A-Za-z0-9_.-]{3,64}$",
                                                     message="用户名须为 3–64 位字母、数字、下划线、点或连字符")],
                           description="登录用，例如 jinshan_coord", render_kw={"autocapitalize": "none",
                                                                           "autocomplete": "off",
                                                                           "spellcheck": "false"})
    display_name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=100)])
    email = StringField("电子邮箱", validators=[Length(max=254, message="电子邮箱地址最长 254 个字符")],
                        description="每周工作摘要发到这里；本人也可在“账户设置”中修改",
                        render_kw={"autocomplete": "off", "inputmode": "email", "autocapitalize": "none"})
    role = SelectField("角色", invalid_choice_message="您不能授予这个角色")
    area = SelectField("所属区域", coerce=int, description="协调员属于镇街；文旅局工作人员属于区县",
                       invalid_choice_message="所选区域不在您的管辖范围内")
    password = PasswordField("初始密码", validators=[DataRequired("请设置初始密码")], description=_PASSWORD_HELP,
                             render_kw={"autocomplete": "new-password"})


class UserEditForm(StaffForm):
    display_name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=100)])
    email = StringField("电子邮箱", validators=[Length(max=254, message="电子邮箱地址最长 254 个字符")],
                        description="每周工作摘要发到这里；本人也可在“账户设置”中修改",
                        render_kw={"autocomplete": "off", "inputmode": "email", "autocapitalize": "none"})
    role = SelectField("角色", invalid_choice_message="您不能授予这个角色")
    area = SelectField("所属区域", coerce=int, description="修改角色或区域后，该用户需要重新登录",
                       invalid_choice_message="所选区域不在您的管辖范围内")
    is_active = BooleanField("启用账号", description="停用后该用户不能登录，API 令牌和私人订阅链接同时失效")


class PasswordResetForm(StaffForm):
    password = PasswordField("新密码", validators=[DataRequired("请输入新密码")], description=_PASSWORD_HELP,
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("再次输入新密码", validators=[DataRequired("请再次输入新密码"),
                                                     EqualTo("password", "两次输入的新密码不一致")],
                            render_kw={"autocomplete": "new-password"})


class ApiTokenForm(StaffForm):
    name = StringField("令牌用途", validators=[Optional(), Length(max=100)],
                       description="例如：游在临淄小程序（便于以后辨认）")
    expires_in_days = IntegerField("有效期（天）", default=365,
                                   validators=[Optional(), NumberRange(1, 3660, "有效期须在 1 到 3660 天之间")],
                                   description="留空表示长期有效（不建议）", render_kw={"inputmode": "numeric"})


# --- audit log -----------------------------------------------------------------------------------------------

class AuditFilterForm(Form):
    """GET filters: no CSRF (reading only), Chinese messages."""

    Meta = _ChineseMeta

    user = SelectField("操作人", coerce=_int_or_none, validators=[Optional()])
    action = SelectField("操作", validators=[Optional()])
    entity_type = SelectField("对象类型", validators=[Optional()])
    entity_id = IntegerField("对象编号", validators=[Optional(), NumberRange(1, 2**31 - 1, "编号无效")],
                             render_kw={"inputmode": "numeric"})
    date_from = DateField("从", validators=[Optional()])
    date_to = DateField("到", validators=[Optional()])


class VenueFilterForm(Form):
    Meta = _ChineseMeta

    q = StringField("名称", validators=[Optional(), Length(max=50)], render_kw={"type": "search",
                                                                            "placeholder": "例如：书房"})
    kind = SelectField("类型", choices=[("", "全部类型")] + list(VENUE_KINDS.items()), validators=[Optional()])


class UserFilterForm(Form):
    Meta = _ChineseMeta

    q = StringField("用户名或姓名", validators=[Optional(), Length(max=50)], render_kw={"type": "search"})
    role = SelectField("角色", validators=[Optional()])
