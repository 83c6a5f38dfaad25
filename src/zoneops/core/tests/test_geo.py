"""Map geometry: GCJ-02 against published reference points, boundary uploads, the picker's
boundary endpoint."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoneops.core.ui.forms import ZoneEditForm
from zoneops.core.zones import geo

# (WGS-84 lat, lon) → (GCJ-02 lat, lon): the eviltransform project's test vectors.
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_wgs84_to_gcj02_matches_published_reference_points(wgs, gcj):
    lon, lat = geo.wgs84_to_gcj02(wgs[1], wgs[0])
    assert lat == pytest.approx(gcj[0], abs=1e-9)
    assert lon == pytest.approx(gcj[1], abs=1e-9)


def test_gcj02_leaves_points_outside_china_alone_and_takes_decimals():
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # Paris
    lon, lat = geo.wgs84_to_gcj02(Decimal("125.3245"), Decimal("43.8868"))  # 长春
    # The offset in the north-east is a few hundred metres east and south-east.
    assert 0.004 < lon - 125.3245 < 0.008
    assert -0.002 < lat - 43.8868 < 0.003


SQUARE = [[125.2, 43.8], [125.3, 43.8], [125.3, 43.9], [125.2, 43.9], [125.2, 43.8]]


def dumps(data) -> bytes:
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    "data",
    [
        {"type": "Polygon", "coordinates": [SQUARE]},
        {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]},
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        },
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [SQUARE]}}
            ],
        },
    ],
)
def test_boundary_accepts_the_four_geojson_shapes_as_a_feature_collection(data):
    boundary = geo.parse_boundary(dumps(data), name="长春高新区")
    assert boundary["type"] == "FeatureCollection"
    assert boundary["features"][0]["properties"]["name"] == "长春高新区"
    assert geo.boundary_extent(boundary) == (125.2, 43.8, 125.3, 43.9)
    assert geo.contains(boundary, 125.25, 43.85)
    assert not geo.contains(boundary, 125.35, 43.85)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "不是有效的 GeoJSON"),
        (dumps([1, 2]), "没有“type”"),
        (dumps({"type": "Point", "coordinates": [125.3, 43.9]}), "Point"),
        (
            dumps({"type": "Feature", "geometry": {"type": "LineString", "coordinates": SQUARE}}),
            "只有 Polygon 和 MultiPolygon",
        ),
        (dumps({"type": "Polygon", "coordinates": [SQUARE[:3]]}), "至少需要 4 个"),
        (dumps({"type": "Polygon", "coordinates": [SQUARE[:4]]}), "未闭合"),
        (
            dumps({"type": "Polygon", "coordinates": [[[2.3, 48.8], *SQUARE[1:4], [2.3, 48.8]]]}),
            "不在中国境内",
        ),
        (dumps({"type": "Polygon", "coordinates": [[["a", 1], *SQUARE[1:]]]}), "经度, 纬度"),
        (dumps({"type": "FeatureCollection", "features": []}), "没有要素"),
        (b" " * (geo.BOUNDARY_MAX_BYTES + 1), "2 MB"),
    ],
)
def test_bad_boundaries_are_refused_with_a_chinese_reason(content, message, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        geo.parse_boundary(content)
    assert message in " ".join(caught.value.messages)


def test_parse_point_needs_both_and_china():
    assert geo.parse_point("", None) == (None, [])
    assert geo.parse_point("125.3", "43.9") == ((Decimal("125.300000"), Decimal("43.900000")), [])
    assert geo.parse_point(125.3, "")[1][0][0] == "latitude"
    assert geo.parse_point("", "43.9")[1][0][0] == "longitude"
    problems = geo.parse_point("2.35", "60.1")[1]
    assert {field for field, _reason in problems} == {"longitude", "latitude"}
    assert geo.parse_point("东经125", "43.9")[1] == [("longitude", "不是数字。")]


@pytest.mark.django_db
def test_synthetic_points_are_deterministic_and_near_their_zone(zone_tree):
    hitech, park = zone_tree["hitech"], zone_tree["park"]
    first = geo.synthetic_point(hitech, 7, "project")
    assert first == geo.synthetic_point(hitech, 7, "project")
    assert first != geo.synthetic_point(hitech, 8, "project")
    assert first != geo.synthetic_point(hitech, 7, "enterprise")
    assert 120 < first[0] < 131 and 40 < first[1] < 47
    in_park = geo.synthetic_point(park, 7, "project")  # around its zone's centre
    assert abs(in_park[0] - first[0]) < Decimal("0.2") and abs(in_park[1] - first[1]) < 1


def upload(data) -> SimpleUploadedFile:
    return SimpleUploadedFile("zone.geojson", dumps(data), content_type="application/geo+json")


def zone_data(zone) -> dict:
    return {
        "code": zone.code,
        "name": zone.name,
        "kind": zone.kind,
        "parent": zone.parent.code if zone.parent else "",
        "division_code": zone.division_code,
        "source": zone.source,
    }


@pytest.mark.django_db
def test_administrator_uploads_a_boundary_on_the_zone_edit_page(zone_tree, users):
    zone = zone_tree["hitech"]
    form = ZoneEditForm(
        zone_data(zone),
        {"boundary_file": upload({"type": "Polygon", "coordinates": [SQUARE]})},
        instance=zone,
        user=users["admin"],
    )
    assert form.is_valid(), form.errors
    form.save()
    zone.refresh_from_db()
    assert zone.boundary["features"][0]["geometry"]["coordinates"] == [SQUARE]
    assert zone.boundary["features"][0]["properties"]["name"] == "长春高新区"

    bad = ZoneEditForm(
        zone_data(zone),
        {"boundary_file": upload({"type": "Polygon", "coordinates": [SQUARE[:4]]})},
        instance=zone,
        user=users["admin"],
    )
    assert not bad.is_valid()
    assert "boundary_file" in bad.errors

    cleared = ZoneEditForm(
        zone_data(zone) | {"clear_boundary": "on"}, instance=zone, user=users["admin"]
    )
    assert cleared.is_valid(), cleared.errors
    cleared.save()
    zone.refresh_from_db()
    assert zone.boundary is None


@pytest.mark.django_db
def test_only_administrators_get_the_boundary_upload(zone_tree, users):
    form = ZoneEditForm(instance=zone_tree["hitech"], user=users["staff"])
    assert "boundary_file" not in form.fields


@pytest.mark.django_db
def test_boundary_endpoint_gives_own_or_ancestor_boundary_of_visible_zones(
    zone_tree, users, client_for
):
    hitech, econ = zone_tree["hitech"], zone_tree["econ"]
    hitech.boundary = geo.parse_boundary(dumps({"type": "Polygon", "coordinates": [SQUARE]}))
    hitech.save()
    econ.boundary = hitech.boundary
    econ.save()
    client = client_for(users["staff"])
    url = reverse("core:zone_boundary")
    own = client.get(url, {"zone": hitech.pk}).json()
    assert own["boundary"]["features"][0]["geometry"]["type"] == "Polygon"
    park = client.get(url, {"zone": "GX-P1"}).json()  # by code; falls back to its parent's
    assert park["zone"] == "光电产业园" and park["boundary_of"] == "长春高新区"
    assert client.get(url, {"zone": econ.pk}).json() == {"zone": None, "boundary": None}


@pytest.mark.django_db
def test_zone_edit_page_uploads_the_boundary_and_the_zone_page_links_the_map(
    zone_tree, users, client_for
):
    zone = zone_tree["hitech"]
    client = client_for(users["admin"])
    edit = reverse("core:zone_edit", args=[zone.pk])
    page = client.get(edit)
    assert 'name="boundary_file"' in page.content.decode()
    data = zone_data(zone) | {"boundary_file": upload({"type": "Polygon", "coordinates": [SQUARE]})}
    answer = client.post(edit, data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    zone.refresh_from_db()
    assert zone.boundary["type"] == "FeatureCollection"
    bad = client.post(edit, zone_data(zone) | {"boundary_file": upload({"type": "Point"})})
    assert bad.status_code == 200
    assert "Point" in bad.content.decode()
    detail = client_for(users["staff"]).get(reverse("core:zone_detail", args=[zone.pk]))
    html = detail.content.decode()
    assert reverse("projects:map", args=[zone.pk]) in html
    assert "已上传边界" in html


@pytest.mark.django_db
def test_boundary_endpoint_adds_visible_sub_zones_on_request(zone_tree, users, client_for):
    outline = geo.parse_boundary(dumps({"type": "Polygon", "coordinates": [SQUARE]}))
    for key in ("new_area", "hitech", "beihu"):
        zone_tree[key].boundary = outline
        zone_tree[key].save()
    url = reverse("core:zone_boundary")
    leader = client_for(users["leader"])
    answer = leader.get(url, {"zone": zone_tree["new_area"].pk, "children": "1"}).json()
    names = [f["properties"]["name"] for f in answer["boundary"]["features"]]
    assert names == ["", "长春高新区", "北湖区"]
    plain = leader.get(url, {"zone": zone_tree["new_area"].pk}).json()
    assert len(plain["boundary"]["features"]) == 1
