"""The API as other systems build on it (issue #22): request bodies in JSON (a file alone in
multipart), every error in one shape that the schema declares, responses as the schema says."""

import pytest
from django.test import Client

from zoneops.core.ui.testing import token_client

ERROR_KEYS = ["code", "message", "detail", "errors"]


@pytest.fixture
def schema(users):
    return token_client(users["staff"]).get("/api/schema/?format=json").json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_request_bodies_are_json_and_a_file_goes_alone_in_multipart(schema):
    uploads = []
    for path, method, operation in operations(schema):
        if "requestBody" not in operation:
            continue
        types = set(operation["requestBody"]["content"])
        if "multipart/form-data" in types:
            uploads.append(path)
            assert types == {"multipart/form-data"}, path
        else:
            assert types == {"application/json"}, (method, path)
    assert sorted(uploads) == ["/api/jobs/", "/api/visits/{id}/photos/"]


def test_every_operation_declares_its_errors_with_the_one_error_body(schema):
    count = 0
    for path, method, operation in operations(schema):
        wanted = {"400", "401", "403", "404", "429"}
        if method in ("post", "put", "patch"):
            wanted.add("415")
        assert wanted <= set(operation["responses"]), (method, path)
        for code in wanted:
            content = operation["responses"][code]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ApiError"}
        count += 1
    assert count > 100
    error = schema["components"]["schemas"]["ApiError"]
    assert sorted(error["required"]) == sorted(ERROR_KEYS)
    field_error = schema["components"]["schemas"]["FieldError"]
    assert field_error["properties"]["row"]["nullable"] is True


def test_shapes_are_as_served(schema):
    mine = schema["paths"]["/api/enterprises/mine/"]["get"]["responses"]["200"]
    ref = mine["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(page["properties"]) == {"count", "count_exact", "next", "previous", "results"}
    appeal = schema["components"]["schemas"]["Appeal"]["properties"]
    assert appeal["department"]["nullable"] and appeal["handler"]["nullable"]
    month = schema["paths"]["/api/monthly-figures/"]["get"]["parameters"]
    assert {"name": "month", "type": "integer"} in [
        {"name": p["name"], "type": p["schema"]["type"]} for p in month
    ]


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ERROR_KEYS
    assert body["code"] == code
    assert set(body["message"]) == {"zh", "en"}
    assert body["message"]["zh"] != body["message"]["en"]
    return body


def test_every_error_has_the_one_shape(users, zone_tree):
    anonymous = Client()
    body = assert_error(anonymous.get("/api/zones/"), 401, "not_authenticated")
    assert body["message"]["en"].startswith("Authentication credentials")
    staff = token_client(users["staff"])
    assert_error(staff.delete(f"/api/zones/{zone_tree['hitech'].pk}/"), 403, "permission_denied")
    assert_error(staff.get("/api/departments/999999/"), 404, "not_found")
    # an address no route takes (an id that is not a number): 404 in the same shape, not a page
    assert_error(staff.post("/api/appeals/1.5e-3/rate/", {}), 404, "not_found")
    form = staff.post(
        "/api/departments/", {"name": "x"}, format="multipart"
    )  # a form where JSON is wanted
    assert_error(form, 415, "unsupported_media_type")
    refused = staff.post("/api/departments/", {"zone": zone_tree["hitech"].code}, format="json")
    body = assert_error(refused, 400, "invalid")
    assert {(e["field"], e["row"], e["code"]) for e in body["errors"]} == {
        ("name", None, "required"),
        ("code", None, "required"),
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_field_errors_come_in_both_languages_whatever_the_request_language(
    users, zone_tree, language
):
    from django.conf import settings

    staff = token_client(users["staff"])
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switch
    headers = {}
    body = {"zone": zone_tree["hitech"].code, "name": "经发局", "code": "x" * 61}
    refused = staff.post("/api/departments/", body, format="json", **headers).json()
    assert refused["errors"] == [
        {
            "field": "code",
            "row": None,
            "code": "max_length",
            "message": {
                "zh": "请确保这个字段不能超过 60 个字符。",
                "en": "Ensure this field has no more than 60 characters.",
            },
            "value": None,
        }
    ]
    # the particular error stays in the request's language
    assert refused["detail"] == refused["errors"][0]["message"][language[:2]]
    # a value quoted in the message is kept as sent, in both languages
    body = {"zone": "NOPE", "name": "经发局", "code": "GX-JF"}
    refused = staff.post("/api/departments/", body, format="json", **headers).json()
    (error,) = refused["errors"]
    assert error["field"] == "zone" and error["code"] == "does_not_exist"
    assert "NOPE" in error["message"]["zh"] and "NOPE" in error["message"]["en"]
    assert error["message"]["zh"] != error["message"]["en"]
    assert error["message"]["en"] == "Object with code=NOPE does not exist."


def test_paths_are_plain_one_prefix_per_resource(schema):
    from zoneops.api.urls import router

    for path in schema["paths"]:
        segments = [s for s in path.split("/") if s and not s.startswith("{")]
        assert len(set(segments)) == len(segments), path
    prefixes = [prefix for prefix, _viewset, _basename in router.registry]
    assert len(set(prefixes)) == len(prefixes)
    for old, new in router.moved:  # the old paths answer, but the schema lists only the new
        assert not any(p.startswith(f"/api/{old}/") for p in schema["paths"]), old
        assert any(p.startswith(f"/api/{new}/") for p in schema["paths"]), new


def test_a_repeated_name_is_refused_at_registration():
    from zoneops.api.core_resources import ZoneViewSet
    from zoneops.api.routers import PlainRouter

    router = PlainRouter()
    with pytest.raises(ValueError, match="repeats"):
        router.register("zones/zones", ZoneViewSet, basename="x")
    with pytest.raises(ValueError, match="lower-case"):
        router.register("Zones", ZoneViewSet, basename="x")


def test_old_paths_answer_308_to_the_new_before_any_detail_route(users, zone_tree):
    staff = token_client(users["staff"])
    # /api/enterprises/visits/ would be read as the enterprise "visits" if routed after it
    moved = staff.get("/api/enterprises/visits/?page=2&search=x")
    assert moved.status_code == 308
    assert moved["Location"] == "/api/visits/?page=2&search=x"
    assert staff.get("/api/appeals/appeals/12/transition/")["Location"] == (
        "/api/appeals/12/transition/"
    )
    assert staff.get("/api/enterprises/enterprises")["Location"] == "/api/enterprises/"
    # a 308 keeps the method and the body: a client that follows it writes at the new place
    created = staff.post(
        "/api/departments/",
        {"zone": zone_tree["hitech"].code, "name": "经发局", "code": "GX-JFJ"},
        follow=True,
    )
    assert created.status_code == 201
    posted = staff.post(
        "/api/enterprises/figures/bulk/", [{"year": 2025}], format="json", follow=True
    )
    assert posted.redirect_chain == [("/api/monthly-figures/bulk/", 308)]
    assert posted.status_code == 400 and posted.json()["errors"][0]["row"] == 0
