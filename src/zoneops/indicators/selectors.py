"""Reads with rules: targets, the gap analysis (序时进度, what the rest of the year must deliver),
rankings and target decomposition. The ``reports`` app builds its dashboard and dispatch pack on
``progress()`` / ``progress_for_zones()``, ``ranking()``, ``series()`` and ``decomposition()``.

Every figure is a Decimal (or None when it cannot be known). Percentages are in % (12.5 means
12.5 %), amounts in the indicator's unit.

Gap arithmetic, for zone Z, year Y and the month M of the latest figure:

cumulative indicators (本年累计)
    completion = ytd / target; elapsed share (序时进度) = M / 12; lag = completion − elapsed;
    gap = target − ytd: what months M+1 … 12 must still deliver; the growth those months need
    is gap against the same months of last year (Dec ytd − M ytd of Y−1). The gap is split over
    the remaining quarters by the zone's seasonal shares of earlier years (method "seasonal",
    the years used listed), or evenly by month where no earlier year is complete ("even").
    A cumulative figure restarts each January: January's increment is January's ytd, and
    nothing of Y−1 counts towards Y.
point-in-time indicators (a stock: enterprises, …)
    completion = (value − last December's) / (target − last December's), i.e. the share of the
    planned increase reached (value / target when last December is unknown); gap = target −
    value, spread evenly over the remaining months.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from zoneops.core.models import Zone
from zoneops.indicators.models import Indicator, IndicatorValue, Target
from zoneops.indicators.services import HUNDRED, growth

TWELVE = Decimal(12)
YELLOW_BAND = Decimal(5)  # percentage points behind the elapsed share before a light turns red
SEASONAL_YEARS = 3


def _q(value: Decimal | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places))


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


@dataclass
class Progress:
    """One indicator's standing for a zone at a month (see the module docstring)."""

    indicator: Indicator
    year: int
    month: int  # the month asked for
    as_of_month: int | None  # the latest month of ``year`` with a figure, up to ``month``
    ytd: Decimal | None  # year to date (cumulative) or the value (point in time)
    yoy: Decimal | None
    yoy_reported: bool
    last_year_same_period: Decimal | None
    last_year_total: Decimal | None  # Y−1 December: full-year total or year-end stock
    target: Decimal | None
    target_growth: Decimal | None
    target_basis: str | None  # "value", "growth" (value derived from last year) or None
    completion: Decimal | None  # % of the target reached (of the planned increase: point)
    elapsed: Decimal  # % of the year elapsed at ``as_of_month`` (序时进度)
    lag: Decimal | None  # completion − elapsed, percentage points
    light: str | None  # "green", "yellow", "red"; None without a target or a figure
    gap: Decimal | None  # target − ytd: what must still be delivered (negative: exceeded)
    remaining_months: int
    per_month_needed: Decimal | None
    rest_growth_needed: Decimal | None  # % growth the remaining months need against Y−1's
    growth_gap: Decimal | None  # yoy − target growth, percentage points
    quarter_must: list[dict] = field(default_factory=list)  # [{quarter, months, value}]
    q4_must: Decimal | None = None
    method: str = "even"  # how the gap was split over the quarters
    years_used: list[int] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def on_track(self) -> bool | None:
        return None if self.light is None else self.light == "green"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["indicator"] = {
            "code": self.indicator.code,
            "name": self.indicator.name,
            "unit": self.indicator.unit,
            "kind": self.indicator.kind,
            "direction": self.indicator.direction,
        }
        return data


def _light(lag: Decimal | None, direction: str) -> str | None:
    if lag is None:
        return None
    if direction == Indicator.Direction.LOWER:
        lag = -lag
    if lag >= 0:
        return "green"
    if lag >= -YELLOW_BAND:
        return "yellow"
    return "red"


