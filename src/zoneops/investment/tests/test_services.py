from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.investment import services
from zoneops.investment.models import AnnualTarget, Event, Lead
from zoneops.investment.tests.factories import D, make_lead, sign
from zoneops.projects.models import Project
from zoneops.projects.tests.factories import make_project


@pytest.fixture
def events(zone_tree):
    conference = Event.objects.create(
        name="2025招商发布会", zone=zone_tree["hitech"], kind="conference", date=D(2025, 4, 10)
    )
    forum = Event.objects.create(
        name="光电产业论坛", zone=zone_tree["hitech"], kind="forum", date=D(2025, 6, 10)
    )
    return conference, forum


def tally(*events):
    found = services.event_tally(list(events))
    return [(found[e.pk].projects, found[e.pk].amount) for e in events]


@pytest.mark.django_db
def test_a_project_counts_once_for_the_event_of_its_first_signing(zone_tree, events):
    conference, forum = events
    lead = make_lead(zone_tree["park"], 1)
    sign(lead, D(2025, 4, 10), "100000", event=conference)
    sign(lead, D(2025, 6, 10), "100000", event=forum)  # signed again at the forum
    assert tally(conference, forum) == [(1, Decimal("100000")), (0, Decimal("0"))]


@pytest.mark.django_db
def test_a_capital_increase_counts_only_the_increase(zone_tree, events):
    conference, forum = events
    lead = make_lead(zone_tree["park"], 1)
    sign(lead, D(2025, 4, 10), "100000", event=conference)
    increase = sign(lead, D(2025, 6, 10), "100000.01", event=forum, is_capital_increase=True)
    assert (increase.counted, increase.counted_amount) == (False, Decimal("0.01"))
    assert tally(conference, forum) == [(1, Decimal("100000")), (0, Decimal("0.01"))]
    with pytest.raises(ValidationError, match="100000.01"):
        sign(lead, D(2025, 7, 1), "100000.01", is_capital_increase=True)  # no increase at all


@pytest.mark.django_db
def test_a_capital_increase_needs_an_earlier_signing(zone_tree):
    lead = make_lead(zone_tree["park"], 1)
    with pytest.raises(ValidationError):
        sign(lead, D(2025, 4, 10), "1000", is_capital_increase=True)


@pytest.mark.django_db
def test_a_backdated_first_signing_takes_over_the_count(zone_tree, events):
    conference, forum = events
    lead = make_lead(zone_tree["park"], 1)
    sign(lead, D(2025, 6, 10), "50000", event=forum)
    sign(lead, D(2025, 4, 10), "50000", event=conference)
    assert tally(conference, forum) == [(1, Decimal("50000")), (0, Decimal("0"))]
    first = lead.signings.get(event=conference)
    services.delete_signing(first, acting_user=None)
    assert tally(forum) == [(1, Decimal("50000"))]


@pytest.mark.django_db
def test_stage_changes_are_dated_and_checked(zone_tree, users):
    staff = users["staff"]
    lead = make_lead(zone_tree["park"], 1, user=staff)
    services.move_stage(lead, "contact", acting_user=staff, on=D(2025, 3, 4))
    services.move_stage(lead, "visit", acting_user=staff, on=D(2025, 3, 20))
    with pytest.raises(ValidationError):
        services.move_stage(lead, "negotiation", acting_user=staff, on=D(2025, 3, 19))
    with pytest.raises(ValidationError):
        services.move_stage(lead, "signed", acting_user=staff, on=D(2025, 4, 1))
    with pytest.raises(ValidationError):
        services.move_stage(lead, "terminated", acting_user=staff, on=D(2025, 4, 1))
    services.move_stage(
        lead, "terminated", acting_user=staff, on=D(2025, 4, 1), comment="投资方战略调整"
    )
    lead.refresh_from_db()
    assert lead.stage == "terminated" and lead.terminated_reason == "投资方战略调整"
    assert lead.stage_reached == 2  # got as far as the site visit
    changes = list(lead.stage_changes.values_list("from_stage", "to_stage", "changed_on"))
    assert changes == [
        ("", "lead", D(2025, 3, 3)),
        ("lead", "contact", D(2025, 3, 4)),
        ("contact", "visit", D(2025, 3, 20)),
        ("visit", "terminated", D(2025, 4, 1)),
    ]
    with pytest.raises(PermissionDenied):
        services.move_stage(lead, "contact", acting_user=users["other_staff"])


