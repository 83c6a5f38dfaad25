"""The API as zone staff, liaison cadres and leaders: no 2xx on another zone's records or on a
write their role does not allow (issue #17, 9).

A plain walk beside the generated one (test_fuzz_schemathesis_roles.py): every resource the
router registers is walked with the demo data seeded, and ids of records outside each role's
zones (read as the system) are fed to its detail, update and delete operations. Bounded: at most
three foreign ids per resource, so the run takes about a minute. Marked ``fuzz`` with the rest.
"""

import io

import pytest

pytestmark = pytest.mark.fuzz

ROLES = ("staff", "liaison", "leader")
FOREIGN_IDS = 3


@pytest.fixture
def seeded(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


def role_users():
    """One account per role, granted a single zone that has sub-zones and siblings."""
    from zoneops.core.models import Role, User, Zone

    zone = Zone.objects.filter(depth__gte=1, children__isnull=False).order_by("path").first()
    users = {}
    for role in ROLES:
        user = User.objects.create_user(username=f"fuzz-{role}", role=getattr(Role, role.upper()))
        user.zones.set([zone])
        users[role] = user
    return users


def resources():
    from zoneops.api.urls import router

    for prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "base_queryset", None)
        if queryset is not None and hasattr(queryset, "restrict"):
            yield prefix, queryset.model


def test_no_role_gets_a_2xx_outside_its_zones_or_role(seeded):
    from zoneops.core.ui.testing import token_client

    users = role_users()
    failures, checked = [], 0
    for role, user in users.items():
        client = token_client(user)
        for prefix, model in resources():
            visible = model.objects.restrict(user, "view").values("pk")
            foreign = list(
                model.objects.exclude(pk__in=visible).order_by("pk").values_list("pk", flat=True)
            )[:FOREIGN_IDS]
            for pk in foreign:
                url = f"/api/{prefix}/{pk}/"
                for method in ("get", "patch", "put", "delete"):
                    response = getattr(client, method)(url, {}, format="json")
                    checked += 1
                    if 200 <= response.status_code < 300:
                        failures.append(f"{role} {method.upper()} {url}: {response.status_code}")
            # writes the role may not make, on records it does see
            own = list(model.objects.restrict(user, "view").order_by("pk").values_list("pk"))[:1]
            from zoneops.core.access.permissions import role_may

            for (pk,) in own:
                if not role_may(user, "delete", model):
                    response = client.delete(f"/api/{prefix}/{pk}/")
                    checked += 1
                    if 200 <= response.status_code < 300:
                        failures.append(
                            f"{role} DELETE /api/{prefix}/{pk}/: {response.status_code}"
                        )
    print(f"roles: {checked} requests")
    assert checked > 50
    assert failures == []
