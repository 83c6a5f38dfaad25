import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoneops.appeals.tests.conftest import make_uscc
from zoneops.core.loop import services as core_services
from zoneops.core.models import Department, LoopCase, LoopEvent
from zoneops.core.ui.testing import ScopedViewTests, photo_bytes
from zoneops.hazards import reports, services, workflow
from zoneops.hazards.models import Hazard, HazardPhoto, InspectionRound

D = dt.date
DAY = D(2025, 9, 29)
PNG = photo_bytes("PNG")


@pytest.fixture
def department(zone_tree):
    return Department.objects.create(zone=zone_tree["hitech"], name="应急管理局")


@pytest.fixture
def enterprise(zone_tree):
    from zoneops.enterprises.models import Enterprise

    return Enterprise.objects.create(
        uscc=make_uscc(7), name="长春化工材料有限公司", zone=zone_tree["park"], above_scale=True
    )


def found(enterprise, user, level="general", **kw):
    return services.report_hazard(
        zone=enterprise.zone,
        enterprise=enterprise,
        title=kw.pop("title", "危化品仓库消防通道堵塞"),
        category=kw.pop("category", "fire"),
        level=level,
        description="仓库消防通道堆放原料桶。",
        remedy="清理通道，设置禁止占用标识。",
        found_on=kw.pop("found_on", D(2025, 9, 26)),
        acting_user=user,
        **kw,
    )


def step(hazard, name, user, on=DAY, **kw):
    return services.transition(hazard, name, acting_user=user, on=on, **kw)


def evidence(hazard, user):
    upload = SimpleUploadedFile("整改后.png", PNG, "image/png")
    return services.add_photo(hazard, upload, kind="evidence", acting_user=user)


def test_deadlines_count_working_days_over_national_day(enterprise, users):
    general = found(enterprise, users["staff"])
    assert general.deadline == D(2025, 10, 16)  # 10 working days
    major = found(enterprise, users["staff"], level="major")
    assert major.case.kind == "hazard_major" and major.deadline == D(2025, 10, 10)  # 5 days
    given = found(enterprise, users["staff"], deadline=D(2025, 10, 9))
    assert given.deadline == D(2025, 10, 9) and given.case.limit_working_days == 4
    with pytest.raises(ValidationError):
        found(enterprise, users["staff"], deadline=D(2025, 9, 1))


def test_major_hazards_escalate_sooner():
    due = D(2025, 10, 16)
    assert workflow.MAJOR_HAZARD and workflow.HAZARD
    from zoneops.core.loop import workflows as loop

    assert loop.escalation_level(workflow.HAZARD, due, D(2025, 10, 17)) == 2
    assert loop.escalation_level(workflow.MAJOR_HAZARD, due, D(2025, 10, 17)) == 3
    assert loop.escalation_level(workflow.MAJOR_HAZARD, due, D(2025, 10, 20)) == 4
    assert loop.escalation_level(workflow.MAJOR_HAZARD, due, D(2025, 10, 14)) == 1


def test_full_loop_with_rework_and_verification_by_someone_else(
    enterprise, users, department, colleague
):
    staff, liaison = users["staff"], users["liaison"]
    hazard = found(enterprise, staff)
    hazard = step(hazard, "assign", staff, department=department, handler=liaison)
    assert hazard.owner == liaison
    hazard = step(hazard, "start", liaison)
    with pytest.raises(ValidationError) as info:  # evidence first
        step(hazard, "rectify", liaison, comment="已清理")
    assert info.value.code == "evidence_required"
    evidence(hazard, liaison)
    hazard = step(hazard, "rectify", liaison, comment="已清理通道")
    assert hazard.rectified_on == D(2025, 9, 29)
    with pytest.raises(PermissionDenied):  # the owner may not verify their own work
        step(hazard, "verify", liaison)
    hazard = step(hazard, "rework", staff, comment="标识未设置")
    assert hazard.case.state == "rectifying" and hazard.rework_count == 1
    with pytest.raises(ValidationError):  # the first attempt's evidence does not count again
        step(hazard, "rectify", liaison, comment="已设置标识")
    evidence(hazard, liaison)
    hazard = step(hazard, "rectify", liaison, comment="已设置标识")
    hazard = step(hazard, "verify", staff)
    assert hazard.verified_by == staff
    hazard = step(hazard, "close", colleague)
    assert not hazard.case.is_open and hazard.case.state == "closed"


