"""The production web settings the README documents: gunicorn on loopback behind nginx, with workers
that a few slow clients cannot tie up."""
from __future__ import annotations

import re
import runpy
from pathlib import Path

from calendar_app import ROOT


def _gunicorn_settings() -> dict:
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_listens_on_loopback_only(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    assert _gunicorn_settings()["bind"].startswith("127.0.0.1:")


def test_gunicorn_workers_are_threaded_and_accept_no_more_than_they_can_serve():
    settings = _gunicorn_settings()
    # A sync worker waits on one slow client at a time and is killed at the timeout; a threaded worker
    # that stops accepting when its threads are busy leaves new connections to the others.
    assert settings["worker_class"] == "gthread" and settings["threads"] > 1
    assert settings["worker_connections"] <= settings["threads"]


def test_readme_production_section_binds_to_loopback_and_requires_the_proxy():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    production = readme.split("## Production setup", 1)[1].split("\n## ", 1)[0]
    assert "0.0.0.0" not in production
    assert "gunicorn.conf.py" in production and "proxy_pass http://127.0.0.1:8000" in production
    assert re.search(r"proxy_request_buffering on", production)


def test_psycopg_reuses_the_parsed_form_of_a_52_evening_series_insert():
    """The multi-row INSERT of a weekly series is parsed once, not on every booking (see calendar_app)."""
    import calendar_app  # noqa: F401  (raises psycopg's limits on import)
    from psycopg import _queries
    from psycopg.adapt import Transformer

    row = "(" + ", ".join(f"%(c{j}__{{i}})s::INTEGER" for j in range(17)) + ")"
    sql = ("INSERT INTO occurrences SELECT * FROM (VALUES "
           + ", ".join(row.format(i=i) for i in range(52)) + ") AS imp").encode()
    params = {f"c{j}__{i}": i for i in range(52) for j in range(17)}
    assert len(sql) > 4096 and len(params) > 50  # beyond psycopg's own defaults
    before = _queries._query2pg.cache_info()
    for _ in range(3):
        _queries.PostgresQuery(Transformer()).convert(sql, params)
    after = _queries._query2pg.cache_info()
    assert after.hits - before.hits >= 2


def _pins(path: str) -> dict[str, str]:
    pins = {}
    for line in Path(path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==", 1)
            pins[name.split("[")[0].strip().lower().replace("_", "-")] = version.split(";")[0].strip()
    return pins


def test_scripts_run_installs_only_what_the_app_needs_and_the_tests_get_their_tools_on_top():
    import tomllib

    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    runtime, tools = _pins("requirements.lock"), _pins("requirements-test.lock")
    direct = dict(line.split("==") for line in project["dependencies"])
    for name, version in direct.items():
        assert runtime[name.split("[")[0].lower().replace("_", "-")] == version, name
    for line in project["optional-dependencies"]["test"]:
        name, version = line.split("==")
        key = name.lower().replace("_", "-")
        assert key not in runtime, f"{name} is a test tool but in the runtime lock"
        assert tools[key] == version, name
    assert not runtime.keys() & tools.keys()  # the test lock adds to the runtime lock (-r), never repins it
    assert "-r requirements.lock" in Path("requirements-test.lock").read_text().splitlines()
    assert {"pytest", "playwright", "mutmut", "hypothesis"} <= tools.keys()
