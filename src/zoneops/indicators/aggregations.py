"""Concrete computations over the other apps' models, registered into ``indicators.sources``.

An aggregation is registered only when the models and fields it reads exist in this
installation; otherwise its indicator is entered or imported. A zone's value covers the zone
and every zone below it. Industry sections follow GB/T 4754-2017: B–D industry, F/H wholesale,
retail, accommodation and catering (限上), G and I–R services (规上服务业).
"""

import calendar
import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, Sum

from zoneops.indicators.sources import register

INDUSTRY_SECTIONS = ("B", "C", "D")
RETAIL_SECTIONS = ("F", "H")
SERVICE_SECTIONS = ("G", "I", "K", "L", "M", "N", "O", "P", "Q", "R")
# indicator code → certification kinds counted (专精特新 includes the national 小巨人).
CERTIFIED = {
    "tech_sme_count": ("tech_sme",),
    "hnte_count": ("hnte",),
    "srdi_count": ("srdi", "little_giant"),
    "little_giant_count": ("little_giant",),
}


def _has(label: str, *paths: str) -> bool:
    """Whether model ``label`` exists with every field on each ``a__b`` path."""
    try:
        model = apps.get_model(label)
    except LookupError:
        return False
    for path in paths:
        current = model
        try:
            for part in path.split("__"):
                field = current._meta.get_field(part)
                current = field.related_model or current
        except FieldDoesNotExist:
            return False
    return True


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _sum(qs, field: str) -> Decimal | None:
    if not qs.exists():
        return None
    return qs.aggregate(total=Sum(field))["total"] or Decimal(0)


def _figures(zone, year, month, sections, field):
    model = apps.get_model("enterprises", "MonthlyFigure")
    qs = model.objects.filter(
        enterprise__zone__path__startswith=zone.path,
        enterprise__above_scale=True,
        enterprise__industry__section__in=sections,
        year=year,
        month=month,
    )
    return _sum(qs, field)


# The computations, each of one indicator (or, for the certified counts, of each code of
# CERTIFIED), as ``indicators.sources`` calls them: (indicator, zone, year, month).


def industrial_output(indicator, zone, year, month):
    return _figures(zone, year, month, INDUSTRY_SECTIONS, "output_value")


def retail_above_quota(indicator, zone, year, month):
    return _figures(zone, year, month, RETAIL_SECTIONS, "main_revenue")


def services_revenue(indicator, zone, year, month):
    return _figures(zone, year, month, SERVICE_SECTIONS, "main_revenue")


def count_certified(indicator, zone, year, month):
    """Enterprises (not deregistered) holding, at the month's end, a valid certification of
    a kind the indicator counts."""
    kinds = CERTIFIED[indicator.code]
    day = _month_end(year, month)
    model = apps.get_model("enterprises", "Enterprise")
    valid = Q(
        certifications__kind__in=kinds,
        certifications__issued_on__lte=day,
    ) & (Q(certifications__expires_on__isnull=True) | Q(certifications__expires_on__gte=day))
    qs = model.objects.filter(zone__path__startswith=zone.path).exclude(status="deregistered")
    return Decimal(qs.filter(valid).aggregate(n=Count("pk", distinct=True))["n"])


def above_scale_count(indicator, zone, year, month):
    model = apps.get_model("enterprises", "Enterprise")
    qs = model.objects.filter(
        zone__path__startswith=zone.path,
        above_scale=True,
        industry__section__in=INDUSTRY_SECTIONS,
    ).exclude(status="deregistered")
    return Decimal(qs.count())


def fixed_asset_investment(indicator, zone, year, month):
    model = apps.get_model("projects", "MonthlyInvestment")
    qs = model.objects.filter(project__zone__path__startswith=zone.path, year=year, month=month)
    return _sum(qs, "completed_ytd")


def funds_in_place(indicator, zone, year, month):
    # Monthly amounts: the year to date is their sum up to the month.
    model = apps.get_model("investment", "FundsInPlace")
    qs = model.objects.filter(lead__zone__path__startswith=zone.path, year=year, month__lte=month)
    return _sum(qs, "amount")


def signed_projects(indicator, zone, year, month):
    model = apps.get_model("investment", "Signing")
    qs = model.objects.filter(
        lead__zone__path__startswith=zone.path,
        counted=True,
        signed_on__gte=dt.date(year, 1, 1),
        signed_on__lte=_month_end(year, month),
    )
    return Decimal(qs.count())


# What each group of computations reads (a model and the field paths), and the (origin, code,
# computation) it registers where all of that exists.
AGGREGATIONS = [
    (
        (
            "enterprises.MonthlyFigure",
            "enterprise__zone",
            "enterprise__above_scale",
            "enterprise__industry__section",
            "year",
            "month",
            "output_value",
            "main_revenue",
        ),
        [
            ("enterprise_figures", "industrial_output_above_scale", industrial_output),
            ("enterprise_figures", "retail_sales_above_quota", retail_above_quota),
            ("enterprise_figures", "services_revenue", services_revenue),
        ],
    ),
    (
        (
            "enterprises.Certification",
            "enterprise__zone",
            "enterprise__status",
            "kind",
            "issued_on",
            "expires_on",
        ),
        [("counted", code, count_certified) for code in CERTIFIED],
    ),
    (
        ("enterprises.Enterprise", "zone", "above_scale", "industry__section", "status"),
        [("counted", "above_scale_count", above_scale_count)],
    ),
    (
        ("projects.MonthlyInvestment", "project__zone", "year", "month", "completed_ytd"),
        [("projects", "fixed_asset_investment", fixed_asset_investment)],
    ),
    (
        ("investment.FundsInPlace", "lead__zone", "year", "month", "amount"),
        [("leads", "funds_in_place", funds_in_place)],
    ),
    (
        ("investment.Signing", "lead__zone", "signed_on", "counted"),
        [("leads", "signed_projects", signed_projects)],
    ),
]


def register_available() -> list[tuple[str, str | None]]:
    """Register what this installation can compute; return the (origin, code) keys."""
    done = []
    for (label, *paths), computations in AGGREGATIONS:
        if not _has(label, *paths):
            continue
        for origin, code, computation in computations:
            register(origin, code)(computation)
            done.append((origin, code))
    return done