def test_who_reported_rectified_may_not_verify(enterprise, users, department, colleague):
    staff = users["staff"]
    hazard = found(enterprise, staff)
    hazard = step(hazard, "assign", staff, department=department, handler=users["liaison"])
    hazard = step(hazard, "start", staff)
    evidence(hazard, staff)
    hazard = step(hazard, "rectify", staff, comment="代为整改")
    with pytest.raises(PermissionDenied):
        step(hazard, "verify", staff)
    assert LoopCase.objects.get(pk=hazard.case_id).state == "rectified"
    with pytest.raises(PermissionDenied):  # 三员分立: the system administrator verifies nothing
        step(hazard, "verify", users["admin"])
    step(hazard, "verify", colleague)


@pytest.mark.parametrize("state", list(workflow.STATES))
def test_every_illegal_transition_is_rejected(state, enterprise, users, department):
    hazard = found(enterprise, users["staff"])
    LoopCase.objects.filter(pk=hazard.case_id).update(state=state)
    hazard.refresh_from_db()
    for name, transition in workflow.TRANSITIONS.items():
        if state in transition.sources:
            continue
        before = LoopEvent.objects.count()
        with pytest.raises(ValidationError):
            step(
                hazard,
                name,
                users["admin"],
                comment="x",
                department=department,
                handler=users["liaison"],
                extra_working_days=2,
            )
        assert LoopCase.objects.get(pk=hazard.case_id).state == state
        assert LoopEvent.objects.count() == before


def test_photos_are_checked_by_content(enterprise, users, settings):
    hazard = found(enterprise, users["staff"])
    with pytest.raises(ValidationError):
        services.add_photo(
            hazard,
            SimpleUploadedFile("photo.jpg", b"<html>not a photo</html>", "image/jpeg"),
            kind="found",
            acting_user=users["staff"],
        )
    settings.ZONEOPS_APPEAL_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError):
        services.add_photo(
            hazard, SimpleUploadedFile("big.png", PNG), kind="found", acting_user=users["staff"]
        )
    with pytest.raises(PermissionDenied):
        services.add_photo(
            hazard, SimpleUploadedFile("a.png", PNG), kind="found", acting_user=users["leader"]
        )
    assert not HazardPhoto.objects.exists()


def test_reclassifying_moves_to_the_major_workflow(enterprise, users):
    hazard = found(enterprise, users["staff"])
    hazard = services.set_level(hazard, "major", acting_user=users["staff"], comment="涉及危化品")
    assert hazard.case.kind == "hazard_major"
    assert hazard.case.events.last().transition == "level"


def test_tick_escalates_hazards(enterprise, users, department):
    general = found(enterprise, users["staff"])
    major = found(enterprise, users["staff"], level="major", title="反应釜压力表失效")
    core_services.tick(on=D(2025, 10, 11))  # major due Fri 10 Oct; Sat 11 Oct is a workday
    levels = dict(LoopCase.objects.values_list("pk", "escalation"))
    assert levels[major.case_id] == LoopCase.Escalation.DEPARTMENT_HEAD
    assert levels[general.case_id] == LoopCase.Escalation.NORMAL


def test_inspection_round_findings_and_coverage(enterprise, users, zone_tree):
    from zoneops.enterprises.models import Enterprise

    other = Enterprise.objects.create(
        uscc=make_uscc(8), name="长春精密机械有限公司", zone=zone_tree["park"], above_scale=True
    )
    inspection = InspectionRound.objects.create(
        zone=zone_tree["hitech"], title="三季度危化品专项排查", planned_on=D(2025, 9, 20)
    )
    inspection.enterprises.set([enterprise])
    hazard = services.record_finding(
        inspection,
        acting_user=users["staff"],
        enterprise=enterprise,
        title="气瓶未固定",
        category="special_equipment",
        description="车间气瓶未设防倾倒链。",
    )
    assert hazard.inspection == inspection and hazard.found_on == D(2025, 9, 20)
    with pytest.raises(ValidationError):
        services.record_finding(
            inspection,
            acting_user=users["staff"],
            enterprise=other,
            title="x",
            category="other",
            description="x",
        )
    services.complete_round(inspection, acting_user=users["staff"], on=D(2025, 9, 22))
    coverage = reports.coverage(users["staff"], 2025, 3)
    assert (coverage["total"], coverage["covered"], coverage["rate"]) == (2, 1, 50.0)
    assert list(coverage["missing"]) == [other]


