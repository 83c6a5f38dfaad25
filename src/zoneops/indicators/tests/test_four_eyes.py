"""四眼原则 for indicator values: who entered or changed a zone's month cannot approve it;
reopening needs a reason and tells whoever approved."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.core.ui.testing import token_client
from zoneops.indicators import services
from zoneops.indicators.models import Indicator, MonthClose
from zoneops.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def gdp(db):
    return Indicator.objects.get(code="gdp")


def test_who_entered_a_value_cannot_approve_the_month(zone_tree, users, colleague, gdp):
    zone, staff = zone_tree["hitech"], users["staff"]
    services.save_value(
        zone=zone, indicator=gdp, year=2025, month=9, value=Decimal(90), acting_user=staff
    )
    with pytest.raises(ValidationError, match="四眼原则") as refused:
        services.approve_month(zone=zone, year=2025, month=9, acting_user=staff)
    assert refused.value.error_list[0].code == "four_eyes"
    assert not MonthClose.objects.exists()
    close = services.approve_month(zone=zone, year=2025, month=9, acting_user=colleague)
    assert close.is_locked and close.approved_by == colleague


def test_who_last_changed_a_value_cannot_approve(zone_tree, users, colleague, gdp):
    zone = zone_tree["hitech"]
    services.save_value(
        zone=zone, indicator=gdp, year=2025, month=9, value=Decimal(90), acting_user=None
    )
    response = token_client(colleague).post(
        "/api/indicator-values/",
        {"zone": zone.code, "indicator": gdp.code, "year": 2025, "month": 9, "value": "91"},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    with pytest.raises(ValidationError, match="四眼原则"):
        services.approve_month(zone=zone, year=2025, month=9, acting_user=colleague)
    services.approve_month(zone=zone, year=2025, month=9, acting_user=users["staff"])


def test_checking_a_flag_is_not_changing_the_figure(zone_tree, users, colleague, gdp):
    zone = zone_tree["hitech"]
    value = services.save_value(
        zone=zone, indicator=gdp, year=2025, month=9, value=Decimal(90), acting_user=colleague
    )
    value.needs_review = True
    value.save(update_fields=["needs_review"])
    services.mark_reviewed(value, note="口径调整", acting_user=users["staff"])
    services.approve_month(zone=zone, year=2025, month=9, acting_user=users["staff"])


def test_reopening_rings_the_approver(zone_tree, users, colleague, gdp):
    zone = zone_tree["hitech"]
    services.approve_month(zone=zone, year=2025, month=9, acting_user=colleague)
    with pytest.raises(ValidationError):
        services.reopen_month(zone=zone, year=2025, month=9, reason="", acting_user=users["staff"])
    for refused in ("admin", "other_staff", "leader"):
        with pytest.raises(PermissionDenied):
            services.reopen_month(
                zone=zone, year=2025, month=9, reason="统计局反馈更正", acting_user=users[refused]
            )
    services.reopen_month(
        zone=zone, year=2025, month=9, reason="统计局反馈更正", acting_user=users["staff"]
    )
    (notice,) = Notification.objects.filter(user=colleague)
    assert "统计局反馈更正" in notice.title and "2025-09" in notice.title
