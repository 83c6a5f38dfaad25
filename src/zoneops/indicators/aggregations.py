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


def register_available() -> list[tuple[str, str | None]]:
    """Register what this installation can compute; return the (origin, code) keys."""
    done = []
    figure_fields = (
        "enterprise__zone",
        "enterprise__above_scale",
        "enterprise__industry__section",
        "year",
        "month",
        "output_value",
        "main_revenue",
    )
    if _has("enterprises.MonthlyFigure", *figure_fields):

        @register("enterprise_figures", "industrial_output_above_scale")
        def industrial_output(indicator, zone, year, month):
            return _figures(zone, year, month, INDUSTRY_SECTIONS, "output_value")

        @register("enterprise_figures", "retail_sales_above_quota")
        def retail_above_quota(indicator, zone, year, month):
            return _figures(zone, year, month, RETAIL_SECTIONS, "main_revenue")

        @register("enterprise_figures", "services_revenue")
        def services_revenue(indicator, zone, year, month):
            return _figures(zone, year, month, SERVICE_SECTIONS, "main_revenue")

        done += [
            ("enterprise_figures", "industrial_output_above_scale"),
            ("enterprise_figures", "retail_sales_above_quota"),
            ("enterprise_figures", "services_revenue"),
        ]

    if _has(
        "enterprises.Certification",
        "enterprise__zone",
        "enterprise__status",
        "kind",
        "issued_on",
        "expires_on",
    ):

        def count_certified(indicator, zone, year, month):
            kinds = CERTIFIED[indicator.code]
            day = _month_end(year, month)
            model = apps.get_model("enterprises", "Enterprise")
            valid = Q(
                certifications__kind__in=kinds,
                certifications__issued_on__lte=day,
            ) & (
                Q(certifications__expires_on__isnull=True) | Q(certifications__expires_on__gte=day)
            )
            qs = model.objects.filter(zone__path__startswith=zone.path).exclude(
                status="deregistered"
            )
            return Decimal(qs.filter(valid).aggregate(n=Count("pk", distinct=True))["n"])

        for code in CERTIFIED:
            register("counted", code)(count_certified)
            done.append(("counted", code))

    if _has("enterprises.Enterprise", "zone", "above_scale", "industry__section", "status"):

        @register("counted", "above_scale_count")
        def above_scale_count(indicator, zone, year, month):
            model = apps.get_model("enterprises", "Enterprise")
            qs = model.objects.filter(
                zone__path__startswith=zone.path,
                above_scale=True,
                industry__section__in=INDUSTRY_SECTIONS,
            ).exclude(status="deregistered")
            return Decimal(qs.count())

        done.append(("counted", "above_scale_count"))

    if _has("projects.MonthlyInvestment", "project__zone", "year", "month", "completed_ytd"):

        @register("projects", "fixed_asset_investment")
        def fixed_asset_investment(indicator, zone, year, month):
            model = apps.get_model("projects", "MonthlyInvestment")
            qs = model.objects.filter(
                project__zone__path__startswith=zone.path, year=year, month=month
            )
            return _sum(qs, "completed_ytd")

        done.append(("projects", "fixed_asset_investment"))

    if _has("investment.FundsInPlace", "lead__zone", "year", "month", "amount"):

        @register("leads", "funds_in_place")
        def funds_in_place(indicator, zone, year, month):
            # Monthly amounts: the year to date is their sum up to the month.
            model = apps.get_model("investment", "FundsInPlace")
            qs = model.objects.filter(
                lead__zone__path__startswith=zone.path, year=year, month__lte=month
            )
            return _sum(qs, "amount")

        done.append(("leads", "funds_in_place"))

    if _has("investment.Signing", "lead__zone", "signed_on", "counted"):

        @register("leads", "signed_projects")
        def signed_projects(indicator, zone, year, month):
            model = apps.get_model("investment", "Signing")
            qs = model.objects.filter(
                lead__zone__path__startswith=zone.path,
                counted=True,
                signed_on__gte=dt.date(year, 1, 1),
                signed_on__lte=_month_end(year, month),
            )
            return Decimal(qs.count())

        done.append(("leads", "signed_projects"))
    return done
