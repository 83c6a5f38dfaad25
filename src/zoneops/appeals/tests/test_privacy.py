"""The submitter's phone is masked for every role that does not handle the case; the
handler's reveal is recorded (issue #17, 5)."""

import json

import pytest

from zoneops.core.models import ObjectChange, SecurityEvent
from zoneops.core.ui.testing import token_client

FULL = "13904310000"
MASKED = "139****0000"


@pytest.mark.parametrize("role", ["leader", "liaison", "admin", "auditor", "security_admin"])
def test_roles_not_handling_the_case_never_see_the_full_number(role, client_for, users, appeal):
    client = client_for(users[role])
    page = client.get(f"/appeals/{appeal.pk}/")
    assert FULL not in page.content.decode()
    if page.status_code == 200:
        assert MASKED in page.content.decode()
    revealed = client.post(f"/appeals/{appeal.pk}/", {"action": "reveal"})
    assert revealed.status_code in (403, 404)
    assert not SecurityEvent.objects.filter(type="personal_data_revealed").exists()
    api = token_client(users[role]).get(f"/api/appeals/{appeal.pk}/")
    assert FULL not in api.content.decode()


def test_the_handler_sees_it_masked_and_reveals_it_on_record(client_for, users, appeal):
    client = client_for(users["staff"])
    page = client.get(f"/appeals/{appeal.pk}/")
    assert MASKED in page.content.decode() and FULL not in page.content.decode()
    assert 'id="reveal-phone"' in page.content.decode()
    revealed = client.post(f"/appeals/{appeal.pk}/", {"action": "reveal"})
    assert revealed.status_code == 200
    assert FULL in revealed.content.decode()
    event = SecurityEvent.objects.get(type="personal_data_revealed")
    assert event.user == users["staff"]
    assert event.detail["appeal"] == appeal.pk


def test_the_audit_log_keeps_the_number_masked(client_for, users, appeal):
    changes = ObjectChange.objects.filter(object_repr__contains=appeal.submission.tracking_number)
    stored = json.dumps(list(ObjectChange.objects.values_list("changes", flat=True)))
    assert FULL not in stored
    assert changes.exists() and MASKED in stored  # recorded, with the number masked
    page = client_for(users["auditor"]).get("/audit/", {"q": appeal.submission.tracking_number})
    assert FULL not in page.content.decode()


def test_the_appeal_list_and_its_export_hold_no_full_number(client_for, users, appeal):
    client = client_for(users["leader"])
    assert FULL not in client.get("/appeals/", {"q": "用电"}).content.decode()
    import io

    from openpyxl import load_workbook

    export = client.get("/appeals/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row]
    assert len(cells) > 1
    assert not any(FULL in cell for cell in cells)
