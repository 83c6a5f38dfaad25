import re

import pytest

from zoneops.core.models import Department, Zone
from zoneops.core.ui.testing import ScopedViewTests


@pytest.mark.django_db
class TestZoneViews(ScopedViewTests):
    model = Zone
    url_base = "core:zone"
    search_term = "ZT-1"
    editor = "admin"  # only the system administrator changes the tree
    # The tree's figures: one query per registered figure (6), the parents, the zones' paths.
    max_list_queries = ScopedViewTests.max_list_queries + 8

    def test_cannot_create_in_other_zone(self, client_for, users, zone_tree):
        count = Zone.objects.count()
        response = client_for(users["staff"]).post(
            self.url("add"), self.form_data(zone_tree["hitech"])
        )
        assert response.status_code == 403
        assert Zone.objects.count() == count

    def make(self, zone, index=0):
        return Zone.objects.create(
            code=f"ZT-{index}", name=f"测试园区{index}", kind=Zone.Kind.INDUSTRIAL_PARK, parent=zone
        )

    def form_data(self, zone):
        return {
            "code": "NEW-1",
            "name": "新园区",
            "kind": Zone.Kind.INDUSTRIAL_PARK,
            "parent": zone.code,
        }


@pytest.mark.django_db
class TestDepartmentViews(ScopedViewTests):
    model = Department
    url_base = "core:department"
    search_term = "经济发展局1"

    def make(self, zone, index=0):
        return Department.objects.create(zone=zone, name=f"经济发展局{index}")

    def form_data(self, zone):
        return {"zone": zone.code, "name": "投资促进局", "code": f"{zone.code}-TC"}


def test_staff_cannot_create_top_level_zone(client_for, users):
    response = client_for(users["staff"]).post(
        "/zones/add/", {"code": "TOP", "name": "顶级", "kind": Zone.Kind.PROVINCE}
    )
    assert response.status_code == 403
    assert not Zone.objects.filter(code="TOP").exists()


def test_zone_form_errors_are_in_chinese(client_for, users, zone_tree):
    response = client_for(users["admin"]).post(
        "/zones/add/", {"code": "bad code!", "name": "", "kind": "", "division_code": "22"}
    )
    errors = response.context["form"].errors
    assert "该字段是必填项。" in errors["name"]
    assert "GB/T 2260 行政区划代码为 6 位数字。" in errors["division_code"]


def test_audit_log_is_for_the_audit_administrator_only(client_for, users):
    """三员分立: the system administrator does not read the log of its own changes."""
    assert client_for(users["staff"]).get("/audit/").status_code == 403
    assert client_for(users["admin"]).get("/audit/").status_code == 403
    assert client_for(users["security_admin"]).get("/audit/").status_code == 403
    assert client_for(users["auditor"]).get("/audit/").status_code == 200


def test_healthz_answers_when_the_database_does(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_lists_granted_zones(client_for, users):
    response = client_for(users["staff"]).get("/")
    assert "长春高新区" in response.content.decode()
    assert "长春经开区" not in response.content.decode()


def test_language_switch_to_english(client_for, users):
    client = client_for(users["staff"])
    assert "区域" in client.get("/zones/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/zones/"})
    assert "Zones" in client.get("/zones/").content.decode()


def test_list_sorting_and_filtering(client_for, users, zone_tree):
    client = client_for(users["admin"])
    rows = client.get("/zones/", {"sort": "-code"}).context["rows"]
    codes = [obj.code for obj, _ in rows]
    assert codes == sorted(codes, reverse=True)
    rows = client.get("/zones/", {"kind": Zone.Kind.HI_TECH_ZONE}).context["rows"]
    assert [obj.code for obj, _ in rows] == ["GX"]
    rows = client.get("/zones/", {"within": zone_tree["new_area"].pk}).context["rows"]
    assert {obj.code for obj, _ in rows} == {"XQ", "GX", "GX-P1", "BH"}
    # an unknown sort key falls back to the default order instead of failing
    assert client.get("/zones/", {"sort": "password"}).status_code == 200


def test_pagination(client_for, users, zone_tree):
    for i in range(60):
        Zone.objects.create(
            code=f"PG{i:02d}", name=f"分页{i}", kind="street", parent=zone_tree["park"]
        )
    client = client_for(users["staff"])
    first = client.get("/zones/")
    assert len(first.context["rows"]) == 50
    second = client.get("/zones/", {"page": 2})
    assert len(second.context["rows"]) == 62 - 50  # GX, GX-P1 and 60 streets


def test_navigation_follows_the_role(client_for, users):
    staff_nav = [str(i["label"]) for i in client_for(users["staff"]).get("/").context["navigation"]]
    assert "区域" in staff_nav
    assert "审计日志" not in staff_nav and "用户与授权" not in staff_nav
    admin_nav = [str(i["label"]) for i in client_for(users["admin"]).get("/").context["navigation"]]
    assert "审计日志" not in admin_nav and "用户与授权" in admin_nav
    auditor_nav = [
        str(i["label"]) for i in client_for(users["auditor"]).get("/").context["navigation"]
    ]
    assert "审计日志" in auditor_nav and "安全事件" in auditor_nav
    assert "区域" not in auditor_nav and "用户与授权" not in auditor_nav


def test_pages_load_nothing_from_outside(client_for, users, zone_tree):
    """Users sit on government intranets: every script, style and image is served locally."""
    import re

    client = client_for(users["admin"])
    for url in [
        "/",
        "/zones/",
        f"/zones/{zone_tree['hitech'].pk}/",
        "/zones/import/",
        "/audit/",
        "/api/docs/",
        "/accounts/login/",
    ]:
        html = client.get(url).content.decode()
        external = re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)
        assert not external, (url, external)


def test_our_words_win_over_django_admin_translations(client_for, users):
    html = client_for(users["staff"]).get("/zones/").content.decode()
    assert "筛选" in html and "过滤器" not in html
    assert "退出" in html and "注销" not in html


def test_chinese_by_default_even_for_an_english_browser(client_for, users):
    client = client_for(users["staff"])
    html = client.get("/zones/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "区域" in html and "Zones" not in html


def test_filter_labels_and_account_pages_are_in_chinese(client_for, users):
    client = client_for(users["staff"])
    html = client.get("/cases/").content.decode()
    assert "标题 包含" in html and "≥" in html
    labels = " ".join(re.findall(r"<label[^>]*>([^<]*)</label>", html))
    assert "contains" not in labels and "greater than" not in labels and "null" not in labels
    done = client.get("/accounts/password/done/").content.decode()
    assert "密码已修改" in done and "Django" not in done


def test_filter_choices_offer_only_what_the_user_may_see(client_for, users, zone_tree):
    Department.objects.create(zone=zone_tree["econ"], name="经开区财政局")
    Department.objects.create(zone=zone_tree["hitech"], name="高新区经济发展局")
    client = client_for(users["staff"])
    html = client.get("/cases/").content.decode()
    assert "高新区经济发展局" in html and "经开区财政局" not in html
    assert "jk_staff" not in html  # another zone's people are not offered as handlers
    other_zone = client.get("/api/departments/", {"zone": zone_tree["econ"].code})
    assert other_zone.status_code == 400
