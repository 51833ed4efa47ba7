"""A coordinator's private feed: their area and everything below it, drafts and submissions included,
at a secret URL that can be revoked; never cached by shared caches and never exported."""
from __future__ import annotations

import hashlib

from datetime import datetime

import pytest
from sqlalchemy import select

from calendar_app import links
from calendar_app.accounts.models import User
from calendar_app.accounts.services import create_user
from calendar_app.areas.models import Area
from calendar_app.feeds import store
from calendar_app.feeds.services import issue_feed_token, private_feed_url, revoke_feed_token
from tests import factories
from tests.conftest import DEMO_NOW
from tests.feeds.conftest import parse


@pytest.fixture
def demo(db):
    """A demo year of its own for each test: these tests add drafts and users, and revoke tokens."""
    from calendar_app.demo.load import load_demo

    load_demo(2026, now=DEMO_NOW)
    db.session.commit()
    return db


@pytest.fixture
def other_area_draft(demo):
    """A draft in another town (雪宫街道), which must stay out of 金山镇's private feed."""
    other_town = demo.session.scalar(select(Area).where(Area.code == "370305002"))
    factories.event(other_town, title="雪宫街道内部草稿", status="draft", start=datetime(2026, 12, 3, 19),
                    end=datetime(2026, 12, 3, 21), now=DEMO_NOW)
    demo.session.commit()


@pytest.fixture
def coordinator(demo, other_area_draft):
    """金山镇's coordinator from the demo year, active, with a fresh private feed token."""
    user = demo.session.scalar(select(User).where(User.username == "jinshan_coord"))
    user.is_active_user = True
    user.test_feed_token = issue_feed_token(user)  # shown once: the test keeps it as the user would
    demo.session.commit()
    return user


def _path(user: User) -> str:
    return links.private_feed_path(user.test_feed_token)


def test_private_feed_shows_drafts_and_submissions_of_the_coordinators_area_only(demo_client, coordinator):
    response = demo_client.get(_path(coordinator))
    assert response.status_code == 200
    summaries = {str(v["SUMMARY"]): v for v in parse(response.data).walk("VEVENT")}
    assert "【草稿】金山镇合唱团汇报演出" in summaries
    assert "【待审核】搭岭村迎新春书画展" in summaries  # a village below 金山镇
    assert str(summaries["【草稿】金山镇合唱团汇报演出"]["STATUS"]) == "TENTATIVE"
    assert any(s.startswith("戏曲进乡村·金山镇") for s in summaries)  # published events of the area too
    assert not any("雪宫街道" in s for s in summaries)
    assert "【草稿】金山镇合唱团汇报演出" not in demo_client.get("/calendar.ics").data.decode()


def test_private_feed_is_private_to_caches_and_search_engines(demo_client, coordinator):
    response = demo_client.get(_path(coordinator))
    assert response.headers["Cache-Control"] == "private, max-age=60"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert b"SOURCE" not in response.data.split(b"BEGIN:VTIMEZONE")[0]  # the secret URL is not repeated inside


def test_revoked_token_answers_404_and_a_new_token_replaces_the_old(demo, demo_client, coordinator):
    old_path = _path(coordinator)
    coordinator.test_feed_token = issue_feed_token(coordinator)
    demo.session.commit()
    assert demo_client.get(old_path).status_code == 404
    assert demo_client.get(_path(coordinator)).status_code == 200
    new_path = _path(coordinator)
    revoke_feed_token(coordinator)
    demo.session.commit()
    assert coordinator.feed_token_hash is None
    assert demo_client.get(new_path).status_code == 404


def test_inactive_users_private_feed_answers_404(demo, demo_client, coordinator):
    path = _path(coordinator)
    coordinator.is_active_user = False
    demo.session.commit()
    assert demo_client.get(path).status_code == 404


def test_private_feed_follows_new_drafts_and_its_document_goes_when_no_one_holds_it(demo, demo_client, coordinator):
    demo_client.get(_path(coordinator))
    key = f"private:{coordinator.area_id}"
    village = demo.session.scalar(select(Area).where(Area.code == "370305106201"))  # 东崖村, in 金山镇
    factories.event(village, title="东崖村新春联欢筹备会", status="draft", start=datetime(2026, 12, 20, 19),
                    end=datetime(2026, 12, 20, 21), now=DEMO_NOW)
    demo.session.commit()
    store.render_pending()
    demo.session.commit()
    assert "【草稿】东崖村新春联欢筹备会" in demo_client.get(_path(coordinator)).data.decode().replace("\r\n ", "")
    revoke_feed_token(coordinator)
    demo.session.commit()
    store.render_all()
    demo.session.commit()
    assert store.stored_document(key) is None


def test_private_feed_url_is_absolute(coordinator, app):
    token = coordinator.test_feed_token
    assert private_feed_url(token) == app.config["PUBLIC_BASE_URL"] + f"/private/{token}.ics"


def test_only_a_digest_of_the_private_feed_token_is_stored(demo, coordinator):
    stored = demo.session.scalar(select(User.feed_token_hash).where(User.id == coordinator.id))
    assert stored == hashlib.sha256(coordinator.test_feed_token.encode()).hexdigest()
    assert coordinator.test_feed_token not in stored


def test_a_token_holder_of_another_area_sees_that_area(demo, demo_client, coordinator):
    district = demo.session.scalar(select(Area).where(Area.code == "370305002"))
    user = create_user(username="xuegong_coord", password="long-enough-password", role="coordinator",
                       area_id=district.id)
    user.test_feed_token = issue_feed_token(user)
    demo.session.commit()
    summaries = {str(v["SUMMARY"]) for v in parse(demo_client.get(_path(user)).data).walk("VEVENT")}
    assert "【草稿】雪宫街道内部草稿" in summaries
    assert not any("金山镇" in s for s in summaries)
