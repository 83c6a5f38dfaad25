"""Handler and liaison pickers offer people whose role may do the work, in the record's zone;
department pickers name each department once, with its zone."""

import lxml.html


def options(html: str, name: str) -> list[str]:
    document = lxml.html.fromstring(html)
    return [
        o.text_content().strip()
        for o in document.xpath(f"//select[@name='{name}']/option")
        if o.get("value")
    ]


def test_a_case_is_handed_only_to_workers_of_its_zone(users, zone_tree, client_for, colleague):
    from zoneops.core.loop import services
    from zoneops.core.ui.transitions import TransitionForm

    case = services.open_case(
        kind="standard", zone=zone_tree["hitech"], title="道路积水", acting_user=users["staff"]
    )
    offered = set(TransitionForm(case=case).fields["handler"].queryset)
    assert offered == {users["staff"], users["liaison"], colleague}
    page = client_for(users["staff"]).get(case.get_absolute_url()).content.decode()
    shown = options(page, "handler")
    for name in ("admin", "auditor", "sec_admin", "jk_staff", "xq_leader"):
        assert not any(name in label for label in shown), (name, shown)


def test_liaison_choices_are_people_of_the_enterprise_zone(users, zone_tree, make_user):
    from zoneops.core.models import Role
    from zoneops.enterprises.forms import LiaisonAssignmentForm
    from zoneops.enterprises.models import Enterprise, LiaisonAssignment

    enterprise = Enterprise.objects.create(
        uscc="91220101MA0000001X", name="长春光电", zone=zone_tree["hitech"]
    )
    assignment = LiaisonAssignment.objects.create(enterprise=enterprise, user=users["liaison"])
    # The system administrator sees every zone: it is offered neither itself nor the other
    # administrators, nor the staff of another zone.
    form = LiaisonAssignmentForm(instance=assignment, user=users["admin"])
    offered = set(form.fields["user"].queryset)
    assert users["liaison"] in offered and users["staff"] in offered
    assert users["leader"] in offered  # 领导包保: the new area's leader, above the zone
    for name in ("admin", "auditor", "security_admin", "other_staff"):
        assert users[name] not in offered, name
    inactive = make_user("gone", Role.STAFF, [zone_tree["hitech"]], is_active=False)
    assert inactive not in offered


def test_the_route_form_names_each_department_once_with_its_zone(users, zone_tree):
    from zoneops.core.models import Department
    from zoneops.notifications.forms import RouteForm

    for zone in (zone_tree["hitech"], zone_tree["econ"], zone_tree["new_area"]):
        Department.objects.create(zone=zone, name="经济发展局")
    form = RouteForm(user=users["admin"])
    labels = [label for value, label in form.fields["department"].choices if value]
    assert sorted(labels) == sorted(
        ["长春高新区 · 经济发展局", "长春经开区 · 经济发展局", "长春新区 · 经济发展局"]
    )
    html = str(form["department"])
    assert html.count("经济发展局") == 3
