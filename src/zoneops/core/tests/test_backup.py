import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from zoneops.core.models import Department, ObjectChange, Zone
from zoneops.core.ops import backup


def every_table():
    """The full content of every table, ordered, for an exact comparison."""
    content = {}
    with connection.cursor() as cursor:
        for name in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")
            content[name] = sorted(map(repr, cursor.fetchall()))
    return content


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_back_every_table_and_upload(
    tmp_path, settings, zone_tree, users
):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "photo.jpg").write_bytes(b"\xff\xd8 photo")
    Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")
    before = every_table()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive))

    Zone.objects.create(code="LATE", name="备份后新增", kind=Zone.Kind.STREET)
    Department.objects.all().delete()
    (settings.MEDIA_ROOT / "evidence" / "photo.jpg").unlink()
    assert every_table() != before

    call_command("restore", str(archive), yes=True)
    after = every_table()
    # The data version goes on past the backup's: no cached figure of the replaced data is
    # served as the restored data's (zoneops.core.db.versions).
    version_then, version_now = before.pop("core_dataversion"), after.pop("core_dataversion")
    assert version_now != version_then
    assert after == before
    assert (settings.MEDIA_ROOT / "evidence" / "photo.jpg").read_bytes() == b"\xff\xd8 photo"
    assert ObjectChange.objects.filter(object_repr="经济发展局").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_rejects_what_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    import tarfile

    with tarfile.open(bogus, "w:gz") as archive:
        archive.add(__file__, arcname="readme.txt")
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), yes=True)
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "missing.tar.gz"), yes=True)


def test_manifest_counts_rows(db, zone_tree):
    counts = backup.table_counts()
    assert counts["core_zone"] == Zone.objects.count()


@pytest.mark.django_db(transaction=True)
def test_reference_data_from_data_migrations_survives_a_flush():
    """Transactional tests flush the database; the industry table and the indicator catalog
    (loaded by data migrations) must come back for the tests that follow."""
    from django.core.management import call_command

    from zoneops.enterprises.models import Industry
    from zoneops.indicators.models import Indicator

    call_command("flush", interactive=False, verbosity=0)
    assert Industry.objects.filter(code="2761").exists()
    assert Indicator.objects.filter(code="gdp").exists()