class _Values:
    """Every figure needed, loaded in one query: (zone, indicator, year) → {month: row}."""

    def __init__(self, zone_ids, indicator_ids, years):
        self.rows: dict[tuple[int, int, int], dict[int, tuple]] = defaultdict(dict)
        qs = IndicatorValue.objects.filter(
            zone_id__in=zone_ids, indicator_id__in=indicator_ids, year__in=years
        ).values_list("zone_id", "indicator_id", "year", "month", "value", "yoy", "yoy_reported")
        for zone_id, indicator_id, year, month, value, yoy, reported in qs.iterator(
            chunk_size=5000
        ):
            self.rows[(zone_id, indicator_id, year)][month] = (value, yoy, reported)

    def months(self, zone_id, indicator_id, year) -> dict[int, tuple]:
        return self.rows.get((zone_id, indicator_id, year), {})

    def value(self, zone_id, indicator_id, year, month) -> Decimal | None:
        row = self.months(zone_id, indicator_id, year).get(month)
        return row[0] if row else None


def _targets(zone_ids, indicator_ids, year) -> dict[tuple[int, int], Target]:
    """The zones' own targets (not a department's share)."""
    qs = Target.objects.filter(
        zone_id__in=zone_ids, indicator_id__in=indicator_ids, year=year, department__isnull=True
    )
    return {(t.zone_id, t.indicator_id): t for t in qs}


def effective_target(
    target: Target | None, last_year_total: Decimal | None
) -> tuple[Decimal | None, Decimal | None, str | None]:
    """(target value, target growth %, basis) — a growth target becomes a value via Y−1."""
    if target is None:
        return None, None, None
    if target.value is not None:
        target_growth = target.growth
        if target_growth is None:
            target_growth = growth(target.value, last_year_total)
        return target.value, target_growth, "value"
    if target.growth is not None and last_year_total is not None:
        return _q(last_year_total * (1 + target.growth / HUNDRED)), target.growth, "growth"
    return None, target.growth, "growth"


def _even_split(gap: Decimal, month: int) -> list[tuple[int, list[int], Decimal]]:
    remaining = list(range(month + 1, 13))
    per_month = gap / len(remaining)
    quarters: dict[int, list[int]] = defaultdict(list)
    for m in remaining:
        quarters[quarter_of(m)].append(m)
    return [(q, ms, per_month * len(ms)) for q, ms in sorted(quarters.items())]


def _seasonal_split(values: _Values, zone_id, indicator_id, year, month, gap):
    """Split the gap over the remaining quarters by earlier years' shares of the same months."""
    quarters: dict[int, list[int]] = defaultdict(list)
    for m in range(month + 1, 13):
        quarters[quarter_of(m)].append(m)
    shares: dict[int, list[Decimal]] = defaultdict(list)
    years_used = []
    for earlier in range(year - 1, year - 1 - SEASONAL_YEARS, -1):
        months = values.months(zone_id, indicator_id, earlier)
        ends = {month} | {ms[-1] for ms in quarters.values()}
        if any((months.get(m) or (None,))[0] is None for m in ends):
            continue
        start = months[month][0]
        total_rest = months[12][0] - start
        if total_rest <= 0:
            continue
        previous = start
        for q, ms in sorted(quarters.items()):
            end = months[ms[-1]][0]
            shares[q].append((end - previous) / total_rest)
            previous = end
        years_used.append(earlier)
    if not years_used:
        return _even_split(gap, month), "even", []
    split = []
    for q, ms in sorted(quarters.items()):
        share = sum(shares[q]) / len(shares[q])
        split.append((q, ms, gap * share))
    return split, "seasonal", sorted(years_used)


def _latest_reported(
    months: dict, month: int
) -> tuple[int | None, Decimal | None, Decimal | None, bool]:
    """(as-of month, ytd, yoy, whether the yoy was reported) of the latest month up to
    ``month`` with a value or a growth rate: a report may be late, and the page reads the last
    one given rather than an empty month."""
    as_of = max(
        (m for m, row in months.items() if m <= month and (row[0], row[1]) != (None, None)),
        default=None,
    )
    row = months.get(as_of) if as_of else None
    if not row:
        return as_of, None, None, False
    return as_of, row[0], row[1], row[2]


@dataclass
class _Toward:
    """How far a figure is toward its target, and what the rest of the year must bring."""

    completion: Decimal | None = None
    gap: Decimal | None = None
    rest_growth: Decimal | None = None
    split: list = field(default_factory=list)  # (quarter, months, amount)
    method: str = "even"
    years_used: list = field(default_factory=list)


