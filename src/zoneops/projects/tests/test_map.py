"""The zone map: coordinates on forms, imports and exports; the map's data and cards."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from zoneops.core.ui.testing import field_error
from zoneops.core.zones import geo
from zoneops.enterprises.tests.factories import certify, enterprise
from zoneops.projects.forms import ProjectForm
from zoneops.projects.imports import DispatchSheetImporter
from zoneops.projects.models import Milestone, Project
from zoneops.projects.tests.factories import make_project
from zoneops.projects.tests.test_imports import HEADERS, row, xlsx

pytestmark = pytest.mark.django_db

GX = {"longitude": Decimal("125.250000"), "latitude": Decimal("43.830000")}
JK = {"longitude": Decimal("125.400000"), "latitude": Decimal("43.860000")}


def form_data(zone, **over):
    data = {
        "code": "MAP-1",
        "name": "地图项目",
        "zone": zone.pk,
        "type": "new",
        "category": "industrial",
        "stage": "planned",
        "total_investment": "1000",
        "plan_year": "2025",
        "annual_plan": "100",
    }
    data.update(over)
    return data


def test_form_takes_both_coordinates_or_neither(zone_tree, users):
    staff, park = users["staff"], zone_tree["park"]
    form = ProjectForm(form_data(park, longitude="125.25", latitude="43.83"), user=staff)
    assert form.is_valid(), form.errors
    project = form.save()
    assert (project.longitude, project.latitude) == (GX["longitude"], GX["latitude"])
    assert 'data-map-coordinate="longitude"' in str(form["longitude"])
    with translation.override("zh-hans"):
        one = ProjectForm(form_data(park, code="MAP-2", longitude="125.25"), user=staff)
        assert not one.is_valid()
        assert one.errors["latitude"] == ["经度和纬度须同时填写或同时留空。"]
        assert not one.non_field_errors()
        outside = ProjectForm(
            form_data(park, code="MAP-3", longitude="2.35", latitude="48.85"), user=staff
        )
        assert not outside.is_valid()
        assert outside.errors["longitude"] == ["经度不在中国境内。"]


def test_edit_page_carries_the_map_picker(client_for, users, zone_tree):
    project = make_project(zone_tree["park"], 1, **GX)
    page = client_for(users["staff"]).get(reverse("projects:project_edit", args=[project.pk]))
    html = page.content.decode()
    assert "zoneops/map-picker.js" in html and "echarts.min.js" in html
    assert reverse("core:zone_boundary") in html


MAP_HEADERS = [*HEADERS, "经度", "纬度"]


def map_row(code, lon, lat, **over):
    return [*row(code, **over), lon, lat]


def test_dispatch_sheet_imports_coordinates(users, zone_tree):
    content = xlsx(MAP_HEADERS, [map_row("GX-1", 125.25, "43.83"), map_row("GX-2", "", "")])
    result = DispatchSheetImporter(users["staff"]).run("调度表.xlsx", content)
    assert result.ok, result.errors
    first = Project.objects.get(code="GX-1")
    assert (first.longitude, first.latitude) == (GX["longitude"], GX["latitude"])
    assert Project.objects.get(code="GX-2").longitude is None
    # A file without the columns leaves the points as they are.
    again = DispatchSheetImporter(users["staff"]).run("b.xlsx", xlsx(HEADERS, [row("GX-1")]))
    assert again.ok
    first.refresh_from_db()
    assert first.longitude == GX["longitude"]


def test_dispatch_sheet_coordinate_errors_name_row_and_field(users, zone_tree):
    content = xlsx(
        MAP_HEADERS,
        [
            map_row("GX-1", 125.25, ""),  # latitude missing
            map_row("GX-2", 2.35, 43.8),  # outside China
            map_row("GX-3", 125.25, "北纬43"),  # not a number
            map_row("GX-4", 125.25, 43.83),
        ],
    )
    with translation.override("zh-hans"):
        result = DispatchSheetImporter(users["staff"]).run("bad.xlsx", content)
    assert not result.ok
    found = {(e.row, e.field, e.reason) for e in result.errors}
    assert found == {
        (2, "纬度", "经度和纬度须同时填写或同时留空。"),
        (3, "经度", "经度不在中国境内。"),
        (4, "纬度", "不是数字。"),
    }
    assert not Project.objects.exists()


def test_export_has_wgs84_and_gcj02_columns(client_for, users, zone_tree):
    make_project(zone_tree["park"], 1, **GX)
    make_project(zone_tree["park"], 2)
    response = client_for(users["staff"]).get(reverse("projects:project_list"), {"export": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.values)
    header = list(rows[0])
    lon_wgs = header.index("经度（WGS-84）")
    lon_gcj = header.index("经度（GCJ-02，高德/腾讯）")
    lat_gcj = header.index("纬度（GCJ-02，高德/腾讯）")
    by_code = {r[0]: r for r in rows[1:]}
    located = by_code["P-1"]
    assert Decimal(str(located[lon_wgs])) == GX["longitude"]
    expected = geo.wgs84_to_gcj02(GX["longitude"], GX["latitude"])
    assert located[lon_gcj] == pytest.approx(expected[0], abs=1e-6)
    assert located[lat_gcj] == pytest.approx(expected[1], abs=1e-6)
    unlocated = by_code["P-2"] + (None,) * len(header)  # read-only sheets drop empty ends
    assert unlocated[lon_wgs] is None and unlocated[lon_gcj] is None


def decode(block, data):
    origin, scale = data["origin"], data["scale"]
    return {
        pk: (round(origin[0] + x / scale, 5), round(origin[1] + y / scale, 5))
        for pk, x, y in zip(block["id"], block["x"], block["y"], strict=True)
    }


def test_map_data_is_scoped_to_the_zone_and_the_users_grants(client_for, users, zone_tree):
    today = timezone.localdate()
    park, econ, beihu = zone_tree["park"], zone_tree["econ"], zone_tree["beihu"]
    red = make_project(park, 1, planned_start=today - dt.timedelta(days=200), **GX)
    green = make_project(
        park,
        2,
        stage="started",
        total_investment=Decimal("9000"),
        plan_year=today.year,
        annual_plan=0,
        **GX,
    )
    make_project(park, 3)  # no point
    other = make_project(econ, 4, **JK)
    sibling = make_project(beihu, 5, **GX)  # in the new area, not in 高新区
    firm = enterprise(park, 1, **GX)
    certify(firm, "hnte", today - dt.timedelta(days=30))
    plain = enterprise(park, 2, **GX)
    foreign = enterprise(econ, 3, **JK)

    client = client_for(users["staff"])
    data = client.get(reverse("projects:map_data", args=[zone_tree["hitech"].pk])).json()
    projects = data["projects"]
    assert sorted(projects["id"]) == [red.pk, green.pk]
    lights = dict(zip(projects["id"], projects["light"], strict=True))
    assert lights == {red.pk: 2, green.pk: 0}
    investment = dict(zip(projects["id"], projects["investment"], strict=True))
    assert investment[green.pk] == 9000
    assert decode(projects, data)[red.pk] == (125.25, 43.83)
    tiers = dict(zip(data["enterprises"]["id"], data["enterprises"]["tier"], strict=True))
    assert tiers == {firm.pk: 2, plain.pk: 0}

    # Filters as on the lists, prefixed p- and e-.
    filtered = client.get(
        reverse("projects:map_data", args=[zone_tree["hitech"].pk]),
        {"p-light": "2", "e-tier": "hnte"},
    ).json()
    assert filtered["projects"]["id"] == [red.pk]
    assert filtered["enterprises"]["id"] == [firm.pk]

    # Another zone's map, its points and its cards are not found.
    assert client.get(reverse("projects:map_data", args=[econ.pk])).status_code == 404
    assert client.get(reverse("projects:map", args=[econ.pk])).status_code == 404
    card = reverse("projects:map_card")
    assert client.get(card, {"kind": "project", "id": other.pk}).status_code == 404
    assert client.get(card, {"kind": "enterprise", "id": foreign.pk}).status_code == 404
    # The leader of the new area sees both of its sub-zones on its map.
    leader = client_for(users["leader"])
    both = leader.get(reverse("projects:map_data", args=[zone_tree["new_area"].pk])).json()
    assert sorted(both["projects"]["id"]) == [red.pk, green.pk, sibling.pk]


def test_card_names_the_point_and_links_to_it(client_for, users, zone_tree):
    today = timezone.localdate()
    project = make_project(zone_tree["park"], 1, planned_start=today - dt.timedelta(days=200))
    firm = enterprise(zone_tree["park"], 1, name="长春某光电公司")
    certify(firm, "srdi", today - dt.timedelta(days=30))
    client = client_for(users["staff"])
    with translation.override("zh-hans"):
        card = client.get(
            reverse("projects:map_card"),
            {"kind": "project", "id": project.pk},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        ).json()
    assert card["title"] == str(project)
    assert card["url"] == project.get_absolute_url()
    assert card["color"] == "#dc3545"
    firm_card = client.get(reverse("projects:map_card"), {"kind": "enterprise", "id": firm.pk})
    assert firm_card.json()["title"] == "长春某光电公司"
    assert firm_card.json()["url"] == firm.get_absolute_url()


def test_map_data_keeps_a_constant_query_count(client_for, users, zone_tree):
    today = timezone.localdate()
    client = client_for(users["staff"])
    url = reverse("projects:map_data", args=[zone_tree["hitech"].pk])

    def add(start, stop):
        for index in range(start, stop):
            project = make_project(
                zone_tree["park"], index, planned_start=today - dt.timedelta(days=index), **GX
            )
            Milestone.objects.create(project=project, name="开工", planned_date=today)
            firm = enterprise(zone_tree["park"], index, **GX)
            certify(firm, "hnte", today - dt.timedelta(days=10))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"e-tier": "hnte"}).status_code == 200
        return len(queries)

    add(0, 3)
    few = count()
    add(3, 40)
    assert count() == few


def test_map_data_query_budget(client_for, users, zone_tree, django_assert_max_num_queries):
    for index in range(10):
        make_project(zone_tree["park"], index, **GX)
        enterprise(zone_tree["park"], index, **GX)
    client = client_for(users["staff"])
    # Session, user, the grants (asked once per scoped queryset), zone, and three for the points.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("projects:map_data", args=[zone_tree["hitech"].pk]))
    assert response.status_code == 200
    data = response.json()
    assert len(data["projects"]["id"]) == 10 and len(data["enterprises"]["id"]) == 10


def test_map_page_and_navigation(client_for, users, zone_tree):
    client = client_for(users["staff"])
    first = client.get(reverse("projects:map_index"))
    assert first.url == reverse("projects:map", args=[zone_tree["hitech"].pk])
    chosen = client.get(reverse("projects:map_index"), {"zone": zone_tree["park"].pk})
    assert chosen.url == reverse("projects:map", args=[zone_tree["park"].pk])
    page = client.get(first.url).content.decode()
    assert "projects/map.js" in page and 'id="zone-map-chart"' in page
    assert "<script>" not in page
    assert reverse("projects:map_index") in page  # the navigation link


def test_changing_the_zone_keeps_the_filters(client_for, users, zone_tree):
    client = client_for(users["staff"])
    url = reverse("projects:map", args=[zone_tree["hitech"].pk])
    page = client.get(url, {"light": "red", "tier": "hnte"}).content.decode()
    zone_form = page.split('id="map-zone-form"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="light" value="red">' in zone_form
    assert '<input type="hidden" name="tier" value="hnte">' in zone_form
    moved = client.get(
        reverse("projects:map_index"),
        {"zone": zone_tree["park"].pk, "light": "red", "tier": "hnte"},
    )
    assert (
        moved.url == reverse("projects:map", args=[zone_tree["park"].pk]) + "?light=red&tier=hnte"
    )


def test_demo_projects_lie_inside_their_zones_approximate_outlines():
    from zoneops.core.models import Zone
    from zoneops.core.ops.demo import BOUNDARY_SOURCE, seed_zones
    from zoneops.projects import demo

    seed_zones()
    demo.seed()
    ccgx, jlgx = Zone.objects.get(code="CCGX"), Zone.objects.get(code="JLGX")
    assert ccgx.boundary["features"][0]["properties"]["source"] == BOUNDARY_SOURCE
    assert "虚构" in ccgx.source
    projects = list(Project.objects.select_related("zone"))
    assert projects and all(p.longitude is not None for p in projects)
    for project in projects:
        outline = ccgx if project.zone.path.startswith(ccgx.path) else jlgx
        assert geo.contains(outline.boundary, project.longitude, project.latitude), project
        assert "位置虚构" in project.source
    before = {p.pk: (p.longitude, p.latitude) for p in projects}
    demo.seed()  # idempotent: points stay where they are
    assert {p.pk: (p.longitude, p.latitude) for p in Project.objects.all()} == before


def test_tile_layer_is_off_by_default_and_allowed_by_the_csp_when_set(
    client_for, users, zone_tree, settings
):
    client = client_for(users["staff"])
    url = reverse("projects:map", args=[zone_tree["hitech"].pk])
    plain = client.get(url)
    assert "data-tile-url" not in plain.content.decode()
    assert "tianditu" not in plain["Content-Security-Policy"]
    settings.ZONEOPS_MAP_TILE_URL = (
        "http://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY"
    )
    settings.ZONEOPS_MAP_TILE_SUBDOMAINS = "01"
    tiled = client.get(url)
    html = tiled.content.decode()
    assert 'data-tile-url="http://t{s}.tianditu.gov.cn/vec_w/wmts?' in html
    assert 'id="map-tiles"' in html
    policy = tiled["Content-Security-Policy"]
    assert (
        "img-src 'self' data: blob: http://t0.tianditu.gov.cn http://t1.tianditu.gov.cn;" in policy
    )
    assert "script-src 'self';" in policy
    # Other pages keep the strict policy.
    other = client.get(reverse("projects:project_list"))
    assert "tianditu" not in other["Content-Security-Policy"]


def test_api_reads_and_writes_points_both_or_neither(client_for, users, zone_tree):
    client = client_for(users["staff"])
    body = {
        "code": "API-M1",
        "name": "接口项目",
        "zone": zone_tree["park"].code,
        "type": "new",
        "total_investment": "8000",
        "plan_year": 2025,
        "annual_plan": "1000",
    }
    half = client.post(
        "/api/projects/", body | {"longitude": "125.25"}, content_type="application/json"
    )
    assert half.status_code == 400 and field_error(half, "latitude")
    outside = client.post(
        "/api/projects/",
        body | {"longitude": "2.35", "latitude": "43.8"},
        content_type="application/json",
    )
    assert outside.status_code == 400 and field_error(outside, "longitude")
    made = client.post(
        "/api/projects/", body | GX | {"longitude": "125.25", "latitude": "43.83"},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["longitude"] == "125.250000"
    firm = enterprise(zone_tree["park"], 1, **GX)
    url = f"/api/enterprises/{firm.pk}/"
    assert client.get(url).json()["latitude"] == "43.830000"
    cleared = client.patch(url, {"longitude": None}, content_type="application/json")
    assert cleared.status_code == 400 and field_error(cleared, "longitude")
    both = client.patch(url, {"longitude": None, "latitude": None}, content_type="application/json")
    assert both.status_code == 200, both.content
    firm.refresh_from_db()
    assert firm.longitude is None


def test_detail_pages_of_located_records_link_to_their_point(client_for, users, zone_tree):
    from zoneops.projects.tests.factories import make_project

    client = client_for(users["staff"])
    placed = make_project(
        zone_tree["park"], 1, longitude=Decimal("125.23"), latitude=Decimal("43.84")
    )
    unplaced = make_project(zone_tree["park"], 2)
    firm = enterprise(
        zone_tree["hitech"], 1, longitude=Decimal("125.27"), latitude=Decimal("43.85")
    )
    link = reverse("projects:map", args=[zone_tree["park"].pk]) + f"?focus=project:{placed.pk}"
    page = client.get(reverse("projects:project_detail", args=[placed.pk])).content.decode()
    assert f'id="show-on-map" href="{link}"' in page and "在地图上查看" in page
    page = client.get(reverse("projects:project_detail", args=[unplaced.pk])).content.decode()
    assert 'id="show-on-map"' not in page
    page = client.get(reverse("enterprises:enterprise_detail", args=[firm.pk])).content.decode()
    link = reverse("projects:map", args=[zone_tree["hitech"].pk]) + f"?focus=enterprise:{firm.pk}"
    assert f'id="show-on-map" href="{link}"' in page
