"""四眼原则 for enterprise figures: who entered or changed a month's figures cannot approve
them, on every path a figure is written; reopening tells whoever approved; an import into an
approved month is refused naming the rule."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.core.ui.testing import token_client
from zoneops.enterprises import services
from zoneops.enterprises.importers import FigureImporter
from zoneops.enterprises.models import FigureEditor, MonthApproval, MonthlyFigure
from zoneops.enterprises.tests.factories import enterprise
from zoneops.enterprises.tests.test_import import FIG_HEADERS, xlsx
from zoneops.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_who_saved_a_figure_cannot_approve_the_month(zone_tree, users, colleague):
    firm = enterprise(zone_tree["park"], 1)
    staff = users["staff"]
    services.save_figure(
        MonthlyFigure(enterprise=firm, year=2025, month=3, main_revenue=Decimal(10)),
        acting_user=staff,
    )
    with pytest.raises(ValidationError, match="四眼原则") as refused:
        services.approve_month(zone_tree["hitech"], 2025, 3, acting_user=staff)
    assert refused.value.error_list[0].code == "four_eyes"
    assert not MonthApproval.objects.exists()
    # The month of another zone, or another month, is not his.
    services.approve_month(zone_tree["hitech"], 2025, 4, acting_user=staff)
    approval = services.approve_month(zone_tree["hitech"], 2025, 3, acting_user=colleague)
    assert approval.approved and approval.approved_by == colleague


def test_who_last_changed_a_figure_cannot_approve_either(zone_tree, users, colleague):
    firm = enterprise(zone_tree["park"], 1)
    figure = services.save_figure(
        MonthlyFigure(enterprise=firm, year=2025, month=3, main_revenue=Decimal(10)),
        acting_user=users["liaison"],
    )
    figure.main_revenue = Decimal(12)
    services.save_figure(figure, acting_user=colleague)
    with pytest.raises(ValidationError, match="四眼原则"):
        services.approve_month(zone_tree["hitech"], 2025, 3, acting_user=colleague)
    services.approve_month(zone_tree["hitech"], 2025, 3, acting_user=users["staff"])


def test_import_and_bulk_api_name_their_editor(zone_tree, users, colleague):
    a = enterprise(zone_tree["park"], 1)
    result = FigureImporter(users["staff"]).run(
        "f.xlsx", xlsx(FIG_HEADERS, [[a.uscc, "", "2025-05", 100, 0, 0, 1]])
    )
    assert not result.errors and result.created == 1
    with pytest.raises(ValidationError, match="四眼原则"):
        services.approve_month(zone_tree["hitech"], 2025, 5, acting_user=users["staff"])
    response = token_client(colleague).post(
        "/api/monthly-figures/bulk/",
        [{"uscc": a.uscc, "year": 2025, "month": 6, "main_revenue": "5"}],
        format="json",
    )
    assert response.status_code == 200
    with pytest.raises(ValidationError, match="四眼原则"):
        services.approve_month(zone_tree["hitech"], 2025, 6, acting_user=colleague)
    assert set(FigureEditor.objects.values_list("user__username", "month")) == {
        ("gx_staff", 5),
        ("gx_staff2", 6),
    }
    services.approve_month(zone_tree["hitech"], 2025, 5, acting_user=colleague)
    services.approve_month(zone_tree["hitech"], 2025, 6, acting_user=users["staff"])


def test_the_edit_page_names_its_editor(zone_tree, users, client_for, colleague):
    firm = enterprise(zone_tree["park"], 1)
    response = client_for(colleague).post(
        "/enterprises/figures/add/",
        {
            "enterprise": firm.uscc,
            "year": 2025,
            "month": 7,
            "main_revenue": "1",
            "output_value": "0",
            "tax_paid": "0",
            "employees": "3",
            "rd_expense": "0",
            "energy_use": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert MonthlyFigure.objects.filter(month=7).exists()
    with pytest.raises(ValidationError, match="四眼原则"):
        services.approve_month(zone_tree["hitech"], 2025, 7, acting_user=colleague)
    # A figure of a sub-zone counts for the zone above that approves it.
    services.approve_month(zone_tree["hitech"], 2025, 7, acting_user=users["staff"])


def test_import_into_an_approved_month_names_the_rule(zone_tree, users, colleague):
    a = enterprise(zone_tree["park"], 1)
    services.approve_month(zone_tree["hitech"], 2025, 2, acting_user=colleague)
    result = FigureImporter(users["staff"]).run(
        "f.xlsx", xlsx(FIG_HEADERS, [[a.uscc, "", "2025-02", 1, 0, 0, 1]])
    )
    (error,) = result.errors
    assert "2025-02" in error.reason and "锁定" in error.reason and "理由" in error.reason
    assert not MonthlyFigure.objects.exists()


def test_reopening_needs_a_reason_and_rings_the_approver(zone_tree, users, colleague):
    approval = services.approve_month(zone_tree["hitech"], 2025, 3, acting_user=colleague)
    with pytest.raises(ValidationError):
        services.reopen_month(approval, acting_user=users["staff"], reason="  ")
    assert not Notification.objects.exists()
    services.reopen_month(approval, acting_user=users["staff"], reason="统计局反馈：企业数据更正")
    (notice,) = Notification.objects.all()
    assert notice.user == colleague
    assert "统计局反馈：企业数据更正" in notice.title and "2025-03" in notice.title
    assert notice.url == approval.get_absolute_url()


@pytest.mark.parametrize("role", ["admin", "other_staff", "leader", "liaison"])
def test_only_the_zones_statistics_staff_reopen_a_month(zone_tree, users, colleague, role):
    """三员分立: the system administrator reads approvals but takes no data decision; another
    zone's staff, leaders and liaison cadres may not reopen either."""
    approval = services.approve_month(zone_tree["hitech"], 2025, 3, acting_user=colleague)
    with pytest.raises(PermissionDenied):
        services.reopen_month(approval, acting_user=users[role], reason="统计局反馈")
    approval.refresh_from_db()
    assert approval.approved


def test_staff_reopen_a_month_from_its_page(client_for, zone_tree, users, colleague):
    approval = services.approve_month(zone_tree["hitech"], 2025, 3, acting_user=colleague)
    client = client_for(users["staff"])
    page = client.get(approval.get_absolute_url())
    assert 'id="reopen-form"' in page.content.decode()
    client.post(approval.get_absolute_url(), {"action": "reopen", "reason": "统计局反馈"})
    approval.refresh_from_db()
    assert not approval.approved and approval.reason == "统计局反馈"
    admin_page = client_for(users["admin"]).get(approval.get_absolute_url())
    assert 'id="reopen-form"' not in admin_page.content.decode()
