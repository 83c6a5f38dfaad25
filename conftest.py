"""Shared fixtures: a zone tree like the demo's and one user per role."""

import io
import sys

import pytest


@pytest.fixture
def zone_tree(db):
    """province → city → new area → (hi-tech zone → park, sub-zone); city → econ zone."""
    from zoneops.core.models import Zone

    K = Zone.Kind
    province = Zone.objects.create(code="P", name="吉林省", kind=K.PROVINCE, division_code="220000")
    city = Zone.objects.create(code="C", name="长春市", kind=K.CITY, parent=province)
    new_area = Zone.objects.create(
        code="XQ", name="长春新区", kind=K.NATIONAL_NEW_AREA, parent=city
    )
    hitech = Zone.objects.create(code="GX", name="长春高新区", kind=K.HI_TECH_ZONE, parent=new_area)
    park = Zone.objects.create(
        code="GX-P1", name="光电产业园", kind=K.INDUSTRIAL_PARK, parent=hitech
    )
    beihu = Zone.objects.create(code="BH", name="北湖区", kind=K.SUB_ZONE, parent=new_area)
    econ = Zone.objects.create(code="JK", name="长春经开区", kind=K.ECON_DEV_ZONE, parent=city)
    return {
        "province": province,
        "city": city,
        "new_area": new_area,
        "hitech": hitech,
        "park": park,
        "beihu": beihu,
        "econ": econ,
    }


@pytest.fixture
def make_user(db):
    from zoneops.core.models import User

    def make(username, role, zones=(), **extra):
        user = User.objects.create_user(
            username=username, password="Pw-12345678", role=role, **extra
        )
        user.zones.set(zones)
        return user

    return make


@pytest.fixture
def users(zone_tree, make_user):
    """admin (all zones), staff of 高新区, staff of 经开区, liaison of 高新区, leader of 新区,
    and the other two of 三员分立: a security administrator and an audit administrator.
    The administrators have set up their second factor (``core.accounts.twofactor``)."""
    from django.utils import timezone

    from zoneops.core.accounts import twofactor
    from zoneops.core.models import Role

    enrolled = {"totp_secret": twofactor.new_secret(), "totp_confirmed_at": timezone.now()}
    return {
        "admin": make_user("admin", Role.ADMIN, is_superuser=True, is_staff=True, **enrolled),
        "staff": make_user("gx_staff", Role.STAFF, [zone_tree["hitech"]]),
        "other_staff": make_user("jk_staff", Role.STAFF, [zone_tree["econ"]]),
        "liaison": make_user("gx_liaison", Role.LIAISON, [zone_tree["hitech"]]),
        "leader": make_user("xq_leader", Role.LEADER, [zone_tree["new_area"]]),
        "security_admin": make_user("sec_admin", Role.SECURITY_ADMIN, **enrolled),
        "auditor": make_user("auditor", Role.AUDITOR, **enrolled),
    }


@pytest.fixture
def colleague(make_user, zone_tree):
    """A second member of 高新区's staff: who approves or verifies what the first asked for
    (the system administrator takes no such decision: 三员分立)."""
    from zoneops.core.models import Role

    return make_user("gx_staff2", Role.STAFF, [zone_tree["hitech"]])


@pytest.fixture
def client_for(client):
    """Log the test client in as a given user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness only slows the suite down; production keeps it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker):
    """The demo seeded once for all the tests of one module, rolled back after its last test.

    Seeding takes about 25 s; a module of a dozen round trips would otherwise seed a dozen
    times. Each test still runs in its own savepoint (the ``db`` fixture), so what one test
    writes is gone before the next. Keep such tests in modules of their own: any test of the
    module sees the demo, whether it asks for this fixture or not.
    """
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
        except BaseException:
            module_transaction.__exit__(*sys.exc_info())
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)
