"""The one bulk writer (core.audit.bulk) and the audit trail's serializer of new records."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from zoneops.core.audit import bulk
from zoneops.core.audit import trail as audit
from zoneops.core.models import Department, ObjectChange
from zoneops.core.registries import background

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_inserted_rows_hold_what_the_orm_would_give_them(zone_tree):
    park = zone_tree["park"]
    written = bulk.insert(
        Department,
        ["zone_id", "name", "code"],
        ((park.pk, f"科{i}", f"K{i}") for i in range(7)),  # a generator: read a batch at a time
        {"source": "import: 部门.xlsx"},
    )
    assert written == 7
    rows = Department.objects.filter(zone=park, name__startswith="科").order_by("name")
    assert [d.name for d in rows] == [f"科{i}" for i in range(7)]
    for department in rows:
        assert department.source == "import: 部门.xlsx"
        assert department.code == f"K{department.name[1:]}"
        assert department.created_at == department.updated_at == timezone.now()


@time_machine.travel(NOW, tick=False)
def test_rows_of_different_shapes_get_the_defaults_of_what_they_lack(zone_tree):
    park = zone_tree["park"]
    bulk.insert_dicts(
        Department,
        [
            {"zone_id": park.pk, "name": "甲", "code": "A", "source": "表"},
            {"zone_id": park.pk, "name": "乙", "code": "B"},
            {"zone_id": park.pk, "name": "丙", "code": "C", "created_at": None},
        ],
    )
    rows = {d.name: d for d in Department.objects.filter(zone=park, name__in="甲乙丙")}
    # Department codes are unique, so each row gives one; the source is left out instead.
    assert rows["甲"].source == "表" and rows["乙"].source == "" and rows["丙"].source == ""
    assert [rows[name].code for name in "甲乙丙"] == ["A", "B", "C"]
    assert rows["丙"].created_at == timezone.now()  # an empty timestamp is stamped
    ids = [rows[name].pk for name in "甲乙丙"]
    assert ids == sorted(ids)  # in the order given


def test_a_job_sees_the_progress_of_each_batch_and_may_stop_the_write(zone_tree, monkeypatch):
    park = zone_tree["park"]
    monkeypatch.setattr(bulk, "BATCH", 2)
    seen = []
    with background.reporting(lambda done, total, phase: seen.append((done, phase))):
        bulk.insert(
            Department,
            ["zone_id", "name", "code"],
            [(park.pk, f"处{i}", f"C{i}") for i in range(5)],
        )
    assert seen == [(2, "writing"), (4, "writing"), (5, "writing")]

    class Stop(Exception):
        pass

    def cancel(done, total, phase):
        raise Stop

    with pytest.raises(Stop), background.reporting(cancel):
        bulk.insert(
            Department,
            ["zone_id", "name", "code"],
            [(park.pk, f"室{i}", f"R{i}") for i in range(5)],
        )


def test_updates_store_what_bulk_update_stores(zone_tree):
    park = zone_tree["park"]
    first = Department.objects.create(zone=park, name="一", code="1")
    second = Department.objects.create(zone=park, name="二", code="2")
    for obj, letter in ((first, "甲"), (second, "乙")):
        obj.code = f"{letter}“码”\\"  # codes are unique: the same text after the letter
        obj.zone = zone_tree["hitech"]
    bulk.update(Department, [first], ["code", "zone"])
    Department.objects.bulk_update([second], ["code", "zone"])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.code[1:], first.zone_id) == (second.code[1:], second.zone_id)
    assert first.code == "甲“码”\\" and first.zone_id == zone_tree["hitech"].pk


def test_update_values_sets_many_records_by_id(zone_tree):
    park = zone_tree["park"]
    made = [Department.objects.create(zone=park, name=f"组{i}") for i in range(3)]
    bulk.update_values(Department, ["code", "source"], [(f"C{d.pk}", "批量", d.pk) for d in made])
    for department in made:
        department.refresh_from_db()
        assert department.code == f"C{department.pk}" and department.source == "批量"


@pytest.mark.parametrize(
    "values",
    [
        {"source": "import: 100%.xlsx", "name": "“甲”\\", "count": 3, "flag": True, "none": None},
        {"amount": Decimal("12.50"), "day": dt.date(2025, 3, 1), "big": 10**20},
    ],
)
def test_a_filled_template_is_the_text_of_created_json(values):
    slots = {name: audit.JSON if value is not None else None for name, value in values.items()}
    template = audit.created_template({"fixed": "100% 甲", **slots})
    filled = template % tuple(
        json.dumps(value, cls=DjangoJSONEncoder) for value in values.values() if value is not None
    )
    assert filled == audit.created_json({"fixed": "100% 甲", **values})
    numbers = audit.created_template({"year": audit.INT, "amount": audit.TEXT})
    assert numbers % (2025, Decimal("1.50")) == audit.created_json(
        {"year": 2025, "amount": Decimal("1.50")}
    )


def test_audit_rows_of_inserted_records_are_those_of_records_saved_one_by_one(zone_tree, users):
    from zoneops.core.access.context import acting_as

    park = zone_tree["park"]
    with acting_as(users["admin"]):
        saved = Department.objects.create(zone=park, name="单存", code="S")
        bulk.insert(Department, ["zone_id", "name", "code"], [(park.pk, "批存", "T")])
        inserted = Department.objects.get(name="批存")
        bulk.log_created(
            Department,
            [(inserted.pk, inserted.name, park.pk, audit.snapshot(inserted))],
        )
    rows = {
        row.object_id: row
        for row in ObjectChange.objects.filter(
            object_id__in=[saved.pk, inserted.pk], content_type__model="department"
        )
    }
    one, many = rows[saved.pk], rows[inserted.pk]
    assert many.action == one.action == ObjectChange.Action.CREATE
    assert many.user == one.user == users["admin"]
    assert many.zone_id == one.zone_id
    expected = {
        k: v
        for k, v in one.changes.items()
        if k not in ("name", "code", "created_at", "updated_at")
    }
    got = {
        k: v
        for k, v in many.changes.items()
        if k not in ("name", "code", "created_at", "updated_at")
    }
    assert got == expected
    assert many.changes["name"] == {"before": None, "after": "批存"}
    assert many.changes["code"] == {"before": None, "after": "T"}


def test_records_saved_by_bulk_create_get_the_rows_of_records_saved_one_by_one(zone_tree, users):
    """``log_bulk_create`` (the demo, the generator, intake) writes through ``log_created``:
    the same user, zone and change set as the signal writes for a single save."""
    from zoneops.core.access.context import acting_as

    park = zone_tree["park"]
    with acting_as(users["admin"]):
        saved = Department.objects.create(zone=park, name="单存", code="S")
        made = Department.objects.bulk_create(
            [Department(zone=park, name="批存一", code="T1"), Department(zone=park, name="批存二")]
        )
        assert bulk.log_bulk_create(made) == 2
        assert bulk.log_bulk_create([]) == 0
    rows = {
        row.object_id: row for row in ObjectChange.objects.filter(content_type__model="department")
    }
    one = rows[saved.pk]
    for record in made:
        row = rows[record.pk]
        assert (row.action, row.user, row.zone_id) == (one.action, one.user, one.zone_id)
        assert row.object_repr == str(record)
        assert set(row.changes) - {"code"} == set(one.changes) - {"code"}
        assert row.changes["name"] == {"before": None, "after": record.name}