def test_repeat_hazards(enterprise, users):
    found(enterprise, users["staff"])
    found(enterprise, users["staff"], title="消防通道再次堵塞", found_on=D(2025, 10, 20))
    found(enterprise, users["staff"], title="配电箱未接地", category="electrical")
    (row,) = reports.repeats(Hazard.objects.all())
    assert row["enterprise__name"] == enterprise.name and row["count"] == 2


def test_report_page(client_for, users, enterprise):
    found(enterprise, users["staff"])
    response = client_for(users["leader"]).get(reverse("hazards:report"), {"year": 2025})
    assert response.status_code == 200
    assert response.context["closure"]["total"] == 1


def test_major_list(client_for, users, enterprise):
    found(enterprise, users["staff"])
    major = found(enterprise, users["staff"], level="major", title="反应釜压力表失效")
    response = client_for(users["staff"]).get(reverse("hazards:major"))
    assert [obj for obj, _cells in response.context["rows"]] == [major]


def test_the_loop_on_the_page(client_for, users, enterprise, department):
    hazard = found(enterprise, users["admin"])
    client = client_for(users["staff"])
    url = hazard.get_absolute_url()
    client.post(
        url, {"transition": "assign", "department": department.pk, "handler": users["staff"].pk}
    )
    assert LoopCase.objects.get(pk=hazard.case_id).state == "assigned"
    client.post(url, {"transition": "start"})
    client.post(
        url, {"action": "photo", "kind": "evidence", "file": SimpleUploadedFile("e.png", PNG)}
    )
    client.post(url, {"transition": "rectify", "comment": "已整改"})
    assert LoopCase.objects.get(pk=hazard.case_id).state == "rectified"
    response = client.post(url, {"transition": "verify"})  # the owner verifying: refused
    assert LoopCase.objects.get(pk=hazard.case_id).state == "rectified"
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any("以外" in m or "other than" in m for m in shown), shown


@pytest.mark.django_db
class TestHazardViews(ScopedViewTests):
    model = Hazard
    url_base = "hazards:hazard"
    has_delete = False
    search_term = "隐患1"

    def make(self, zone, index=0):
        return services.report_hazard(
            zone=zone,
            place=f"{zone.name}公共区域",
            title=f"隐患{index}",
            category="electrical",
            description="路灯配电箱门损坏。",
            acting_user=None,
            found_on=D(2025, 9, 26),
        )

    def form_data(self, zone):
        return {
            "zone": zone.code,
            "title": "施工现场临边防护缺失",
            "category": "construction",
            "level": "general",
            "place": "科技大街东侧工地",
            "description": "基坑临边未设防护栏。",
            "found_on": "2025-09-26",
        }


@pytest.mark.django_db
class TestInspectionRoundViews(ScopedViewTests):
    model = InspectionRound
    url_base = "hazards:inspectionround"
    search_term = "排查1"

    def make(self, zone, index=0):
        return InspectionRound.objects.create(
            zone=zone, title=f"安全排查{index}", planned_on=D(2025, 10, 9)
        )

    def form_data(self, zone):
        return {"zone": zone.code, "title": "四季度消防专项排查", "planned_on": "2025-10-20"}


