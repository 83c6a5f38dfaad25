import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from zoneops.core.access.context import acting_as
from zoneops.core.models import ObjectChange, Zone


def changes_of(obj):
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).order_by("id")


def test_create_update_delete_are_recorded_with_before_and_after(db, users):
    with acting_as(users["admin"]) as ctx:
        zone = Zone.objects.create(code="A1", name="甲园区", kind=Zone.Kind.INDUSTRIAL_PARK)
        zone = Zone.objects.get(pk=zone.pk)
        zone.name = "乙园区"
        zone.save()
        pk = zone.pk
        zone.delete()
        zone.pk = pk
    created, updated, deleted = changes_of(zone)
    assert created.action == "create" and created.changes["name"] == {
        "before": None,
        "after": "甲园区",
    }
    assert updated.action == "update"
    assert updated.changes == {"name": {"before": "甲园区", "after": "乙园区"}}
    assert deleted.action == "delete" and deleted.changes["code"] == {"before": "A1", "after": None}
    assert {c.user_name for c in (created, updated, deleted)} == {"admin"}
    assert {c.request_id for c in (created, updated, deleted)} == {ctx.request_id}


def test_saving_without_change_writes_nothing(db):
    zone = Zone.objects.create(code="A2", name="丙", kind=Zone.Kind.STREET)
    zone = Zone.objects.get(pk=zone.pk)
    zone.save()
    assert changes_of(zone).count() == 1


def test_audit_rows_cannot_be_edited_or_deleted(db):
    zone = Zone.objects.create(code="A3", name="丁", kind=Zone.Kind.STREET)
    row = changes_of(zone).get()
    row.object_repr = "forged"
    with pytest.raises(PermissionDenied):
        row.save()
    with pytest.raises(PermissionDenied):
        row.delete()
    assert changes_of(zone).get().object_repr == "丁"


def test_request_changes_carry_user_and_one_request_id(client_for, users, zone_tree):
    client = client_for(users["admin"])
    response = client.post(
        f"/zones/{zone_tree['park'].pk}/edit/",
        {"code": "GX-P1", "name": "光电信息产业园", "kind": "industrial_park", "parent": "GX"},
    )
    assert response.status_code == 302
    change = changes_of(zone_tree["park"]).last()
    assert change.user == users["admin"]
    assert change.changes == {"name": {"before": "光电产业园", "after": "光电信息产业园"}}
    assert change.request_id is not None
    assert change.zone_id == zone_tree["park"].pk


def test_auditor_audit_log_filters(client_for, users, zone_tree):
    client = client_for(users["auditor"])
    rows = client.get("/audit/", {"action": "create"}).context["rows"]
    assert rows and all(obj.action == "create" for obj, _ in rows)
    rows = client.get("/audit/", {"q": "北湖区"}).context["rows"]
    assert [obj.object_repr for obj, _ in rows] == ["北湖区"]
    zone_type = ContentType.objects.get_for_model(Zone)
    rows = client.get("/audit/", {"content_type": zone_type.pk}).context["rows"]
    assert len(rows) == Zone.objects.count()


def test_the_admin_site_cannot_change_audit_rows(client_for, users, zone_tree):
    client = client_for(users["admin"])
    row = ObjectChange.objects.first()
    assert (
        client.post(f"/admin/core/objectchange/{row.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert ObjectChange.objects.filter(pk=row.pk).exists()


def test_granting_zones_and_changing_roles_is_audited(db, users, zone_tree):
    staff = users["staff"]
    with acting_as(users["admin"]):
        staff.zones.add(zone_tree["econ"])
        staff = type(staff).objects.get(pk=staff.pk)
        staff.role = "leader"
        staff.save()
    grant, role = changes_of(staff).filter(action="update", user_name="admin")
    assert grant.changes == {
        "zones": {
            "before": [zone_tree["hitech"].pk],
            "after": sorted([zone_tree["hitech"].pk, zone_tree["econ"].pk]),
        }
    }
    assert role.changes == {"role": {"before": "staff", "after": "leader"}}
    assert grant.user_name == role.user_name == "admin"
    assert all("password" not in row.changes for row in changes_of(staff))


def test_update_of_an_instance_not_loaded_from_the_database_has_true_before_values(db):
    zone = Zone.objects.create(code="A4", name="戊", kind=Zone.Kind.STREET)
    detached = Zone.objects.get(pk=zone.pk)
    del detached._loaded_values  # as for an instance built in code rather than read
    detached.name = "己"
    detached.save()
    assert changes_of(zone).last().changes == {"name": {"before": "戊", "after": "己"}}


def test_saving_a_partly_loaded_instance_records_only_real_changes(db):
    zone = Zone.objects.create(code="A5", name="庚", kind=Zone.Kind.STREET)
    partial = Zone.objects.only("pk", "name", "path", "parent").get(pk=zone.pk)
    partial.name = "辛"
    partial.save()
    assert changes_of(zone).last().changes == {"name": {"before": "庚", "after": "辛"}}


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"name": "基准企业“甲”\\有限公司\n", "count": 3, "flag": True, "off": False, "none": None},
        {"emoji": "😀 \u2028 \x00 \t", "big": 10**20, "negative": -7, "float": 0.1 + 0.2},
        {
            "amount": Decimal("12.50"),
            "day": dt.date(2025, 3, 1),
        },
    ],
)
def test_created_json_is_the_text_the_encoder_writes(values):
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    from zoneops.core.audit import trail as audit

    expected = json.dumps(audit.diff(None, values), cls=DjangoJSONEncoder)
    assert audit.created_json(values) == expected


def test_audit_pages_show_labels_names_and_choice_labels_before_and_after(
    client_for, users, zone_tree
):
    zone = zone_tree["beihu"]
    zone.kind = Zone.Kind.INDUSTRIAL_PARK
    zone.parent = zone_tree["hitech"]
    zone.save()
    user = users["staff"]
    user.zones.add(zone_tree["econ"])
    client = client_for(users["auditor"])
    change = changes_of(zone).last()
    page = client.get(f"/audit/{change.pk}/").content.decode()
    # Field labels, the parent zones' names and the kinds' labels, never ids or codes.
    for text in ("上级区域", "长春新区", "长春高新区", "类型", "产业园"):
        assert text in page, text
    assert "parent_id" not in page and "industrial_park" not in page
    listed = client.get("/audit/", {"q": zone.name}).content.decode()
    assert "上级区域" in listed and "parent_id" not in listed
    grant = ObjectChange.objects.filter(object_repr=str(user)).order_by("pk").last()
    page = client.get(f"/audit/{grant.pk}/").content.decode()
    assert "长春经开区" in page
