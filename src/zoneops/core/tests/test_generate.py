import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from zoneops.core.management.commands import generate as generate_command
from zoneops.core.models import Department, User, Zone


@pytest.fixture
def core_only(monkeypatch):
    """Only core's part of ``zoneops generate`` (the other apps test their own)."""
    every_app = generate_command.app_modules
    monkeypatch.setattr(
        generate_command,
        "app_modules",
        lambda name: [(app, module) for app, module in every_app(name) if app == "core"],
    )


def synthetic_data() -> tuple[list, list, list]:
    zones = list(
        Zone.objects.filter(code__startswith="S")
        .order_by("code")
        .values_list("code", "name", "kind", "parent__code", "source")
    )
    departments = list(
        Department.objects.filter(zone__code__startswith="S")
        .order_by("zone__code", "name")
        .values_list("zone__code", "name")
    )
    users = [
        (user.username, user.role, sorted(user.zones.values_list("code", flat=True)))
        for user in User.objects.filter(username__startswith="s").order_by("username")
    ]
    return zones, departments, users


def generated(seed: int) -> tuple[list, list, list]:
    """What ``generate --zones 12 --seed <seed>`` makes on an empty database (then undone)."""
    with transaction.atomic():
        call_command("generate", zones=12, seed=seed, stdout=io.StringIO())
        data = synthetic_data()
        transaction.set_rollback(True)
    assert not Zone.objects.exists()
    return data


def test_generate_makes_the_same_data_for_the_same_seed(db, core_only):
    zones, departments, users = generated(seed=5)
    assert len(zones) == 1 + 2 + 12 + 12 * 2  # province, cities, zones, their parks
    assert ("S-Z0011-P1", "合成开发区12产业园2") in [(code, name) for code, name, *_ in zones]
    assert len(departments) == 12 * 3
    assert len(users) == 12 * 3
    assert all(zone_codes for _name, _role, zone_codes in users)

    assert generated(seed=5) == (zones, departments, users)
    kinds = [kind for _code, _name, kind, *_ in zones]
    assert [kind for _code, _name, kind, *_ in generated(seed=6)[0]] != kinds  # seed decides


def test_generate_refuses_to_run_twice(db, core_only):
    call_command("generate", zones=12, seed=5, stdout=io.StringIO())
    before = synthetic_data()
    with pytest.raises(CommandError, match="already here"):
        call_command("generate", zones=12, seed=5, stdout=io.StringIO())
    assert synthetic_data() == before
