"""Above-scale thresholds with the years they apply to, and the 退规 risk list at its edges."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from zoneops.enterprises import services
from zoneops.enterprises.models import Enterprise
from zoneops.enterprises.tests.factories import enterprise, figure

HEADER = "sector,label,prefixes,measure,threshold,from_year,to_year,source\n"
TZ = dt.timezone(dt.timedelta(hours=8))


def test_a_threshold_applies_to_its_years():
    assert services.threshold_for("C2761", 2010).amount == 500
    assert services.threshold_for("C2761", 2011).amount == 2000
    assert services.threshold_for("C2761", 2030).amount == 2000
    assert services.threshold_for("C2761", 2006) is None  # before any
    history = [t for t in services.threshold_history() if t.sector == "industry"]
    assert [(t.from_year, t.to_year, t.amount) for t in history] == [
        (2007, 2010, 500),
        (2011, None, 2000),
    ]


def test_the_current_year_by_default():
    with time_machine.travel(dt.datetime(2010, 6, 1, 10, tzinfo=TZ), tick=False):
        assert services.threshold_for("C3011").amount == 500
    with time_machine.travel(dt.datetime(2011, 1, 1, 10, tzinfo=TZ), tick=False):
        assert services.threshold_for("C3011").amount == 2000


@pytest.mark.parametrize(
    "rows",
    [
        "industry,工业,C,revenue,500,2007,2011,a\nindustry,工业,C,revenue,2000,2011,,b\n",
        "industry,工业,C,revenue,500,2007,,a\nindustry,工业,C,revenue,2000,2011,,b\n",
        "industry,工业,C,revenue,2000,2011,,b\nindustry,工业,C,revenue,2500,2011,2020,c\n",
    ],
)
def test_overlapping_years_are_refused_naming_the_rule(rows):
    with pytest.raises(ValidationError, match="one threshold per year|每年只有一个") as refused:
        services.parse_thresholds(HEADER + rows)
    assert refused.value.error_list[0].code == "threshold_overlap"


def test_adjacent_years_and_other_sectors_are_fine():
    parsed = services.parse_thresholds(
        HEADER
        + "industry,工业,C,revenue,500,2007,2010,a\n"
        + "industry,工业,C,revenue,2000,2011,,b\n"
        + "retail,零售,F52,revenue,500,2007,,c\n"
    )
    assert len(parsed) == 3


def test_a_row_without_its_year_is_refused():
    with pytest.raises(ValidationError) as refused:
        services.parse_thresholds(HEADER + "industry,工业,C,revenue,500,,,a\n")
    assert refused.value.error_list[0].code == "threshold_year"
    with pytest.raises(ValidationError):
        services.parse_thresholds(HEADER + "industry,工业,C,revenue,500,2012,2010,a\n")


@pytest.mark.django_db
def test_scale_down_risks_at_the_threshold(zone_tree):
    park = zone_tree["park"]

    def above(n, last_year, ytd):
        firm = enterprise(park, n, above_scale=True)  # industry 2761: 规上工业, 2000
        figure(firm, 2025, 12, last_year)
        figure(firm, 2026, 6, ytd)
        return firm

    at = above(1, "2000", "1200")  # at the threshold: above scale; pace 2400
    below = above(2, "1999.99", "1200")  # one fen below: the review finds it
    warning = above(3, "2500", "999.99")  # last year fine; this year's pace 1999.98
    pace_ok = above(4, "2500", "1000")  # pace 2000 exactly: no warning
    plain = enterprise(park, 5)  # not above scale
    figure(plain, 2025, 12, "100")
    figure(plain, 2026, 6, "50")
    risks = services.scale_down_risks(Enterprise.objects.all())
    assert [r.enterprise_id for r in risks] == [below.pk, warning.pk]
    first, second = risks
    assert first.below_last_year and first.gap == Decimal("0.01") and first.full_year == 2025
    assert "2025" in first.reason and "0.01" in first.reason
    assert not second.below_last_year and second.projected == Decimal("1999.98")
    assert second.gap == Decimal("0.02") and "2026-06" in second.reason
    assert at.pk not in {r.enterprise_id for r in risks}
    assert pace_ok.pk not in {r.enterprise_id for r in risks}


@pytest.mark.django_db
def test_scale_down_page_is_scoped(zone_tree, users, client_for):
    firm = enterprise(zone_tree["park"], 1, above_scale=True)
    figure(firm, 2025, 12, "100")
    figure(firm, 2026, 3, "20")
    foreign = enterprise(zone_tree["econ"], 2, above_scale=True, name="经开区企业")
    figure(foreign, 2025, 12, "100")
    figure(foreign, 2026, 3, "20")
    page = client_for(users["staff"]).get("/enterprises/scale-down/").content.decode()
    assert firm.name in page and "经开区企业" not in page
    assert "名录库" in page and "年审" in page
    export = client_for(users["staff"]).get("/enterprises/scale-down/", {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")
    assert client_for(users["auditor"]).get("/enterprises/scale-down/").status_code == 403
