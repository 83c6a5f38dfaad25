"""Whom a user may pick as a cadre, handler or responsible person: ``User.objects.restrict``."""

import pytest

from zoneops.core.models import Role, User
from zoneops.core.ui.forms import ScopedModelForm

pytestmark = pytest.mark.django_db


def names(queryset) -> set[str]:
    return set(queryset.values_list("username", flat=True))


def test_staff_reach_their_zones_below_and_the_path_above(users, make_user, zone_tree):
    make_user("park_liaison", Role.LIAISON, [zone_tree["park"]])
    make_user("gone", Role.LIAISON, [zone_tree["hitech"]], is_active=False)
    make_user("bh_staff", Role.STAFF, [zone_tree["beihu"]])
    make_user("jl_staff", Role.STAFF, [zone_tree["province"]])
    reach = names(User.objects.restrict(users["staff"], "view"))
    # Their zone, the park below it, and the leaders of 新区 and 吉林省 above it; not the
    # sibling 北湖区 or 经开区, not an inactive account, not the three administrators.
    assert reach == {"gx_staff", "gx_liaison", "park_liaison", "xq_leader", "jl_staff"}


def test_administrators_reach_everybody_but_never_pick_administrators(users):
    reach = names(User.objects.restrict(users["admin"], "view"))
    assert {"gx_staff", "jk_staff", "gx_liaison", "xq_leader"} <= reach
    assert not reach & {"admin", "sec_admin", "auditor"}


def test_nobody_reaches_anybody_without_a_zone_or_an_active_account(users, make_user):
    lonely = make_user("lonely", Role.STAFF)
    assert names(User.objects.restrict(lonely, "view")) == {"lonely"}
    users["staff"].is_active = False
    assert not User.objects.restrict(users["staff"], "view").exists()


def test_scoped_forms_narrow_people_pickers(users):
    from zoneops.enterprises.models import LiaisonAssignment

    class Form(ScopedModelForm):
        class Meta:
            model = LiaisonAssignment
            fields = ["user"]

    offered = names(Form(user=users["staff"]).fields["user"].queryset)
    assert "gx_liaison" in offered and "jk_staff" not in offered and "admin" not in offered
