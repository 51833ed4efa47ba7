"""`flask users ...` and API tokens: created, listed, revoked, masked in logs, dead with their user."""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from sqlalchemy import select

from calendar_app.accounts.models import ApiToken, User
from calendar_app.logs import SecretMaskingFilter
from tests.world import NOW


def _cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_users_create_reads_the_password_from_stdin_and_lists_one_line_per_user(app, world):
    created = _cli(app, "users", "create", "fengling_coord", "--role", "coordinator", "--area", "370305004",
                   "--display-name", "稷下街道 赵协调员", "--password-stdin", input="齐都的风吹过稷下学宫的长廊\n")
    assert created.exit_code == 0, created.output
    assert "已创建用户 fengling_coord" in created.output
    lines = _cli(app, "users", "list").output.splitlines()
    assert "fengling_coord\tcoordinator\t370305004 稷下街道\tactive" in lines
    assert len(lines) == 6


def test_users_create_refuses_a_weak_password_and_a_coordinator_above_a_town(app, world):
    weak = _cli(app, "users", "create", "x_coord", "--role", "coordinator", "--area", "370305004",
                "--password-stdin", input="demo-coord-2026\n")
    assert weak.exit_code != 0 and "密码" in weak.output
    wrong_area = _cli(app, "users", "create", "y_coord", "--role", "coordinator", "--area", "370305",
                      "--password-stdin", input="齐都的风吹过稷下学宫的长廊\n")
    assert wrong_area.exit_code != 0 and "镇街" in wrong_area.output
    unknown_area = _cli(app, "users", "create", "z_coord", "--role", "coordinator", "--area", "nowhere",
                        "--password-stdin", input="齐都的风吹过稷下学宫的长廊\n")
    assert unknown_area.exit_code != 0 and "区域不存在" in unknown_area.output


def test_users_token_prints_a_working_token_as_its_last_word_and_stores_only_a_digest(app, client, db, world):
    result = _cli(app, "users", "token", "jinshan_coord", "--name", "游在临淄小程序")
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1].split()[-1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json["username"] == "jinshan_coord"
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert hashlib.sha256(secret.encode()).hexdigest() in stored and secret not in stored


def test_revoked_expired_and_deactivated_users_tokens_stop_working(app, client, db, world):
    headers = world.auth("coord")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert _cli(app, "users", "token", "jinshan_coord", "--revoke").exit_code == 0
    assert client.get("/api/v1/me", headers=headers).status_code == 401

    staff_headers = world.auth("staff")
    token = db.session.scalar(select(ApiToken).join(User).where(User.username == "linzi_staff"))
    token.expires_at = NOW - timedelta(minutes=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=staff_headers).status_code == 401

    admin_headers = world.auth("admin")
    assert _cli(app, "users", "deactivate", "city_admin").exit_code == 0
    assert client.get("/api/v1/me", headers=admin_headers).status_code == 401


def test_set_password_ends_the_users_sessions(app, client, world):
    client.post("/login", data={"username": "jinshan_coord", "password": "a long test passphrase"})
    assert client.get("/manage/").status_code == 200
    assert _cli(app, "users", "set-password", "jinshan_coord", "--password-stdin",
                input="临淄的蹴鞠从这里出发走向世界\n").exit_code == 0
    assert client.get("/manage/").status_code == 302


def test_token_guessing_is_throttled_per_address(client, world):
    statuses = [client.get("/api/v1/me", headers={"Authorization": f"Bearer cal_guess{i:040d}"}).status_code
                for i in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    assert client.get("/api/v1/me", headers=world.auth("coord")).status_code == 429  # the address waits


def test_secrets_in_request_lines_are_masked_in_logs():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '127.0.0.1 - - "GET /private/%s.ics HTTP/1.1" 200 - Bearer %s',
                               ("Zx9_secretFeedToken123", "cal_abcdefghijklmnopqrstuvwxyz012345"), None)
    SecretMaskingFilter().filter(record)
    line = record.getMessage()
    assert "Zx9_secretFeedToken123" not in line and "abcdefghijklmnopqrstuvwxyz" not in line
    assert "/private/***.ics" in line and "Bearer ***" in line


def test_demo_load_refuses_to_run_under_the_production_config(app, db):
    previous = app.config.get("ENV_NAME")
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["demo", "load"])
    finally:
        app.config["ENV_NAME"] = previous
    assert result.exit_code != 0 and "演示账号的密码是公开的" in result.output
    assert db.session.scalar(select(User.id)) is None
