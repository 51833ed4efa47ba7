"""Public subscription forms (CSRF through Flask-WTF)."""
from __future__ import annotations

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


def _lead_choices():
    return [(str(m), label) for m, label in LEAD_CHOICES.items()]


class SubscribeForm(FlaskForm):
    target_type = HiddenField()
    target_id = HiddenField()
    channel = RadioField("接收方式", choices=[("sms", "短信"), ("email", "电子邮件")], default="sms",
                         validators=[DataRequired("请选择接收方式")])
    address = StringField("手机号码或电子邮箱", validators=[DataRequired("请填写手机号码或电子邮箱"), Length(max=254)],
                          render_kw={"autocomplete": "on", "inputmode": "email"})
    leads = _Checkboxes("提前提醒", choices=_lead_choices(), default=[str(m) for m in DEFAULT_LEADS])
    changes = BooleanField("时间、地点变更或取消时通知我", default=True)


class CodeForm(FlaskForm):
    subscription = HiddenField()
    code = StringField("短信验证码", validators=[DataRequired("请填写短信验证码"), Length(max=6)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6})


class PreferencesForm(FlaskForm):
    leads = _Checkboxes("提前提醒", choices=_lead_choices())
    changes = BooleanField("时间、地点变更或取消时通知我")


class CancelForm(FlaskForm):
    pass