@pytest.mark.django_db
def test_response_deadlines_count_working_days(zone_tree, users):
    # Received Fri 2025-09-26: first contact by Sun 09-28 (a 调休 workday), assessment by 09-30.
    lead = make_lead(zone_tree["park"], 1, received_on=D(2025, 9, 26))
    assert (lead.first_contact_due, lead.assessment_due) == (D(2025, 9, 28), D(2025, 9, 30))
    assert lead.response_overdue(D(2025, 9, 28)) == []
    assert lead.response_overdue(D(2025, 9, 29)) == ["first_contact"]
    services.log_follow_up(lead, text="电话沟通", acting_user=users["staff"], date=D(2025, 9, 28))
    services.log_follow_up(
        lead,
        text="研判：符合产业链方向",
        kind="assessment",
        acting_user=users["staff"],
        date=D(2025, 10, 9),
    )
    lead.refresh_from_db()
    assert lead.response_overdue(D(2025, 10, 20)) == ["assessment"]  # assessed late
    assert Lead.objects.filter(pk=lead.pk).exists()


@pytest.mark.django_db
def test_landing_makes_a_project_linked_both_ways(zone_tree, users):
    staff = users["staff"]
    lead = make_lead(zone_tree["park"], 1, user=staff, chain="光电信息")
    with pytest.raises(ValidationError):
        services.land(lead, code="GX-L1", acting_user=staff)  # not signed yet
    sign(lead, D(2025, 4, 10), "120000", user=staff)
    make_project(zone_tree["park"], 9, code="TAKEN")
    with pytest.raises(ValidationError):
        services.land(lead, code="TAKEN", acting_user=staff)
    landing = services.land(lead, code="GX-L1", acting_user=staff, on=D(2025, 5, 6))
    project = Project.objects.get(code="GX-L1")
    assert landing.project == project and project.lead == lead
    assert project.total_investment == Decimal("120000") and project.chain == "光电信息"
    assert project.tag_list == ["over_50m", "over_1b"]
    lead.refresh_from_db()
    assert (lead.project, lead.landed_on, lead.stage) == (project, D(2025, 5, 6), "registered")
    with pytest.raises(ValidationError):
        services.land(lead, code="GX-L2", acting_user=staff)
    with pytest.raises(PermissionDenied):
        services.land(make_lead(zone_tree["econ"], 2), code="X", acting_user=staff)


@pytest.mark.django_db
def test_landing_with_a_uscc_creates_the_enterprise(zone_tree, users):
    staff = users["staff"]
    lead = make_lead(zone_tree["park"], 1, user=staff)
    sign(lead, D(2025, 4, 10), "8000", user=staff)
    with pytest.raises(ValidationError):
        services.land(lead, code="GX-L1", uscc="91110000000000000X", acting_user=staff)
    assert not Project.objects.filter(code="GX-L1").exists()  # nothing half done
    landing = services.land(lead, code="GX-L1", uscc="91350100M000100Y43", acting_user=staff)
    assert landing.enterprise is not None
    assert landing.enterprise.name == lead.investor_company
    assert landing.project.enterprise == landing.enterprise
    lead.refresh_from_db()
    assert lead.enterprise == landing.enterprise


@pytest.mark.django_db
def test_progress_against_targets_and_time_elapsed(zone_tree, users):
    staff = users["staff"]
    AnnualTarget.objects.create(
        zone=zone_tree["hitech"],
        year=2025,
        signed_landed=2,
        funds_in_place=Decimal("1000"),
        big_projects_started=1,
    )
    lead = make_lead(zone_tree["park"], 1, user=staff)
    sign(lead, D(2025, 4, 10), "150000", user=staff)
    services.land(lead, code="GX-L1", acting_user=staff, on=D(2025, 5, 1))
    services.record_funds(lead, year=2025, month=3, amount=Decimal("300"), acting_user=staff)
    services.record_funds(lead, year=2025, month=9, amount=Decimal("200"), acting_user=staff)
    services.record_funds(lead, year=2025, month=9, amount=Decimal("250"), acting_user=staff)
    make_project(
        zone_tree["park"],
        5,
        total_investment=Decimal("100000"),
        actual_start=D(2025, 6, 1),
        stage="started",
    )
    data = services.progress(zone_tree["hitech"], 2025, on=D(2025, 10, 19))
    assert data["elapsed"] == Decimal("80.00")
    landed, funds, big = data["items"]
    assert (landed.actual, landed.rate, landed.behind) == (1, Decimal("50.0"), True)
    assert (funds.actual, funds.rate, funds.behind) == (Decimal("550"), Decimal("55.0"), True)
    assert (big.actual, big.rate, big.behind) == (1, Decimal("100.0"), False)
    assert data["funds_cumulative"][8] == Decimal("550")
    with pytest.raises(ValidationError):
        services.record_funds(
            make_lead(zone_tree["park"], 2),
            year=2025,
            month=3,
            amount=Decimal(1),
            acting_user=staff,
        )  # not signed


def test_phone_masking_by_role(users):
    assert services.phone_for(users["staff"], "13812341234") == "13812341234"
    assert services.phone_for(users["leader"], "13812341234") == "138****1234"
    assert services.phone_for(users["liaison"], "13812341234") == "138****1234"
