import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from zoneops.core.ui.testing import ScopedViewTests, photo_bytes
from zoneops.projects import services
from zoneops.projects.models import Blocker, Milestone, ProgressNote, ProgressPhoto, Project
from zoneops.projects.tests.factories import make_project

PNG = photo_bytes("PNG")


@pytest.mark.django_db
class TestProjectViews(ScopedViewTests):
    model = Project
    url_base = "projects:project"
    search_term = "测试项目1"

    def make(self, zone, index=0):
        return make_project(zone, index)

    def form_data(self, zone):
        return {
            "code": "NEW-1",
            "name": "新建项目",
            "zone": zone.pk,
            "type": "new",
            "category": "industrial",
            "stage": "planned",
            "total_investment": "120000",
            "plan_year": "2025",
            "annual_plan": "30000",
            "tag_choices": ["spring"],
        }

    def test_form_sets_tags_and_the_annual_plan(self, client_for, users, zone_tree):
        client_for(users["staff"]).post(self.url("add"), self.form_data(zone_tree["park"]))
        project = Project.objects.get(code="NEW-1")
        assert project.tag_list == ["spring", "over_50m", "over_1b"]
        assert project.annual_plans.get(year=2025).planned == Decimal("30000")


@pytest.mark.django_db
class TestMilestoneViews(ScopedViewTests):
    model = Milestone
    url_base = "projects:milestone"
    search_term = "节点1"

    def make(self, zone, index=0):
        project = make_project(zone, 100 + index)
        return Milestone.objects.create(
            project=project, name=f"节点{index}", planned_date=dt.date(2025, 6, 1)
        )

    def form_data(self, zone):
        project = make_project(zone, 999)
        return {"project": project.code, "name": "主体封顶", "planned_date": "2025-08-01"}


@pytest.mark.django_db
class TestBlockerViews(ScopedViewTests):
    model = Blocker
    url_base = "projects:blocker"
    search_term = "电力1"
    has_delete = False

    def make(self, zone, index=0):
        project = make_project(zone, 200 + index)
        return services.raise_blocker(
            project, kind="power", description=f"电力{index}增容", acting_user=None
        )

    def form_data(self, zone):
        project = make_project(zone, 998)
        return {
            "project": project.code,
            "kind": "land",
            "description": "用地指标未落实",
            "limit_working_days": "5",
        }

    def test_raise_escalate_and_close_through_the_page(self, client_for, users, zone_tree):
        from zoneops.core.models import Department

        department = Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")
        project = make_project(zone_tree["park"], 1, leader_name="张副主任")
        client = client_for(users["staff"])
        response = client.post(
            self.url("add"), self.form_data(zone_tree["park"]) | {"project": project.code}
        )
        blocker = Blocker.objects.get(project=project)
        assert response.status_code == 302
        assert blocker.case.kind == "blocker" and blocker.case.state == "raised"
        url = self.url("detail", blocker.pk)
        client.post(
            url,
            {"transition": "assign", "department": department.pk, "handler": users["liaison"].pk},
        )
        client.post(url, {"transition": "start"})
        client.post(url, {"transition": "escalate", "comment": "需包保领导协调供电公司"})
        page = client.get(url).content.decode()
        assert "张副主任" in page  # escalated to the responsible leader
        client.post(url, {"transition": "resolve", "comment": "已解决"})
        client.post(url, {"transition": "close"})
        blocker.case.refresh_from_db()
        assert blocker.case.state == "closed" and not blocker.case.is_open
        events = list(blocker.case.events.values_list("transition", flat=True))
        assert events == ["open", "assign", "start", "escalate", "resolve", "close"]


