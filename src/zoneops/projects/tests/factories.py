import datetime as dt
from decimal import Decimal

from zoneops.projects.models import Project


def make_project(zone, index=0, **extra) -> Project:
    values = {
        "code": f"P-{index}",
        "name": f"测试项目{index}",
        "zone": zone,
        "type": Project.Type.NEW,
        "total_investment": Decimal("60000"),
        "plan_year": 2025,
        "annual_plan": Decimal("1000"),
    }
    values.update(extra)
    return Project.objects.create(**values)


D = dt.date
