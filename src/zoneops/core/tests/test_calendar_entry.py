"""Entering a year's holiday notice: the page, who may, and the deadlines it moves."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from zoneops.appeals import services as appeals
from zoneops.appeals.tests.conftest import new_appeal
from zoneops.core.calendar import services as calendar_services
from zoneops.core.calendar import workdays as calendar
from zoneops.core.loop import services
from zoneops.core.models import (
    CalendarDay,
    DeadlineChange,
    Department,
    HolidayArrangement,
    LoopCase,
    LoopEvent,
    ObjectChange,
)
from zoneops.jobs.models import Job
from zoneops.jobs.testing import run_worker
from zoneops.notifications.models import Notification

D = dt.date
DATA = Path(__file__).parent / "data"

# 2031 as a notice could arrange it: 春节 Wed Jan 22 – Tue Jan 28 off, Sun Jan 19 and Sat Feb 8
# worked. Provisionally (by rule) only Jan 22–25 are off and no weekend is worked.
NOTICE_2031 = """国务院办公厅关于2031年部分节假日安排的通知
一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月22日（农历除夕、周三）至28日（农历正月初六、周二）放假调休，共7天。1月19日（周日）、2月8日（周六）上班。
三、清明节：4月5日（周六）至7日（周一）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：6月24日（周二）放假1天。
六、国庆节、中秋节：10月1日（周三）至7日（周二）放假调休，共7天。9月28日（周日）、10月11日（周六）上班。
"""


@pytest.fixture
def department(zone_tree):
    return Department.objects.create(zone=zone_tree["hitech"], name="营商环境建设局")


@pytest.fixture
def in_2031():
    with time_machine.travel(dt.datetime(2031, 1, 15, 9, 0), tick=False):
        yield


def _enter(admin, text=NOTICE_2031, year=2031):
    from zoneops.core.calendar.notice import parse_notice

    return calendar_services.enter_holiday_arrangement(
        year, parse_notice(text, year), acting_user=admin, text=text
    )


def test_a_deadline_in_a_year_without_notice_is_provisional_then_official(
    in_2031, zone_tree, users, department
):
    staff, liaison = users["staff"], users["liaison"]
    appeal = new_appeal(zone_tree["park"], staff, on=D(2031, 1, 20))
    appeal = appeals.transition(appeal, "accept", acting_user=staff, on=D(2031, 1, 20))
    appeal = appeals.transition(
        appeal,
        "assign",
        acting_user=staff,
        on=D(2031, 1, 20),
        department=department,
        handler=liaison,
    )
    # Provisional: 春节 by rule is Jan 22–25, so 10 working days from Mon Jan 20 end Feb 6.
    assert appeal.answer_due == D(2031, 1, 27)
    assert appeal.case.due_date == D(2031, 2, 6)
    assert calendar.is_provisional(appeal.case.due_date, appeal.case.opened_on)

    closed = new_appeal(zone_tree["park"], staff, on=D(2031, 1, 20), title="已办结的诉求")
    LoopCase.objects.filter(pk=closed.case_id).update(is_open=False)
    closed_due = closed.case.due_date

    arrangement, changes = _enter(users["admin"])

    appeal.refresh_from_db()
    appeal.case.refresh_from_db()
    # Official: Jan 22–28 off, Sat Feb 8 worked: the same 10 working days end on Feb 8.
    assert appeal.case.due_date == D(2031, 2, 8)
    assert appeal.answer_due == D(2031, 1, 29)
    assert not calendar.is_provisional(appeal.case.due_date, appeal.case.opened_on)
    closed.case.refresh_from_db()
    assert closed.case.due_date == closed_due  # closed items never change

    moved = {(c.content_type.model, c.deadline, c.old_date, c.new_date) for c in changes}
    assert ("appeal", "首次答复时限", D(2031, 1, 27), D(2031, 1, 29)) in moved
    assert ("loopcase", "到期日", D(2031, 2, 6), D(2031, 2, 8)) in moved
    event = LoopEvent.objects.filter(case=appeal.case, type=LoopEvent.Type.DEADLINE)
    assert {(e.data["deadline"], e.data["from"], e.data["to"]) for e in event} >= {
        ("core.case_due", "2031-02-06", "2031-02-08"),
        ("appeals.answer_due", "2031-01-27", "2031-01-29"),
    }
    assert ObjectChange.objects.filter(
        object_id=appeal.case_id, changes__due_date__after="2031-02-08"
    ).exists()
    # the handler gets one digest naming the moved deadlines
    notices = Notification.objects.filter(user=liaison, kind=Notification.Kind.INFO)
    assert notices.count() == 1 and notices.get().count == 2
    assert arrangement.days.count() == CalendarDay.objects.count() == 29


def test_saving_the_same_notice_again_moves_nothing(in_2031, zone_tree, users):
    _enter(users["admin"])
    appeal = new_appeal(zone_tree["park"], users["staff"], on=D(2031, 1, 20))
    due = appeal.case.due_date
    _arrangement, changes = _enter(users["admin"])
    assert changes == []
    appeal.case.refresh_from_db()
    assert appeal.case.due_date == due == D(2031, 2, 8)
    assert HolidayArrangement.objects.count() == 1


@pytest.mark.parametrize("role", ["staff", "liaison", "leader", "security_admin", "auditor"])
def test_only_the_system_administrator_enters_a_notice(in_2031, users, role):
    with pytest.raises(PermissionDenied):
        _enter(users[role])
    assert not HolidayArrangement.objects.exists()


def test_the_page_reads_a_notice_shows_the_differences_and_saves_on_confirmation(
    in_2031, client, users, zone_tree, settings, tmp_path
):
    settings.DATA_DIR = tmp_path  # the job's folder
    appeal = new_appeal(zone_tree["park"], users["staff"], on=D(2031, 1, 20))
    client.force_login(users["admin"])
    url = reverse("core:calendar_year", args=[2031])
    page = client.get(url)
    assert page.status_code == 200 and "cal-holiday" in page.text
    preview = client.post(url, {"text": NOTICE_2031, "action": "preview"})
    assert preview.status_code == 200
    differences = preview.context["preview"]["differences"]
    assert (D(2031, 2, 8), False, True, "春节调休") in differences
    assert (D(2031, 1, 27), True, False, "春节") in differences
    assert not HolidayArrangement.objects.exists()  # nothing saved on preview
    saved = client.post(url, {"text": NOTICE_2031, "action": "save"})
    # Saved and recomputed by a background job: the answer is its page, with progress.
    job = Job.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == Job.Kind.RECOMPUTE and not HolidayArrangement.objects.exists()
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert job.total == job.done >= 1  # one step per open deadline the year may move
    assert job.updated_count == DeadlineChange.objects.count() >= 1
    assert DeadlineChange.objects.filter(object_id=appeal.case_id).exists()
    assert "open deadlines moved" in job.message or "期限已重算" in job.message
    assert HolidayArrangement.objects.get().year == 2031
    assert calendar.year_source(2031) is calendar.Source.OFFICIAL
    index = client.get(reverse("core:calendar"))
    assert index.status_code == 200


def test_the_page_refuses_bad_input_naming_the_line_and_saves_nothing(in_2031, client, users):
    client.force_login(users["admin"])
    url = reverse("core:calendar_year", args=[2031])
    other_year = (DATA / "notice_2025.txt").read_text(encoding="utf-8")
    answer = client.post(url, {"text": other_year, "action": "save"})
    assert "2025" in answer.text and answer.status_code == 200
    missing = NOTICE_2031.replace("五、端午节：6月24日（周二）放假1天。\n", "")
    answer = client.post(url, {"text": missing, "action": "save"})
    assert "端午节" in str(answer.context["form"].non_field_errors())
    gbk = "date,kind,name\n2031-01-01,holiday,元旦\n".encode("gbk")
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(url, {"file": SimpleUploadedFile("2031.csv", gbk), "action": "preview"})
    errors = str(answer.context["form"].non_field_errors())
    assert "2" in errors and "UTF-8" in errors
    assert not HolidayArrangement.objects.exists() and not CalendarDay.objects.exists()


@pytest.mark.parametrize("role", ["staff", "liaison", "leader"])
def test_staff_read_the_calendar_but_cannot_post(in_2031, client, users, role):
    client.force_login(users[role])
    url = reverse("core:calendar_year", args=[2031])
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": NOTICE_2031, "action": "save"}).status_code == 403
    assert not HolidayArrangement.objects.exists()


def test_deadline_changes_list_shows_only_the_users_zones(in_2031, client, zone_tree, users):
    staff = users["staff"]
    appeal = new_appeal(zone_tree["park"], staff, on=D(2031, 1, 20))
    _enter(users["admin"])
    assert DeadlineChange.objects.filter(object_id=appeal.pk).exists()
    client.force_login(staff)
    assert appeal.title in client.get(reverse("core:deadline_changes")).text
    client.force_login(users["other_staff"])
    assert appeal.title not in client.get(reverse("core:deadline_changes")).text


def test_the_tick_reports_a_bad_case_and_escalates_the_others(zone_tree, users):
    """2027-01-04: a year without notice no longer stops the tick; a case whose date no
    calendar answers is named, the others are judged, and the command exits non-zero."""
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    with time_machine.travel(dt.datetime(2027, 1, 4, 9, 0), tick=False):
        late = services.open_case(
            kind="appeal",
            zone=zone_tree["park"],
            title="逾期诉求",
            acting_user=None,
            opened_on=D(2026, 12, 1),
        )
        broken = services.open_case(
            kind="appeal",
            zone=zone_tree["park"],
            title="日期有误",
            acting_user=None,
            opened_on=D(2026, 12, 1),
        )
        LoopCase.objects.filter(pk=broken.pk).update(due_date=D(2200, 1, 1))
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError, match="1 failure"):
            call_command("tick", stdout=out, stderr=err)
    late.refresh_from_db()
    assert late.escalation == LoopCase.Escalation.LEADER  # the others were judged
    assert "2200-01-01" in err.getvalue()
    assert "notifications:" in out.getvalue()  # the later jobs still ran


def test_provisional_deadlines_are_marked_on_pages_and_in_the_api(
    in_2031, client, zone_tree, users
):
    appeal = new_appeal(zone_tree["park"], users["staff"], on=D(2031, 1, 20))
    client.force_login(users["staff"])
    detail = client.get(appeal.get_absolute_url()).text
    assert "badge-provisional" in detail
    listing = client.get(reverse("appeals:appeal_list")).text
    assert "badge-provisional" in listing
    answer = client.get(f"/api/appeals/{appeal.pk}/").json()
    assert answer["deadline_provisional"] is True
    _enter(users["admin"])
    assert "badge-provisional" not in client.get(appeal.get_absolute_url()).text
    assert client.get(f"/api/appeals/{appeal.pk}/").json()["deadline_provisional"] is False


def test_the_pack_footnotes_overdue_days_counted_on_a_provisional_year(in_2031, zone_tree, users):
    from zoneops.core.loop import reporting

    case = services.open_case(
        kind="appeal",
        zone=zone_tree["park"],
        title="逾期诉求",
        acting_user=None,
        opened_on=D(2031, 1, 6),
    )
    LoopCase.objects.filter(pk=case.pk).update(escalation=LoopCase.Escalation.OVERDUE)
    [section] = reporting.sections(zone_tree["hitech"], 2031, 1, users["staff"])
    assert section.table.rows[0][0] == "逾期诉求"
    assert any("暂定" in p for p in section.paragraphs)
    _enter(users["admin"])
    [section] = reporting.sections(zone_tree["hitech"], 2031, 1, users["staff"])
    assert not any("暂定" in p for p in section.paragraphs)


def test_a_hazards_rectification_deadline_moves_with_its_case(in_2031, zone_tree, users):
    from zoneops.hazards import services as hazards

    hazard = hazards.report_hazard(
        zone=zone_tree["park"],
        title="消防通道堵塞",
        category="fire",
        level="general",
        place="一号厂房",
        description="安全出口被货物堵塞",
        acting_user=users["staff"],
        found_on=D(2031, 1, 20),
    )
    before = hazard.deadline
    _enter(users["admin"])
    hazard.refresh_from_db()
    hazard.case.refresh_from_db()
    assert hazard.deadline == hazard.case.due_date != before


def test_a_recomputation_cancelled_midway_saves_neither_the_year_nor_any_deadline(
    in_2031, client, users, zone_tree, settings, tmp_path
):
    from django.db.models.signals import post_save

    from zoneops.jobs import services as job_services

    settings.DATA_DIR = tmp_path
    appeals_made = [
        new_appeal(zone_tree["park"], users["staff"], on=D(2031, 1, 20 + n)) for n in range(3)
    ]
    dues = [a.case.due_date for a in appeals_made]
    client.force_login(users["admin"])
    client.post(reverse("core:calendar_year", args=[2031]), {"text": NOTICE_2031, "action": "save"})
    job = Job.objects.get()

    def cancel_now(sender, instance, created, **kwargs):  # the admin presses cancel meanwhile
        job_services.cancel(Job.objects.get(pk=job.pk), acting_user=users["admin"])

    post_save.connect(cancel_now, sender=DeadlineChange, dispatch_uid="cancel-now")
    try:
        run_worker()
    finally:
        post_save.disconnect(sender=DeadlineChange, dispatch_uid="cancel-now")
    job.refresh_from_db()
    assert job.state == Job.State.CANCELLED
    assert not HolidayArrangement.objects.exists() and not DeadlineChange.objects.exists()
    for appeal, due in zip(appeals_made, dues, strict=True):
        appeal.case.refresh_from_db()
        assert appeal.case.due_date == due
    assert calendar.year_source(2031) is not calendar.Source.OFFICIAL