def _cumulative_toward(values: _Values, zone_id, indicator, year, at, current, target_value,
                       last_year_same, last_year_total) -> _Toward:  # fmt: skip
    """A year-to-date figure: nothing reported yet this year counts as nothing delivered; the
    gap is split over the remaining quarters as earlier years' seasons went (evenly when
    nothing is reported yet, or no earlier year is whole)."""
    toward = _Toward()
    delivered = current if current is not None else Decimal(0)
    if current is not None and target_value != 0:
        toward.completion = _q(current / target_value * HUNDRED)
    toward.gap = _q(target_value - delivered)
    remaining = 12 - at
    if remaining and last_year_total is not None and last_year_same is not None:
        toward.rest_growth = growth(toward.gap, last_year_total - last_year_same)
    if remaining:
        if current is None:
            toward.split = _even_split(toward.gap, at)
        else:
            toward.split, toward.method, toward.years_used = _seasonal_split(
                values, zone_id, indicator.pk, year, at, toward.gap
            )
    return toward


def _stock_toward(at, current, target_value, last_year_total) -> _Toward:
    """A stock (a count at the month's end): completion is measured from last year's end
    where there is one, and the gap is split evenly."""
    toward = _Toward()
    base = last_year_total
    if base is not None and target_value != base:
        toward.completion = _q((current - base) / (target_value - base) * HUNDRED)
    elif target_value != 0:
        toward.completion = _q(current / target_value * HUNDRED)
    toward.gap = _q(target_value - current)
    remaining = 12 - at
    toward.rest_growth = growth(target_value, current) if remaining else None
    if remaining:
        toward.split = _even_split(toward.gap, at)
    return toward


def _progress_one(indicator, zone_id, year, month, values: _Values, target: Target | None):
    """One indicator's progress in a zone at ``month``: the latest reported figure against the
    year's target, the lag behind the share of the year elapsed, and what each remaining
    month and quarter must bring."""
    as_of, current, yoy, reported = _latest_reported(
        values.months(zone_id, indicator.pk, year), month
    )
    at = as_of or month
    last_year_same = values.value(zone_id, indicator.pk, year - 1, at)
    last_year_total = values.value(zone_id, indicator.pk, year - 1, 12)
    if yoy is None and current is not None:
        yoy = growth(current, last_year_same)
    target_value, target_growth, basis = effective_target(target, last_year_total)
    elapsed = _q(Decimal(at) / TWELVE * HUNDRED)
    remaining = 12 - at
    toward = _Toward()
    if target_value is not None:
        if indicator.is_cumulative and (current is not None or as_of is None):
            # A month reported with growth only leaves the amount, and so the gap, unknown.
            toward = _cumulative_toward(values, zone_id, indicator, year, at, current,
                                        target_value, last_year_same, last_year_total)  # fmt: skip
        elif not indicator.is_cumulative and current is not None:
            toward = _stock_toward(at, current, target_value, last_year_total)
    completion, gap = toward.completion, toward.gap
    lag = _q(completion - elapsed) if completion is not None else None
    per_month = _q(gap / remaining) if gap is not None and remaining else None
    quarter_must = [
        {"quarter": q, "months": ms, "value": _q(v)} for q, ms, v in toward.split if v is not None
    ]
    q4 = next((item["value"] for item in reversed(quarter_must) if item["quarter"] == 4), None)
    growth_gap = _q(yoy - target_growth) if yoy is not None and target_growth is not None else None
    return Progress(
        indicator=indicator,
        year=year,
        month=month,
        as_of_month=as_of,
        ytd=current,
        yoy=yoy,
        yoy_reported=bool(reported),
        last_year_same_period=last_year_same,
        last_year_total=last_year_total,
        target=target_value,
        target_growth=target_growth,
        target_basis=basis,
        completion=completion,
        elapsed=elapsed,
        lag=lag,
        light=_light(lag, indicator.direction),
        gap=gap,
        remaining_months=remaining,
        per_month_needed=per_month,
        rest_growth_needed=toward.rest_growth,
        growth_gap=growth_gap,
        quarter_must=quarter_must,
        q4_must=q4 if at < 12 else None,
        method=toward.method,
        years_used=toward.years_used,
    )