@pytest.mark.django_db
class TestProgressNoteViews(ScopedViewTests):
    model = ProgressNote
    url_base = "projects:progressnote"
    search_term = "进展1"

    def make(self, zone, index=0):
        project = make_project(zone, 300 + index)
        return ProgressNote.objects.create(project=project, text=f"进展{index}：桩基完成")

    def form_data(self, zone):
        project = make_project(zone, 997)
        return {"project": project.code, "date": "2025-05-01", "text": "主体结构施工"}

    def test_photos_are_checked_by_content(self, client_for, users, zone_tree):
        project = make_project(zone_tree["park"], 1)
        client = client_for(users["staff"])
        fake = SimpleUploadedFile("site.png", b"MZ\x90\x00 not a picture", "image/png")
        response = client.post(
            self.url("add"),
            {"project": project.code, "date": "2025-05-01", "text": "进展", "photos": [fake]},
        )
        assert response.status_code == 200
        assert "不是" in response.content.decode()
        assert not ProgressNote.objects.filter(project=project).exists()
        photo = SimpleUploadedFile("site.jpg", PNG, "image/jpeg")
        response = client.post(
            self.url("add"),
            {"project": project.code, "date": "2025-05-01", "text": "进展", "photos": [photo]},
        )
        assert response.status_code == 302
        stored = ProgressPhoto.objects.get(note__project=project)
        assert stored.content_type == "image/png"  # judged by content, not the name
        shown = client.get(reverse("projects:photo", args=[stored.pk]))
        assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
        other = client_for(users["other_staff"]).get(reverse("projects:photo", args=[stored.pk]))
        assert other.status_code == 404

    def test_site_photos_from_the_phone_camera(
        self, client_for, users, zone_tree, settings, tmp_path
    ):
        from zoneops.core.files import photos

        settings.MEDIA_ROOT = tmp_path
        project = make_project(zone_tree["park"], 1)
        client = client_for(users["staff"])
        form = client.get(self.url("add") + f"?project={project.code}").content.decode()
        assert 'capture="environment"' in form and "data-keep-location" in form
        for text, keep in (("基坑开挖", ""), ("主体封顶", "on")):
            photo = SimpleUploadedFile("IMG.jpg", photo_bytes("JPEG", gps=True), "image/jpeg")
            data = {"project": project.code, "date": "2025-05-01", "text": text, "photos": [photo]}
            assert client.post(self.url("add"), data | {"keep_location": keep}).status_code == 302
        stripped = ProgressPhoto.objects.get(note__text="基坑开挖").image.read()
        kept = ProgressPhoto.objects.get(note__text="主体封顶").image.read()
        assert photos.location_of(stripped) == {} and photos.location_of(kept)[1] == "N"

    def test_photo_size_limit(self, client_for, users, zone_tree, settings):
        settings.ZONEOPS_PROJECT_PHOTO_MAX_BYTES = 50
        project = make_project(zone_tree["park"], 1)
        photo = SimpleUploadedFile("big.png", PNG, "image/png")
        response = client_for(users["staff"]).post(
            self.url("add"),
            {"project": project.code, "date": "2025-05-01", "text": "进展", "photos": [photo]},
        )
        assert response.status_code == 200
        assert not ProgressNote.objects.filter(project=project).exists()


def lagging_setup(zone_tree):
    today = timezone.localdate()
    red = make_project(
        zone_tree["park"], 1, planned_start=today - dt.timedelta(days=200), annual_plan=0
    )
    yellow = make_project(
        zone_tree["park"], 2, planned_start=today - dt.timedelta(days=5), annual_plan=0
    )
    green = make_project(zone_tree["park"], 3, annual_plan=0, stage="started")
    other = make_project(
        zone_tree["econ"], 4, planned_start=today - dt.timedelta(days=200), annual_plan=0
    )
    return red, yellow, green, other


@pytest.mark.django_db
def test_lagging_list_shows_reasons_in_granted_zones(client_for, users, zone_tree):
    red, yellow, green, other = lagging_setup(zone_tree)
    response = client_for(users["staff"]).get(reverse("projects:lagging"))
    shown = [obj.pk for obj, _cells in response.context["rows"]]
    assert shown == [red.pk, yellow.pk]  # red first; green and other zones left out
    page = response.content.decode()
    assert "未按计划开工" in page
    export = client_for(users["staff"]).get(reverse("projects:lagging"), {"export": "xlsx"})
    assert export.status_code == 200


@pytest.mark.django_db
def test_board_groups_by_stage_and_light(client_for, users, zone_tree):
    red, yellow, green, other = lagging_setup(zone_tree)
    response = client_for(users["staff"]).get(reverse("projects:board"))
    columns = {c["stage"]: c for c in response.context["columns"]}
    planned = {g["light"]: g["count"] for g in columns["planned"]["groups"]}
    assert planned == {2: 1, 1: 1, 0: 0}
    assert columns["started"]["count"] == 1
    assert response.context["total"] == 3


@pytest.mark.parametrize(
    "url", ["projects:board", "projects:lagging", "projects:timeline", "projects:stats"]
)
@pytest.mark.django_db
def test_zone_pages_keep_a_constant_query_count(client_for, users, zone_tree, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    client = client_for(users["staff"])

    def add(start, stop):
        for index in range(start, stop):
            project = make_project(
                zone_tree["park"],
                index,
                planned_start=today - dt.timedelta(days=index * 7),
                annual_plan=0,
                chain=f"链{index % 4}",
            )
            Milestone.objects.create(project=project, name="开工", planned_date=today)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url)).status_code == 200
        return len(queries)

    add(0, 5)
    few = count()
    add(5, 45)
    assert count() == few


