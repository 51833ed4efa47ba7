"""The JSON API returns what its OpenAPI document says, for every endpoint it has."""
from __future__ import annotations

import jsonschema_rs
import pytest

from calendar_app.api.openapi import openapi_document


def _validator(document: dict, schema: dict):
    root = dict(schema)
    root["components"] = document["components"]
    return jsonschema_rs.validator_for(root)


def _response_schema(document: dict, path: str, status: str = "200") -> dict:
    return document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


def test_openapi_document_describes_every_api_route(app):
    document = openapi_document()
    routes = {
        rule.rule[len("/api/v1"):].replace("<int:", "{").replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
    }
    assert routes == set(document["paths"])


def test_openapi_document_is_served_as_json(demo_client):
    response = demo_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json["openapi"] == "3.1.0"
    paths = response.json["paths"]
    public_reads = {path for path, item in paths.items() if "get" in item and "security" not in item["get"]}
    assert public_reads == {"/areas", "/days", "/events", "/events/{event_id}", "/occurrences", "/programs", "/venues"}
    assert {"/me", "/events/{event_id}/publish", "/occurrences/{occurrence_id}/attendance", "/assignments",
            "/imports/xlsx", "/imports/ics", "/exports/xlsx"} <= set(paths)
    assert response.json["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


@pytest.mark.parametrize("path", ["/areas", "/venues", "/programs"])
def test_list_endpoints_match_their_documented_schema(demo_client, path):
    document = openapi_document()
    response = demo_client.get(f"/api/v1{path}")
    assert response.status_code == 200
    validator = _validator(document, _response_schema(document, path))
    errors = [str(e) for e in validator.iter_errors(response.json)]
    assert errors == []
    assert response.json["items"], f"{path} returned no items on the demo data"
    assert all("id" in item for item in response.json["items"])


def test_areas_form_a_tree_with_linzi_and_its_twelve_town_streets(demo_client):
    roots = demo_client.get("/api/v1/areas").json["items"]
    districts = {d["name"]: d for root in roots for d in root["children"]}
    linzi = districts["临淄区"]
    towns = [c for c in linzi["children"] if c["kind"] == "town"]
    assert len(towns) == 12
    jinshan = next(t for t in towns if t["name"] == "金山镇")
    assert {v["name"] for v in jinshan["children"]} == {"东崖村", "搭岭村"}
    assert "岳阳楼区" in districts


def test_programs_carry_their_editions_and_targets(demo_client):
    programs = {p["name"]: p for p in demo_client.get("/api/v1/programs").json["items"]}
    opera = programs["戏曲进乡村"]
    assert opera["editions"][0]["target_events"] == 1540
    yueji = programs["月季有约"]
    themes = {e["theme"]: e["theme_colour"] for e in yueji["editions"]}
    assert {"蝶舞洞庭", "踏浪洞庭", "放歌洞庭", "食在洞庭"} <= set(themes)
    assert len(programs["四季村晚"]["editions"]) == 4


def test_venues_can_be_narrowed_to_an_area_and_its_descendants(demo_client):
    roots = demo_client.get("/api/v1/areas").json["items"]
    yueyang = next(d for root in roots for d in root["children"] if d["name"] == "岳阳楼区")
    names = {v["name"] for v in demo_client.get(f"/api/v1/venues?area={yueyang['id']}").json["items"]}
    assert {"岳阳楼景区", "鱼巷子", "竹荫街"} <= names
    assert "尼山书院" not in names


@pytest.mark.parametrize("query", ["area=abc", "area=-3", "area=99999999999"])
def test_malformed_query_parameters_get_a_json_400(demo_client, query):
    response = demo_client.get(f"/api/v1/venues?{query}")
    assert response.status_code == 400
    assert response.is_json and response.json["message"]


def test_unknown_area_filter_is_a_json_404(demo_client):
    response = demo_client.get("/api/v1/venues?area=987654")
    assert response.status_code == 404
    assert "区域不存在" in response.json["message"]


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/venues/1/../../secret", "/api/v2/areas"])
def test_unknown_api_paths_return_json_404_not_html(demo_client, path):
    response = demo_client.get(path)
    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"] == "not_found"


# The document and the behaviour agree on the cases schemathesis reported as contradictions.

@pytest.mark.parametrize("name", ["start", "end", "limit", "cursor", "area", "venue", "edition", "program",
                                  "category"])
def test_a_parameter_given_empty_is_refused_as_its_schema_says(demo_client, name):
    # None of these schemas (integer, date, enum, minLength 1, pattern {1,200}) admits "": nor does the API.
    response = demo_client.get(f"/api/v1/occurrences?{name}=")
    assert response.status_code == 400 and response.json["field"] == name


def test_a_program_of_zeros_fits_the_schema_and_names_no_program(demo_client):
    schema = next(p["schema"] for p in openapi_document()["paths"]["/occurrences"]["get"]["parameters"]
                  if p["name"] == "program")
    zeros = "0" * schema["maxLength"]
    response = demo_client.get(f"/api/v1/occurrences?program={zeros}")
    assert response.status_code == 404 and "404" in openapi_document()["paths"]["/occurrences"]["get"]["responses"]


def test_control_characters_in_a_path_are_a_documented_400(demo_client):
    response = demo_client.get("/api/v1/events/%C3%8F%10%15")
    assert response.status_code == 400 and response.is_json
    operations = [op for item in openapi_document()["paths"].values() for op in item.values()]
    assert operations and all("400" in op["responses"] for op in operations)
