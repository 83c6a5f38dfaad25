import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoneops.appeals import services
from zoneops.appeals.models import Appeal, Attachment
from zoneops.appeals.tests.conftest import new_appeal
from zoneops.core.models import LoopCase
from zoneops.core.ui.testing import ScopedViewTests

D = dt.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db
class TestAppealViews(ScopedViewTests):
    model = Appeal
    url_base = "appeals:appeal"
    has_delete = False
    search_term = "企业诉求1"

    def make(self, zone, index=0):
        return new_appeal(zone, None, title=f"企业诉求{index}", on=D(2025, 9, 26))

    def form_data(self, zone):
        return {
            "zone": zone.code,
            "channel": "hotline",
            "category": "permits",
            "title": "施工许可办理",
            "description": "厂房扩建施工许可材料已齐，请协调加快办理。",
            "tags": "审批",
            "enterprise_name": "长春某装备制造有限公司",
            "contact_name": "李经理",
            "contact_phone": "13800000000",
        }


def test_staff_walk_the_loop_on_the_page(client_for, users, appeal, department):
    client = client_for(users["staff"])
    url = appeal.get_absolute_url()
    page = client.get(url)
    assert page.status_code == 200
    assert appeal.submission.tracking_number in page.content.decode()
    client.post(url, {"transition": "accept"})
    client.post(
        url,
        {"transition": "assign", "department": department.pk, "handler": users["liaison"].pk},
    )
    appeal.refresh_from_db()
    assert appeal.case.state == "assigned"
    assert appeal.case.handler == users["liaison"]
    # an illegal step is refused with a message and changes nothing
    response = client.post(url, {"transition": "confirm"})
    assert LoopCase.objects.get(pk=appeal.case_id).state == "assigned"
    assert any("不能" in str(m) for m in response.wsgi_request._messages)


def test_leader_sees_no_actions(client_for, users, appeal):
    response = client_for(users["leader"]).get(appeal.get_absolute_url())
    assert response.status_code == 200
    assert not response.context["transitions"]
    client_for(users["leader"]).post(appeal.get_absolute_url(), {"transition": "accept"})
    assert LoopCase.objects.get(pk=appeal.case_id).state == "submitted"


def test_attachment_type_and_size_are_checked_by_content(client_for, users, appeal, settings):
    client = client_for(users["staff"])
    url = appeal.get_absolute_url()
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is an executable", "application/pdf")
    response = client.post(url, {"action": "attach", "file": fake})
    assert not Attachment.objects.exists()
    assert any(
        "不是可接受的文件类型" in str(m) or "not an accepted" in str(m)
        for m in response.wsgi_request._messages
    )
    settings.ZONEOPS_APPEAL_MAX_UPLOAD_BYTES = 100
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * 200, "application/pdf")
    response = client.post(url, {"action": "attach", "file": big})
    assert not Attachment.objects.exists()
    settings.ZONEOPS_APPEAL_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    good = SimpleUploadedFile("营业执照.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "text/plain")
    client.post(url, {"action": "attach", "file": good})
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png" and attachment.size == 58
    download = client.get(reverse("appeals:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    other = client_for(users["other_staff"])
    assert (
        other.get(reverse("appeals:attachment_download", args=[attachment.pk])).status_code == 404
    )


def test_staff_records_a_rating(client_for, users, appeal, department):
    staff, liaison = users["staff"], users["liaison"]
    for name, kw, who in [
        ("accept", {}, staff),
        ("assign", {"department": department, "handler": liaison}, staff),
        ("start", {}, liaison),
        ("reply", {"comment": "已答复"}, liaison),
    ]:
        appeal = services.transition(appeal, name, acting_user=who, **kw)
    client = client_for(staff)
    client.post(appeal.get_absolute_url(), {"action": "rate", "score": "4", "comment": "较满意"})
    appeal.refresh_from_db()
    assert appeal.rating == 4 and appeal.case.state == "closed"


def test_overdue_list_and_report(client_for, users, zone_tree, department):
    late = new_appeal(zone_tree["park"], None, title="逾期诉求", on=D(2025, 9, 1))
    new_appeal(zone_tree["park"], None, title="按期诉求", on=D(2025, 10, 20))
    # Overdue is read from the deadline as of today (no tick needed): today is 21 October.
    client = client_for(users["staff"])
    with time_machine.travel(dt.datetime(2025, 10, 21, 10, tzinfo=SHANGHAI), tick=False):
        response = client.get(reverse("appeals:overdue"))
        shown = [obj.pk for obj, _cells in response.context["rows"]]
        assert shown == [late.pk]
        report = client.get(reverse("appeals:report"), {"by": "category"})
        assert report.status_code == 200
        (row,) = report.context["rows"]
        assert row["total"] == 2 and row["overdue"] == 1
        assert "逾期" in client.get(late.get_absolute_url()).content.decode()
    for by in ("department", "zone", "month"):
        assert client.get(reverse("appeals:report"), {"by": by}).status_code == 200
