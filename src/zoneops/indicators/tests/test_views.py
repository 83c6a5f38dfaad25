import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook, load_workbook

from zoneops.core.ui.testing import ScopedViewTests
from zoneops.indicators import services
from zoneops.indicators.models import Indicator, IndicatorValue, MonthClose, Target

# Room for the site-wide parts of every page (navigation, notifications); constant in rows.
LIST_QUERIES = ScopedViewTests.max_list_queries + 1


def gdp():
    return Indicator.objects.get(code="gdp")


@pytest.mark.django_db
class TestIndicatorValueViews(ScopedViewTests):
    model = IndicatorValue
    url_base = "indicators:indicatorvalue"
    max_list_queries = LIST_QUERIES
    search_term = "地区生产总值"

    def make(self, zone, index=0):
        return services.save_value(
            zone=zone,
            indicator=gdp(),
            year=2000 + index,
            month=9,
            value=D(100 + index),
            acting_user=None,
        )

    def form_data(self, zone):
        return {"zone": zone.code, "indicator": "gdp", "year": 2025, "month": 9, "value": "90"}


@pytest.mark.django_db
class TestTargetViews(ScopedViewTests):
    model = Target
    url_base = "indicators:target"
    max_list_queries = LIST_QUERIES + 1  # the department filter adds one scoped choice list
    search_term = "地区生产总值"

    def make(self, zone, index=0):
        return Target.objects.create(zone=zone, indicator=gdp(), year=2000 + index, growth=D(6))

    def form_data(self, zone):
        return {"zone": zone.code, "indicator": "gdp", "year": 2025, "growth": "6.5"}


@pytest.mark.django_db
class TestMonthCloseViews(ScopedViewTests):
    model = MonthClose
    url_base = "indicators:monthclose"
    has_edit = False
    has_delete = False
    search_term = "光电产业园"

    def make(self, zone, index=0):
        return services.approve_month(zone=zone, year=2000 + index, month=1, acting_user=None)

    def form_data(self, zone):
        return {"zone": zone.code, "year": 2025, "month": 9}


