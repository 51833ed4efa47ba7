"""`flask feeds render`, `flask feeds export DIR` and `flask feeds token` through the CLI runner."""
from __future__ import annotations

from sqlalchemy import select

from calendar_app.accounts.models import User
from calendar_app.feeds import store
from calendar_app.programs.models import Program


def test_render_renders_every_feed_and_says_how_many_and_how_long(app, demo):
    result = app.test_cli_runner().invoke(args=["feeds", "render"])
    assert result.exit_code == 0, result.output
    assert "已渲染" in result.output and "秒" in result.output
    rendered = int(result.output.split("已渲染 ")[1].split(" ")[0])
    assert rendered == len(store.public_specs()) > 100


def test_export_writes_public_feeds_at_their_url_paths(app, demo, tmp_path, demo_client):
    result = app.test_cli_runner().invoke(args=["feeds", "export", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    assert (site / "calendar.ics").read_bytes() == demo_client.get("/calendar.ics").data
    slug = demo.session.scalar(select(Program.slug).where(Program.slug == "feiyi-saturday"))
    assert (site / "programs" / f"{slug}.ics").read_bytes() == demo_client.get(f"/programs/{slug}.ics").data
    for folder in ("programs", "editions", "areas", "venues", "categories", "events"):
        assert any((site / folder).glob("*.ics")), folder
    assert not (site / "private").exists()
    assert not list(site.rglob("*.tmp"))


def test_token_command_issues_and_revokes_a_private_feed(app, demo, demo_client):
    runner = app.test_cli_runner()
    issued = runner.invoke(args=["feeds", "token", "jinshan_coord"])
    assert issued.exit_code == 0, issued.output
    path = "/private/" + issued.output.strip().splitlines()[-1].split("/private/", 1)[1]
    assert demo_client.get(path).status_code == 200
    revoked = runner.invoke(args=["feeds", "token", "jinshan_coord", "--revoke"])
    assert revoked.exit_code == 0
    assert demo.session.scalar(select(User.feed_token_hash).where(User.username == "jinshan_coord")
                               .execution_options(populate_existing=True)) is None
    assert demo_client.get(path).status_code == 404
    assert runner.invoke(args=["feeds", "token", "nobody"]).exit_code != 0