@pytest.mark.django_db
def test_stats_aggregate_per_zone_type_and_tag(client_for, users, zone_tree):
    make_project(
        zone_tree["park"],
        1,
        total_investment=Decimal("100000"),
        tags=",spring,",
        stage="started",
        actual_start=dt.date(2025, 3, 1),
    )
    make_project(
        zone_tree["hitech"],
        2,
        type="continued",
        total_investment=Decimal("20000"),
        stage="in_production",
        actual_start=dt.date(2024, 3, 1),
    )
    make_project(zone_tree["econ"], 3)
    response = client_for(users["staff"]).get(
        reverse("projects:stats"), {"within": zone_tree["hitech"].pk}
    )
    ctx = response.context
    assert ctx["overall"]["count"] == 2
    assert ctx["overall"]["total"] == Decimal("120000")
    assert ctx["overall"]["start_rate"] == Decimal("100.0")
    assert ctx["overall"]["production_rate"] == Decimal("50.0")
    zones = {row["zone"].code: row["count"] for row in ctx["zones"]}
    assert zones == {"GX": 2, "GX-P1": 1}
    types = {str(row["label"]): row["count"] for row in ctx["types"]}
    assert types == {"新建": 1, "续建": 1}
    tags = {str(row["label"]): row["count"] for row in ctx["tags"]}
    assert tags["春季开复工"] == 1 and tags["10亿元以上"] == 1 and tags["5000万元以上"] == 2


@pytest.mark.django_db
def test_project_page_shows_light_timeline_and_replan(client_for, users, zone_tree):
    project = make_project(zone_tree["park"], 1, stage="started", actual_start=dt.date(2025, 3, 1))
    milestone = Milestone.objects.create(
        project=project, name="主体封顶", planned_date=dt.date(2025, 6, 1)
    )
    services.set_baseline(project, acting_user=users["staff"])
    milestone.refresh_from_db()
    milestone.planned_date = dt.date(2025, 7, 1)
    milestone.save()
    client = client_for(users["staff"])
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'id="timeline-data"' in page and "主体封顶" in page
    assert "<script>" not in page  # no inline scripts
    comparison = client.get(project.get_absolute_url()).context["comparison"]
    assert [(c.what, c.moved) for c in comparison] == [("主体封顶", 30)]


@pytest.mark.django_db
def test_monthly_figure_from_the_project_page(client_for, users, zone_tree):
    project = make_project(zone_tree["park"], 1)
    client = client_for(users["staff"])
    client.post(
        reverse("projects:project_monthly", args=[project.pk]),
        {"year": 2025, "month": 3, "completed_ytd": "300"},
    )
    client.post(
        reverse("projects:project_monthly", args=[project.pk]),
        {"year": 2025, "month": 4, "completed_ytd": "250"},
    )  # lower: refused
    project.refresh_from_db()
    assert (project.completed_ytd, project.completed_month) == (Decimal("300"), 3)
    leader = client_for(users["leader"]).post(
        reverse("projects:project_monthly", args=[project.pk]),
        {"year": 2025, "month": 5, "completed_ytd": "400"},
    )
    assert leader.status_code == 404


@pytest.mark.django_db
def test_api_lists_projects_with_lights(client_for, users, zone_tree):
    red, yellow, green, other = lagging_setup(zone_tree)
    response = client_for(users["staff"]).get("/api/projects/", {"light": 2})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["code"] for r in rows] == [red.code]
    assert rows[0]["light"] == "red" and rows[0]["light_reasons"]
    created = client_for(users["staff"]).post(
        "/api/projects/",
        {
            "code": "API-1",
            "name": "接口项目",
            "zone": zone_tree["park"].code,
            "type": "new",
            "total_investment": "8000",
            "plan_year": 2025,
            "annual_plan": "1000",
            "tags": ["spring"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["tags"] == ["spring", "over_50m"]
    denied = client_for(users["staff"]).post(
        "/api/projects/",
        {
            "code": "API-2",
            "name": "外区项目",
            "zone": zone_tree["econ"].code,
            "type": "new",
            "total_investment": "8000",
            "plan_year": 2025,
            "annual_plan": "1000",
        },
        content_type="application/json",
    )
    assert denied.status_code == 400


@pytest.mark.django_db
def test_owner_enterprise_is_named_by_its_uscc(client_for, users, zone_tree):
    from zoneops.enterprises.models import Enterprise

    enterprise = Enterprise.objects.create(
        uscc="91350100M000100Y43", name="吉林某光电有限公司", zone=zone_tree["park"]
    )
    client = client_for(users["staff"])
    data = TestProjectViews().form_data(zone_tree["park"]) | {"enterprise": enterprise.uscc}
    assert client.post(reverse("projects:project_add"), data).status_code == 302
    project = Project.objects.get(code="NEW-1")
    assert project.enterprise == enterprise
    page = client.get(reverse("projects:project_edit", args=[project.pk])).content.decode()
    assert 'value="91350100M000100Y43"' in page