def progress_for_zones(
    zones: Iterable[Zone],
    year: int,
    month: int,
    *,
    indicators: Iterable[Indicator] | None = None,
    with_target_only: bool = False,
) -> dict[int, list[Progress]]:
    """``progress()`` for many zones with a fixed number of queries: zone id → rows."""
    zone_ids = [z.pk if isinstance(z, Zone) else z for z in zones]
    indicator_list = list(
        indicators if indicators is not None else Indicator.objects.filter(is_active=True)
    )
    indicator_ids = [i.pk for i in indicator_list]
    years = list(range(year - SEASONAL_YEARS, year + 1))
    values = _Values(zone_ids, indicator_ids, years)
    targets = _targets(zone_ids, indicator_ids, year)
    result: dict[int, list[Progress]] = {}
    for zone_id in zone_ids:
        rows = []
        for indicator in indicator_list:
            target = targets.get((zone_id, indicator.pk))
            if with_target_only and target is None:
                continue
            rows.append(_progress_one(indicator, zone_id, year, month, values, target))
        result[zone_id] = rows
    return result


def progress(
    zone: Zone,
    year: int,
    month: int,
    *,
    indicators: Iterable[Indicator] | None = None,
    with_target_only: bool = False,
) -> list[Progress]:
    """Per indicator: target, ytd, yoy, completion vs 序时进度, light, gap, what the remaining
    months, the current and following quarters and Q4 must deliver. See the module docstring."""
    return progress_for_zones(
        [zone], year, month, indicators=indicators, with_target_only=with_target_only
    )[zone.pk]


def latest_period(zone: Zone | None = None, *, today: dt.date | None = None) -> tuple[int, int]:
    """The most recent (year, month) with figures (for the zone), or last month if none."""
    qs = IndicatorValue.objects.all()
    if zone is not None:
        qs = qs.filter(zone__path__startswith=zone.path)
    row = qs.order_by("-year", "-month").values_list("year", "month").first()
    if row:
        return row
    today = today or dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


RANK_BY = ("yoy", "completion", "ytd")


def _rank(entries: list[dict], indicator: Indicator, by: str) -> list[dict]:
    # Lower is better (e.g. energy per unit of output): the smallest value or growth ranks
    # first; the share of the target reached is always better higher.
    reverse = indicator.direction == Indicator.Direction.HIGHER or by == "completion"
    ranked = sorted(
        (e for e in entries if e["score"] is not None),
        key=lambda e: (-e["score"] if reverse else e["score"], e["zone"].path),
    )
    for position, entry in enumerate(ranked, start=1):
        entry["rank"] = position
    rest = [e | {"rank": None} for e in entries if e["score"] is None]
    return ranked + rest


def ranking(
    zones: Iterable[Zone], indicator: Indicator, year: int, month: int, *, by: str = "yoy"
) -> list[dict]:
    """Zones ranked on one indicator (争先进位) by ``yoy``, ``completion`` or ``ytd``.

    Each entry: ``zone``, ``progress`` (ytd, yoy, completion against the target, light),
    ``score``, ``rank`` (None without the figure: such zones come last, unranked),
    ``previous_rank`` (the rank the same way at the month before) and ``move`` (places
    gained since then: positive up, negative down; None when either rank is unknown).
    Two queries for both months, whatever the number of zones.
    """
    if by not in RANK_BY:
        raise ValueError(by)
    zone_list = list(zones)
    before = previous_month(year, month)
    now_rows = progress_for_zones(zone_list, year, month, indicators=[indicator])
    then_rows = progress_for_zones(zone_list, *before, indicators=[indicator])
    previous = _rank(
        [{"zone": z, "score": _score(then_rows[z.pk][0], by, *before)} for z in zone_list],
        indicator,
        by,
    )
    previous_rank = {e["zone"].pk: e["rank"] for e in previous}
    entries = []
    for zone in zone_list:
        p = now_rows[zone.pk][0]
        entries.append({"zone": zone, "progress": p, "score": _score(p, by, year, month)})
    ranked = _rank(entries, indicator, by)
    for entry in ranked:
        was = previous_rank.get(entry["zone"].pk)
        entry["previous_rank"] = was
        entry["move"] = was - entry["rank"] if was and entry["rank"] else None
    return ranked


