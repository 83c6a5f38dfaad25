"""Issue 10's map in the browser: staff open their zone's map from the navigation, see the
boundary and the project points, click a point for its card and follow it to the project;
on a project's edit page a click on the map picker fills the coordinates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def click_point(page, selector: str, lon: float, lat: float) -> None:
    """Click where the chart in ``selector`` draws the WGS-84 point (lon, lat)."""
    page.locator(selector).scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([selector, lon, lat]) => {
            const chart = echarts.getInstanceByDom(document.querySelector(selector));
            return chart.convertToPixel({geoIndex: 0}, [lon, lat]);
        }""",
        [selector, lon, lat],
    )
    box = page.locator(selector).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_zone_map_points_card_and_picker(login_as, users, zone_tree, url, screenshot, page_errors):
    from zoneops.core.ops.demo import BOUNDARIES, BOUNDARY_SOURCE
    from zoneops.core.zones.geo import feature_collection
    from zoneops.enterprises.models import Certification, Enterprise
    from zoneops.projects.models import Project

    hitech = zone_tree["hitech"]
    hitech.boundary = feature_collection(hitech.name, BOUNDARIES["CCGX"], BOUNDARY_SOURCE)
    hitech.save()
    today = timezone.localdate()
    late = Project.objects.create(
        code="GX-M1", name="光电子信息产业园", zone=zone_tree["park"], type="new",
        total_investment=Decimal(120000), plan_year=today.year, annual_plan=Decimal(20000),
        planned_start=today - dt.timedelta(days=150), longitude=Decimal("125.230000"),
        latitude=Decimal("43.840000"),
    )  # fmt: skip
    Project.objects.create(
        code="GX-M2", name="生物医药研发平台", zone=hitech, type="continued", stage="started",
        total_investment=Decimal(30000), plan_year=today.year, annual_plan=Decimal(0),
        longitude=Decimal("125.300000"), latitude=Decimal("43.830000"),
    )  # fmt: skip
    Project.objects.create(
        code="GX-M3", name="未标注位置的项目", zone=hitech, type="new",
        total_investment=Decimal(1000), plan_year=today.year, annual_plan=Decimal(0),
    )  # fmt: skip
    Project.objects.create(
        code="JK-M1", name="别的区域的项目", zone=zone_tree["econ"], type="new",
        total_investment=Decimal(1000), plan_year=today.year, annual_plan=Decimal(0),
        longitude=Decimal("125.400000"), latitude=Decimal("43.860000"),
    )  # fmt: skip
    firm = Enterprise.objects.create(
        uscc="91220101MA0000001X", name="长春某光电公司", zone=hitech,
        longitude=Decimal("125.270000"), latitude=Decimal("43.850000"),
    )  # fmt: skip
    Certification.objects.create(enterprise=firm, kind="hnte", issued_on=today)

    # Every request writes the session (idle timeout); the live server's in-memory SQLite
    # refuses a second writer at once ("database table is locked") and Django answers 400.
    # The map's requests run right after the bell's: the map retries, the bell waits 60 s.
    for text in ("HTTP 400: GET", "status of 400", "Error Code 400 from /notifications/bell/"):
        page_errors.allow(text)
    page = login_as(users["staff"])
    # The zone's page draws its outline and links to its map.
    page.goto(url(f"/zones/{hitech.pk}/"))
    expect(page.locator("#zone-boundary-map")).to_have_attribute("data-ready", "1")
    expect(page.locator("#zone-map-link")).to_have_attribute("href", f"/projects/map/{hitech.pk}/")
    page.goto(url("/"))
    page.locator("#nav").get_by_role("link", name="地图", exact=True).click()
    expect(page).to_have_url(url(f"/projects/map/{hitech.pk}/"))
    chart = page.locator("#zone-map-chart")
    expect(chart).to_have_attribute("data-ready", "1")
    expect(page.locator("#map-project-count")).to_have_text("2")
    expect(page.locator("#map-enterprise-count")).to_have_text("1")
    expect(page.locator("#map-no-boundary")).to_be_hidden()
    box = chart.locator("canvas").first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    screenshot("map")

    # Click the red project's point: its card, with the light and a link to the project.
    click_point(page, "#zone-map-chart", 125.23, 43.84)
    expect(page.locator("#map-card-title")).to_have_text(str(late))
    expect(page.locator("#map-card-badge")).to_have_text("红灯")
    expect(page.locator("#map-card-lines")).to_contain_text("未按计划开工")
    screenshot("card")
    page.locator("#map-card-link").click()
    expect(page).to_have_url(url(f"/projects/{late.pk}/"))
    # … and back: the project's 在地图上查看 opens its zone's map with its card shown.
    page.locator("#show-on-map").click()
    expect(page).to_have_url(url(f"/projects/map/{late.zone_id}/?focus=project:{late.pk}"))
    expect(page.locator("#map-card-title")).to_have_text(str(late))

    # The enterprise's point gives its card too.
    page.goto(url(f"/projects/map/{hitech.pk}/"))
    expect(chart).to_have_attribute("data-ready", "1")
    click_point(page, "#zone-map-chart", 125.27, 43.85)
    expect(page.locator("#map-card-title")).to_have_text("长春某光电公司")
    expect(page.locator("#map-card-badge")).to_have_text("高新技术企业")

    # A filter as on the list: red projects only.
    page.locator("#id_p-light").select_option("2")
    page.locator("#filter-form button[type=submit]").click()
    expect(chart).to_have_attribute("data-ready", "1")
    expect(page.locator("#map-project-count")).to_have_text("1")

    # The map picker on the edit page of the project without a point.
    unplaced = Project.objects.get(code="GX-M3")
    page.goto(url(f"/projects/{unplaced.pk}/edit/"))
    picker = page.locator("#map-picker")
    expect(picker).to_have_attribute("data-ready", "1")
    click_point(page, "#map-picker", 125.26, 43.835)
    lon = float(page.locator("#id_longitude").input_value())
    lat = float(page.locator("#id_latitude").input_value())
    assert abs(lon - 125.26) < 0.002 and abs(lat - 43.835) < 0.002
    screenshot("picker")
    page.locator("#edit-form button[type=submit]").click()
    expect(page).to_have_url(url(f"/projects/{unplaced.pk}/"))
    unplaced.refresh_from_db()
    assert abs(float(unplaced.longitude) - 125.26) < 0.002


