"""Public subscription forms (CSRF through Flask-WTF), labelled in the page's language (lazy_gettext)."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import format_timedelta, get_locale, gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from calendar_app.notifications.services import DEFAULT_LEADS, LEAD_CHOICES


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        # Unknown values are refused by the service with a Chinese message; no English default here.
        pass


def lead_label(minutes: int) -> str:
    """提前一天 as the service names it; in English the duration as Babel writes it: "1 day before"."""
    if get_locale().language == "zh":
        return LEAD_CHOICES[minutes]
    return gettext("提前%(duration)s", duration=format_timedelta(timedelta(minutes=minutes)))


def _lead_choices():
    return [(str(m), LazyString(lead_label, m)) for m in LEAD_CHOICES]


CHANNEL_LABEL = lazy_gettext("接收方式")
LEADS_LABEL = lazy_gettext("提前提醒")
CHANGES_LABEL = lazy_gettext("时间、地点变更或取消时通知我")


class SubscribeForm(FlaskForm):
    target_type = HiddenField()
    target_id = HiddenField()
    channel = RadioField(CHANNEL_LABEL, choices=[("sms", lazy_gettext("短信")), ("email", lazy_gettext("电子邮件"))],
                         default="sms", validators=[DataRequired(lazy_gettext("请选择接收方式"))])
    address = StringField(lazy_gettext("手机号码或电子邮箱"),
                          validators=[DataRequired(lazy_gettext("请填写手机号码或电子邮箱")), Length(max=254)],
                          render_kw={"autocomplete": "on", "inputmode": "email"})
    leads = _Checkboxes(LEADS_LABEL, choices=_lead_choices(), default=[str(m) for m in DEFAULT_LEADS])
    changes = BooleanField(CHANGES_LABEL, default=True)


class CodeForm(FlaskForm):
    subscription = HiddenField()
    code = StringField(lazy_gettext("短信验证码"), validators=[DataRequired(lazy_gettext("请填写短信验证码")), Length(max=6)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6})


class PreferencesForm(FlaskForm):
    leads = _Checkboxes(LEADS_LABEL, choices=_lead_choices())
    changes = BooleanField(CHANGES_LABEL)


class CancelForm(FlaskForm):
    pass
