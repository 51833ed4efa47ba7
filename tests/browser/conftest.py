"""A real server on 127.0.0.1 (werkzeug in a thread) over a fresh SQLite file holding the demo year seen
at DEMO_NOW, and a headless Chromium with a 360 x 740 phone viewport.

Chromium comes from the system package (`apt-get install chromium fonts-wqy-microhei`; scripts/test
installs them): Playwright's own browser download is not available here. Without Chromium these tests
skip on a developer machine but FAIL under CI=true, so a CI run can never pass without them.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DEMO_NOW

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"width": 360, "height": 740}


def _missing_browser(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """Base URL of the app served over real HTTP, on a free port."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from calendar_app import create_app
    from calendar_app.demo.load import load_demo
    from calendar_app.extensions import db
    from config import TestingConfig

    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    config.MEDIA_ROOT = str(tmp_path_factory.mktemp("browser-media"))  # the demo's drawn posters
    app = create_app(config)
    app.config["FIXED_NOW"] = DEMO_NOW
    with app.app_context():
        upgrade()
        load_demo(DEMO_NOW.year, now=DEMO_NOW)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base_url  # feed URLs and QR codes point at this server
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=5)


def _has_chinese_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing_browser(f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)")
    if not _has_chinese_font():
        _missing_browser("no Chinese font installed: pages would render boxes (apt-get install fonts-wqy-microhei)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra pins playwright
        _missing_browser("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized page (own cookies) whose relative URLs resolve against the live server."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", base_url=live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
