import datetime as dt

from zoneops.appeals import reporting as appeal_reporting
from zoneops.appeals import services
from zoneops.appeals.tests.conftest import new_appeal
from zoneops.core.models import Zone
from zoneops.hazards import reporting as hazard_reporting
from zoneops.hazards import services as hazard_services

D = dt.date


def test_dashboard_panels_and_dispatch_sections(zone_tree, users, department):
    appeal = new_appeal(zone_tree["park"], users["staff"], on=D(2025, 9, 26))
    for name, kw, who in [
        ("accept", {}, users["staff"]),
        ("assign", {"department": department, "handler": users["liaison"]}, users["staff"]),
        ("start", {}, users["liaison"]),
        ("reply", {"comment": "已答复"}, users["liaison"]),
    ]:
        appeal = services.transition(appeal, name, acting_user=who, on=D(2025, 9, 29), **kw)
    services.rate(appeal, 4, "", acting_user=None, on=D(2025, 9, 30))
    zones = Zone.objects.filter(path__startswith=zone_tree["hitech"].path)
    (panel,) = appeal_reporting.panels(zones, 2025, 10, users["staff"])
    assert panel.value == 100.0 and panel.status == "ok"
    (section,) = appeal_reporting.sections(zone_tree["hitech"], 2025, 10, users["staff"])
    assert section.table.rows[0][1:3] == [1, 1]
    hazard_services.report_hazard(
        zone=zone_tree["park"],
        place="园区污水泵站",
        title="有限空间未设警示标识",
        category="confined_space",
        level="major",
        description="泵站入口无警示标识。",
        acting_user=users["staff"],
        found_on=D(2025, 9, 26),
    )
    (panel,) = hazard_reporting.panels(zones, 2025, 10, users["staff"])
    assert panel.value == 1 and panel.status == "bad"
    (section,) = hazard_reporting.sections(zone_tree["hitech"], 2025, 10, users["staff"])
    assert section.table.rows[0][0] == "有限空间未设警示标识"
