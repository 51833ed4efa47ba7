"""Mini programs and partner web apps on configured origins may call the API; others get no CORS grant."""
from __future__ import annotations


def test_configured_origin_is_allowed(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CORS_ORIGINS", ["https://map.xianning.example"])  # restored afterwards
    response = client.get("/api/v1/areas", headers={"Origin": "https://map.xianning.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://map.xianning.example"
    assert "Origin" in response.headers.get("Vary", "")


def test_other_origins_get_no_cors_grant(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CORS_ORIGINS", ["https://map.xianning.example"])  # restored afterwards
    response = client.get("/api/v1/areas", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
