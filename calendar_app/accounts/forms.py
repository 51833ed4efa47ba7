"""Sign-in, password and user forms (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from calendar_app.accounts.models import ROLES


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码")],
                                 description="至少 12 个字符；可以用一句好记的话，不必混合符号",
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("再次输入新密码", validators=[DataRequired("请再次输入新密码"),
                                                     EqualTo("new_password", "两次输入的新密码不一致")],
                            render_kw={"autocomplete": "new-password"})


class AccountSettingsForm(FlaskForm):
    email = StringField("电子邮箱", validators=[Length(max=254, message="电子邮箱地址最长 254 个字符")],
                        description="用于接收每周工作摘要；不填写则收不到",
                        render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none"})
    weekly_digest = BooleanField("每周一早上 8 点发邮件给我本周工作摘要")


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(3, 64, "用户名须为 3–64 个字符")])
    display_name = StringField("姓名", validators=[DataRequired("请输入姓名"), Length(max=100)])
    role = SelectField("角色", choices=list(ROLES.items()))
    area = SelectField("所属区域", coerce=int)
    password = PasswordField("初始密码", description="至少 12 个字符；请当面或电话告知本人，首次登录后修改",
                             render_kw={"autocomplete": "new-password"})
    is_active = BooleanField("启用", default=True)