def test_catalog_is_read_by_everyone_and_kept_by_administrators(client_for, users):
    indicator = gdp()
    for role in ("staff", "liaison", "leader"):
        client = client_for(users[role])
        assert client.get("/indicators/").status_code == 200
        assert client.get(f"/indicators/{indicator.pk}/").status_code == 200
        assert client.get("/indicators/add/").status_code == 403
        assert client.get(f"/indicators/{indicator.pk}/edit/").status_code == 404
    client = client_for(users["admin"])
    response = client.post(
        "/indicators/add/",
        {
            "code": "rd_spending",
            "name": "研发投入",
            "unit": "万元",
            "kind": "cumulative",
            "direction": "higher",
            "origin": "entered",
            "sort_order": 200,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Indicator.objects.filter(code="rd_spending").exists()
    assert client.get("/indicators/?q=研发").context["rows"][0][0].code == "rd_spending"


def test_a_locked_month_refuses_entry_on_the_page(client_for, users, zone_tree):
    services.approve_month(zone=zone_tree["hitech"], year=2025, month=9, acting_user=None)
    response = client_for(users["staff"]).post(
        "/indicators/values/add/",
        {"zone": "GX", "indicator": "gdp", "year": 2025, "month": 9, "value": "90"},
    )
    assert response.status_code == 200
    assert "锁定" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_entering_an_existing_period_updates_it(client_for, users, zone_tree):
    client = client_for(users["staff"])
    data = {"zone": "GX", "indicator": "gdp", "year": 2025, "month": 9, "value": "90"}
    assert client.post("/indicators/values/add/", data).status_code == 302
    assert client.post("/indicators/values/add/", data | {"value": "95"}).status_code == 302
    assert IndicatorValue.objects.get().value == D(95)


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    book.save(handle)
    handle.seek(0)
    handle.name = "values.xlsx"
    return handle


def test_import_is_all_or_nothing_with_row_errors(client_for, users, zone_tree):
    client = client_for(users["staff"])
    template = client.get("/indicators/values/import/", {"template": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content))).active
    headers = [cell.value for cell in sheet[1]]  # as the user gets them, in Chinese
    assert len(headers) == 7
    bad = xlsx(
        [
            headers,
            ["GX", "gdp", 2025, 8, 80, None, None],
            ["GX", "nope", 2025, 9, 90, None, None],
            ["JK", "gdp", 2025, 9, 90, None, None],
        ]
    )
    response = client.post("/indicators/values/import/", {"file": bad})
    assert response.status_code == 422
    rows = {e.row for e in response.context["errors"]}
    assert rows == {3, 4}
    assert not IndicatorValue.objects.exists()
    good = xlsx(
        [
            ["zone", "indicator", "year", "month", "value"],
            ["GX", "gdp", 2024, 9, 80],
            ["GX", "gdp", 2025, 9, 90],
        ]
    )
    response = client.post("/indicators/values/import/", {"file": good})
    assert response.status_code == 302
    assert IndicatorValue.objects.get(year=2025).yoy == D("12.50")


def test_progress_page_shows_q4_must_deliver(client_for, users, zone_tree):
    zone = zone_tree["hitech"]
    for year, value in ((2024, 80), (2025, 90)):
        services.save_value(
            zone=zone, indicator=gdp(), year=year, month=9, value=D(value), acting_user=None
        )
    services.save_value(
        zone=zone, indicator=gdp(), year=2024, month=12, value=D(120), acting_user=None
    )
    Target.objects.create(zone=zone, indicator=gdp(), year=2025, growth=D(10))
    client = client_for(users["staff"])
    response = client.get("/indicators/progress/", {"zone": zone.pk, "year": 2025, "month": 9})
    assert response.status_code == 200
    (row,) = [p for p in response.context["rows"] if p.indicator.code == "gdp"]
    assert row.q4_must == D("42.00")
    assert "42" in response.content.decode()
    export = client.get(
        "/indicators/progress/", {"zone": zone.pk, "year": 2025, "month": 9, "export": "xlsx"}
    )
    assert export.status_code == 200
    # Another zone's progress is not offered.
    other = client.get(
        "/indicators/progress/", {"zone": zone_tree["econ"].pk, "year": 2025, "month": 9}
    )
    assert other.context["rows"] == []


@pytest.mark.parametrize("refused", ["admin", "other_staff", "leader"])
def test_only_the_zones_staff_reopen_on_the_page(client_for, users, zone_tree, refused):
    close = services.approve_month(zone=zone_tree["hitech"], year=2025, month=9, acting_user=None)
    page = client_for(users[refused]).get(f"/indicators/months/{close.pk}/")
    assert page.status_code in (200, 404) and 'id="reopen-form"' not in page.content.decode()
    client_for(users[refused]).post(f"/indicators/months/{close.pk}/", {"reason": "更正"})
    close.refresh_from_db()
    assert close.is_locked  # 三员分立: the system administrator takes no data decision
    client_for(users["staff"]).post(f"/indicators/months/{close.pk}/", {"reason": "更正"})
    close.refresh_from_db()
    assert not close.is_locked and close.reopen_reason == "更正"


def test_edit_page_shows_and_keeps_the_codes(client_for, users, zone_tree):
    value = services.save_value(
        zone=zone_tree["hitech"], indicator=gdp(), year=2025, month=9, value=D(90), acting_user=None
    )
    client = client_for(users["staff"])
    form = client.get(f"/indicators/values/{value.pk}/edit/").context["form"]
    assert form["zone"].value() == "GX" and form["indicator"].value() == "gdp"
    response = client.post(
        f"/indicators/values/{value.pk}/edit/",
        {"zone": "GX", "indicator": "gdp", "year": 2025, "month": 9, "value": "91"},
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.value == D(91)


def test_ranking_page_ranks_the_visible_zones_below_a_parent(client_for, users, zone_tree):
    for zone, value in ((zone_tree["hitech"], 110), (zone_tree["beihu"], 105)):
        for year, v in ((2024, 100), (2025, value)):
            services.save_value(
                zone=zone, indicator=gdp(), year=year, month=9, value=D(v), acting_user=None
            )
    response = client_for(users["leader"]).get(
        "/indicators/ranking/",
        {"parent": zone_tree["new_area"].pk, "indicator": "gdp", "year": 2025, "month": 9},
    )
    assert [(e["zone"].code, e["rank"]) for e in response.context["rows"]] == [
        ("GX", 1),
        ("BH", 2),
    ]


def test_recompute_button_refuses_a_locked_month(client_for, users, zone_tree):
    services.approve_month(zone=zone_tree["hitech"], year=2025, month=9, acting_user=None)
    response = client_for(users["staff"]).post(
        "/indicators/progress/recompute/",
        {"zone": zone_tree["hitech"].pk, "year": 2025, "month": 9},
        follow=True,
    )
    assert "锁定" in response.content.decode()
