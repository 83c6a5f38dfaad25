"""发文字号: taken when a pack is issued, per zone and year, never reused."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from docx import Document

from zoneops.reports import services
from zoneops.reports.models import DispatchPack, Letterhead

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def letterhead(zone_tree):
    return Letterhead.objects.create(
        zone=zone_tree["hitech"],
        issuer="长春高新技术产业开发区管理委员会",
        mark="长春高新区管委会",
        code_prefix="长高新调",
        recipients="各部门、各园区",
        copy_to="市发展改革委",
        printer="长春高新区管委会办公室",
    )


def make(zone, user, month=11):
    return services.build_pack(zone=zone, year=2026, month=month, acting_user=user)


def paragraphs(pack):
    return [p.text for p in Document(io.BytesIO(services.render_docx(pack))).paragraphs]


@time_machine.travel(NOW, tick=False)
def test_a_preview_has_no_number_and_issuing_takes_the_next_one(letterhead, zone_tree, users):
    pack = make(zone_tree["hitech"], users["staff"])
    assert pack.number is None
    preview = paragraphs(pack)
    assert "长高新调〔2026〕\u3000号" in preview and "长春高新区管委会" in preview
    assert pack.number is None  # rendering is not issuing

    pack = services.issue_pack(pack, acting_user=users["staff"])
    assert (pack.number_year, pack.number) == (2026, 1)
    assert pack.document_number == "长高新调〔2026〕1号"
    assert pack.issued_by == users["staff"]
    text = paragraphs(pack)
    assert "长高新调〔2026〕1号" in text
    assert "2026年12月7日" in text  # 成文日期: the day it was issued
    # issuing again changes nothing
    again = services.issue_pack(pack, acting_user=users["staff"])
    assert again.document_number == "长高新调〔2026〕1号"


@time_machine.travel(NOW, tick=False)
def test_numbers_count_per_zone_and_year_and_are_never_reused(letterhead, zone_tree, users):
    first = services.issue_pack(make(zone_tree["hitech"], users["staff"], 10), acting_user=None)
    second = services.issue_pack(make(zone_tree["hitech"], users["staff"], 11), acting_user=None)
    assert (first.number, second.number) == (1, 2)
    # another zone counts on its own, with a prefix made from its name until one is set
    other = services.issue_pack(make(zone_tree["econ"], users["other_staff"]), acting_user=None)
    assert other.number == 1 and other.document_number.endswith("〔2026〕1号")
    # a deleted pack's number stays taken
    DispatchPack.objects.filter(pk=second.pk).delete()
    third = services.issue_pack(make(zone_tree["hitech"], users["staff"], 9), acting_user=None)
    assert third.number == 3
    december = make(zone_tree["hitech"], users["staff"], 9)
    with time_machine.travel(dt.datetime(2027, 1, 5, 10, tzinfo=dt.UTC), tick=False):
        new_year = services.issue_pack(december, acting_user=None)
    assert new_year.document_number == "长高新调〔2027〕1号"


def test_only_someone_who_may_make_the_zones_packs_issues_them(zone_tree, users):
    pack = make(zone_tree["hitech"], users["staff"])
    with pytest.raises(PermissionDenied):
        services.issue_pack(pack, acting_user=users["other_staff"])
    pack.refresh_from_db()
    assert pack.number is None


def test_issue_page_takes_the_number(zone_tree, users, client_for):
    pack = make(zone_tree["hitech"], users["staff"])
    client = client_for(users["staff"])
    assert 'id="issue-form"' in client.get(pack.get_absolute_url()).content.decode()
    response = client.post(f"/dashboard/packs/{pack.pk}/issue/")
    assert response.status_code == 302
    pack.refresh_from_db()
    assert pack.number == 1
    assert (
        client_for(users["other_staff"]).post(f"/dashboard/packs/{pack.pk}/issue/").status_code
        == 404
    )