def test_tile_layer_lies_under_the_points(
    login_as, users, zone_tree, url, screenshot, page_errors, settings
):
    """With ZONEOPS_MAP_TILE_URL set, tiles in Web Mercator are drawn beneath the chart, each
    where the chart's projection puts its corner (here every tile is the favicon)."""
    from zoneops.core.ops.demo import BOUNDARIES, BOUNDARY_SOURCE
    from zoneops.core.zones.geo import feature_collection
    from zoneops.projects.models import Project

    settings.ZONEOPS_MAP_TILE_URL = "/static/zoneops/favicon.svg?z={z}&x={x}&y={y}&s={s}"
    settings.ZONEOPS_MAP_TILE_SUBDOMAINS = "0123"
    settings.ZONEOPS_MAP_TILE_ATTRIBUTION = "底图:测试瓦片"
    for text in ("HTTP 400: GET", "status of 400", "Error Code 400 from /notifications/bell/"):
        page_errors.allow(text)  # see the test above
    hitech = zone_tree["hitech"]
    hitech.boundary = feature_collection(hitech.name, BOUNDARIES["CCGX"], BOUNDARY_SOURCE)
    hitech.save()
    Project.objects.create(
        code="GX-T1", name="瓦片上的项目", zone=hitech, type="new", total_investment=Decimal(5000),
        plan_year=timezone.localdate().year, annual_plan=Decimal(0),
        longitude=Decimal("125.260000"), latitude=Decimal("43.835000"),
    )  # fmt: skip
    page = login_as(users["staff"])
    page.goto(url(f"/projects/map/{hitech.pk}/"))
    expect(page.locator("#zone-map-chart")).to_have_attribute("data-ready", "1")
    expect(page.locator("#map-attribution")).to_have_text("底图:测试瓦片")
    tiles = page.locator("#map-tiles img")
    expect(tiles.first).to_be_attached()
    zoom = int(page.locator("#map-tiles").get_attribute("data-zoom"))
    assert 9 <= zoom <= 14, zoom
    # Where the tile maths puts the point and where the chart draws it: the same pixel.
    offset = page.evaluate(
        """([lon, lat, zoom]) => {
            const el = document.getElementById("zone-map-chart");
            const chart = echarts.getInstanceByDom(el);
            const drawn = chart.convertToPixel({geoIndex: 0}, [lon, lat]);
            const n = Math.pow(2, zoom), s = Math.sin(lat * Math.PI / 180);
            const wx = (lon + 180) / 360 * n;
            const wy = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n;
            const tile = document.querySelector(
                `#map-tiles img[data-tile="${zoom}/${Math.floor(wx)}/${Math.floor(wy)}"]`);
            if (!tile) { return null; }
            const w = parseFloat(tile.style.width) - 0.5, h = parseFloat(tile.style.height) - 0.5;
            const x = parseFloat(tile.style.left) + (wx - Math.floor(wx)) * w;
            const y = parseFloat(tile.style.top) + (wy - Math.floor(wy)) * h;
            return [x - drawn[0], y - drawn[1]];
        }""",
        [125.26, 43.835, zoom],
    )
    assert offset is not None, "no tile under the point"
    assert abs(offset[0]) < 2 and abs(offset[1]) < 2, offset
    # The point on the screen is where it belongs on the map, not just on the tiles.
    drawn = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById("zone-map-chart"))
            .convertToPixel({geoIndex: 0}, [125.26, 43.835])"""
    )
    box = page.locator("#zone-map-chart").bounding_box()
    assert 0 < drawn[0] < box["width"] and 0 < drawn[1] < box["height"]
    screenshot("tiles")