def _score(p: "Progress", by: str, year: int, month: int) -> Decimal | None:
    # A figure of an earlier month (the zone has not reported this month) does not rank.
    if p.as_of_month != month:
        return None
    return getattr(p, by)


def ranking_start(visible_zones, indicator: Indicator) -> tuple[int | None, int, int] | None:
    """Where the ranking opens: (parent zone id, year, month) of the latest month with figures
    of ``indicator`` among the zones the user sees, below the parent with the most zones
    reporting that month; None without any figure."""
    values = IndicatorValue.objects.filter(zone__in=visible_zones, indicator=indicator)
    latest = values.order_by("-year", "-month").values_list("year", "month").first()
    if latest is None:
        return None
    year, month = latest
    parents = defaultdict(int)
    for parent_id, depth in values.filter(
        year=year, month=month, zone__parent__in=visible_zones
    ).values_list("zone__parent_id", "zone__depth"):
        parents[(depth, parent_id)] += 1
    if not parents:
        return None, year, month
    (_depth, parent_id), _count = max(parents.items(), key=lambda kv: (kv[1], -kv[0][0]))
    return parent_id, year, month


def series(zone: Zone, indicator: Indicator, years: Iterable[int]) -> dict[int, dict[int, dict]]:
    """year → month → {"value", "yoy"} for trend charts."""
    out: dict[int, dict[int, dict]] = defaultdict(dict)
    for year, month, value, yoy in IndicatorValue.objects.filter(
        zone=zone, indicator=indicator, year__in=list(years)
    ).values_list("year", "month", "value", "yoy"):
        out[year][month] = {"value": value, "yoy": yoy}
    return dict(out)


def decomposition(zone: Zone, indicator: Indicator, year: int) -> dict:
    """A zone's target against the targets decomposed to its child zones and its departments.

    Returns {"target", "children": [(zone, value)], "children_sum", "departments":
    [(department, value)], "departments_sum", "problems": [text]}: a decomposition that does not
    add up to the whole (short of it) is a problem; more than the whole is allowed (层层加码).
    """
    own = Target.objects.filter(
        zone=zone, indicator=indicator, year=year, department__isnull=True
    ).first()
    children = list(
        Target.objects.filter(
            zone__parent=zone, indicator=indicator, year=year, department__isnull=True
        ).select_related("zone")
    )
    departments = list(
        Target.objects.filter(
            zone=zone, indicator=indicator, year=year, department__isnull=False
        ).select_related("department")
    )
    whole = own.value if own else None
    problems = []
    result = {"target": whole, "problems": problems}
    for key, items, owner in (
        ("children", children, "zone"),
        ("departments", departments, "department"),
    ):
        pairs = [(getattr(t, owner), t.value) for t in items]
        total = sum((v for _o, v in pairs if v is not None), Decimal(0)) if pairs else None
        result[key] = pairs
        result[f"{key}_sum"] = total
        if whole is not None and total is not None and total < whole:
            problems.append(
                _("The {part} targets add up to {total}, short of the whole {whole}.").format(
                    part=_("sub-zone") if key == "children" else _("department"),
                    total=total,
                    whole=whole,
                )
            )
    return result


def flagged_values(user, *, year: int | None = None):
    """Values waiting for review that the user may see."""
    qs = IndicatorValue.objects.restrict(user).filter(needs_review=True)
    if year:
        qs = qs.filter(year=year)
    return qs.select_related("zone", "indicator")


def values_for(zone: Zone, year: int, month: int) -> dict[str, IndicatorValue]:
    """indicator code → the zone's value of that month."""
    return {
        v.indicator.code: v
        for v in IndicatorValue.objects.filter(zone=zone, year=year, month=month).select_related(
            "indicator"
        )
    }
