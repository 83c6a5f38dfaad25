"""Indicators on the dashboard and in the dispatch pack: each against its target and 序时进度."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from zoneops.core.registries.panels import Panel, Section, Table
from zoneops.indicators import selectors


def _roots(zones):
    """The top zones of a set (a zone whose parent is outside the set)."""
    zones = list(zones.order_by("depth", "path")) if hasattr(zones, "order_by") else list(zones)
    ids = {z.pk for z in zones}
    return [z for z in zones if z.parent_id not in ids]


def _number(value: Decimal | None):
    """As people write figures: 1500000, 7.14 (no 1500000.00)."""
    if value is None:
        return None
    rounded = value.quantize(Decimal("0.01"))
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def _light_name(light: str | None) -> str:
    return {"green": _("On track"), "yellow": _("Behind"), "red": _("Far behind")}.get(
        light or "", ""
    )


def latest_period(zones, *, today):
    """The dashboard's default month: the latest with economic figures (not a future one)."""
    from django.db.models import Q

    from zoneops.core.registries.panels import zone_ids
    from zoneops.indicators.models import IndicatorValue

    return (
        IndicatorValue.objects.filter(zone_id__in=zone_ids(zones))
        .filter(Q(year__lt=today.year) | Q(year=today.year, month__lte=today.month))
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )


def panels(zones, year, month, user):
    found = []
    for index, zone in enumerate(_roots(zones)[:3]):
        rows = selectors.progress(zone, year, month, with_target_only=True)
        rows = [r for r in rows if r.completion is not None]
        if not rows:
            continue
        red = sum(r.light == "red" for r in rows)
        yellow = sum(r.light == "yellow" for r in rows)
        elapsed = _number(rows[0].elapsed)
        chart = {
            "tooltip": {},
            "grid": {"left": 110, "right": 20, "top": 10, "bottom": 20},
            "xAxis": {"type": "value", "max": 120},
            "yAxis": {
                "type": "category",
                "data": [r.indicator.name for r in rows],
                "inverse": True,
            },
            "series": [
                {
                    "type": "bar",
                    "name": _("Share of target reached (%)"),
                    "data": [
                        {
                            "value": _number(r.completion),
                            "itemStyle": {
                                "color": {
                                    "green": "#198754",
                                    "yellow": "#ffc107",
                                    "red": "#dc3545",
                                }.get(r.light or "", "#6c757d")
                            },
                        }
                        for r in rows
                    ],
                    "markLine": {
                        "data": [{"xAxis": elapsed, "name": _("Share of the year elapsed")}]
                    },
                }
            ],
        }
        found.append(
            Panel(
                key=f"indicators.progress.{zone.code}",
                title=_("{zone}: indicators against targets").format(zone=zone.name),
                value=f"{len(rows) - red - yellow}/{len(rows)}",
                unit=_("on track"),
                note=_("Share of the year elapsed: {elapsed}%").format(elapsed=elapsed),
                url=reverse("indicators:progress") + f"?zone={zone.pk}&year={year}&month={month}",
                status="bad" if red else ("warn" if yellow else "ok"),
                chart=chart,
                order=10 + index,
            )
        )
    return found


def sections(zone, year, month, user):
    rows = selectors.progress(zone, year, month, with_target_only=True)
    table = []
    behind = []
    for r in rows:
        table.append(
            [
                r.indicator.name,
                r.indicator.unit,
                _number(r.target),
                _number(r.target_growth),
                _number(r.ytd),
                _number(r.yoy),
                _number(r.completion),
                _number(r.elapsed),
                _number(r.gap),
                _number(r.q4_must),
                _light_name(r.light),
            ]
        )
        if r.light in ("yellow", "red"):
            behind.append(r.indicator.name)
    if not table:
        paragraphs = [_("No indicator has a target for {year}.").format(year=year)]
    elif behind:
        paragraphs = [
            _("{count} of {total} indicators are behind 序时进度: {names}.").format(
                count=len(behind), total=len(table), names="、".join(behind)
            )
        ]
    else:
        paragraphs = [_("All {total} indicators are on track.").format(total=len(table))]
    return [
        Section(
            key="indicators.progress",
            title=_("Economic indicators against the year's targets"),
            order=10,
            paragraphs=paragraphs,
            table=Table(
                [
                    _("Indicator"),
                    _("Unit"),
                    _("Target"),
                    _("Target growth (%)"),
                    _("Year to date"),
                    _("Growth (%)"),
                    _("Reached (%)"),
                    _("Year elapsed (%)"),
                    _("Still to deliver"),
                    _("Q4 must deliver"),
                    _("Status"),
                ],
                table,
            )
            if table
            else None,
        )
    ]
