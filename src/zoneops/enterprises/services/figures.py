"""Monthly figures written in bulk (the API's bulk call, or a job for a large one): read all,
check all, write all or nothing."""

import functools
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import ADD, CHANGE, VIEW, role_may
from zoneops.core.files.import_engine import ImportEngine
from zoneops.core.files.imports import ImportResult, RowError, bulk_items_error
from zoneops.core.models import User
from zoneops.core.registries import background
from zoneops.enterprises import uscc
from zoneops.enterprises.importers import FigureImporter, _decimal
from zoneops.enterprises.locks import (
    locked_message,
    locked_zone_ids,
    note_editors,
)
from zoneops.enterprises.models import (
    Enterprise,
    MonthlyFigure,
)
from zoneops.enterprises.services.months import FIGURE_FIELDS

FIGURES_BULK_WORK = "enterprises.figures_bulk"  # a large bulk call, as a job (后台作业)


BULK_FIGURE_KEYS = frozenset({"uscc", "enterprise", "year", "month", "source", *FIGURE_FIELDS})


@transaction.atomic
def upsert_monthly_figures(items, *, acting_user: User, source: str = "api") -> ImportResult:
    """Create or update monthly figures keyed by (enterprise, year, month), all or nothing.

    Each item names its enterprise by ``uscc`` (or ``enterprise``, the id) and gives ``year``,
    ``month`` and any of the figures; figures left out keep their value (0 on a new row). The
    same rules as one figure: the enterprise in the user's zones, the role's right to add and
    change figures, no approved (locked) month, no negative amount but tax. Errors name the
    item's index (from 0), the field and the reason, like the Excel import's; on any error
    nothing is written. Every write leaves its audit row.
    """
    if not (
        role_may(acting_user, ADD, MonthlyFigure) and role_may(acting_user, CHANGE, MonthlyFigure)
    ):
        raise PermissionDenied(_("Your role may not record monthly figures."))
    result = ImportResult()
    refused = bulk_items_error(items)
    if refused is not None:
        result.errors.append(refused)
        return result
    return _FigureItems(acting_user, source).import_rows("api", items)


class _FigureItems(ImportEngine):
    """The records of a bulk request through the import engine: every item checked (and
    locked months refused), then all written or none."""

    def __init__(self, user: User, source: str):
        super().__init__(user)
        self.source = source
        self.zone_of: dict[int, int] = {}

    def check(self, items, result: ImportResult) -> list[tuple]:
        parsed = _parse_figure_items(items, self.user, self.source, result.errors.append)
        if result.errors:
            return []
        self.zone_of = dict(
            Enterprise.objects.filter(pk__in={k[0] for _i, k, _v, _s in parsed}).values_list(
                "pk", "zone_id"
            )
        )
        _refuse_locked_months(parsed, self.zone_of, result.errors.append)
        return parsed

    def write(self, name: str, parsed: list[tuple], result: ImportResult) -> None:
        zone_of = self.zone_of
        note_editors(self.user, {(zone_of[k[0]], k[1], k[2]) for _i, k, _v, _s in parsed})
        result.created, result.updated = _write_figure_items(parsed, zone_of)


class _FigureTargets:
    """The enterprises a bulk request's items may name (by USCC or id), in the user's zones."""

    def __init__(self, items, acting_user: User):
        visible = Enterprise.objects.restrict(acting_user, VIEW)
        usccs = {str(i.get("uscc", "")).strip().upper() for i in items if isinstance(i, dict)}
        ids = {
            i.get("enterprise")
            for i in items
            if isinstance(i, dict)
            and type(i.get("enterprise")) is int
            and 0 < i["enterprise"] < 2**63
        }
        self.by_uscc = dict(visible.filter(uscc__in=usccs).values_list("uscc", "pk"))
        self.known_ids = set(
            visible.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list(
                "pk", flat=True
            )
        )

    def enterprise_of(self, index: int, item: dict, error) -> int | None:
        """The id of the item's enterprise; None (with its error) if it names none the user
        sees."""
        if item.get("enterprise") not in (None, ""):
            enterprise_id = item["enterprise"]
            if type(enterprise_id) is not int or enterprise_id not in self.known_ids:
                error(
                    RowError(
                        index,
                        "enterprise",
                        str(enterprise_id)[:100],
                        _("No such enterprise in the zones you are granted."),
                    )
                )
                return None
            return enterprise_id
        code = str(item.get("uscc") or "").strip().upper()
        enterprise_id = self.by_uscc.get(code)
        if enterprise_id is None:
            reason = uscc.problem(code) or _("No such enterprise in the zones you are granted.")
            error(RowError(index, "uscc", code[:100], reason))
        return enterprise_id


