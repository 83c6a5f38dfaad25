"""Cached figures follow the data: the version goes up after every committed write to it, and
not for writes no figure reads; a transaction that wrote caches nothing."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction

from zoneops.core.audit import bulk
from zoneops.core.db import versions
from zoneops.core.models import DataVersion, Department

pytestmark = pytest.mark.django_db(transaction=True)


def version() -> int:
    return DataVersion.objects.get(pk=1).version


@pytest.fixture
def counted():
    """The version row (a transactional test starts from a flushed database), above the
    clock so that each bump adds one."""
    DataVersion.objects.update_or_create(pk=1, defaults={"version": 10**17})
    return version


def test_a_committed_write_to_the_data_moves_the_version_once(zone_tree, counted):
    before = counted()
    with transaction.atomic():
        Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")
        Department.objects.create(zone=zone_tree["hitech"], name="招商服务局")
    assert counted() == before + 1  # one transaction, one bump


def test_update_delete_and_the_bulk_writer_move_it_too(zone_tree, counted):
    department = Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")
    before = counted()
    Department.objects.filter(pk=department.pk).update(name="经济发展和科技局")
    assert counted() == before + 1
    Department.objects.filter(pk=department.pk).delete()
    assert counted() == before + 2
    bulk.insert_dicts(Department, [{"zone_id": zone_tree["hitech"].pk, "name": "财政局"}])
    assert counted() > before + 2


def test_a_rolled_back_transaction_and_a_session_leave_it(zone_tree, counted):
    before = counted()
    with pytest.raises(RuntimeError), transaction.atomic():
        Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")
        raise RuntimeError
    session = SessionStore()
    session["seen"] = True
    session.save()
    assert counted() == before


def test_nothing_is_cached_inside_a_transaction_that_wrote(zone_tree, counted):
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    with transaction.atomic():
        assert versions.cached("probe", lambda: ("k",), compute) == 1
        assert versions.cached("probe", lambda: ("k",), compute) == 1  # kept: nothing written
        Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")
        assert versions.current() is None
        assert versions.cached("probe", lambda: ("k",), compute) == 2  # its own rows: not kept
    assert versions.cached("probe", lambda: ("k",), compute) == 3  # a new version


def test_after_a_restore_the_numbers_go_on_from_the_clock(counted):
    DataVersion.objects.filter(pk=1).update(version=5)  # a backup's number, long ago
    versions.bump()
    assert counted() > 1_700_000_000 * 1_000_000  # microseconds since 1970, past 2023


def test_a_reader_waits_for_the_figure_another_is_computing(counted, monkeypatch):
    """Fifty readers after a write: one computes, the others take its result."""
    from django.core.cache import cache

    entry = versions.entry_key("slow", ("k",), versions.current())
    cache.add(f"{entry}:computing", 1, 30)  # another process holds the figure's lock

    def other_process_finishes(seconds):  # while this one waits, the other keeps its value
        cache.set(entry, "computed there", 60)

    monkeypatch.setattr(versions.time, "sleep", other_process_finishes)
    assert versions.cached("slow", lambda: ("k",), lambda: "computed here") == "computed there"


def test_a_reader_computes_it_when_the_other_gave_up(counted):
    from django.core.cache import cache

    entry = versions.entry_key("abandoned", ("k",), versions.current())
    cache.add(f"{entry}:computing", 1, 30)
    cache.delete(f"{entry}:computing")  # its process failed, and let go of the lock
    assert versions.cached("abandoned", lambda: ("k",), lambda: "computed here") == "computed here"