def test_hazard_api(users, enterprise, department):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(users["staff"])
    response = client.post(
        "/api/hazards/",
        {
            "enterprise": enterprise.pk,
            "title": "配电房无绝缘垫",
            "category": "electrical",
            "level": "major",
            "description": "配电房地面未铺设绝缘垫。",
            "found_on": "2025-09-26",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["level"] == "major" and body["deadline"] == "2025-10-10"
    url = f"/api/hazards/{body['id']}/transition/"
    ok = client.post(
        url,
        {"transition": "assign", "department": department.code, "handler": users["liaison"].pk},
        format="json",
    )
    assert ok.json()["state"] == "assigned"
    assert client.post(url, {"transition": "close"}, format="json").status_code == 400
    other = APIClient()
    other.force_authenticate(users["other_staff"])
    assert other.get(f"/api/hazards/{body['id']}/").status_code == 404


# On the phone (issue 10) ------------------------------------------------------------------------


def camera_jpeg(name="整改后.jpg"):
    return SimpleUploadedFile(name, photo_bytes("JPEG", size=(40, 30), gps=True), "image/jpeg")


def test_rectify_with_photos_from_the_site_once(
    client_for, users, enterprise, department, settings, tmp_path
):
    import uuid

    from zoneops.core.files import photos

    settings.MEDIA_ROOT = tmp_path
    hazard = found(enterprise, users["staff"])
    step(hazard, "assign", users["staff"], handler=users["liaison"], department=department)
    client = client_for(users["liaison"])
    url = reverse("hazards:hazard_rectify", args=[hazard.pk])
    page = client.get(url).content.decode()
    assert 'capture="environment"' in page and "data-keep-location" in page
    assert "data-phone-form" in page and 'name="client_token"' in page
    data = {
        "comment": "已清理消防通道并设置禁止占用标识。",
        "keep_location": "on",
        "client_token": str(uuid.uuid4()),
    }
    response = client.post(url, data | {"photos": [camera_jpeg(), camera_jpeg("2.jpg")]})
    assert response.status_code == 302 and response["Location"] == hazard.get_absolute_url()
    hazard.refresh_from_db()
    assert hazard.case.state == "rectified" and hazard.rectified_on is not None
    evidence = list(hazard.photos.filter(kind="evidence"))
    assert len(evidence) == 2
    # "Keep location" ticked: where the photo was taken stays in the file.
    assert photos.location_of(evidence[0].file.read())[1] == "N"
    # Sent again after a dropped connection: the same result, nothing added.
    again = client.post(url, data | {"photos": [camera_jpeg()]})
    assert again["Location"] == hazard.get_absolute_url()
    assert hazard.photos.count() == 2
    assert LoopEvent.objects.filter(case=hazard.case, transition="rectify").count() == 1


def test_rectify_strips_the_location_unless_kept_and_needs_photos(
    client_for, users, enterprise, department, settings, tmp_path
):
    from zoneops.core.files import photos

    settings.MEDIA_ROOT = tmp_path
    hazard = found(enterprise, users["staff"])
    step(hazard, "assign", users["staff"], handler=users["liaison"], department=department)
    with pytest.raises(ValidationError):
        services.rectify_with_photos(hazard, [], acting_user=users["liaison"], comment="已整改")
    hazard = services.rectify_with_photos(
        hazard, [camera_jpeg()], acting_user=users["liaison"], comment="已整改", on=DAY
    )
    assert hazard.case.state == "rectified"
    assert photos.location_of(hazard.photos.get().file.read()) == {}


def test_my_open_hazards(client_for, users, enterprise, department):
    mine = found(enterprise, users["staff"], title="我的隐患")
    step(mine, "assign", users["staff"], handler=users["liaison"], department=department)
    found(enterprise, users["staff"], title="别人的隐患")
    page = client_for(users["liaison"]).get(reverse("hazards:hazard_list") + "?mine=true")
    html = page.content.decode()
    assert "我的隐患" in html and "别人的隐患" not in html


def test_photo_files_leave_the_disk_with_their_hazard_not_before(
    enterprise, users, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.db import transaction

    settings.MEDIA_ROOT = tmp_path
    hazard = found(enterprise, users["staff"])
    photo = services.add_photo(
        hazard,
        SimpleUploadedFile("现场.png", PNG, "image/png"),
        kind="found",
        acting_user=users["staff"],
    )
    path = tmp_path / photo.file.name
    assert path.exists()
    # a delete that is rolled back keeps the file
    with pytest.raises(RuntimeError), transaction.atomic():
        Hazard.objects.get(pk=hazard.pk).delete()
        raise RuntimeError
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        Hazard.objects.get(pk=hazard.pk).delete()
    assert not HazardPhoto.objects.exists() and not path.exists()


def test_a_title_changed_through_the_api_is_the_cases_title(users, enterprise):
    """The hazard's write service keeps its loop case in step (lists, reminders, calendar)."""
    from rest_framework.test import APIClient

    hazard = found(enterprise, users["staff"])
    client = APIClient()
    client.force_authenticate(users["staff"])
    response = client.patch(
        f"/api/hazards/{hazard.pk}/", {"title": "危化品仓库安全出口堵塞"}, format="json"
    )
    assert response.status_code == 200
    hazard.case.refresh_from_db()
    assert hazard.case.title == "危化品仓库安全出口堵塞"
