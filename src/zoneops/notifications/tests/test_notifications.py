import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from zoneops.appeals import services
from zoneops.appeals.tests.conftest import new_appeal
from zoneops.core.loop import services as core_services
from zoneops.core.models import Department, LoopCase
from zoneops.notifications.models import Notification

D = dt.date


@pytest.fixture
def department(zone_tree):
    return Department.objects.create(zone=zone_tree["hitech"], name="营商环境建设局")


def assigned(zone, users, department, **kw):
    appeal = new_appeal(zone, users["staff"], **kw)
    appeal = services.transition(appeal, "accept", acting_user=users["staff"], on=D(2025, 9, 29))
    return services.transition(
        appeal,
        "assign",
        acting_user=users["staff"],
        department=department,
        handler=users["liaison"],
        on=D(2025, 9, 29),
    )


def test_assignment_notifies_the_handler(zone_tree, users, department):
    appeal = assigned(zone_tree["park"], users, department)
    note = Notification.objects.get(user=users["liaison"])
    assert note.kind == "assigned" and appeal.title in note.title and note.case == appeal.case
    assert not Notification.objects.filter(user=users["staff"]).exists()


def test_notification_is_written_in_the_same_transaction(zone_tree, users, department):
    appeal = new_appeal(zone_tree["park"], users["staff"])
    services.transition(appeal, "accept", acting_user=users["staff"])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.transition(
            appeal,
            "assign",
            acting_user=users["staff"],
            department=department,
            handler=users["liaison"],
        )
        raise RuntimeError("rolled back")
    assert not Notification.objects.exists()
    assert LoopCase.objects.get(pk=appeal.case_id).state == "accepted"


def test_tick_notifies_due_soon_and_overdue(zone_tree, users, department):
    first = assigned(zone_tree["park"], users, department, title="诉求甲")
    assigned(zone_tree["park"], users, department, title="诉求乙")
    Notification.objects.all().delete()
    core_services.tick(on=D(2025, 10, 15))  # one working day before 16 Oct
    (note,) = Notification.objects.filter(user=users["liaison"])
    assert note.kind == "due_soon" and note.count == 2 and "handler=" in note.url
    core_services.tick(on=D(2025, 10, 15))  # nothing new on a second run
    assert Notification.objects.count() == 1
    services.transition(first, "start", acting_user=users["liaison"], on=D(2025, 10, 15))
    services.transition(
        first, "reply", acting_user=users["liaison"], comment="已答复", on=D(2025, 10, 15)
    )
    core_services.tick(on=D(2025, 10, 17))
    overdue = Notification.objects.get(kind="overdue")
    assert overdue.count == 1 and overdue.case.title == "诉求乙"


def test_bell_counts_unread_and_opening_marks_read(client_for, zone_tree, users, department):
    appeal = assigned(zone_tree["park"], users, department)
    client = client_for(users["liaison"])
    page = client.get(reverse("appeals:appeal_list"))
    assert reverse("notifications:bell") in page.content.decode()  # the bell is on every page
    bell = client.get(reverse("notifications:bell"))
    assert 'id="unread-count">1' in bell.content.decode()
    note = Notification.objects.get()
    response = client.get(reverse("notifications:notification_open", args=[note.pk]))
    assert response["Location"] == appeal.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'id="unread-count"' not in client.get(reverse("notifications:bell")).content.decode()


def test_notifications_are_private(client_for, zone_tree, users, department):
    assigned(zone_tree["park"], users, department)
    note = Notification.objects.get()
    other = client_for(users["staff"])
    assert other.get(reverse("notifications:notification_open", args=[note.pk])).status_code == 404
    assert (
        other.get(reverse("notifications:notification_list")).context["page"].object_list.count()
        == 0
    )
    client = client_for(users["liaison"])
    client.post(reverse("notifications:notification_list"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
