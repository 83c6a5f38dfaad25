from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum

from zoneops.core.ops.demo import seed_zones
from zoneops.investment import demo as investment_demo
from zoneops.investment import services as investment_services
from zoneops.investment.models import AnnualTarget, Signing
from zoneops.projects import demo
from zoneops.projects.models import AnnualPlan, Project


def figures(code_prefix, zone_code, year):
    # The seed year's plans: the projects themselves are rolled forward to today's year.
    qs = Project.objects.filter(
        zone__path__startswith=_path(zone_code), code__startswith=code_prefix
    )
    plan = AnnualPlan.objects.filter(project__in=qs, year=year).aggregate(s=Sum("planned"))["s"]
    return {"plan": plan} | qs.aggregate(
        count=Count("pk"),
        total=Sum("total_investment"),
        new=Count("pk", filter=Q(type="new")),
        continued=Count("pk", filter=Q(type="continued")),
        spring=Count("pk", filter=Q(tags__contains=",spring,")),
        spring_total=Sum("total_investment", filter=Q(tags__contains=",spring,")),
    )


def _path(code):
    from zoneops.core.models import Zone

    return Zone.objects.get(code=code).path


@pytest.mark.django_db
def test_demo_reproduces_the_seed_figures():
    seed_zones()
    assert demo.seed().startswith("148 projects created")
    jlgx = figures("JLGX-2024-", "JLGX", 2024)
    assert jlgx == {
        "count": 40,
        "total": Decimal("2250000"),  # ≈225亿
        "plan": Decimal("350000"),  # 35亿
        "new": 23,
        "continued": 17,
        "spring": 14,
        "spring_total": Decimal("590000"),  # 59亿
    }
    ccgx = figures("CCGX-2025-", "CCGX", 2025)
    assert (ccgx["count"], ccgx["total"], ccgx["new"], ccgx["continued"]) == (
        108,
        Decimal("6340000"),
        58,
        50,
    )
    named = Project.objects.get(name="中科曙光数据中心")
    assert "种子文章 002" in named.source and "虚构" in named.source
    assert demo.seed().startswith("0 projects created")  # idempotent

    assert investment_demo.seed().startswith("3 targets")
    target = AnnualTarget.objects.get(zone__code="JLGX", year=2024)
    assert (target.signed_landed, target.funds_in_place) == (30, Decimal("1160000"))
    assert AnnualTarget.objects.get(zone__code="CCXQ", year=2024).big_projects_started == 50
    assert all("虚构" in s.source for s in Signing.objects.all())
    zone = target.zone
    progress = investment_services.progress(zone, 2024)
    landed, funds, _big = progress["items"]
    assert landed.actual == 22 and funds.actual > 0
    assert investment_demo.seed() == "0 targets, 0 leads created"