def _parse_figure_items(items, acting_user: User, source: str, error) -> list[tuple]:
    """Every item checked: (index, (enterprise id, year, month), figures, source) of the good
    ones; the bad ones' errors go to ``error``."""
    targets = _FigureTargets(items, acting_user)
    parsed = []
    seen: dict[tuple, int] = {}
    report = background.report  # a job's progress (and cancel); nothing outside a job
    for index, item in enumerate(items):
        if not index % 200:
            report(index, len(items), background.CHECKING)
        if not isinstance(item, dict):
            error(RowError(index, "", "", _("Each record is an object.")))
            continue
        unknown = sorted(set(item) - BULK_FIGURE_KEYS)
        if unknown:
            error(RowError(index, unknown[0], "", _("Unknown field.")))
            continue
        enterprise_id = targets.enterprise_of(index, item, error)
        if enterprise_id is None:
            continue
        period = _item_period(index, item, error)
        if period is None:
            continue
        key = (enterprise_id, *period)
        if key in seen:
            error(
                RowError(
                    index,
                    "uscc" if "uscc" in item else "enterprise",
                    str(item.get("uscc") or item.get("enterprise")),
                    _("Duplicates record {row} of this request.").format(row=seen[key]),
                )
            )
            continue
        seen[key] = index
        values = _item_figures(index, item, error)
        parsed.append((index, key, values, str(item.get("source") or source)[:300]))
    return parsed


def _item_period(index: int, item: dict, error) -> tuple[int, int] | None:
    """(year, month) of an item; None (with its error) if either is missing or out of range."""
    period = []
    for name, low, high in (("year", 2000, 2100), ("month", 1, 12)):
        value = item.get(name)
        if isinstance(value, bool) or not isinstance(value, int | str):
            value = None
        try:
            number = int(str(value).strip())
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            error(RowError(index, name, str(item.get(name, ""))[:100], _("Not a year and month.")))
            return None
        period.append(number)
    return period[0], period[1]


@functools.cache
def _figure_limits() -> dict[str, Decimal]:
    return {
        name: Decimal(2**31)
        if name == "employees"
        else Decimal(10) ** (f.max_digits - f.decimal_places)
        for name in FIGURE_FIELDS
        for f in [MonthlyFigure._meta.get_field(name)]
    }


def _item_figures(index: int, item: dict, error) -> dict:
    """The figures an item gives, as numbers; each bad one is an error."""
    limits = _figure_limits()
    values = {}
    for name in FIGURE_FIELDS:
        if name not in item:
            continue
        raw = item[name]
        try:
            number = _decimal(raw)
        except ValueError:
            error(RowError(index, name, str(raw)[:100], _("Not a number.")))
            continue
        if abs(number) >= limits[name]:
            error(RowError(index, name, str(raw)[:100], _("Too large.")))
        elif number < 0 and name not in FigureImporter.may_be_negative:
            error(RowError(index, name, str(raw)[:100], _("Cannot be negative.")))
        elif name == "employees" and number != int(number):
            error(RowError(index, name, str(raw)[:100], _("Not a whole number.")))
        else:
            values[name] = int(number) if name == "employees" else number
    return values


def _refuse_locked_months(parsed: list[tuple], zone_of: dict[int, int], error) -> None:
    """An error for every item of an approved (locked) month of its enterprise's zone."""
    locked = {}
    for index, (enterprise_id, year, month), _values, _source in parsed:
        if (year, month) not in locked:
            locked[(year, month)] = locked_zone_ids(year, month)
        if zone_of[enterprise_id] in locked[(year, month)]:
            error(RowError(index, "month", f"{year}-{month:02d}", locked_message(year, month)))


def _write_figure_items(parsed: list[tuple], zone_of: dict[int, int]) -> tuple[int, int]:
    """Create or update each item's figure (one save each: the audit trail and the signals
    see every write); (created, updated)."""
    created = updated = 0
    report = background.report  # a job's progress (and cancel); nothing outside a job
    existing = {}
    for figure in (
        MonthlyFigure.objects.select_for_update()
        .filter(enterprise_id__in=zone_of, year__in={k[1] for _i, k, _v, _s in parsed})
        .select_related("enterprise")
    ):
        existing[(figure.enterprise_id, figure.year, figure.month)] = figure
    for done, (_index, key, values, row_source) in enumerate(parsed):
        if not done % 200:
            report(done, len(parsed), background.WRITING)
        figure = existing.get(key)
        if figure is None:
            MonthlyFigure.objects.create(
                enterprise_id=key[0], year=key[1], month=key[2], source=row_source, **values
            )
            created += 1
            continue
        changed = [name for name, value in values.items() if getattr(figure, name) != value]
        if changed:
            for name in changed:
                setattr(figure, name, values[name])
            figure.save(update_fields=[*changed, "updated_at"])
        updated += 1
    report(len(parsed), len(parsed), background.WRITING)
    return created, updated
