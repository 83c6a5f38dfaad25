"""``core.registries.writes``: the generic write of a model without rules, and the registry of
services."""

import pytest

from zoneops.core.models import Department, ObjectChange
from zoneops.core.registries import writes

pytestmark = pytest.mark.django_db


def changes_of(obj):
    return ObjectChange.objects.filter(object_id=obj.pk, object_repr=str(obj)).order_by("pk")


def test_a_command_s_write_is_attributed_to_its_acting_user(zone_tree, users):
    department = writes.save_object(
        Department(zone=zone_tree["hitech"], name="科技创新局"), acting_user=users["staff"]
    )
    (created,) = changes_of(department)
    assert created.action == ObjectChange.Action.CREATE
    assert created.user_name == users["staff"].username


def test_only_what_changed_is_saved_and_an_unchanged_record_is_not_saved(zone_tree, users):
    department = Department.objects.create(zone=zone_tree["hitech"], name="科技创新局")
    stamp = department.updated_at
    department.code = "KJ"
    writes.save_object(department, acting_user=users["staff"])
    update = changes_of(department).filter(action=ObjectChange.Action.UPDATE).get()
    assert set(update.changes) == {"code"}
    assert update.user_name == users["staff"].username
    department.refresh_from_db()
    assert department.code == "KJ" and department.updated_at > stamp
    writes.save_object(department, acting_user=users["staff"])  # nothing changed
    assert changes_of(department).filter(action=ObjectChange.Action.UPDATE).count() == 1
    assert Department.objects.get(pk=department.pk).updated_at == department.updated_at


def test_named_fields_alone_are_saved(zone_tree, users):
    department = Department.objects.create(zone=zone_tree["hitech"], name="科技创新局")
    department.code, department.name = "KJ", "科学技术局"
    writes.save_object(department, acting_user=users["staff"], fields=["code"])
    department.refresh_from_db()
    assert (department.code, department.name) == ("KJ", "科技创新局")


def test_a_delete_is_attributed_to_its_acting_user(zone_tree, users):
    department = Department.objects.create(zone=zone_tree["hitech"], name="科技创新局")
    pk = department.pk
    writes.delete_object(department, acting_user=users["staff"])
    assert not Department.objects.filter(pk=pk).exists()
    deleted = ObjectChange.objects.get(object_id=pk, action=ObjectChange.Action.DELETE)
    assert deleted.user_name == users["staff"].username


def test_every_model_names_its_services_and_unknown_ones_get_the_generic_write():
    from zoneops.tasks.models import Task

    assert writes.service_name(Task, writes.UPDATE) == "zoneops.tasks.services.update_task"
    assert writes.service_name(Department, writes.CREATE) == writes.SAVE_OBJECT
    assert writes.service_name(Department, writes.DELETE) == writes.DELETE_OBJECT
    assert writes.is_registered(Department)
