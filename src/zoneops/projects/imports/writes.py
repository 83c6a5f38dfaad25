"""Writing a clean file in bulk: new projects, their plans and monthly figures, with audit rows."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from zoneops.core.audit import bulk
from zoneops.core.audit import trail as audit
from zoneops.core.models import ObjectChange
from zoneops.projects.models import (
    AUTOMATIC_TAGS,
    ONE_BILLION_WAN,
    TEN_MILLION_WAN,
    AnnualPlan,
    MonthlyInvestment,
    Project,
    Tag,
    tags_from_text,
    tags_to_text,
)

PROJECT_FIELDS = [
    "name",
    "zone_id",
    "owner_name",
    "industry",
    "chain",
    "type",
    "category",
    "stage",
    "total_investment",
    "plan_year",
    "annual_plan",
    "planned_start",
    "actual_start",
    "planned_production",
    "actual_production",
    "planned_completion",
    "actual_completion",
    "tags",
    "leader_name",
    "special_team",
    "responsible_unit",
    "longitude",
    "latitude",
]


@dataclass
class Ref:
    pk: int
    zone_id: int
    code: str


def cell_value(field: str, value):
    """A parsed cell as the model stores it (empty cells become the field's empty value)."""
    if field == "zone_id":
        return value.pk if value is not None else None
    if field == "tags":
        return tags_to_text(value or [])
    if value is None:
        model_field = Project._meta.get_field(field)
        if model_field.null:
            return None
        if model_field.has_default():
            return model_field.get_default()
        return ""
    return value


PROJECT_DEFAULTS = {
    f.attname: f.get_default() for f in Project._meta.concrete_fields if not f.primary_key
}


AUDITED = [
    f.attname
    for f in Project._meta.concrete_fields
    if not f.primary_key and f.name not in Project.audit_exclude
]


def new_project_row(values: dict, present: set[str], source: str) -> dict:
    row = dict(PROJECT_DEFAULTS, code=values["code"], source=source)
    row["zone_id"] = values["zone"].pk
    for field in PROJECT_FIELDS:
        key = field.removesuffix("_id")
        if key in present:
            row[field] = cell_value(field, values.get(key))
    row["category"] = row["category"] or Project.Category.INDUSTRIAL
    row["stage"] = row["stage"] or Project.Stage.PLANNED
    total = row["total_investment"] or 0
    tags = [t for t in tags_from_text(row["tags"]) if t not in AUTOMATIC_TAGS]
    if total >= TEN_MILLION_WAN:
        tags.append(Tag.OVER_50M)
    if total >= ONE_BILLION_WAN:
        tags.append(Tag.OVER_1B)
    row["tags"] = tags_to_text(tags)
    return row


def insert_projects(rows: list[dict]) -> dict[str, Ref]:
    """Insert new projects in bulk, learn their ids and write their audit rows."""
    refs: dict[str, Ref] = {}
    if not rows:
        return refs
    bulk.insert_dicts(Project, rows)
    pks = bulk.inserted_pks(Project, len(rows))
    if pks is not None:
        for pk, row in zip(pks, rows, strict=True):
            refs[row["code"]] = Ref(pk, row["zone_id"], row["code"])
    else:
        by_code = {row["code"]: row for row in rows}
        codes = list(by_code)
        for start in range(0, len(codes), 2000):
            chunk = codes[start : start + 2000]
            for code, pk in Project.objects.filter(code__in=chunk).values_list("code", "pk"):
                refs[code] = Ref(pk, by_code[code]["zone_id"], code)
    bulk.log_created(
        Project,
        [
            (
                refs[row["code"]].pk,
                f"{row['code']} {row['name']}",
                row["zone_id"],
                {
                    name: value if type(value := row[name]) in AS_IS else audit._plain(value)
                    for name in AUDITED
                },
            )
            for row in rows
        ],
    )
    return refs


# Values that ``audit._plain`` returns unchanged.
AS_IS = frozenset({str, int, bool, float, type(None)})


def insert_plans(items: list[tuple[Ref, dict]]) -> None:
    if not items:
        return
    bulk.insert_dicts(AnnualPlan, [row for _ref, row in items])
    keys = {(row["project_id"], row["year"]): None for _ref, row in items}
    pks = bulk.inserted_pks(AnnualPlan, len(items))
    if pks is not None and len(keys) == len(items):
        keys.update(zip(keys, pks, strict=True))
    else:
        ids = sorted({row["project_id"] for _ref, row in items})
        for start in range(0, len(ids), 2000):
            for pk, project_id, year in AnnualPlan.objects.filter(
                project_id__in=ids[start : start + 2000]
            ).values_list("pk", "project_id", "year"):
                if (project_id, year) in keys:
                    keys[(project_id, year)] = pk
    bulk.log_created(
        AnnualPlan,
        [
            (
                keys[(row["project_id"], row["year"])],
                f"{ref.code} {row['year']}",
                ref.zone_id,
                {
                    "source": row["source"],
                    "project_id": row["project_id"],
                    "year": row["year"],
                    "planned": str(row["planned"]),
                    "baseline": None,
                },
            )
            for ref, row in items
        ],
    )


@dataclass(slots=True)
class MonthEntry:
    project_id: int
    zone_id: int
    code: str
    year: int
    month: int
    value: Decimal
    row: int | None = None


def write_monthly(entries: list[MonthEntry], source: str, known_new=frozenset()) -> tuple[int, int]:
    """Upsert (project, year, month, 本年累计) rows in bulk, with audit rows.

    ``known_new``: indexes of entries that cannot exist yet (a month after the project's
    latest), so no lookup is needed for them.
    """
    existing = stored_months([e for i, e in enumerate(entries) if i not in known_new])
    new, changed, audit_rows = [], [], []
    for entry in entries:
        row = existing.get((entry.project_id, entry.year, entry.month))
        if row is None:
            new.append(entry)
        elif row.completed_ytd != entry.value:
            before = audit.snapshot(row)
            row.completed_ytd = entry.value
            row.updated_at = timezone.now()
            changed.append(row)
            audit_rows.append(
                audit.change_row(
                    row, ObjectChange.Action.UPDATE, audit.diff(before, audit.snapshot(row))
                )
            )
    insert_months(new, source)
    if changed:
        bulk.update(MonthlyInvestment, changed, ["completed_ytd", "updated_at"])
        ObjectChange.objects.bulk_create(audit_rows, batch_size=2000)
    return len(new), len(changed)


def stored_months(entries: list[MonthEntry]) -> dict[tuple, MonthlyInvestment]:
    """The monthly rows already stored for ``entries``, by (project id, year, month)."""
    existing = {}
    if not entries:
        return existing
    ids = sorted({e.project_id for e in entries})
    years = sorted({e.year for e in entries})
    months = sorted({e.month for e in entries})
    for start in range(0, len(ids), 2000):
        for row in MonthlyInvestment.objects.filter(
            project_id__in=ids[start : start + 2000], year__in=years, month__in=months
        ).select_related("project"):
            existing[(row.project_id, row.year, row.month)] = row
    return existing


def insert_months(new: list[MonthEntry], source: str) -> None:
    """Insert new monthly rows with their audit rows."""
    if not new:
        return
    bulk.insert(
        MonthlyInvestment,
        ["project_id", "year", "month", "completed_ytd"],
        [(e.project_id, e.year, e.month, e.value) for e in new],
        {"source": source},
    )
    pks = bulk.inserted_pks(MonthlyInvestment, len(new))
    if pks is None:
        # The rows of one year and month: one (project, year, month) each, so their ids
        # are found without sending thousands of project ids back to the database.
        ids = {}
        wanted = {(e.project_id, e.year, e.month) for e in new}
        for year, month in sorted({(e.year, e.month) for e in new}):
            for pk, pid in MonthlyInvestment.objects.filter(year=year, month=month).values_list(
                "pk", "project_id"
            ):
                if (pid, year, month) in wanted:
                    ids[(pid, year, month)] = pk
        pks = [ids[(e.project_id, e.year, e.month)] for e in new]
    template = audit.created_template(
        {
            "source": source,
            "project_id": audit.INT,
            "year": audit.INT,
            "month": audit.INT,
            "completed_ytd": audit.TEXT,
        }
    )
    bulk.log_created(
        MonthlyInvestment,
        [
            (
                pk,
                f"{e.code} {e.year}-{e.month:02d}",
                e.zone_id,
                template % (e.project_id, e.year, e.month, e.value),
            )
            for pk, e in zip(pks, new, strict=True)
        ],
    )
