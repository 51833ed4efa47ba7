"""The two-district `world` of the workflow tests, and clients signed in through the login form."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.workflow.conftest import NOW, PASSWORD, World, world  # noqa: F401  (fixture re-exported)


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production.

    The test's app context would otherwise be shared by every request of every client: Flask-Login's
    cached user (`g._login_user`) and the session's identity map would leak from one signed-in
    client's request into the next one's, and a scope test would prove nothing.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def sign_in(app, world):  # noqa: F811
    """sign_in(who) -> a client signed in as world.users[who] through POST /login."""

    def _sign_in(who: str) -> FlaskClient:
        client = FreshContextClient(app, app.response_class, use_cookies=True)
        user = world.users[who]
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _sign_in


@pytest.fixture
def client(app, db):
    """An anonymous client (API calls with bearer tokens, public pages), each request in its own context."""
    return FreshContextClient(app, app.response_class, use_cookies=True)
