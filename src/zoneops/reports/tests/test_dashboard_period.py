"""The dashboard opens on the latest month with figures, then on the month the user chose."""

import datetime as dt
from decimal import Decimal

import time_machine
from django.test import Client

from zoneops.indicators import services as indicator_services
from zoneops.indicators.models import Indicator

TODAY = dt.datetime(2025, 11, 18, 10, 0, tzinfo=dt.UTC)


def shown_period(response) -> tuple[int, int]:
    return response.context["year"], response.context["month"]


def test_dashboard_opens_on_the_latest_month_with_figures_and_remembers_a_choice(
    users, zone_tree, client_for
):
    with time_machine.travel(TODAY, tick=False):
        gdp = Indicator.objects.get(code="gdp")
        for month in (8, 9):
            indicator_services.save_value(
                zone=zone_tree["hitech"],
                indicator=gdp,
                year=2025,
                month=month,
                value=Decimal("100") * month,
                acting_user=None,
            )
        # A figure of another zone's later month is not the staff's latest.
        indicator_services.save_value(
            zone=zone_tree["econ"],
            indicator=gdp,
            year=2025,
            month=10,
            value=Decimal("5"),
            acting_user=None,
        )
        client = client_for(users["staff"])
        first = client.get("/dashboard/")
        assert shown_period(first) == (2025, 9)  # not November, which has no figures yet
        assert 'value="2025-09"' in first.content.decode()

        assert shown_period(client.get("/dashboard/", {"period": "2025-08"})) == (2025, 8)
        # Back on the dashboard later: the month chosen last.
        assert shown_period(client.get("/dashboard/")) == (2025, 8)
        # Another user, in another session, starts from the latest month of their zones.
        other = Client()
        other.force_login(users["other_staff"])
        assert shown_period(other.get("/dashboard/")) == (2025, 10)
        assert shown_period(client.get("/dashboard/")) == (2025, 8)


def test_each_control_of_the_dashboard_has_its_own_id_and_label(users, client_for):
    """The period form and the pack form both pick a zone: each picker has its own id, and
    each label names the one it is for (GB/T 37668: every control labelled)."""
    import collections

    import lxml.html

    page = lxml.html.fromstring(client_for(users["staff"]).get("/dashboard/").content)
    ids = collections.Counter(page.xpath("//@id"))
    assert [name for name, count in ids.items() if count > 1] == []
    zone_pickers = page.xpath("//select[@name='zone']")
    assert len(zone_pickers) == 2
    for picker in zone_pickers:
        assert page.xpath(f"//label[@for='{picker.get('id')}']"), picker.get("id")
