"""Signing in and out, changing a password, throttling and CSRF on the account forms."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from calendar_app.accounts.models import User
from tests.workflow.conftest import PASSWORD


def _login(client, username="jinshan_coord", password=PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def _csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_a_coordinator_signs_in_and_lands_on_their_dashboard(client, world):
    response = _login(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/")
    page = client.get("/manage/")
    assert page.status_code == 200 and "金山镇" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_a_wrong_password_is_refused_with_a_chinese_message_and_no_session(client, world):
    response = _login(client, password="not the password at all")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/manage/").status_code == 302


def test_an_unknown_user_and_a_deactivated_user_are_refused_alike(client, db, world):
    world.users["coord"].is_active_user = False
    db.session.commit()
    assert _login(client).status_code == 401
    assert _login(client, username="nobody_here").status_code == 401


def test_pages_need_a_sign_in_and_come_back_after_it(client, world):
    response = client.get("/manage/")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    assert _login(client, query_string={"next": "/manage/"}).headers["Location"].endswith("/manage/")


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "/%5Cevil"])
def test_the_next_parameter_never_leaves_the_site(client, world, target):
    location = _login(client, query_string={"next": target}).headers["Location"]
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost") and not location.startswith("//") and "\\" not in location


def test_five_failed_sign_ins_lock_the_account_for_a_while_with_429(client, world):
    for _ in range(5):
        assert _login(client, password="wrong password 123").status_code == 401
    throttled = _login(client)  # even the right password now waits
    assert throttled.status_code == 429
    assert "登录尝试次数过多" in throttled.get_data(as_text=True)
    assert _login(client, username="jixia_coord").status_code == 302  # other accounts are unaffected


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(client, world):
    statuses = [_login(client, username=f"guess{i:02d}", password="wrong password 123").status_code for i in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, client, world):
    _login(client)
    stolen = app.test_client()
    stolen.set_cookie("session", client.get_cookie("session").value)
    assert stolen.get("/manage/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/manage/").status_code == 302
    assert stolen.get("/manage/").status_code == 302  # the session version moved on


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, world):
    _login(client)
    other = app.test_client()
    _login(other)
    weak = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "123456789012",
                                                   "confirm": "123456789012"})
    assert "太常见" in weak.get_data(as_text=True)
    wrong = client.post("/account/password", data={"current_password": "nope", "new_password": "晚风吹过齐国故城的城墙和牛山",
                                                    "confirm": "晚风吹过齐国故城的城墙和牛山"})
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    done = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "晚风吹过齐国故城的城墙和牛山",
                                                   "confirm": "晚风吹过齐国故城的城墙和牛山"})
    assert done.status_code == 302
    assert client.get("/manage/").status_code == 200
    assert other.get("/manage/").status_code == 302
    assert _login(app.test_client(), password="晚风吹过齐国故城的城墙和牛山").status_code == 302


@pytest.mark.parametrize("path,data", [
    ("/login", {"username": "jinshan_coord", "password": PASSWORD}),
    ("/logout", {}),
    ("/account/password", {"current_password": PASSWORD, "new_password": "晚风吹过齐国故城的城墙和牛山",
                           "confirm": "晚风吹过齐国故城的城墙和牛山"}),
])
def test_every_account_form_refuses_a_post_without_its_csrf_token(app, client, db, world, csrf_on, path, data):
    if path != "/login":
        token = _csrf(client, "/login")
        signed_in = client.post("/login", data={"username": "jinshan_coord", "password": PASSWORD, "csrf_token": token})
        assert signed_in.status_code == 302
    version = db.session.scalar(select(User.session_version).where(User.username == "jinshan_coord"))
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(User.session_version).where(User.username == "jinshan_coord")) == version


def test_the_login_form_works_with_its_csrf_token(client, world, csrf_on):
    token = _csrf(client, "/login")
    assert client.post("/login", data={"username": "jinshan_coord", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
