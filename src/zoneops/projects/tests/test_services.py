from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.projects import services
from zoneops.projects.models import AnnualPlan, Blocker, Milestone
from zoneops.projects.tests.factories import D, make_project


@pytest.mark.django_db
def test_baseline_and_replan_report_what_moved(zone_tree, users):
    project = make_project(zone_tree["park"], 1)
    services.set_annual_plan(project, 2025, Decimal("1000"), acting_user=users["staff"])
    start = Milestone.objects.create(project=project, name="开工", planned_date=D(2025, 4, 1))
    Milestone.objects.create(project=project, name="投产", planned_date=D(2025, 12, 1))
    services.set_baseline(project, acting_user=users["staff"])
    assert services.replan_comparison(project) == []
    start.refresh_from_db()
    start.planned_date = D(2025, 4, 21)
    start.save()
    Milestone.objects.create(project=project, name="设备安装", planned_date=D(2025, 9, 1))
    services.set_annual_plan(project, 2025, Decimal("800"), acting_user=users["staff"])
    moved = {(c.what, c.moved) for c in services.replan_comparison(project)}
    assert moved == {("开工", 20), ("设备安装", None), ("2025 年计划投资", Decimal("-200"))}
    project.refresh_from_db()
    assert project.annual_plan == Decimal("800")
    assert AnnualPlan.objects.get(project=project, year=2025).baseline == Decimal("1000")


@pytest.mark.django_db
def test_writes_respect_zones_and_roles(zone_tree, users):
    project = make_project(zone_tree["park"], 1)
    with pytest.raises(PermissionDenied):
        services.set_baseline(project, acting_user=users["other_staff"])
    with pytest.raises(PermissionDenied):
        services.raise_blocker(
            project, kind="land", description="用地", acting_user=users["leader"]
        )
    with pytest.raises(PermissionDenied):
        services.record_monthly(project, 2025, 1, Decimal(1), acting_user=users["liaison"])
    assert not Blocker.objects.exists()


@pytest.mark.django_db
def test_blocker_deadline_counts_working_days(zone_tree, users):
    project = make_project(zone_tree["park"], 1)
    blocker = services.raise_blocker(
        project,
        kind="construction_permit",
        description="施工许可证待办",
        acting_user=users["staff"],
        opened_on=D(2025, 9, 30),
        limit_working_days=3,
    )
    # After Tue 2025-09-30 come the National Day holidays (10-01 … 10-08).
    assert blocker.case.due_date == D(2025, 10, 11)  # Sat 10-11 is a 调休 workday
    assert blocker.case.zone == zone_tree["park"]
    with pytest.raises(ValidationError):
        services.raise_blocker(project, kind="rain", description="x", acting_user=users["staff"])


@pytest.mark.django_db
def test_record_monthly_keeps_the_latest_month_on_the_project(zone_tree, users):
    project = make_project(zone_tree["park"], 1)
    services.record_monthly(project, 2025, 5, Decimal("500"), acting_user=users["staff"])
    services.record_monthly(project, 2025, 2, Decimal("100"), acting_user=users["staff"])
    project.refresh_from_db()
    assert (project.completed_ytd, project.completed_month) == (Decimal("500"), 5)
    with pytest.raises(ValidationError):
        services.record_monthly(project, 2025, 6, Decimal("499"), acting_user=users["staff"])
    services.record_monthly(project, 2024, 12, Decimal("9000"), acting_user=users["staff"])
    project.refresh_from_db()
    assert project.completed_ytd == Decimal("500")  # another year's figure is kept aside


def test_photo_check_reads_the_content():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zoneops.core.ui.testing import photo_bytes

    jpeg = SimpleUploadedFile("a.png", photo_bytes("JPEG"))
    webp = SimpleUploadedFile("b", photo_bytes("WEBP"))
    assert services.check_photo(jpeg).content_type == "image/jpeg"
    assert services.check_photo(webp).content_type == "image/webp"
    with pytest.raises(ValidationError):  # the right first bytes, but no picture after them
        services.check_photo(SimpleUploadedFile("e.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20))
    with pytest.raises(ValidationError):
        services.check_photo(SimpleUploadedFile("c.jpg", b"<svg onload=alert(1)>"))
    with pytest.raises(ValidationError):
        services.check_photo(SimpleUploadedFile("d.jpg", b""))


@pytest.mark.django_db
def test_an_overdue_blocker_escalates_to_the_responsible_leader(zone_tree, users, client_for):
    from django.urls import reverse

    from zoneops.core.loop import services as core_services
    from zoneops.core.models import LoopCase

    project = make_project(zone_tree["park"], 1, leader_name="张副主任")
    blocker = services.raise_blocker(
        project,
        kind="water",
        description="供水管网未接入",
        acting_user=users["staff"],
        opened_on=D(2025, 3, 3),
        limit_working_days=5,
    )
    core_services.tick(on=D(2025, 3, 24))  # 10 working days past the deadline
    blocker.case.refresh_from_db()
    assert blocker.case.escalation == LoopCase.Escalation.LEADER
    page = client_for(users["leader"]).get(reverse("projects:blocker_detail", args=[blocker.pk]))
    assert 'id="escalated-to"' in page.content.decode() and "张副主任" in page.content.decode()


@pytest.mark.django_db
def test_site_photos_keep_their_location_only_when_asked(zone_tree, users, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zoneops.core.files import photos
    from zoneops.core.ui.testing import photo_bytes

    settings.MEDIA_ROOT = tmp_path
    project = make_project(zone_tree["park"], 1)

    def site_photo():
        return SimpleUploadedFile("工地.jpg", photo_bytes("JPEG", gps=True), "image/jpeg")

    plain = services.add_progress_note(
        project, text="主体封顶", acting_user=users["staff"], photos=[site_photo()]
    )
    assert photos.location_of(plain.photos.get().image.read()) == {}
    kept = services.add_progress_note(
        project,
        text="设备进场",
        acting_user=users["staff"],
        photos=[site_photo()],
        keep_location=True,
    )
    assert photos.location_of(kept.photos.get().image.read())[1] == "N"
